"""Publication through the API on SQLite and PostgreSQL: an unsure critical fail leaves the call
provisional (shown score without the auto-fail, first in the review queue, out of every
average) until a human decides; not-scorable calls leave averages alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domains.coaching.data import history
from models.audit import AuditEvent
from models.calls import CallStatus
from tests.support.factories import make_call
from tests.support.world import World

UNSURE = {"identity_verification": 0.45}  # under the default review threshold, 0.6
NO_ID = {"identity_verification": "fail"}


def _get(w: World, path: str, who: str = "qa", **params: Any) -> Any:
    res = w.client.get(f"/api/v1{path}", params=params, headers=w.headers(who))
    assert res.status_code == 200, res.text
    return res.json()


def _listed(w: World, **filters: str) -> set[str]:
    return {item["call_id"] for item in _get(w, "/calls", **filters)["items"]}


def _progress(w: World, agent: str = "agent_a") -> tuple[int, float | None, int]:
    p = _get(w, f"/agents/{w.id(agent)}/progress")
    return p["calls"], p["average_score"], p["provisional_calls"]


def _coached_calls(w: World, agent: str = "agent_a") -> int:
    with w.svc.session_factory() as s:
        return len(history(s, w.id(agent), since=None, until=None))


def test_an_unsure_critical_fail_is_provisional_until_a_human_confirms_it(world: World):
    w = world
    alice = w.users["agent_a"]
    clean = str(make_call(w.svc, agent=alice, filename="clean.wav"))
    sure = str(make_call(w.svc, agent=alice, verdicts=NO_ID, filename="sure.wav"))
    unsure = str(make_call(w.svc, agent=alice, verdicts=NO_ID, confidence=UNSURE))

    # A confident critical fail auto-fails at once; the unsure one shows the plain-fail score.
    assert _get(w, f"/calls/{sure}")["evaluation"]["score"] == 0.0
    review = _get(w, f"/calls/{unsure}")
    ev = review["evaluation"]
    assert review["status"] == "scored"
    assert (ev["score"], ev["auto_failed"], ev["provisional"]) == (83.3, False, True)  # 75 / 90
    assert ev["provisional_criteria"] == ["identity_verification"]
    assert ev["provisional_reason"] == (
        "Unsure critical fail: identity verification (0.45), under the review threshold "
        "0.60. The auto-fail waits for a reviewer; until then the call shows 83.3 with its "
        "points lost and stays out of averages."
    )
    assert _get(w, f"/calls/{sure}")["evaluation"]["provisional"] is False

    # In the queue, first, with the reason; the confident fail is not waiting for anyone.
    queue = _get(w, "/reviews/queue")
    assert [i["call_id"] for i in queue["items"]] == [unsure]
    [item] = queue["items"]
    assert (item["provisional"], item["score"]) == (True, 83.3)
    assert item["criteria"] == [
        {
            "id": "identity_verification",
            "verdict": "fail",
            "confidence": 0.45,
            "why": ["low_confidence", "unsure_critical_fail"],
        }
    ]

    # Out of every average: progress, dashboard, coaching; listed apart.
    assert _progress(w) == (2, 50.0, 1)
    dash = _get(w, "/dashboard")
    assert (dash["scored_calls"], dash["average_score"]) == (2, 50.0)
    assert dash["provisional"]["calls"] == 1
    assert [c["call_id"] for c in dash["provisional"]["recent"]] == [unsure]
    assert _listed(w, **dash["provisional"]["filters"]) == {unsure}
    assert _listed(w, provisional="false") == {clean, sure}
    assert dash["auto_failed"]["calls"] == 1
    assert _listed(w, **dash["auto_failed"]["filters"]) == {sure}
    assert _coached_calls(w) == 2

    # A human confirms the fail: the 0 publishes and the call counts.
    res = w.client.post(
        f"/api/v1/calls/{unsure}/criteria/identity_verification/confirm",
        json={"note": "no check before the account was opened"},
        headers=w.headers("qa"),
    )
    assert res.status_code == 200, res.text
    out = res.json()
    assert (out["score"], out["auto_failed"], out["provisional"]) == (0.0, True, False)
    ev = _get(w, f"/calls/{unsure}")["evaluation"]
    assert (ev["score"], ev["auto_failed"], ev["provisional"], ev["source"]) == (
        0.0,
        True,
        False,
        "human",
    )
    assert ev["provisional_reason"] is None and ev["provisional_criteria"] == []
    assert _get(w, "/reviews/queue")["items"] == []
    assert _progress(w) == (3, 33.3, 0)
    assert _get(w, "/dashboard")["auto_failed"]["calls"] == 2
    assert _coached_calls(w) == 3


def test_a_human_pass_publishes_the_normal_score(world: World):
    w = world
    alice = w.users["agent_a"]
    make_call(w.svc, agent=alice, verdicts={"closing": "fail"}, filename="closing.wav")  # 88.9
    unsure = make_call(w.svc, agent=alice, verdicts=NO_ID, confidence=UNSURE)
    assert _progress(w) == (1, 88.9, 1)

    res = w.client.put(
        f"/api/v1/calls/{unsure}/criteria/identity_verification",
        json={"verdict": "pass", "reason": "postcode checked at 0:40"},
        headers=w.headers("supervisor"),
    )
    assert res.status_code == 200, res.text
    out = res.json()
    assert (out["score"], out["auto_failed"], out["provisional"], out["previous_score"]) == (
        100.0,
        False,
        False,
        83.3,
    )
    assert _progress(w) == (2, 94.5, 0)  # (88.9 + 100) / 2
    with w.svc.session_factory() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "criterion.override"))
        assert (event.details["score_before"], event.details["score_after"]) == (83.3, 100.0)
        assert event.details["provisional_after"] is False


def test_another_verdict_leaves_the_call_provisional_and_out_of_agreement(world: World):
    """Overriding some other criterion keeps the call provisional (its unsure critical fail
    still waits): the new score is still not final, and its reviews count for agreement only
    once the call is decided."""
    w = world
    unsure = make_call(w.svc, agent=w.users["agent_a"], verdicts=NO_ID, confidence=UNSURE)
    res = w.client.put(
        f"/api/v1/calls/{unsure}/criteria/greeting",
        json={"verdict": "fail", "reason": "no name given"},
        headers=w.headers("qa"),
    )
    out = res.json()
    assert (out["score"], out["auto_failed"], out["provisional"]) == (72.2, False, True)  # 65/90
    assert _progress(w) == (0, None, 1)
    assert [i["call_id"] for i in _get(w, "/reviews/queue")["items"]] == [str(unsure)]
    assert _get(w, "/analytics/agreement")["rubrics"] == []

    w.client.post(
        f"/api/v1/calls/{unsure}/criteria/identity_verification/confirm",
        headers=w.headers("qa"),
    )
    [rubric] = _get(w, "/analytics/agreement")["rubrics"]
    reviewed = {c["id"]: (c["reviewed"], c["agreed"]) for c in rubric["criteria"]}
    assert reviewed == {"greeting": (1, 0), "identity_verification": (1, 1)}
    assert _progress(w) == (1, 0.0, 0)


def test_not_scorable_calls_leave_averages_alone_and_say_why(world: World):
    w = world
    alice = w.users["agent_a"]
    make_call(w.svc, agent=alice, verdicts={"closing": "fail"}, filename="real.wav")  # 88.9
    voicemail = str(
        make_call(
            w.svc,
            agent=alice,
            status=CallStatus.not_scorable,
            filename="voicemail.wav",
            scorability={
                "scorable": False,
                "reason": "one_voice",
                "confidence": 0.95,
                "detail": "Only one side speaks (agent, 31 words): not a conversation.",
                "signals": {"words": 31},
            },
        )
    )
    assert _progress(w) == (1, 88.9, 0)
    dash = _get(w, "/dashboard")
    assert (dash["scored_calls"], dash["average_score"]) == (1, 88.9)
    assert dash["not_scorable"]["calls"] == 1
    assert dash["not_scorable"]["recent"][0]["call_id"] == voicemail
    assert dash["not_scorable"]["recent"][0]["reason"] == (
        "Only one side speaks (agent, 31 words): not a conversation."
    )
    assert _listed(w, **dash["not_scorable"]["filters"]) == {voicemail}
    [item] = _get(w, "/calls", status="not_scorable")["items"]
    assert (item["status"], item["score"], item["not_scorable_reason"]) == (
        "not_scorable",
        None,
        "Only one side speaks (agent, 31 words): not a conversation.",
    )
    review = _get(w, f"/calls/{voicemail}")
    assert (review["status"], review["scorable"], review["evaluation"]) == (
        "not_scorable",
        False,
        None,
    )
    assert review["scorability"]["reason"] == "one_voice"
    assert _coached_calls(w) == 1
    # Not a scored call: no overrides, no disputes on it.
    res = w.client.put(
        f"/api/v1/calls/{voicemail}/criteria/greeting",
        json={"verdict": "pass", "reason": "x"},
        headers=w.headers("qa"),
    )
    assert res.status_code == 409
    # Agents cannot decide to score it; reviewers can (the route is tested end to end in
    # tests/domains/calls/test_calls_api.py).
    res = w.client.post(
        f"/api/v1/calls/{voicemail}/score-anyway",
        json={"reason": "please"},
        headers=w.headers("agent_a"),
    )
    assert res.status_code == 403
