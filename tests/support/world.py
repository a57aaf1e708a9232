"""An app per test (lifespan, embedded worker) on SQLite and PostgreSQL, with one user of each
role: admin, QA analyst, supervisor of team A, agent of team A, agent of team B."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domains.auth.dependencies import issue_token
from domains.kit.services import Services
from models.accounts import Role, User
from tests.conftest import make_settings
from tests.support.factories import PASSWORD, make_user

ROLES = ("admin", "qa", "supervisor", "agent_a", "agent_b", "anonymous")


@dataclass
class World:
    client: TestClient
    svc: Services
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        if who == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def id(self, who: str) -> uuid.UUID:
        return self.users[who].id


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    res = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert res.status_code == 200, res.text
    return str(res.json()["access_token"])


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    app = create_app(make_settings(db_url, tmp_path / "storage", max_upload_mb=1))
    with TestClient(app) as client:
        svc: Services = app.state.services
        w = World(client=client, svc=svc)
        for key, name, role, team in (
            ("admin", "Ada Admin", Role.admin, None),
            ("qa", "Quinn Analyst", Role.qa_analyst, None),
            ("supervisor", "Sam Supervisor", Role.supervisor, "A"),
            ("agent_a", "Alice Agent", Role.agent, "A"),
            ("agent_b", "Bob Agent", Role.agent, "B"),
        ):
            w.users[key] = make_user(svc, name=name, role=role, team=team)
            w.tokens[key] = issue_token(w.users[key], svc.settings)
        yield w
