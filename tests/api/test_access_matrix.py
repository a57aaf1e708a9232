"""Every route × every role: who may do what. Anonymous → 401; a role without the right → 403;
what a user may not see does not exist for them → 404."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.factories import make_call
from tests.support.world import ROLES, World

#            admin, qa,  sup(A), agent_a, agent_b, anonymous
EVERYONE = (200, 200, 200, 200, 200, 401)
OWN_A = (200, 200, 200, 200, 404, 401)  # agent A's call: team A and A see it, B does not
OWN_B = (200, 200, 404, 404, 200, 401)
REVIEWERS = (200, 200, 200, 403, 403, 401)
ADMINS = (200, 403, 403, 403, 403, 401)


def _matrix(w: World) -> list[tuple[str, str, dict[str, Any], tuple[int, ...]]]:
    a, b = w.ids["call_a"], w.ids["call_b"]
    agent_a, agent_b = w.id("agent_a"), w.id("agent_b")
    override = {"json": {"verdict": "fail", "reason": "no company name"}}
    upload = {
        "files": {"file": ("call.txt", GOOD_CALL.encode())},
        "data": {"agent_id": str(agent_a)},
    }
    return [
        ("GET", "/healthz", {}, (200,) * 6),
        ("GET", "/api/v1/users/me", {}, EVERYONE),
        ("GET", "/api/v1/calls", {}, EVERYONE),
        ("GET", f"/api/v1/calls/{a}", {}, OWN_A),
        ("GET", f"/api/v1/calls/{b}", {}, OWN_B),
        ("GET", f"/api/v1/calls/{a}/audio", {}, OWN_A),
        ("GET", f"/api/v1/calls/{b}/audio", {}, OWN_B),
        ("GET", f"/api/v1/calls/{a}/clip?start=0&end=0.5", {}, OWN_A),
        ("GET", f"/api/v1/calls/{uuid.uuid4()}", {}, (404, 404, 404, 404, 404, 401)),
        ("PUT", f"/api/v1/calls/{a}/criteria/greeting", override, REVIEWERS),
        ("PUT", f"/api/v1/calls/{b}/criteria/greeting", override, (200, 200, 404, 403, 403, 401)),
        # A scored call is not failed: reviewers get past access to the 409.
        ("POST", f"/api/v1/calls/{a}/retry", {}, (409, 409, 409, 403, 403, 401)),
        ("POST", f"/api/v1/calls/{b}/retry", {}, (409, 409, 404, 403, 403, 401)),
        # The first upload creates the call, the others are answered with it (duplicate).
        ("POST", "/api/v1/calls", upload, (202, 200, 200, 403, 403, 401)),
        (
            "POST",
            "/api/v1/calls",
            {**upload, "data": {"agent_id": str(agent_b)}},
            (202, 200, 404, 403, 403, 401),
        ),
        ("GET", f"/api/v1/agents/{agent_a}/progress", {}, OWN_A),
        ("GET", f"/api/v1/agents/{agent_b}/progress", {}, OWN_B),
        ("GET", "/api/v1/users", {}, REVIEWERS),
        ("GET", "/api/v1/audit", {}, ADMINS),
        ("GET", "/api/v1/dashboard", {}, REVIEWERS),
        ("GET", "/api/v1/exports/evaluations.csv", {}, REVIEWERS),
    ]


def test_every_route_for_every_role(world: World):
    w = world
    w.ids = {
        "call_a": make_call(w.svc, agent=w.users["agent_a"], filename="a.wav"),
        "call_b": make_call(w.svc, agent=w.users["agent_b"], filename="b.wav"),
    }
    failures = []
    for method, url, kwargs, expected in _matrix(w):
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.request(method, url, headers=w.headers(who), **kwargs)
            if res.status_code != want:
                failures.append(f"{method} {url} as {who}: {res.status_code} != {want} {res.text}")
            elif res.status_code >= 400 and not url.startswith("/healthz"):
                assert set(res.json()) == {"detail"}, res.text
    assert not failures, "\n".join(failures)
    _wait_idle(w)


def _wait_idle(w: World, timeout: float = 120) -> None:
    """Let the uploaded calls finish before the database goes away."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = w.client.get("/api/v1/calls", headers=w.headers("admin")).json()["items"]
        if all(c["status"] in ("scored", "failed") for c in items):
            return
        time.sleep(0.2)
    raise AssertionError("uploaded calls were not processed in time")


def _ids(w: World, who: str, url: str) -> set[str]:
    res = w.client.get(url, headers=w.headers(who))
    assert res.status_code == 200, res.text
    return {str(item.get("call_id") or item.get("id")) for item in res.json()["items"]}


def test_lists_show_each_role_only_what_it_may_see(world: World):
    w = world
    a = str(make_call(w.svc, agent=w.users["agent_a"], filename="a.wav"))
    b = str(make_call(w.svc, agent=w.users["agent_b"], filename="b.wav"))
    assert _ids(w, "admin", "/api/v1/calls") == {a, b}
    assert _ids(w, "qa", "/api/v1/calls") == {a, b}
    assert _ids(w, "supervisor", "/api/v1/calls") == {a}
    assert _ids(w, "agent_a", "/api/v1/calls") == {a}
    assert _ids(w, "agent_b", "/api/v1/calls") == {b}
    # Asking for another agent's calls by filter shows nothing rather than leaking them.
    res = w.client.get(
        "/api/v1/calls", params={"agent_id": str(w.id("agent_b"))}, headers=w.headers("agent_a")
    )
    assert res.json()["total"] == 0

    def names(who: str) -> set[str]:
        res = w.client.get("/api/v1/users", headers=w.headers(who))
        return {u["name"] for u in res.json()}

    everyone = {u.name for u in w.users.values()}
    assert names("admin") == everyone
    assert names("qa") == everyone
    assert names("supervisor") == {"Sam Supervisor", "Alice Agent"}

    csv_sup = w.client.get("/api/v1/exports/evaluations.csv", headers=w.headers("supervisor"))
    rows = csv_sup.text.strip().splitlines()[1:]
    assert {r.split(",")[0] for r in rows} == {a}
    dash = w.client.get("/api/v1/dashboard", headers=w.headers("supervisor")).json()
    assert dash["scored_calls"] == 1


def test_token_login_and_the_cookie_for_pages(world: World):
    w = world
    c = w.client
    bad = c.post(
        "/api/v1/auth/token", data={"username": "alice.agent@example.com", "password": "x"}
    )
    assert bad.status_code == 401
    assert bad.json() == {"detail": "wrong e-mail or password"}
    res = c.post(
        "/login",
        data={"username": "alice.agent@example.com", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert res.status_code == 303
    assert res.headers["location"] == "/calls"
    cookie = res.headers["set-cookie"]
    assert "callreview_token=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    me = c.get("/api/v1/users/me")  # the TestClient keeps the cookie
    assert me.status_code == 200 and me.json()["name"] == "Alice Agent"
    # A bearer token wins over the cookie.
    me_admin = c.get("/api/v1/users/me", headers=w.headers("admin"))
    assert me_admin.json()["name"] == "Ada Admin"
    page = c.get("/calls").text
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert csrf is not None
    logout = c.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert logout.status_code == 303
    c.cookies.clear()
    assert c.get("/api/v1/users/me").status_code == 401
    assert c.get("/api/v1/users/me", headers={"Authorization": "Bearer nonsense"}).json() == {
        "detail": "invalid token"
    }
