"""`callreview coaching draft` builds the same draft as the API, from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domains.kit.services import build_services
from models.accounts import Role
from tests.api.test_cli import run_cli
from tests.conftest import make_settings
from tests.support.coaching_history import scored_call
from tests.support.factories import make_user


def test_cli_draft(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    svc = build_services(make_settings(url, tmp_path / "storage"))
    agent = make_user(svc, name="Alice Agent", role=Role.agent, team="A")
    make_user(svc, name="Sam Supervisor", role=Role.supervisor, team="A")
    now = datetime.now(UTC)
    for i in range(4):
        verdicts = {"closing": "fail"} if i < 3 else {}
        scored_call(svc, agent=agent, at=now - timedelta(days=i + 1), verdicts=verdicts)
    svc.close()
    env = {"CALLREVIEW_DATABASE_URL": url, "CALLREVIEW_STORAGE_DIR": str(tmp_path / "storage")}
    res = run_cli(
        "coaching",
        "draft",
        "--agent",
        "Alice Agent",
        "--since",
        (now - timedelta(days=10)).date().isoformat(),
        cwd=tmp_path,
        env=env,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "draft for Alice Agent: 4 calls, focus: closing"
    assert len(lines[-1]) == 36  # the session id
    res = run_cli("coaching", "draft", "--agent", "Nobody", cwd=tmp_path, env=env)
    assert res.returncode == 2 and "no agent 'Nobody'" in res.stderr
