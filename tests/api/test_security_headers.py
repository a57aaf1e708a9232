"""Security headers on every response, a Content-Security-Policy with no inline script or style,
and CSRF tokens on cookie-authenticated unsafe requests."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import CSP
from tests.conftest import make_settings
from tests.support.factories import make_call
from tests.support.world import World

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _page_csrf(c: TestClient, path: str = "/calls") -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', c.get(path).text)
    assert found is not None
    return found.group(1)


def _sign_in(w: World, who: str) -> TestClient:
    w.client.cookies.set("callreview_token", w.tokens[who])
    return w.client


def test_every_kind_of_response_carries_the_headers(world: World):
    c = world.client
    responses = {
        "page": c.get("/login"),
        "api": c.get("/api/v1/users/me", headers=world.headers("qa")),
        "api 401": c.get("/api/v1/users/me"),
        "api 404": c.get(f"/api/v1/calls/{uuid.uuid4()}", headers=world.headers("qa")),
        "static": c.get("/static/app.js"),
        "health": c.get("/healthz"),
        "page redirect": c.get("/calls", follow_redirects=False),
    }
    for what, res in responses.items():
        for name, value in BASE_HEADERS.items():
            assert res.headers.get(name) == value, (what, name)
        assert res.headers["content-security-policy"] == CSP, what
        assert "camera=()" in res.headers["permissions-policy"], what
        # A test deployment is not production: no HSTS (it would pin a plain-HTTP host).
        assert "strict-transport-security" not in res.headers, what
    assert "frame-ancestors 'none'" in CSP
    assert "default-src 'self'" in CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


def test_production_responses_carry_hsts(db_url: str, tmp_path: Path):
    app = create_app(make_settings(db_url, tmp_path / "s", environment="production"))
    with TestClient(app) as c:
        for res in (c.get("/login"), c.get("/api/v1/users/me"), c.get("/healthz")):
            assert res.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_templates_have_no_inline_script_or_style():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        assert " style=" not in text, path.name
        assert "<style" not in text, path.name
        for tag in re.findall(r"<script[^>]*>", text):
            assert 'src="/static/' in tag, (path.name, tag)
        assert not re.search(r"\son[a-z]+=", text), path.name  # no onclick= and the like


def test_pages_render_without_inline_styles_for_their_geometry(world: World):
    make_call(world.svc, agent=world.users["agent_a"])
    c = _sign_in(world, "qa")
    page = c.get("/dashboard")
    assert page.status_code == 200
    assert " style=" not in page.text
    assert 'class="bar" data-width="100.0"' in page.text


def test_cookie_authenticated_api_writes_need_the_csrf_token(world: World):
    c = _sign_in(world, "supervisor")
    missing = f"/api/v1/calls/{uuid.uuid4()}/retry"
    refused = c.post(missing)
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "missing or wrong CSRF token: reload the page and try again"
    }
    wrong = c.post(missing, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    token = _page_csrf(c)
    assert len(token) == 43
    # With the page's token the request reaches the route (the call does not exist: 404).
    assert c.post(missing, headers={"X-CSRF-Token": token}).status_code == 404
    # Another origin is refused even with the token.
    cross = c.post(missing, headers={"X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert cross.status_code == 403
    # Reads need no token.
    assert c.get("/api/v1/users/me").status_code == 200


def test_the_token_belongs_to_the_session(world: World):
    c = _sign_in(world, "supervisor")
    supervisor_token = _page_csrf(c)
    c.cookies.set("callreview_token", world.tokens["qa"])
    qa_token = _page_csrf(c)
    assert qa_token != supervisor_token
    res = c.post(f"/api/v1/calls/{uuid.uuid4()}/retry", headers={"X-CSRF-Token": supervisor_token})
    assert res.status_code == 403


def test_bearer_api_calls_need_no_csrf_token(world: World):
    res = world.client.post(f"/api/v1/calls/{uuid.uuid4()}/retry", headers=world.headers("qa"))
    assert res.status_code == 404


@pytest.mark.parametrize("with_token", [False, True])
def test_the_logout_form_carries_the_token(world: World, with_token: bool):
    c = _sign_in(world, "agent_a")
    page = c.get("/calls").text
    token = _page_csrf(c)
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in page
    data = {"csrf_token": token} if with_token else {}
    res = c.post("/logout", data=data, follow_redirects=False)
    assert res.status_code == (303 if with_token else 403)
