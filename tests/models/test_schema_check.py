"""Migrations are an explicit step: start-up only checks the revision (a new SQLite file is
created, the embedded default's first use); a database behind the code is refused with the
command to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import SchemaOutOfDate
from domains.kit.services import build_services
from models.migrate import current_revision, head_revision, upgrade
from tests.conftest import make_settings


def test_a_new_sqlite_file_is_created_at_the_latest_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    build_services(make_settings(url, tmp_path / "s")).close()
    assert current_revision(url) == head_revision()


def test_a_database_behind_the_code_is_refused_with_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0001")
    with pytest.raises(SchemaOutOfDate, match=r"run `callreview db upgrade`"):
        build_services(make_settings(url, tmp_path / "s"))
    assert current_revision(url) == "0001"  # nothing was changed behind the operator's back
    build_services(make_settings(url, tmp_path / "s"), migrate=True).close()
    assert current_revision(url) == head_revision()
