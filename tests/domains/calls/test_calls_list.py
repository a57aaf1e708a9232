"""The calls list: text search over file and agent names (typed characters are literal, never
SQL wildcards), and its orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.factories import make_call, tone_wav
from tests.support.world import World


def _calls(w: World) -> dict[str, str]:
    now = datetime.now(UTC)
    made = {}
    for i, (name, agent, verdicts) in enumerate(
        [
            ("alpha-refund.wav", "agent_a", {}),
            ("beta_100%.wav", "agent_a", {"empathy": "fail", "closing": "fail"}),
            ("gamma.wav", "agent_b", {"closing": "fail"}),
        ]
    ):
        made[name] = str(
            make_call(
                w.svc,
                agent=w.users[agent],
                verdicts=verdicts,
                filename=name,
                created_at=now - timedelta(hours=3 - i),
                audio=tone_wav(0.2, hz=200.0 + 50 * i),
            )
        )
    return made


def _names(w: World, **params: str) -> list[str]:
    res = w.client.get("/api/v1/calls", params=params, headers=w.headers("qa"))
    assert res.status_code == 200, res.text
    return [c["filename"] for c in res.json()["items"]]


def test_search_matches_file_and_agent_names_literally(world: World):
    w = world
    _calls(w)
    assert _names(w, q="REFUND") == ["alpha-refund.wav"]
    assert _names(w, q="bob") == ["gamma.wav"]
    assert _names(w, q="alice beta") == ["beta_100%.wav"]  # every word must match
    assert _names(w, q="100%") == ["beta_100%.wav"]
    assert _names(w, q="%") == ["beta_100%.wav"]  # a literal percent sign, not "anything"
    assert _names(w, q="_") == ["beta_100%.wav"]
    assert _names(w, q="nothing-like-this") == []
    # what an agent may not see stays unseen, search or not
    mine = w.client.get("/api/v1/calls", params={"q": "wav"}, headers=w.headers("agent_b"))
    assert [c["filename"] for c in mine.json()["items"]] == ["gamma.wav"]


def test_orders(world: World):
    w = world
    _calls(w)
    assert _names(w) == ["gamma.wav", "beta_100%.wav", "alpha-refund.wav"]
    assert _names(w, sort="oldest") == ["alpha-refund.wav", "beta_100%.wav", "gamma.wav"]
    assert _names(w, sort="score_low")[0] == "beta_100%.wav"
    assert _names(w, sort="score_high")[0] == "alpha-refund.wav"
    assert _names(w, sort="agent") == ["beta_100%.wav", "alpha-refund.wav", "gamma.wav"]
    bad = w.client.get("/api/v1/calls", params={"sort": "random"}, headers=w.headers("qa"))
    assert bad.status_code == 422 and bad.json()["field"] == "sort"


def test_the_calls_page_searches_and_sorts(world: World):
    w = world
    _calls(w)
    page = w.client.get("/calls", params={"q": "refund", "sort": "oldest"}, headers=w.headers("qa"))
    assert page.status_code == 200
    assert "alpha-refund.wav" in page.text and "gamma.wav" not in page.text
    assert '<option value="oldest" selected>' in page.text
    assert 'value="refund"' in page.text


def test_a_call_is_reassigned_with_a_reason_and_follows_its_new_agent(world: World):
    w = world
    calls = _calls(w)
    beta = calls["beta_100%.wav"]
    url = f"/api/v1/calls/{beta}/reassign"
    body = {"agent_id": str(w.id("agent_b")), "reason": "uploaded under the wrong agent"}
    # who may: QA and admins; a supervisor or an agent may not
    assert w.client.post(url, json=body, headers=w.headers("supervisor")).status_code == 403
    assert w.client.post(url, json=body, headers=w.headers("agent_a")).status_code == 403
    bad = w.client.post(url, json={**body, "agent_id": str(w.id("qa"))}, headers=w.headers("qa"))
    assert bad.status_code == 422 and bad.json()["field"] == "agent_id"
    res = w.client.post(url, json=body, headers=w.headers("qa"))
    assert res.status_code == 200, res.text
    assert res.json()["agent"] == "Bob Agent"
    again = w.client.post(url, json=body, headers=w.headers("qa"))
    assert again.status_code == 409
    # the call is Bob's now: he sees it, Alice does not
    bob = w.client.get("/api/v1/calls", headers=w.headers("agent_b")).json()["items"]
    assert sorted(c["filename"] for c in bob) == ["beta_100%.wav", "gamma.wav"]
    assert w.client.get(f"/api/v1/calls/{beta}", headers=w.headers("agent_a")).status_code == 404
    events = w.client.get(
        "/api/v1/audit", params={"action": "call.reassigned"}, headers=w.headers("admin")
    ).json()["items"]
    assert [
        (e["entity_id"], e["details"]["reason"], e["details"]["from_agent_id"]) for e in events
    ] == [(beta, "uploaded under the wrong agent", str(w.id("agent_a")))]
    page = w.client.get(f"/calls/{beta}", headers=w.headers("qa")).text
    assert "Reassign to another agent" in page and "Delete this call" in page
    assert (
        "Reassign to another agent"
        not in w.client.get(f"/calls/{beta}", headers=w.headers("supervisor")).text
    )
