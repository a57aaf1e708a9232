"""sentiment and sequence evaluators, negative_sentiment moments, evidence-weighted confidence
and the needs_review flag."""

from __future__ import annotations

from dataclasses import replace

from scoring import Embedder, Rubric, evaluate, find_moments, load_rubric
from scoring.sentiment import score_turn
from scoring.timeline import Utterance
from tests.support.scoring_calls import good_call
from tests.support.scoring_helpers import make_transcript, script
from transcription.types import Transcript, Word

A, C = "agent", "customer"

RUBRIC = load_rubric(
    """\
name: t5
version: 1
title: T5
sections:
  - id: s
    title: S
    criteria:
      - id: mood
        question: Did the customer end no less happy than they started?
        points: 10
        na_allowed: true
        evaluator: {type: sentiment}
      - id: order
        question: Verification before account details?
        points: 10
        na_allowed: true
        evaluator:
          type: sequence
          first: {window: {speaker: agent}, detect: {cue_sets: [identity_item]}}
          then: {window: {speaker: agent}, detect: {phrases: [your balance is]}}
"""
)


def _u(text: str) -> Utterance:
    return Utterance(0, 0.0, 1.0, "customer", text)


def test_cues_correct_the_lexicon_on_sarcasm_and_unhappy_closings() -> None:
    sarcasm = score_turn(_u("Great, just great. Thanks for nothing."))
    assert sarcasm.lexicon > 0.5 and sarcasm.score <= -0.6 and sarcasm.cue == "great just great"
    closing = score_turn(_u("Fine, whatever. Forget it."))
    assert closing.score == -0.6 and closing.cue == "whatever"
    happy = score_turn(_u("That's brilliant, thank you so much!"))
    assert (happy.cue, happy.score > 0.5) == ("", True)
    assert score_turn(_u("No worries, I'm not upset at all.")).cue == ""


def _judge(lines: list[tuple[str, str]], embedder: Embedder) -> dict[str, tuple[str, str]]:
    ev = evaluate(make_transcript(script(lines)), RUBRIC, embedder=embedder)
    return {c.id: (c.verdict, c.rationale) for c in ev.criteria}


def test_sentiment_trajectory(embedder: Embedder) -> None:
    recovered = [
        (C, "My card was stolen and I'm really worried."),
        (A, "I'm sorry, let's block it now."),
        (C, "Okay, thank you."),
        (A, "Done, a new card is on its way."),
        (C, "That's great, thank you so much for your help."),
    ]
    verdict, why = _judge(recovered, embedder)["mood"]
    assert verdict == "pass"
    assert why.startswith(
        "The customer's sentiment -0.08 at the start, +0.74 at the end; worst -0.69"
    )
    soured = [
        (C, "Hi, I'd like to ask about my bill please, thanks."),
        (A, "That charge stays, it's policy."),
        (C, "Oh perfect, just perfect. So that's it then? Forget it."),
    ]
    verdict, why = _judge(soured, embedder)["mood"]
    assert verdict == "fail" and why.endswith("ended negative.")
    assert _judge([(A, "Hello?"), (C, "Hi.")], embedder)["mood"][0] == "na"


def test_sequence_order(embedder: Embedder) -> None:
    ok = [
        (A, "Can you confirm your date of birth?"),
        (C, "Fifth of May."),
        (A, "Thanks, your balance is forty dollars."),
    ]
    assert _judge(ok, embedder)["order"][0] == "pass"
    late = [
        (A, "Your balance is forty dollars."),
        (C, "Okay."),
        (A, "Oh and can you confirm your date of birth?"),
    ]
    verdict, why = _judge(late, embedder)["order"]
    assert verdict == "fail" and why.endswith("out of order.")
    never = [(A, "Your balance is forty dollars."), (C, "Thanks.")]
    assert _judge(never, embedder)["order"][1].endswith(
        "with nothing before it: no Verification before account details?."
    )
    assert _judge([(A, "Hello."), (C, "Hi.")], embedder)["order"][0] == "na"


