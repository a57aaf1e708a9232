"""After a human verdict everything follows it: the failed-criterion moments, the per-call
feedback, the moments that accuse a criterion, and the AI rationale is shown as superseded.
A real call (a transcript file) through the real app, pipeline and scorer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.support.world import World

CALL = """\
Agent: Thank you for calling Northwind Energy, my name is Priya, how can I help you today?
Customer: Hi, my bill doubled this month and I'm really upset about it.
Agent: Calm down, I understand how frustrating a surprise bill is.
Agent: Before I look at the account, can you confirm your date of birth and postcode please?
Customer: Sure, it's the fourth of May nineteen eighty, and the postcode is N1 4AB.
Agent: Thank you, that's verified. I can see an estimated reading was used.
Agent: I've corrected it to your actual reading, so the bill drops back to forty two pounds.
Agent: You'll get a corrected bill by email within two working days.
Customer: Oh good, thank you.
Agent: Okay, bye.
"""


def _upload(w: World) -> str:
    res = w.client.post(
        "/api/v1/calls",
        files={"file": ("bill.txt", CALL.encode())},
        data={"agent_id": str(w.id("agent_a"))},
        headers=w.headers("qa"),
    )
    assert res.status_code == 202, res.text
    call_id = str(res.json()["call_id"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _review(w, call_id)["status"] in ("scored", "failed", "not_scorable"):
            return call_id
        time.sleep(0.2)
    raise AssertionError("the call was not scored in time")


def _review(w: World, call_id: str, who: str = "qa") -> dict[str, Any]:
    res = w.client.get(f"/api/v1/calls/{call_id}", headers=w.headers(who))
    assert res.status_code == 200, res.text
    return dict(res.json())


def _override(w: World, call_id: str, criterion: str, verdict: str, reason: str) -> Any:
    res = w.client.put(
        f"/api/v1/calls/{call_id}/criteria/{criterion}",
        json={"verdict": verdict, "reason": reason},
        headers=w.headers("qa"),
    )
    assert res.status_code == 200, res.text
    return res.json()


def _failed_moments(review: dict[str, Any]) -> list[str]:
    return [m["criterion"] for m in review["moments"] if m["type"] == "failed_criterion"]


def _improvements(review: dict[str, Any]) -> list[str]:
    return [i["criterion"] for i in review["feedback"]["improvements"]]


def _criterion(review: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in review["evaluation"]["criteria"] if c["id"] == cid)


def test_overrides_confirmations_and_disputes_change_moments_and_feedback(world: World):
    w = world
    call_id = _upload(w)
    ai = _review(w, call_id)
    assert (ai["status"], ai["scorable"], ai["scorability"]["reason"]) == (
        "scored",
        True,
        "service_conversation",
    )
    assert (ai["evaluation"]["score"], ai["evaluation"]["auto_failed"]) == (0.0, True)
    assert _failed_moments(ai) == ["empathy", "professional_language", "closing"]
    assert _improvements(ai) == ["professional_language", "empathy", "closing"]
    [phrase] = [m for m in ai["moments"] if m["type"] == "prohibited_phrase"]
    assert phrase["severity"] == "critical"

    # QA passes professional language: its failed moment and "to improve" go, the phrase
    # moment stays as a place to listen but says a reviewer passed it, the 0 goes.
    out = _override(w, call_id, "professional_language", "pass", "quoting the customer back")
    assert (out["score"], out["auto_failed"]) == (72.2, False)  # 65 / 90
    after = _review(w, call_id)
    assert _failed_moments(after) == ["empathy", "closing"]
    assert _improvements(after) == ["empathy", "closing"]
    [phrase] = [m for m in after["moments"] if m["type"] == "prohibited_phrase"]
    assert phrase["severity"] == "info"
    assert phrase["description"].endswith("A reviewer judged Professional language pass.")
    prof = _criterion(after, "professional_language")
    assert (prof["verdict"], prof["ai_verdict"], prof["rationale_superseded"]) == (
        "pass",
        "fail",
        True,
    )
    assert prof["rationale"].startswith('"Calm down')  # the AI's, shown as superseded
    assert any(
        s.startswith("Your language stayed professional") for s in after["feedback"]["strengths"]
    )

    # QA passes the closing: its moment and improvement go too.
    _override(w, call_id, "closing", "pass", "'bye' was polite enough on this line")
    after = _review(w, call_id)
    assert _failed_moments(after) == ["empathy"]
    assert _improvements(after) == ["empathy"]

    # QA fails the greeting the AI passed: a failed moment with the reviewer's reason appears.
    _override(w, call_id, "greeting", "fail", "the company name was wrong")
    after = _review(w, call_id)
    assert _failed_moments(after) == ["greeting", "empathy"]
    assert _improvements(after) == ["empathy", "greeting"]  # the costlier first
    [greeting] = [m for m in after["moments"] if m["criterion"] == "greeting"]
    assert greeting["description"] == (
        "Greeting not met: A reviewer judged it fail: the company name was wrong."
    )
    assert _criterion(after, "greeting")["rationale_superseded"] is True

    # A confirmation changes no verdict: the moments stay as they are, nothing is superseded.
    res = w.client.post(
        f"/api/v1/calls/{call_id}/criteria/empathy/confirm", headers=w.headers("qa")
    )
    assert res.status_code == 200, res.text
    confirmed = _review(w, call_id)
    assert _failed_moments(confirmed) == ["greeting", "empathy"]
    assert _criterion(confirmed, "empathy")["rationale_superseded"] is False

    # The agent disputes the greeting; QA accepts: the moment and the improvement go.
    res = w.client.post(
        f"/api/v1/calls/{call_id}/criteria/greeting/disputes",
        json={"reason": "I said Northwind Energy, which is our name"},
        headers=w.headers("agent_a"),
    )
    assert res.status_code == 201, res.text
    res = w.client.post(
        f"/api/v1/disputes/{res.json()['id']}/resolve",
        json={"outcome": "accept", "reason": "right, it is the trading name"},
        headers=w.headers("qa"),
    )
    assert res.status_code == 200, res.text
    final = _review(w, call_id, who="agent_a")
    assert _failed_moments(final) == ["empathy"]
    assert _improvements(final) == ["empathy"]
    assert final["evaluation"]["score"] == 83.3  # 75 / 90: only empathy is lost


def test_human_verdicts_refit_the_confidence_calibration(world: World, tmp_path: Path) -> None:
    from domains.reviews.confidence import calibration_for, human_labelled, refit
    from scoring.calibration import builtin_calibration

    w = world
    call_id = _upload(w)
    ai = _review(w, call_id)
    # QA passes the closing ("Okay, bye.") the AI failed: one AI verdict of eight was wrong.
    ai_closing = _criterion(ai, "closing")["verdict"]
    assert ai_closing == "fail"
    _override(w, call_id, "closing", "pass", "a polite enough goodbye here")
    rubric = ai["evaluation"]["rubric"]
    with w.svc.session_factory() as s:
        rows = human_labelled(s, rubric)
        assert len(rows) == 8
        assert [(r.criterion, r.correct) for r in rows if not r.correct] == [("closing", False)]
        merged, added = refit(s, tmp_path, rubric)
    shipped = builtin_calibration(rubric)
    assert shipped is not None and added == 8
    assert merged.size == shipped.size + 8
    # the score step reads the refitted file from then on
    assert calibration_for(tmp_path, rubric) == merged
    assert calibration_for(tmp_path / "elsewhere", rubric) == shipped


def test_bulk_confirm_takes_only_the_confident_unchecked_verdicts(world: World):
    from tests.support.factories import make_call

    w = world
    call = make_call(
        w.svc,
        agent=w.users["agent_a"],
        verdicts={"closing": "fail"},
        confidence={"closing": 0.6, "empathy": 0.95},
    )
    w.client.post(
        f"/api/v1/calls/{call}/criteria/greeting/confirm",
        json={"note": "checked by hand"},
        headers=w.headers("qa"),
    )
    url = f"/api/v1/calls/{call}/confirm-confident"
    assert w.client.post(url, json={}, headers=w.headers("agent_a")).status_code == 403
    res = w.client.post(url, json={"min_confidence": 0.9}, headers=w.headers("qa"))
    assert res.status_code == 200, res.text
    done = res.json()["confirmed"]
    assert "closing" not in done  # 0.6: a human must look
    assert "greeting" not in done  # already checked
    assert "empathy" in done
    review = w.client.get(f"/api/v1/calls/{call}", headers=w.headers("qa")).json()
    reasons = {c["id"]: c.get("override_reason") for c in review["evaluation"]["criteria"]}
    assert reasons["greeting"] == "checked by hand" and reasons["closing"] is None
    assert all(reasons[c] for c in done)
    again = w.client.post(url, json={"min_confidence": 0.9}, headers=w.headers("qa"))
    assert again.json()["confirmed"] == []


def test_an_override_follows_into_dashboards_progress_and_coaching(world: World):
    """A reviewer's pass replaces the AI's fail wherever the call is counted: the dashboard's
    fail rate, the agent's progress, and the evidence and pass rate of the next coaching
    draft."""
    from datetime import UTC, datetime, timedelta

    from tests.support.coaching_history import scored_call

    w = world
    now = datetime.now(UTC)
    calls = [
        scored_call(
            w.svc,
            agent=w.users["agent_a"],
            at=now - timedelta(days=1 + i),
            verdicts={"empathy": "fail"} if i < 2 else {},
        )
        for i in range(4)
    ]

    def empathy_rates() -> tuple[float, float, float, list[str]]:
        dash = w.client.get("/api/v1/dashboard", headers=w.headers("supervisor")).json()
        [rate] = [c["fail_rate"] for c in dash["criteria"] if c["id"] == "empathy"]
        progress = w.client.get(
            f"/api/v1/agents/{w.id('agent_a')}/progress", headers=w.headers("supervisor")
        ).json()
        [passed] = [c["pass_rate"] for c in progress["criteria"] if c["id"] == "empathy"]
        draft = w.client.post(
            "/api/v1/coaching/drafts",
            json={"agent_id": str(w.id("agent_a"))},
            headers=w.headers("supervisor"),
        )
        assert draft.status_code == 201, draft.text
        focus = {f["criterion"]: f for f in draft.json()["focus"]}
        empathy = focus.get("empathy")
        in_draft = empathy["pass_rate"] if empathy else 1.0
        clips = [c["call_id"] for c in empathy["evidence"]] if empathy else []
        return rate, passed, in_draft, clips

    rate, passed, in_draft, clips = empathy_rates()
    assert (rate, passed, in_draft) == (0.5, 0.5, 0.5)
    assert sorted(clips) == sorted(str(c) for c in calls[:2])

    _override(w, str(calls[0]), "empathy", "pass", "she did acknowledge the worry")
    rate, passed, in_draft, clips = empathy_rates()
    assert (rate, passed) == (0.25, 0.75)
    assert str(calls[0]) not in clips
    assert in_draft in (0.75, 1.0)  # 0.75, or empathy no longer a weak point at all
