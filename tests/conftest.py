"""Shared fixtures: real databases (SQLite file and PostgreSQL) built by the migrations.

PostgreSQL comes from ``CALLREVIEW_TEST_DATABASE_URL`` (default: the local server, trust auth).
When it cannot be reached the PostgreSQL half of the suite is skipped — unless
``CALLREVIEW_REQUIRE_SERVICES=1`` (CI), where that skip becomes a failure.
"""

from __future__ import annotations

from core.runtime import limit_threads

limit_threads()  # before numpy and CTranslate2 load: one thread per process

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.settings import Settings
from domains.kit.services import Services, build_services
from models.base import Base
from models.db import make_engine, normalize_url
from models.migrate import upgrade
from tests.support.synth import MissingTool

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def services_required() -> bool:
    return os.environ.get("CALLREVIEW_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (CALLREVIEW_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


def _missing_tool(exc: BaseException) -> str | None:
    """The message for a program the test needs and this machine lacks, else None."""
    if isinstance(exc, MissingTool):
        return str(exc)
    if isinstance(exc, FileNotFoundError) and exc.filename in TOOLS:
        return f"{exc.filename} not installed: apt-get install -y {exc.filename}"
    return None


# Debian programs the tests run (`make test` and .ci/run install them when they can).
TOOLS = ("espeak-ng", "sox", "ffmpeg", "chromium")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    try:
        return (yield)
    except (MissingTool, FileNotFoundError) as exc:
        if (why := _missing_tool(exc)) is None:
            raise
        skip_or_fail(why)
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    try:
        return (yield)
    except (MissingTool, FileNotFoundError) as exc:
        if (why := _missing_tool(exc)) is None:
            raise
        skip_or_fail(why)
        raise


@pytest.fixture(scope="session")
def pg_server_url() -> str | None:
    url = os.environ.get("CALLREVIEW_TEST_DATABASE_URL", PG_DEFAULT)
    try:
        engine = sa.create_engine(normalize_url(url))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    return url


@pytest.fixture(scope="session")
def pg_database(pg_server_url: str | None) -> Iterator[str | None]:
    """A fresh database for this test session, migrated once, dropped at the end."""
    if pg_server_url is None:
        yield None
        return
    name = f"callreview_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalize_url(pg_server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base, _, _ = normalize_url(pg_server_url).rpartition("/")
    url = f"{base}/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_database: str | None,
) -> str:
    """A clean, migrated database of each kind for every test that asks for one."""
    if request.param == "sqlite":
        path = tmp_path / "callreview.db"
        path.write_bytes(sqlite_template.read_bytes())
        return f"sqlite:///{path}"
    if pg_database is None:
        skip_or_fail("PostgreSQL is not reachable")
    assert pg_database is not None
    _truncate_all(pg_database)
    return pg_database


# Outside development the web service refuses the placeholder secret (and any short one).
TEST_SECRET = "test-only-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def make_settings(db_url: str, storage: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db_url,
        "storage_dir": storage,
        "environment": "test",
        "seed_demo": False,
        "secret_key": TEST_SECRET,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[Services]:
    services = build_services(make_settings(db_url, tmp_path / "storage"), migrate=False)
    yield services
    services.close()


@pytest.fixture(scope="session")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated audio is cached here for the session (outside git)."""
    cache = REPO / "tests" / "_generated"
    cache.mkdir(parents=True, exist_ok=True)
    return cache
