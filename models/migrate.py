"""Apply or check migrations programmatically (`callreview db upgrade`, tests, start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from models.db import normalize_url

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


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
