from __future__ import annotations

import re

from coaching import Feedback, Improvement, call_feedback
from scoring import default_rubric, evaluate, get_embedder
from tests.support.scoring_calls import bad_call, good_call

HARSH = re.compile(
    r"\b(fail\w*|bad|poor|terrible|awful|wrong|never|lazy|rude|unacceptable)\b", re.IGNORECASE
)


def _feedback(transcript):  # type: ignore[no-untyped-def]
    ev = evaluate(transcript, default_rubric(), embedder=get_embedder())
    return ev, call_feedback(transcript, ev)


def test_good_call_is_all_praise() -> None:
    _, fb = _feedback(good_call())
    assert isinstance(fb, Feedback)
    assert fb.improvements == ()
    assert len(fb.strengths) == 8
    assert fb.strengths[0] == (
        'You opened the call well at 0:00: "Thank you for calling Acme Telecom, my name is '
        'Sarah, how can I help?"'
    )
    assert fb.strengths[3] == (
        "You asked before the hold and thanked the customer when you came back (0:21)."
    )


def test_bad_call_praise_first_then_tied_improvements() -> None:
    ev, fb = _feedback(bad_call())
    assert fb.strengths == ("Thank you for staying with the customer through the whole call.",)
    assert [i.criterion for i in fb.improvements] == [
        "identity_verification",
        "professional_language",
        "resolution",
        "empathy",
        "greeting",
        "closing",
        "dead_air",
    ]
    failed = {c.id: c for c in ev.criteria if c.verdict == "fail"}
    for imp in fb.improvements:
        assert isinstance(imp, Improvement)
        assert imp.evidence == failed[imp.criterion].evidence and imp.evidence
        assert re.search(r"\b\d+:\d\d\b", imp.text), imp.text
        assert not HARSH.search(imp.text), imp.text
    dead = fb.improvements[-1]
    assert dead.text.startswith("At 0:13 there were 13 s of silence.")
    empathy = next(i for i in fb.improvements if i.criterion == "empathy")
    assert empathy.text.startswith(
        "At 0:03 the customer said \"I've called three times about my bill and nobody has fixed"
    )
    assert all(not HARSH.search(s) for s in fb.strengths)


def test_a_rubrics_own_criterion_gets_its_own_or_generic_words() -> None:
    from coaching.feedback import call_feedback
    from coaching.texts import texts_for
    from scoring.rubric import parse_rubric
    from scoring.types import CriterionResult, Evaluation, Evidence
    from tests.support.scoring_helpers import make_transcript

    rubric = parse_rubric(
        "name: own\nversion: 1\ntitle: T\nsections:\n  - id: s\n    title: S\n    criteria:\n"
        "      - id: callback\n        question: Did the agent offer a callback?\n"
        "        points: 5\n"
        "      - id: recap\n        question: Did the agent recap the next steps?\n"
        "        points: 5\n"
        "        coaching: {improvement: 'At {t}, sum up what happens next: {name}.'}\n"
    )
    ev = Evaluation(
        "own",
        1,
        "ai",
        0.0,
        False,
        tuple(
            CriterionResult(
                cid, "fail", 0.6, 0, 5, "Nothing close.", (Evidence(61, 64, "agent", "ok"),)
            )
            for cid in ("callback", "recap")
        ),
    )
    fb = call_feedback(make_transcript([("agent", 0, 1, "hi")]), ev, texts_for(rubric))
    assert [i.text for i in fb.improvements] == [
        "Callback: Nothing close. Let's listen to 1:01 together and plan the next step.",
        "At 1:01, sum up what happens next: Recap.",
    ]


def test_a_dismissive_line_is_never_quoted_as_praise() -> None:
    """The call passed closing and resolution, but on a curt line: the praise keeps the
    criterion and leaves the line out; a courteous line on the same criterion is quoted."""
    from scoring.types import CriterionResult, Evaluation, Evidence
    from transcription.types import Transcript

    rude = Evidence(61.0, 64.0, "agent", "Whatever, I refunded one charge, anything else.")
    kind = Evidence(70.0, 73.0, "agent", "Thanks for your patience, have a lovely evening.")

    def result(cid: str, *evidence: Evidence) -> CriterionResult:
        return CriterionResult(cid, "pass", 0.9, 10, 10, "ok", evidence=evidence)

    ev = Evaluation(
        rubric="contact-center-default",
        rubric_version=1,
        source="ai",
        score=100.0,
        auto_failed=False,
        criteria=(result("resolution", rude), result("closing", rude, kind)),
    )
    fb = call_feedback(Transcript(engine="text", model="none", segments=()), ev)
    text = " ".join(fb.strengths)
    assert "Whatever" not in text
    assert "have a lovely evening" in text
    assert len(fb.strengths) == 2
