"""The CSV export (exact rows and columns), agent progress and the dashboard (exact numbers,
and every number's filters list exactly the calls behind it)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from tests.support.factories import make_call
from tests.support.world import World

HEADER = [
    "call_id", "agent_id", "agent", "team", "filename", "created_at", "status", "rubric",
    "rubric_version", "evaluation_source", "score", "auto_failed", "section", "criterion",
    "verdict", "confidence", "points", "max_points", "critical", "override_reason",
    "provisional", "comments", "overall_comment",
]  # fmt: skip
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _csv(w: World, **params: str) -> list[list[str]]:
    res = w.client.get("/api/v1/exports/evaluations.csv", params=params, headers=w.headers("qa"))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "text/csv; charset=utf-8"
    assert res.headers["content-disposition"].startswith('attachment; filename="evaluations-')
    return list(csv.reader(io.StringIO(res.text)))


def test_csv_has_one_row_per_call_and_criterion(world: World):
    w = world
    alice, bob = w.users["agent_a"], w.users["agent_b"]
    first = make_call(w.svc, agent=alice, filename="=HYPERLINK(evil).wav", created_at=MONDAY)
    second = make_call(
        w.svc,
        agent=bob,
        verdicts={"professional_language": "fail"},
        created_at=MONDAY + timedelta(hours=1),
        filename="b.wav",
    )
    make_call(w.svc, agent=bob, status="queued", filename="unscored.wav")  # type: ignore[arg-type]
    w.client.put(
        f"/api/v1/calls/{first}/criteria/closing",
        json={"verdict": "fail", "reason": 'no closing, said "bye"'},
        headers=w.headers("qa"),
    )

    for body in (
        {"body": "=SUM(A1) said bye only", "criterion_id": "closing"},
        {"body": "Offer more help next time.", "criterion_id": "closing"},
        {"body": "Solid call.", "internal": False},
        {"body": "Check the tariff note.", "internal": True},
    ):
        res = w.client.post(f"/api/v1/calls/{first}/comments", json=body, headers=w.headers("qa"))
        assert res.status_code == 201, res.text

    rows = _csv(w)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 2 * 8  # unscored calls have no rows
    assert [r[13] for r in rows[1:9]] == [
        "greeting", "identity_verification", "empathy", "hold_etiquette",
        "resolution", "closing", "professional_language", "dead_air",
    ]  # fmt: skip
    overall = "Quinn Analyst: Solid call. | Quinn Analyst: Check the tariff note."
    closing = rows[6]
    assert closing == [
        str(first), str(alice.id), "Alice Agent", "A", "'=HYPERLINK(evil).wav",
        MONDAY.isoformat(), "scored", "contact-center-default", "1", "human", "88.9", "false",
        "closing", "closing", "fail", "1.00", "0", "10", "false", 'no closing, said "bye"',
        "false",
        "Quinn Analyst: =SUM(A1) said bye only | Quinn Analyst: Offer more help next time.",
        overall,
    ]  # fmt: skip
    hold = rows[4]
    assert hold[9:] == [
        "human", "88.9", "false", "care", "hold_etiquette", "na", "0.90", "0", "10",
        "false", "", "false", "", overall,
    ]  # fmt: skip
    bob_row = rows[9 + 6]
    assert bob_row[0] == str(second)
    assert bob_row[9:] == [
        "ai", "0.0", "true", "conduct", "professional_language", "fail", "0.90", "0", "10",
        "true", "", "false", "", "",
    ]  # fmt: skip
    # the rows as an agent would read them (the API's export is for reviewers) leave the
    # reviewers-only comment out
    from domains.analytics.exports import evaluation_rows
    from domains.calls.filters import CallFilters

    with w.svc.session_factory() as s:
        alice_rows = list(evaluation_rows(s, alice, CallFilters()))
    assert {r[-1] for r in alice_rows} == {"Quinn Analyst: Solid call."}

    only_bob = _csv(w, agent_id=str(bob.id))
    assert {r[0] for r in only_bob[1:]} == {str(second)}
    assert len(_csv(w, auto_failed="true")) == 1 + 8
    assert len(_csv(w, min_score="50", max_score="90")) == 1 + 8
    assert len(_csv(w, failed_criterion="closing")) == 1 + 8
    assert len(_csv(w, since=(MONDAY + timedelta(minutes=30)).isoformat())) == 1 + 8
    assert _csv(w, until="2020-01-01") == [HEADER]


def test_agent_progress_weekly_pass_rates_and_scores(world: World):
    w = world
    alice = w.users["agent_a"]
    make_call(w.svc, agent=alice, created_at=MONDAY, filename="1.wav")  # 100.0
    make_call(
        w.svc,
        agent=alice,
        created_at=MONDAY + timedelta(days=2),
        filename="2.wav",
        verdicts={"greeting": "fail", "hold_etiquette": "pass"},
    )  # 90 / 100
    make_call(
        w.svc,
        agent=alice,
        created_at=MONDAY + timedelta(days=15),  # a week with no calls in between
        filename="3.wav",
        verdicts={"greeting": "fail", "empathy": "na"},
    )  # 65 / 75
    res = w.client.get(f"/api/v1/agents/{alice.id}/progress", headers=w.headers("agent_a"))
    assert res.status_code == 200
    body = res.json()
    assert body["calls"] == 3
    assert body["average_score"] == 92.2  # (100 + 90 + 86.7) / 3
    assert body["weeks"] == [
        {"week_start": "2026-03-02", "calls": 2, "average_score": 95.0},
        {"week_start": "2026-03-09", "calls": 0, "average_score": None},
        {"week_start": "2026-03-16", "calls": 1, "average_score": 86.7},
    ]
    assert [s["score"] for s in body["scores"]] == [100.0, 90.0, 86.7]
    greeting = next(c for c in body["criteria"] if c["id"] == "greeting")
    assert (greeting["pass_rate"], greeting["passed"], greeting["applicable"]) == (0.333, 1, 3)
    assert greeting["weeks"] == [
        {"week_start": "2026-03-02", "pass_rate": 0.5, "passed": 1, "applicable": 2},
        {"week_start": "2026-03-09", "pass_rate": None, "passed": 0, "applicable": 0},
        {"week_start": "2026-03-16", "pass_rate": 0.0, "passed": 0, "applicable": 1},
    ]
    hold = next(c for c in body["criteria"] if c["id"] == "hold_etiquette")
    assert [wk["pass_rate"] for wk in hold["weeks"]] == [1.0, None, None]
    assert body["goals"] == []
    since = w.client.get(
        f"/api/v1/agents/{alice.id}/progress",
        params={"since": "2026-03-16"},
        headers=w.headers("qa"),
    ).json()
    assert since["calls"] == 1


def _listed(w: World, filters: dict[str, str]) -> set[str]:
    res = w.client.get("/api/v1/calls", params=filters, headers=w.headers("supervisor"))
    assert res.status_code == 200, res.text
    return {c["call_id"] for c in res.json()["items"]}


def test_dashboard_numbers_and_the_calls_behind_them(world: World):
    w = world
    now = datetime.now(UTC)
    alice = w.users["agent_a"]
    # Alice scored 100 twice 2–3 weeks ago and worse in the last 14 days: trending down.
    make_call(w.svc, agent=alice, created_at=now - timedelta(days=20), filename="old1.wav")
    make_call(w.svc, agent=alice, created_at=now - timedelta(days=18), filename="old2.wav")
    low = make_call(
        w.svc,
        agent=alice,
        created_at=now - timedelta(days=2),
        filename="new.wav",
        verdicts={"resolution": "fail", "closing": "fail"},
        confidence={"closing": 0.41},
    )  # 60 / 90 = 66.7
    failed = make_call(
        w.svc,
        agent=alice,
        created_at=now - timedelta(days=1),
        filename="rude.wav",
        verdicts={"professional_language": "fail"},
    )  # auto-failed, 0
    make_call(w.svc, agent=w.users["agent_b"], filename="other-team.wav")  # not team A

    dash = w.client.get("/api/v1/dashboard", headers=w.headers("supervisor")).json()
    assert dash["scored_calls"] == 4
    assert dash["average_score"] == 66.7  # (100 + 100 + 66.7 + 0) / 4
    buckets = {b["label"]: b["calls"] for b in dash["score_distribution"]}
    assert buckets == {
        "0–9": 1, "10–19": 0, "20–29": 0, "30–39": 0, "40–49": 0, "50–59": 0,
        "60–69": 1, "70–79": 0, "80–89": 0, "90–100": 2,
    }  # fmt: skip
    rates = {c["id"]: (c["failed"], c["applicable"], c["fail_rate"]) for c in dash["criteria"]}
    assert rates["closing"] == (1, 4, 0.25)
    assert rates["professional_language"] == (1, 4, 0.25)
    assert rates["hold_etiquette"] == (0, 0, None)
    assert dash["criteria"][-1]["id"] == "hold_etiquette"  # never applicable: last
    [down] = dash["agents_trending_down"]
    assert (down["agent"], down["previous_average"], down["recent_average"]) == (
        "Alice Agent", 100.0, 33.4,
    )  # fmt: skip
    assert dash["auto_failed"]["calls"] == 1
    assert dash["needs_review"] == {
        "verdicts": 1,
        "calls": 1,
        "filters": {"status": "scored", "needs_review": "true"},
        "recent": [
            {"call_id": str(low), "filename": "new.wav", "agent": "Alice Agent",
             "criterion": "closing", "verdict": "fail", "confidence": 0.41},
        ],
    }  # fmt: skip

    # Every number's filters list exactly the calls it counts.
    bucket_60 = next(b for b in dash["score_distribution"] if b["label"] == "60–69")
    assert _listed(w, bucket_60["filters"]) == {str(low)}
    closing = next(c for c in dash["criteria"] if c["id"] == "closing")
    assert _listed(w, closing["filters"]) == {str(low)}
    assert _listed(w, dash["auto_failed"]["filters"]) == {str(failed)}
    assert _listed(w, dash["needs_review"]["filters"]) == {str(low)}
    assert _listed(w, down["filters"]) == {str(low), str(failed)}

    # A human looking at the low-confidence verdict takes it off the queue.
    w.client.put(
        f"/api/v1/calls/{low}/criteria/closing",
        json={"verdict": "fail", "reason": "confirmed: no closing"},
        headers=w.headers("supervisor"),
    )
    after = w.client.get("/api/v1/dashboard", headers=w.headers("supervisor")).json()
    assert after["needs_review"]["verdicts"] == 0
    assert _listed(w, dash["needs_review"]["filters"]) == set()