def test_sharp_sentiment_drop_is_a_moment(rubric: Rubric, embedder: Embedder) -> None:
    t = make_transcript(
        script(
            [
                (A, "Thanks for calling Acme, this is Sam."),
                (C, "Hi Sam, thanks, I'd like to move my appointment please."),
                (A, "The earliest is in three weeks."),
                (C, "Three weeks? That's ridiculous, this is a joke."),
            ]
        )
    )
    moments = [
        m
        for m in find_moments(t, evaluate(t, rubric, embedder=embedder))
        if m.type == "negative_sentiment"
    ]
    assert [(m.start, m.severity) for m in moments] == [(11.15, "warning")]
    assert moments[0].description.startswith("The customer's sentiment fell by 1.")


def _degrade(t: Transcript, *, probability: float = 1.0, speaker: float = 1.0) -> Transcript:
    segs = tuple(
        replace(
            s,
            words=tuple(Word(w.start, w.end, w.word, probability) for w in s.words),
            speaker_confidence=speaker,
        )
        for s in t.segments
    )
    return replace(t, segments=segs)


def test_unsure_words_and_speakers_lower_confidence_and_flag_review(
    rubric: Rubric, embedder: Embedder
) -> None:
    clean = evaluate(good_call(), rubric, embedder=embedder, calibration=None)
    assert clean.needs_review == () and clean.review_threshold == 0.6
    conf = {c.id: c.confidence for c in clean.criteria}
    assert conf["greeting"] == 0.95
    murky = evaluate(
        _degrade(good_call(), probability=0.55), rubric, embedder=embedder, calibration=None
    )
    g = next(c for c in murky.criteria if c.id == "greeting")
    assert g.confidence == 0.68  # 0.5 + (0.95 - 0.5) * (0.55 - 0.35) / 0.5
    assert g.rationale.endswith("(confidence lowered: mean word probability 0.55)")
    guessed = evaluate(
        _degrade(good_call(), speaker=0.55), rubric, embedder=embedder, calibration=None
    )
    assert guessed.needs_review == (
        "greeting",
        "identity_verification",
        "empathy",
        "hold_etiquette",
        "resolution",
        "closing",
        # "nothing prohibited was said" is as sure as the whole call's speaker labels
        "professional_language",
    )
    assert all(c.needs_review for c in guessed.criteria if c.id in guessed.needs_review)
    # the timing verdict rests on measured silence, not on words: untouched
    assert next(c for c in guessed.criteria if c.id == "dead_air").confidence == 0.9
    # a verdict under review still counts; the threshold is the caller's
    assert guessed.score == clean.score
    assert (
        evaluate(
            _degrade(good_call(), speaker=0.55),
            rubric,
            embedder=embedder,
            review_threshold=None,
            calibration=None,
        ).needs_review
        == ()
    )


def test_calibrated_confidence_follows_how_the_verdict_was_reached(
    rubric: Rubric, embedder: Embedder
) -> None:
    from scoring.calibration import Calibration, Labelled, fit

    rows = [Labelled("greeting", "pass", "semantic:cue", True)] * 18 + [
        Labelled("greeting", "pass", "semantic:cue", False)
    ] * 2
    cal: Calibration = fit(rows, rubric.name)
    # 18 of 20 right, smoothed toward the broader keys (all 18/20 here): 0.90
    assert round(cal.probability("greeting", "pass", "semantic:cue"), 2) == 0.9
    ev = evaluate(good_call(), rubric, embedder=embedder, calibration=cal)
    assert next(c for c in ev.criteria if c.id == "greeting").confidence == 0.9
    # a way never seen borrows from its criterion and verdict
    assert round(cal.probability("greeting", "pass", "semantic:embedding"), 2) == 0.9
    # a murky call pulls the calibrated value toward a coin flip
    murky = evaluate(
        _degrade(good_call(), probability=0.55), rubric, embedder=embedder, calibration=cal
    )
    assert next(c for c in murky.criteria if c.id == "greeting").confidence == 0.66
