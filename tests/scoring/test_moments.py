from __future__ import annotations

from scoring import Embedder, Rubric, evaluate, find_moments
from tests.support.scoring_calls import GOOD, A, C, bad_call, good_call
from tests.support.scoring_helpers import make_transcript, script
from transcription.types import Segment, Transcript, Word


def test_good_call_has_no_moments(rubric: Rubric, embedder: Embedder) -> None:
    t = good_call()
    assert find_moments(t, evaluate(t, rubric, embedder=embedder)) == []


def test_bad_call_moments(rubric: Rubric, embedder: Embedder) -> None:
    t = bad_call()
    moments = find_moments(t, evaluate(t, rubric, embedder=embedder))
    got = [(m.type, m.start, m.end, m.severity, m.criterion) for m in moments]
    assert got == [
        ("failed_criterion", 0.5, 11.3, "warning", "greeting"),
        # no verification although the customer's complaint needs the account
        ("failed_criterion", 3.02, 8.77, "critical", "identity_verification"),
        ("failed_criterion", 3.02, 30.26, "warning", "empathy"),
        # a missing resolution cites the request and how the agent ended the call
        ("failed_criterion", 3.02, 32.83, "warning", "resolution"),
        # the sentence the verdict rests on, not the whole turn
        ("prohibited_phrase", 9.39, 10.14, "critical", "professional_language"),
        ("failed_criterion", 9.39, 30.26, "critical", "professional_language"),
        ("dead_air", 13.05, 25.67, "warning", "dead_air"),
        ("failed_criterion", 13.05, 25.67, "warning", "dead_air"),
        ("prohibited_phrase", 25.67, 30.26, "critical", "professional_language"),
        ("failed_criterion", 25.67, 32.83, "warning", "closing"),
    ]
    assert all(m.description.endswith((".", '"')) for m in moments)


def test_long_hold_escalation_and_overtalk(rubric: Rubric, embedder: Embedder) -> None:
    lines = list(GOOD)
    lines[5] = 75.0  # a 75 s announced hold
    lines.insert(8, (C, "Actually, I want to speak to a manager about this."))
    t = make_transcript(script(lines))
    # add a customer turn talking over the agent's closing for 1.5 s
    last = t.segments[-1]
    over = Segment(
        last.start + 0.5,
        last.start + 2.0,
        "customer",
        "wait one more thing",
        (Word(last.start + 0.5, last.start + 2.0, " wait"),),
    )
    t = Transcript(t.engine, t.model, (*t.segments, over), t.audio)
    moments = find_moments(t, evaluate(t, rubric, embedder=embedder))
    kinds = [(m.type, m.severity) for m in moments]
    assert kinds == [("long_hold", "info"), ("escalation_request", "warning"), ("overtalk", "info")]
    hold = moments[0]
    assert round(hold.end - hold.start, 1) == 75.6
    assert moments[2].end - moments[2].start == 1.5


def test_hold_on_to_receipt_is_dead_air_not_hold(rubric: Rubric, embedder: Embedder) -> None:
    t = make_transcript(
        script(
            [
                (A, "Thanks for calling Acme, Sam speaking."),
                (C, "Hi, I returned a phone."),
                (A, "Please hold on to your receipt."),
                12.0,
                (A, "Right, the refund has been processed."),
            ]
        )
    )
    moments = find_moments(t, evaluate(t, rubric, embedder=embedder))
    assert "dead_air" in [m.type for m in moments]
    assert "long_hold" not in [m.type for m in moments]
