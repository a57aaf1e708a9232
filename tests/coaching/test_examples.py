"""Praise quotes only lines worth praising: never a dismissive line, a bare greeting, or a line
that failed something on the same call."""

from __future__ import annotations

from datetime import UTC, datetime

from coaching.drafts import _passing_example
from coaching.examples import praise_worthy
from coaching.feedback import call_feedback
from coaching.types import Outcome, ScoredCall
from scoring.types import CriterionResult, Evaluation, Evidence
from tests.support.scoring_helpers import make_transcript

RUDE_CLOSE = "Whatever, I refunded one charge, anything else."
WARM_CLOSE = "Is there anything else I can help you with today?"


def test_what_may_be_quoted_as_praise() -> None:
    assert not praise_worthy(RUDE_CLOSE)
    assert not praise_worthy("Good morning, Steve.")
    assert not praise_worthy("Look, I already told you twice how this works.")
    assert praise_worthy(WARM_CLOSE)
    assert praise_worthy("Can you confirm your date of birth for me, please?")
    # The same words, said inside a span that failed on this call, are not praise.
    assert not praise_worthy(WARM_CLOSE, failed_spans=[(60.0, 64.0)], at=61.0)


def _result(cid: str, verdict: str, *evidence: Evidence) -> CriterionResult:
    points = 10.0 if verdict == "pass" else 0.0
    return CriterionResult(cid, verdict, 0.9, points, 10.0, "r.", tuple(evidence))  # type: ignore[arg-type]


def test_call_feedback_praises_without_quoting_a_rude_close() -> None:
    rude = Evidence(70.0, 73.0, "agent", RUDE_CLOSE)
    greeting = Evidence(0.0, 1.5, "agent", "Good morning, Steve.")
    ev = Evaluation(
        "contact-center-default",
        1,
        "ai",
        100.0,
        False,
        (_result("closing", "pass", rude), _result("identity_verification", "pass", greeting)),
    )
    fb = call_feedback(make_transcript([("agent", 0, 1.5, "Good morning, Steve.")]), ev)
    assert len(fb.strengths) == 2
    assert all(RUDE_CLOSE not in s and "Good morning, Steve." not in s for s in fb.strengths)


def test_a_drafts_example_skips_unfit_lines_for_a_fit_one() -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    rude_call = ScoredCall(
        "c1",
        at,
        80.0,
        (Outcome("closing", "pass", 10, 10, (Evidence(70.0, 73.0, "agent", RUDE_CLOSE),)),),
    )
    warm_call = ScoredCall(
        "c2",
        at,
        90.0,
        (Outcome("closing", "pass", 10, 10, (Evidence(50.0, 53.0, "agent", WARM_CLOSE),)),),
    )
    # The newest call comes first; its only example is rude, so the older, warm one is quoted.
    clip, when = _passing_example([warm_call, rude_call], "closing")
    assert clip is not None and (clip.call_id, clip.text, when) == ("c2", WARM_CLOSE, at)
    assert _passing_example([rude_call], "closing") == (None, None)
