"""Disputes: agents dispute verdicts on their own calls; reviewers accept, reject or change;
every transition is audited and the agent sees the outcome."""

from __future__ import annotations

import uuid

from tests.support.factories import make_call
from tests.support.world import ROLES, World


def _dispute(w: World, call, crit: str = "closing", who: str = "agent_a", **extra):
    return w.client.post(
        f"/api/v1/calls/{call}/criteria/{crit}/disputes",
        json={"reason": "I did offer more help", **extra},
        headers=w.headers(who),
    )


def _resolve(w: World, dispute_id: str, who: str = "supervisor", **body):
    return w.client.post(
        f"/api/v1/disputes/{dispute_id}/resolve", json=body, headers=w.headers(who)
    )


def _call(w: World, agent: str = "agent_a"):
    return make_call(w.svc, agent=w.users[agent], verdicts={"closing": "fail", "empathy": "fail"})


def test_role_matrix(world: World):
    w = world
    a, b = _call(w), _call(w, "agent_b")
    rows = [
        (
            "POST",
            f"/api/v1/calls/{a}/criteria/closing/disputes",
            {"json": {"reason": "x"}},
            (403, 403, 403, 201, 404, 401),
        ),
        (
            "POST",
            f"/api/v1/calls/{a}/criteria/nope/disputes",
            {"json": {"reason": "x"}},
            (403, 403, 403, 404, 404, 401),
        ),
        ("GET", "/api/v1/disputes", {}, (200, 200, 200, 200, 200, 401)),
    ]
    failures = []
    for method, url, kwargs, expected in rows:
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.request(method, url, headers=w.headers(who), **kwargs)
            if res.status_code != want:
                failures.append(f"{method} {url} as {who}: {res.status_code} != {want} {res.text}")
    da = w.client.get("/api/v1/disputes", headers=w.headers("agent_a")).json()[0]["id"]
    db = _dispute(w, b, who="agent_b").json()["id"]
    reject = {"json": {"outcome": "reject", "reason": "no offer of help"}}
    for method, url, kwargs, expected in [
        ("GET", f"/api/v1/disputes/{da}", {}, (200, 200, 200, 200, 404, 401)),
        ("GET", f"/api/v1/disputes/{uuid.uuid4()}", {}, (404, 404, 404, 404, 404, 401)),
        # The first reviewer resolves it; the others get past access to the 409.
        ("POST", f"/api/v1/disputes/{db}/resolve", reject, (200, 409, 404, 403, 403, 401)),
    ]:
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.request(method, url, headers=w.headers(who), **kwargs)
            if res.status_code != want:
                failures.append(f"{method} {url} as {who}: {res.status_code} != {want} {res.text}")
    assert not failures, "\n".join(failures)
    # Agents see their own disputes only.
    assert [
        d["id"] for d in w.client.get("/api/v1/disputes", headers=w.headers("agent_b")).json()
    ] == [db]


def test_accept_changes_verdict_through_override_and_audits(world: World):
    w = world
    call = _call(w)
    before = w.client.get(f"/api/v1/calls/{call}", headers=w.headers("agent_a")).json()
    opened = _dispute(w, call)
    assert opened.status_code == 201, opened.text
    d = opened.json()
    assert (d["status"], d["disputed_verdict"], d["requested_verdict"]) == ("open", "fail", "pass")
    assert _dispute(w, call).status_code == 409  # one open dispute per verdict
    res = _resolve(w, d["id"], outcome="accept", reason="the offer is at 1:02")
    assert res.status_code == 200, res.text
    assert (res.json()["status"], res.json()["resolved_verdict"]) == ("accepted", "pass")
    review = w.client.get(f"/api/v1/calls/{call}", headers=w.headers("agent_a")).json()
    closing = next(c for c in review["evaluation"]["criteria"] if c["id"] == "closing")
    assert (closing["verdict"], closing["ai_verdict"]) == ("pass", "fail")
    assert review["evaluation"]["source"] == "human"
    assert review["evaluation"]["score"] > before["evaluation"]["score"]
    mine = w.client.get("/api/v1/disputes", headers=w.headers("agent_a")).json()
    assert [(m["status"], m["resolution"]) for m in mine] == [("accepted", "the offer is at 1:02")]
    assert _resolve(w, d["id"], outcome="reject", reason="x").status_code == 409
    audit = w.client.get("/api/v1/audit", headers=w.headers("admin")).json()["items"]
    actions = [e["action"] for e in reversed(audit)]
    assert actions == ["dispute.open", "criterion.override", "dispute.accepted"]


