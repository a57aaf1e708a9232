"""Apply or check migrations programmatically (`callreview db upgrade`, tests, start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.errors import SchemaOutOfDate
from models.db import make_engine, normalize_url

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a database with no schema yet."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def ensure_schema(url: str) -> None:
    """Fast at start-up: a database at the code's revision is used as it is; an empty SQLite
    file (the embedded default, first use) is created; anything else is refused with the one
    command to run — migrations are an explicit step, never a side effect of a command."""
    at, head = current_revision(url), head_revision()
    if at == head:
        return
    if at is None and normalize_url(url).startswith("sqlite"):
        upgrade(url)
        return
    raise SchemaOutOfDate(
        f"the database is at migration {at or 'none (empty)'}, this version needs {head}: "
        "run `callreview db upgrade`"
    )


def check(url: str) -> None:
    """Raise if the models and the migrations disagree (run in CI)."""
    command.check(alembic_config(url))


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)


def verify(url: str) -> None:
    """Upgrade an empty database and check that the models need no new migration."""
    upgrade(url)
    check(url)


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        verify(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp}/check.db")
    print("migrations match the models")
