"""The server-rendered pages: login with the cookie, each page renders for the roles that may
see it, errors render a page (not JSON), and a page that needs a login redirects to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from models.calls import CallStatus
from tests.support.factories import make_call
from tests.support.world import World


def _as(w: World, who: str) -> None:
    w.client.cookies.set("callreview_token", w.tokens[who])


def test_pages_render_for_each_role(world: World):
    w = world
    a = make_call(
        w.svc,
        agent=w.users["agent_a"],
        filename="alpha.wav",
        verdicts={"identity_verification": "fail"},
        confidence={"empathy": 0.4},
    )
    b = make_call(
        w.svc,
        agent=w.users["agent_b"],
        filename="bravo.wav",
        created_at=datetime.now(UTC) - timedelta(days=9),
    )
    failed = make_call(
        w.svc,
        agent=w.users["agent_a"],
        filename="broken.wav",
        status=CallStatus.failed,
        error="no speech found in the recording",
    )

    _as(w, "supervisor")
    page = w.client.get("/calls")
    assert page.status_code == 200
    assert "alpha.wav" in page.text and "broken.wav" in page.text
    assert "bravo.wav" not in page.text
    assert 'id="upload-form"' in page.text
    assert "Export CSV" in page.text

    review = w.client.get(f"/calls/{a}")
    assert review.status_code == 200
    assert f'src="/api/v1/calls/{a}/audio"' in review.text
    assert 'class="override-form' in review.text
    assert "Opening and verification" in review.text  # section titles from the rubric
    assert 'value="na"' in review.text  # empathy allows N/A …
    greeting = review.text.split('id="criterion-greeting"')[1].split("</li>\n      \n")[0]
    assert 'value="na"' not in greeting.split('id="criterion-')[0]  # … greeting does not

    broken = w.client.get(f"/calls/{failed}")
    assert "no speech found in the recording" in broken.text
    assert 'id="retry-button"' in broken.text

    dash = w.client.get("/dashboard")
    assert dash.status_code == 200
    link = 'id="auto-failed-link" href="/calls?status=scored&amp;auto_failed=true">1</a>'
    assert link in dash.text
    assert "needs_review=true" in dash.text
    progress = w.client.get(f"/agents/{w.id('agent_a')}/progress")
    assert progress.status_code == 200
    assert 'id="score-trend"' in progress.text

    _as(w, "agent_a")
    mine = w.client.get("/calls")
    assert "alpha.wav" in mine.text and "bravo.wav" not in mine.text
    assert 'id="upload-form"' not in mine.text
    own = w.client.get(f"/calls/{a}")
    assert own.status_code == 200 and "override-form" not in own.text
    assert "retry-button" not in w.client.get(f"/calls/{failed}").text
    other = w.client.get(f"/calls/{b}")
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("text/html")
    assert "Not found" in other.text
    forbidden = w.client.get("/dashboard")
    assert forbidden.status_code == 403 and "Not allowed" in forbidden.text


def test_login_page_flow_and_errors_as_pages(world: World):
    c = world.client
    res = c.get("/calls?status=scored", follow_redirects=False)
    assert res.status_code == 303
    assert res.headers["location"] == "/login?next=%2Fcalls%3Fstatus%3Dscored"
    form = {"username": "quinn.analyst@example.com", "password": "wrong password"}
    bad = c.post("/login", data={**form, "next": "/calls"})
    assert bad.status_code == 401 and "wrong e-mail or password" in bad.text
    form["password"] = "correct horse battery"
    ok = c.post("/login", data={**form, "next": "https://evil.example/"}, follow_redirects=False)
    assert ok.headers["location"] == "/calls"  # never an open redirect
    # Signed in now: the login form carries the session's CSRF token, as a browser sends it.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert csrf is not None
    ok = c.post(
        "/login",
        data={**form, "next": "/dashboard", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/dashboard"
    assert c.get("/calls/not-a-uuid").status_code == 422
    assert "doesn" in c.get("/calls/not-a-uuid").text
    bad_filter = c.get("/calls", params={"min_score": "'; DROP TABLE calls; --"})
    assert bad_filter.status_code == 422 and "min_score" in bad_filter.text
    assert c.get("/calls", params={"min_score": "", "status": ""}).status_code == 200
    assert c.get("/nowhere").status_code == 404
    assert c.get("/api/v1/nowhere").json() == {"detail": "Not Found"}
    assert c.get("/static/app.css").status_code == 200


def test_review_page_shows_provisional_not_scorable_and_superseded(world: World):
    w = world
    unsure = make_call(
        w.svc,
        agent=w.users["agent_a"],
        filename="unsure.wav",
        verdicts={"identity_verification": "fail"},
        confidence={"identity_verification": 0.45},
    )
    voicemail = make_call(
        w.svc,
        agent=w.users["agent_a"],
        filename="voicemail.wav",
        status=CallStatus.not_scorable,
        scorability={
            "scorable": False,
            "reason": "one_voice",
            "confidence": 0.95,
            "detail": "Only one side speaks (agent, 31 words): not a conversation.",
            "signals": {},
        },
    )
    _as(w, "qa")
    page = w.client.get(f"/calls/{unsure}").text
    assert 'id="provisional-reason">Unsure critical fail: identity verification (0.45)' in page
    assert '<a href="#criterion-identity_verification">identity verification</a>' in page
    assert 'id="provisional-badge" class="badge provisional"' in page
    assert "superseded" not in page.split('id="criterion-greeting"')[1].split("</li>")[0]

    w.client.put(
        f"/api/v1/calls/{unsure}/criteria/greeting",
        json={"verdict": "fail", "reason": "no name"},
        headers=w.headers("qa"),
    )
    page = w.client.get(f"/calls/{unsure}").text
    greeting = page.split('id="criterion-greeting"')[1].split("</li>")[0]
    assert "AI rationale, superseded by the reviewer's verdict:" in greeting
    assert "<s>greeting was pass</s>" in greeting

    page = w.client.get(f"/calls/{voicemail}").text
    assert (
        'id="not-scorable-reason">Only one side speaks (agent, 31 words): not a conversation.'
        in page
    )
    assert f'data-url="/api/v1/calls/{voicemail}/score-anyway"' in page
    assert 'id="pending-state"' not in page

    listing = w.client.get("/calls", params={"provisional": "true"}).text
    assert "unsure.wav" in listing and "voicemail.wav" not in listing
    listing = w.client.get("/calls", params={"status": "not_scorable"}).text
    assert "voicemail.wav" in listing and "not a conversation." in listing

    dash = w.client.get("/dashboard").text
    assert (
        'id="provisional-link" href="/calls?status=scored&amp;provisional=true">1 call</a>' in dash
    )
    assert 'id="not-scorable-link" href="/calls?status=not_scorable">1 call</a>' in dash

    _as(w, "agent_a")
    own = w.client.get(f"/calls/{voicemail}").text
    assert "score-anyway" not in own  # only reviewers decide


def test_the_site_icon_is_served_and_linked(world: World):
    c = world.client
    res = c.get("/favicon.ico")
    assert res.status_code == 200 and res.headers["content-type"].startswith("image/svg+xml")
    assert res.text.startswith("<svg")
    assert c.get("/favicon.ico", follow_redirects=False).status_code == 308
    login = c.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg"' in login.text