def test_reject_and_change(world: World):
    w = world
    call = _call(w)
    d1 = _dispute(w, call).json()
    d2 = _dispute(w, call, "empathy", verdict="na").json()
    assert d2["requested_verdict"] == "na"
    r1 = _resolve(w, d1["id"], outcome="reject", reason="no offer of further help")
    assert (r1.json()["status"], r1.json()["resolved_verdict"]) == ("rejected", "fail")
    bad = _resolve(w, d2["id"], outcome="change", reason="x", verdict="na")
    assert bad.status_code == 422  # that is what the agent asked for: accept instead
    assert _resolve(w, d2["id"], outcome="change", reason="x").status_code == 422
    r2 = _resolve(w, d2["id"], outcome="change", reason="empathy was shown", verdict="pass")
    assert (r2.json()["status"], r2.json()["resolved_verdict"]) == ("changed", "pass")
    review = w.client.get(f"/api/v1/calls/{call}", headers=w.headers("qa")).json()
    verdicts = {c["id"]: c["verdict"] for c in review["evaluation"]["criteria"]}
    assert (verdicts["closing"], verdicts["empathy"]) == ("fail", "pass")
    # The rejected verdict was checked by a human: it counts for agreement as agreeing.
    report = w.client.get("/api/v1/analytics/agreement", headers=w.headers("qa")).json()
    by_id = {c["id"]: c for c in report["rubrics"][0]["criteria"]}
    assert (by_id["closing"]["agreed"], by_id["empathy"]["agreed"]) == (1, 0)
    # A second dispute on a resolved verdict may be opened again.
    assert _dispute(w, call).status_code == 201


def test_bad_input(world: World):
    w = world
    call = _call(w)
    assert _dispute(w, call, verdict="fail").status_code == 422  # already fail
    assert _dispute(w, uuid.uuid4()).status_code == 404
    res = w.client.post(
        f"/api/v1/calls/{call}/criteria/closing/disputes",
        json={"reason": ""},
        headers=w.headers("agent_a"),
    )
    assert res.status_code == 422
    assert _resolve(w, str(uuid.uuid4()), outcome="accept", reason="x").status_code == 404


def test_pages(world: World):
    w = world
    call = _call(w)
    page = w.client.get(f"/calls/{call}", headers=w.headers("agent_a"))
    assert page.status_code == 200 and "Send dispute" in page.text
    assert "Confirm verdict" not in page.text
    qa_page = w.client.get(f"/calls/{call}", headers=w.headers("qa")).text
    assert "Confirm verdict" in qa_page and "Send dispute" not in qa_page
    _dispute(w, call)
    page = w.client.get(f"/calls/{call}", headers=w.headers("agent_a"))
    assert "Disputed: waiting for a reviewer." in page.text
    listing = w.client.get("/disputes", headers=w.headers("supervisor"))
    assert listing.status_code == 200 and "I did offer more help" in listing.text
    assert "/resolve" in listing.text
    assert "/resolve" not in w.client.get("/disputes", headers=w.headers("agent_a")).text
    for url, who, want in [
        ("/analytics/agreement", "supervisor", 200),
        ("/analytics/agreement", "agent_a", 403),
        ("/rubrics", "qa", 200),
        ("/rubrics", "supervisor", 403),
        ("/rubrics/contact-center-default", "admin", 200),
        ("/rubrics/nope", "admin", 404),
        ("/calibrations", "qa", 200),
    ]:
        assert w.client.get(url, headers=w.headers(who)).status_code == want, (url, who)


def test_the_resolve_form_offers_only_verdicts_the_criterion_allows(world: World):
    """closing allows no N/A (offering it would end in a refusal); empathy does."""
    import re

    w = world
    call = _call(w)
    _dispute(w, call, crit="closing")
    _dispute(w, call, crit="empathy")
    page = w.client.get("/disputes", headers=w.headers("supervisor")).text
    selects = re.findall(r'<select name="verdict">(.*?)</select>', page, re.S)
    offered = sorted(sorted(re.findall(r"<option>(\w+)</option>", s)) for s in selects)
    assert offered == [["fail", "na", "pass"], ["fail", "pass"]]
