"""Accounts: login throttling with audit, constant work for unknown e-mails, token
revocation (logout, password change and reset, deactivation, role change), a password policy,
the admin page and CLI for deactivation and resets, and calls only for agents."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core import passwords
from core.errors import InvalidInput
from domains.accounts.users import create_user
from models.accounts import LoginAttempt, User
from models.audit import AuditEvent
from models.calls import Call
from tests.api.test_cli import run_cli
from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.factories import PASSWORD, make_call
from tests.support.pipeline_calls import submit
from tests.support.world import World

TOKEN = "/api/v1/auth/token"
ALICE = "alice.agent@example.com"


def _login(c: TestClient, email: str, password: str, **kw: Any) -> Any:
    return c.post(TOKEN, data={"username": email, "password": password}, **kw)


def _audit(w: World, action: str) -> list[AuditEvent]:
    with w.svc.session_factory() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.at))
        )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------------------- throttling
def test_failed_logins_lock_the_account_with_retry_after_and_audit(world: World):
    c = world.client
    for _ in range(5):
        assert _login(c, ALICE, "wrong password!").status_code == 401
    locked = _login(c, ALICE, PASSWORD)  # even the right password: no oracle while locked
    assert locked.status_code == 429
    assert locked.json() == {"detail": "too many failed logins: try again in 15 minutes"}
    assert 890 <= int(locked.headers["Retry-After"]) <= 900
    failed = _audit(world, "auth.login_failed")
    assert [e.details["reason"] for e in failed] == ["wrong password"] * 5
    assert {e.entity_id for e in failed} == {str(world.id("agent_a"))}
    assert [e.details["email"] for e in _audit(world, "auth.login_locked")] == [ALICE]
    assert _audit(world, "auth.login_succeeded") == []
    # Another account from the same address is not locked by Alice's failures.
    ok = _login(c, "bob.agent@example.com", PASSWORD)
    assert ok.status_code == 200
    assert [e.actor_id for e in _audit(world, "auth.login_succeeded")] == [world.id("agent_b")]


def test_the_page_login_is_throttled_too(world: World):
    c = world.client
    form = {"username": ALICE, "password": "wrong password!", "next": "/calls"}
    for _ in range(5):
        assert c.post("/login", data=form).status_code == 401
    page = c.post("/login", data={**form, "password": PASSWORD}, follow_redirects=False)
    assert page.status_code == 429
    assert "too many failed logins" in page.text
    assert int(page.headers["Retry-After"]) > 0


def test_failures_from_one_address_lock_every_account_it_tries(world: World):
    c = world.client
    for i in range(20):
        assert _login(c, f"nobody{i}@example.com", "wrong password!").status_code == 401
    res = _login(c, ALICE, PASSWORD)
    assert res.status_code == 429
    with world.svc.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 20
    reasons = {e.details["reason"] for e in _audit(world, "auth.login_failed")}
    assert reasons == {"unknown e-mail"}


def test_unknown_emails_cost_the_same_scrypt(world: World, monkeypatch: pytest.MonkeyPatch):
    passwords.verify_password("warm", None)  # the dummy hash exists already
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(passwords.hashlib, "scrypt", counting)
    assert _login(world.client, "nobody@example.com", "wrong password!").status_code == 401
    unknown = len(calls)
    calls.clear()
    assert _login(world.client, ALICE, "wrong password!").status_code == 401
    assert unknown == len(calls) == 1


# ---------------------------------------------------------------------------- revocation
def test_logout_revokes_the_token(world: World):
    c = world.client
    token = _login(c, ALICE, PASSWORD).json()["access_token"]
    other = _login(c, ALICE, PASSWORD).json()["access_token"]  # a second session
    assert c.get("/api/v1/users/me", headers=_bearer(token)).status_code == 200
    assert c.post("/api/v1/auth/logout", headers=_bearer(token)).status_code == 204
    for t in (token, other):
        res = c.get("/api/v1/users/me", headers=_bearer(t))
        assert res.status_code == 401
        assert res.json() == {"detail": "the token has been revoked; log in again"}
    assert len(_audit(world, "user.tokens_revoked")) == 1


def test_page_logout_revokes_the_cookie_token(world: World):
    c = world.client
    res = c.post("/login", data={"username": ALICE, "password": PASSWORD}, follow_redirects=False)
    cookie = res.cookies["callreview_token"]
    page = c.get("/calls").text
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert csrf is not None
    assert c.post("/logout", data={"csrf_token": csrf.group(1)}).status_code == 200
    c.cookies.clear()
    assert c.get("/api/v1/users/me", headers=_bearer(cookie)).status_code == 401


def test_password_change_follows_the_policy_and_revokes(world: World):
    c = world.client
    token = _login(c, ALICE, PASSWORD).json()["access_token"]
    url = "/api/v1/users/me/password"
    for new, why in (
        ("short pass", "password must have at least 12 characters"),
        (ALICE, "password must not be the e-mail address or the name"),
        ("Password1234", "password is too common: choose a longer phrase of your own"),
    ):
        res = c.post(
            url, json={"current_password": PASSWORD, "new_password": new}, headers=_bearer(token)
        )
        assert (res.status_code, res.json()) == (422, {"detail": why})
    wrong = c.post(
        url,
        json={"current_password": "not it at all", "new_password": "a new long phrase"},
        headers=_bearer(token),
    )
    assert wrong.status_code == 403
    res = c.post(
        url,
        json={"current_password": PASSWORD, "new_password": "a new long phrase"},
        headers=_bearer(token),
    )
    assert res.status_code == 204
    assert c.get("/api/v1/users/me", headers=_bearer(token)).status_code == 401
    assert _login(c, ALICE, PASSWORD).status_code == 401
    assert _login(c, ALICE, "a new long phrase").status_code == 200
    assert [e.entity_id for e in _audit(world, "user.password_changed")] == [
        str(world.id("agent_a"))
    ]


def test_admin_deactivation_reset_and_role_change_are_audited_and_revoke(world: World):
    c, w = world.client, world
    alice = str(w.id("agent_a"))
    token = _login(c, ALICE, PASSWORD).json()["access_token"]
    # Not for non-admins.
    assert (
        c.patch(
            f"/api/v1/users/{alice}", json={"active": False}, headers=w.headers("qa")
        ).status_code
        == 403
    )
    res = c.patch(f"/api/v1/users/{alice}", json={"active": False}, headers=w.headers("admin"))
    assert res.status_code == 200 and res.json()["active"] is False
    assert c.get("/api/v1/users/me", headers=_bearer(token)).status_code == 401
    assert _login(c, ALICE, PASSWORD).status_code == 401
    assert _audit(w, "auth.login_failed")[-1].details["reason"] == "deactivated"
    assert [e.actor_id for e in _audit(w, "user.deactivated")] == [w.id("admin")]
    c.patch(f"/api/v1/users/{alice}", json={"active": True}, headers=w.headers("admin"))
    weak = c.post(
        f"/api/v1/users/{alice}/password",
        json={"password": "123456789012"},
        headers=w.headers("admin"),
    )
    assert weak.status_code == 422
    reset = c.post(
        f"/api/v1/users/{alice}/password",
        json={"password": "reset by the admin today"},
        headers=w.headers("admin"),
    )
    assert reset.status_code == 204
    assert _login(c, ALICE, "reset by the admin today").status_code == 200
    assert [e.entity_id for e in _audit(w, "user.password_reset")] == [alice]
    # A supervisor becomes QA: their token ends, the change is audited.
    sup = str(w.id("supervisor"))
    res = c.patch(f"/api/v1/users/{sup}", json={"role": "qa_analyst"}, headers=w.headers("admin"))
    assert res.status_code == 200 and res.json()["role"] == "qa_analyst"
    assert c.get("/api/v1/users/me", headers=w.headers("supervisor")).status_code == 401
    changed = _audit(w, "user.role_changed")
    assert [(e.details["role_from"], e.details["role_to"]) for e in changed] == [
        ("supervisor", "qa_analyst")
    ]
    # The admin cannot lock themselves out.
    own = c.patch(
        f"/api/v1/users/{w.id('admin')}", json={"active": False}, headers=w.headers("admin")
    )
    assert own.status_code == 409


def test_user_creation_is_audited_and_follows_the_policy(world: World):
    with world.svc.unit_of_work() as s, pytest.raises(InvalidInput, match="at least 12 char"):
        create_user(s, email="new@example.com", name="New", role="agent", password="short1")
    with world.svc.unit_of_work() as s, pytest.raises(InvalidInput, match="not be the e-mail"):
        create_user(
            s, email="new@example.com", name="New", role="agent", password="new@example.com"
        )
    with world.svc.unit_of_work() as s:
        uid = create_user(
            s, email="new@example.com", name="New", role="agent", password="a long new phrase"
        )
    created = _audit(world, "user.created")
    assert [(e.entity_id, e.details["role"], e.actor_id) for e in created] == [
        (str(uid), "agent", None)
    ]


# ---------------------------------------------------------------------------- admin page
def test_the_admin_page_deactivates_with_a_csrf_token(world: World):
    c, w = world.client, world
    c.cookies.set("callreview_token", w.tokens["qa"])
    assert c.get("/admin/users").status_code == 403
    c.cookies.set("callreview_token", w.tokens["admin"])
    page = c.get("/admin/users")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    url = f"/admin/users/{w.id('agent_b')}/active"
    assert c.post(url, data={"active": "false"}).status_code == 403  # no token
    res = c.post(url, data={"active": "false", "csrf_token": csrf.group(1)}, follow_redirects=False)
    assert res.status_code == 303
    with w.svc.session_factory() as s:
        bob = s.get(User, w.id("agent_b"))
        assert bob is not None and bob.active is False and bob.token_version == 1
    res = c.post(
        f"/admin/users/{w.id('agent_b')}/password",
        data={"password": "short", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert res.status_code == 303 and "error=password+must+have" in res.headers["location"]


def test_the_cli_deactivates_and_resets(tmp_path: Path):
    created = run_cli(
        "users", "create", "--email", "sam@example.com", "--name", "Sam", "--role", "agent",
        "--password", "the first long phrase", cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    weak = run_cli(
        "users", "reset-password", "--email", "sam@example.com", "--password", "short",
        cwd=tmp_path,
    )  # fmt: skip
    assert weak.returncode == 1
    assert "error: password must have at least 12 characters" in weak.stderr
    reset = run_cli(
        "users", "reset-password", "--email", "sam@example.com", "--password",
        "the second long phrase", cwd=tmp_path,
    )  # fmt: skip
    assert reset.returncode == 0 and "password reset: Sam <sam@example.com>" in reset.stdout
    off = run_cli("users", "deactivate", "--email", "sam@example.com", cwd=tmp_path)
    assert off.returncode == 0 and "deactivated: Sam" in off.stdout
    missing = run_cli("users", "deactivate", "--email", "nobody@example.com", cwd=tmp_path)
    assert missing.returncode == 1 and "no user with e-mail" in missing.stderr


# ---------------------------------------------------------------------------- calls
@pytest.mark.parametrize("who", ["supervisor", "qa", "admin"])
def test_calls_cannot_be_assigned_to_non_agents(world: World, who: str):
    w = world
    res = w.client.post(
        "/api/v1/calls",
        files={"file": ("call.txt", GOOD_CALL.encode())},
        data={"agent_id": str(w.id(who))},
        headers=w.headers("admin"),
    )
    assert res.status_code == 422
    user = w.users[who]
    expected = f"{user.name} is not an agent ({user.role.value}): calls belong to agents"
    assert res.json()["detail"] == expected
    with w.svc.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 0


def test_the_cli_agent_name_must_be_an_agent(world: World, tmp_path: Path):
    path = tmp_path / "call.txt"
    path.write_text(GOOD_CALL)
    with pytest.raises(
        InvalidInput, match=r"Ada Admin is not an agent \(admin\): calls belong to agents"
    ):
        submit(world.svc, path, agent="Ada Admin")


def test_an_agent_with_calls_keeps_the_agent_role(world: World):
    make_call(world.svc, agent=world.users["agent_a"])
    res = world.client.patch(
        f"/api/v1/users/{world.id('agent_a')}",
        json={"role": "supervisor"},
        headers=world.headers("admin"),
    )
    assert res.status_code == 409
    assert res.json() == {"detail": "Alice Agent has 1 calls as an agent: calls belong to agents"}
    assert uuid.UUID(res.request.url.path.rsplit("/", 1)[1]) == world.id("agent_a")
