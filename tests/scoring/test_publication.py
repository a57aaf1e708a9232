"""Publication (scoring/publication.py): an unsure critical fail never publishes a 0."""

from __future__ import annotations

from dataclasses import replace

from scoring import Embedder, Rubric, evaluate
from scoring.publication import held_criteria, publish
from scoring.types import CriterionResult
from tests.support.scoring_calls import GOOD, A, C
from tests.support.scoring_helpers import make_transcript, script


def _r(cid: str, verdict: str, points: float, *, critical: bool = False, conf: float = 0.9):
    return CriterionResult(
        id=cid,
        verdict=verdict,  # type: ignore[arg-type]
        confidence=conf,
        points=points if verdict == "pass" else 0.0,
        max_points=points,
        rationale=f"{cid} {verdict}",
        critical=critical,
    )


def _call(iv_verdict: str = "fail", iv_conf: float = 0.45, pl: str = "pass", pl_conf: float = 0.9):
    """The default rubric's points: 60 of 75 applicable earned when verification fails."""
    return [
        _r("greeting", "pass", 10),
        _r("identity_verification", iv_verdict, 15, critical=True, conf=iv_conf),
        _r("empathy", "na", 15),
        _r("hold_etiquette", "na", 10),
        _r("resolution", "pass", 20),
        _r("closing", "pass", 10),
        _r("professional_language", pl, 10, critical=True, conf=pl_conf),
        _r("dead_air", "pass", 10),
    ]


def test_an_unsure_critical_fail_is_provisional_and_counts_as_a_plain_fail() -> None:
    pub = publish(_call(), review_threshold=0.6)
    assert (pub.score, pub.auto_failed, pub.provisional, pub.held) == (
        80.0,
        False,
        True,
        ("identity_verification",),
    )
    assert pub.reason == (
        "Unsure critical fail: identity verification (0.45), under the review threshold "
        "0.60. The auto-fail waits for a reviewer; until then the call shows 80.0 with its "
        "points lost and stays out of averages."
    )


def test_a_confident_critical_fail_auto_fails_at_once() -> None:
    pub = publish(_call(iv_conf=0.6), review_threshold=0.6)  # at the threshold is sure
    assert (pub.score, pub.auto_failed, pub.provisional, pub.held, pub.reason) == (
        0.0,
        True,
        False,
        (),
        "",
    )


def test_a_confident_critical_fail_wins_over_an_unsure_one() -> None:
    pub = publish(_call(pl="fail", pl_conf=0.95), review_threshold=0.6)
    assert (pub.score, pub.auto_failed, pub.provisional) == (0.0, True, False)
    assert held_criteria(_call(pl="fail", pl_conf=0.95), 0.6) == ("identity_verification",)


def test_two_unsure_critical_fails_are_both_held() -> None:
    pub = publish(_call(pl="fail", pl_conf=0.3), review_threshold=0.6)
    assert (pub.score, pub.auto_failed, pub.provisional) == (66.7, False, True)
    assert pub.held == ("identity_verification", "professional_language")
    assert "those points lost" in pub.reason


def test_a_human_verdict_publishes_the_final_score() -> None:
    """Re-applied after a human: a confirmed fail (full confidence) publishes the 0; a pass,
    the normal score."""
    confirmed = publish(_call(iv_conf=1.0), review_threshold=0.6)
    assert (confirmed.score, confirmed.auto_failed, confirmed.provisional) == (0.0, True, False)
    passed = publish(_call(iv_verdict="pass", iv_conf=1.0), review_threshold=0.6)
    assert (passed.score, passed.auto_failed, passed.provisional) == (100.0, False, False)


def test_without_a_threshold_nothing_is_held() -> None:
    pub = publish(_call(iv_conf=0.1), review_threshold=None)
    assert (pub.score, pub.auto_failed, pub.provisional) == (0.0, True, False)


def test_an_unsure_non_critical_fail_changes_nothing() -> None:
    results = [replace(r, confidence=0.2) if r.id == "closing" else r for r in _call("pass", 0.9)]
    results = [replace(r, verdict="fail", points=0.0) if r.id == "closing" else r for r in results]
    pub = publish(results, review_threshold=0.6)
    assert (pub.score, pub.auto_failed, pub.provisional) == (86.7, False, False)


def _no_verification() -> list:  # type: ignore[type-arg]
    lines = [
        (A, "I'm so sorry about that, let me look into it.")
        if item == (A, "I'm so sorry about that. Can I take your date of birth please?")
        else item
        for item in GOOD
        if item != (C, "Sure, it's the twelfth of March nineteen eighty five.")
    ]
    assert len(lines) == len(GOOD) - 1
    return lines


def test_evaluate_publishes_through_the_rule(rubric: Rubric, embedder: Embedder) -> None:
    """The same unverified call: auto-failed when its fail is sure enough for the threshold,
    provisional at 85.0 (15 of 100 points lost) when it is not."""
    transcript = make_transcript(script(_no_verification()))
    sure = evaluate(
        transcript, rubric, embedder=embedder, review_threshold=None, critical_threshold=None
    )
    iv = next(c for c in sure.criteria if c.id == "identity_verification")
    assert (iv.verdict, iv.critical) == ("fail", True)
    assert (sure.score, sure.auto_failed, sure.provisional) == (0.0, True, False)

    unsure = evaluate(
        transcript, rubric, embedder=embedder, review_threshold=1.0, critical_threshold=1.0
    )
    assert (unsure.score, unsure.auto_failed, unsure.provisional) == (85.0, False, True)
    assert unsure.provisional_criteria == ("identity_verification",)
    assert unsure.provisional_reason.startswith("Unsure critical fail: identity verification (")
    assert unsure.criteria == tuple(
        replace(c, needs_review=True) for c in sure.criteria
    )  # the verdicts themselves do not change: only what is published
