"""Human overrides: the AI evaluation is kept, a human copy becomes current, the score is
recomputed with the rubric arithmetic (earned / applicable × 100; a failed critical → 0)."""

from __future__ import annotations

from sqlalchemy import func, select

from models.audit import AuditEvent
from models.calls import CallStatus
from models.reviews import EvaluationRow
from tests.support.factories import make_call
from tests.support.world import World


def _put(
    w: World,
    call_id: object,
    criterion: str,
    verdict: str,
    reason: str = "heard it",
    who: str = "qa",
) -> dict:
    res = w.client.put(
        f"/api/v1/calls/{call_id}/criteria/{criterion}",
        json={"verdict": verdict, "reason": reason},
        headers=w.headers(who),
    )
    assert res.status_code == 200, res.text
    return res.json()


def _evaluations(w: World, call_id: object) -> list[tuple[str, bool, float, bool]]:
    with w.svc.session_factory() as s:
        rows = s.execute(
            select(
                EvaluationRow.source,
                EvaluationRow.is_current,
                EvaluationRow.score,
                EvaluationRow.auto_failed,
            )
            .where(EvaluationRow.call_id == call_id)
            .order_by(EvaluationRow.source)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_override_recomputes_the_score_and_keeps_the_ai_evaluation(world: World):
    w = world
    # Clean call, hold N/A: applicable = 90 points, all earned → 100.0.
    call_id = make_call(w.svc, agent=w.users["agent_a"], verdicts={"closing": "fail"})
    review = w.client.get(f"/api/v1/calls/{call_id}", headers=w.headers("qa")).json()
    assert review["evaluation"]["score"] == 88.9  # 80 / 90
    assert review["evaluation"]["source"] == "ai"

    out = _put(w, call_id, "greeting", "fail", "  never named the company  ")
    assert out["previous_verdict"] == "pass"
    assert out["verdict"] == "fail"
    assert out["reason"] == "never named the company"
    assert (out["points"], out["max_points"]) == (0.0, 10.0)
    assert (out["previous_score"], out["score"], out["auto_failed"]) == (88.9, 77.8, False)
    assert _evaluations(w, call_id) == [("ai", False, 88.9, False), ("human", True, 77.8, False)]

    # Second override edits the same human copy; N/A removes the points from "applicable".
    out = _put(w, call_id, "empathy", "na", "the customer was calm throughout")
    assert out["score"] == 73.3  # 55 / 75
    out = _put(w, call_id, "closing", "pass", "the closing was at 1:02, the AI missed it")
    assert out["score"] == 86.7  # 65 / 75
    # A failed critical criterion fails the call.
    out = _put(w, call_id, "identity_verification", "fail", "no verification at all")
    assert (out["score"], out["auto_failed"]) == (0.0, True)
    out = _put(w, call_id, "identity_verification", "pass", "it was verified at 0:40")
    assert (out["score"], out["auto_failed"]) == (86.7, False)
    assert _evaluations(w, call_id) == [("ai", False, 88.9, False), ("human", True, 86.7, False)]

    shown = w.client.get(f"/api/v1/calls/{call_id}", headers=w.headers("agent_a")).json()
    ev = shown["evaluation"]
    assert (ev["source"], ev["score"], ev["ai_score"]) == ("human", 86.7, 88.9)
    greeting = next(c for c in ev["criteria"] if c["id"] == "greeting")
    assert greeting["verdict"] == "fail"
    assert greeting["ai_verdict"] == "pass"
    assert greeting["override_reason"] == "never named the company"
    assert greeting["confidence"] == 1.0

    listed = w.client.get("/api/v1/calls", headers=w.headers("qa")).json()["items"][0]
    assert (listed["score"], listed["evaluation_source"]) == (86.7, "human")

    audit = w.client.get(
        "/api/v1/audit", params={"entity_id": str(call_id)}, headers=w.headers("admin")
    ).json()
    assert audit["total"] == 5
    newest = audit["items"][0]
    assert newest["action"] == "criterion.override"
    assert newest["actor_id"] == str(w.id("qa"))
    assert newest["details"]["criterion"] == "identity_verification"
    assert newest["details"]["verdict_before"] == "fail"
    assert newest["details"]["verdict_after"] == "pass"
    assert newest["details"]["score_before"] == 0.0
    assert newest["details"]["score_after"] == 86.7


def _audit_count(w: World) -> int:
    with w.svc.session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_bad_overrides_are_refused_and_change_nothing(world: World):
    w = world
    call_id = make_call(w.svc, agent=w.users["agent_a"])
    queued = make_call(w.svc, agent=w.users["agent_a"], status=CallStatus.queued, filename="q.wav")
    url = f"/api/v1/calls/{call_id}/criteria"
    cases = [
        (f"{url}/greeting", {"verdict": "na", "reason": "x"}, 422, "does not allow N/A"),
        (f"{url}/greeting", {"verdict": "maybe", "reason": "x"}, 422, "verdict"),
        (f"{url}/greeting", {"verdict": "fail", "reason": ""}, 422, "reason"),
        (f"{url}/greeting", {"verdict": "fail", "reason": "   "}, 422, "reason is required"),
        (f"{url}/greeting", {"verdict": "fail"}, 422, "reason"),
        (f"{url}/greeting", {"verdict": "fail", "reason": "x" * 2001}, 422, "reason"),
        (f"{url}/no_such_thing", {"verdict": "fail", "reason": "x"}, 404, "not in rubric"),
        (f"{url}/..%2F..%2Fetc", {"verdict": "fail", "reason": "x"}, 404, ""),
        (
            f"/api/v1/calls/{queued}/criteria/greeting",
            {"verdict": "fail", "reason": "x"},
            409,
            "only scored calls",
        ),
    ]
    for target, body, status, words in cases:
        res = w.client.put(target, json=body, headers=w.headers("qa"))
        assert res.status_code == status, (target, body, res.text)
        assert words in res.json()["detail"], res.text
    res = w.client.put(
        f"{url}/greeting",
        content=b'{"verdict": "fail", "reason": ',
        headers={**w.headers("qa"), "Content-Type": "application/json"},
    )
    assert res.status_code == 422
    assert "JSON" in res.json()["detail"]
    assert _evaluations(w, call_id) == [("ai", True, 100.0, False)]
    assert _audit_count(w) == 0
