"""Secure by default: a deployment that forgets a variable runs as production, seeds
no demo accounts, and refuses to start with the secret committed in the source or a weak one;
tokens without an expiry, or signed with the placeholder, are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import _DEV_SECRET, InsecureSettings, Settings
from tests.api.test_cli import run_cli
from tests.conftest import TEST_SECRET
from tests.support.world import World


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CALLREVIEW_* variable: what a deployment that forgot them all gets."""
    import os

    for key in list(os.environ):
        if key.startswith("CALLREVIEW_"):
            monkeypatch.delenv(key)


def test_the_default_is_production_without_demo_data(bare_env: None):
    settings = Settings()
    assert settings.environment == "production"
    assert settings.seed_demo is None
    assert settings.demo_enabled is False
    explicit = Settings(environment="development")
    assert explicit.demo_enabled is True
    assert explicit.serving_problems() == []


def test_the_app_refuses_to_start_with_the_placeholder_secret(bare_env: None, tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/db", storage_dir=tmp_path / "s")
    assert settings.secret_key.get_secret_value() == _DEV_SECRET
    with pytest.raises(InsecureSettings) as err:
        create_app(settings)
    assert "set CALLREVIEW_SECRET_KEY" in str(err.value)
    assert "CALLREVIEW_ENVIRONMENT=production" in str(err.value)


@pytest.mark.parametrize("secret", ["x", "short-but-not-32-chars", "a" * 40])
def test_a_weak_secret_is_refused(secret: str, tmp_path: Path):
    settings = Settings(
        environment="test", secret_key=secret, database_url=f"sqlite:///{tmp_path}/db"
    )
    with pytest.raises(InsecureSettings, match="CALLREVIEW_SECRET_KEY is too weak"):
        create_app(settings)


def test_demo_seeding_is_refused_outside_development(tmp_path: Path):
    settings = Settings(environment="production", secret_key=TEST_SECRET, seed_demo=True)
    with pytest.raises(InsecureSettings, match="CALLREVIEW_SEED_DEMO=true is refused"):
        create_app(settings)


def test_serve_without_a_secret_exits_with_the_variable_to_set(bare_env: None, tmp_path: Path):
    res = run_cli("serve", "--port", "1", cwd=tmp_path)
    assert res.returncode == 2
    assert "refusing to start: set CALLREVIEW_SECRET_KEY" in res.stderr
    assert "secrets.token_urlsafe(48)" in res.stderr
    assert "Traceback" not in res.stderr


def test_an_empty_production_database_has_no_demo_accounts(world: World):
    # The world fixture builds its own users; the demo's admin@example.com is not among them.
    res = world.client.post(
        "/api/v1/auth/token",
        data={"username": "admin@example.com", "password": "callreview-demo"},
    )
    assert res.status_code == 401


def _token(secret: str, **claims: object) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def test_forged_and_expiry_less_tokens_are_refused(world: World):
    admin = str(world.id("admin"))
    now = datetime.now(UTC)
    forged = _token(_DEV_SECRET, sub=admin, role="admin", iat=now, exp=now + timedelta(hours=1))
    no_exp = _token(TEST_SECRET, sub=admin, role="admin", iat=now)
    good = _token(
        TEST_SECRET, sub=admin, role="admin", ver=0, iat=now, exp=now + timedelta(hours=1)
    )
    c: TestClient = world.client
    for token in (forged, no_exp):
        res = c.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 401, token
        assert res.json() == {"detail": "invalid token"}
    assert c.get("/api/v1/audit", headers={"Authorization": f"Bearer {good}"}).status_code == 200
