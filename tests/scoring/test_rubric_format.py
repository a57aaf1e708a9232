"""The rubric format: weights, bonus, scales with pass_at, N/A rules, guidance, and the
recompute that overrides use (score_results)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import RubricError
from scoring import Embedder, evaluate, load_rubric, score_results
from scoring.engine import criterion_points
from scoring.rubric import LLMEvaluator, SentimentEvaluator, SequenceEvaluator, parse_rubric
from scoring.types import CriterionResult
from tests.support.scoring_helpers import make_transcript, script

EXTENDED = Path(__file__).parent / "data" / "extended.yaml"
A, C = "agent", "customer"


def _error(text: str) -> str:
    with pytest.raises(RubricError) as info:
        load_rubric(text)
    return info.value.message


def _crit(body: str) -> str:
    return (
        "name: t\nversion: 1\ntitle: T\nsections:\n  - id: s\n    title: S\n    criteria:\n"
        "      - id: c\n        question: Q?\n        points: 10\n" + body
    )


LEX = "        evaluator: {type: lexical, mode: require, detect: {phrases: [hello]}}\n"


def test_extended_rubric_loads_every_addition() -> None:
    r = load_rubric(EXTENDED)
    crits = {c.id: (s, c) for s, c in r.criteria}
    s, greeting = crits["greeting"]
    assert s.weight == 2
    assert [(lv.value, lv.label) for lv in greeting.scale or ()] == [
        (0, "not done"),
        (1, "partial"),
        (2, "good"),
        (3, "excellent"),
    ]
    assert greeting.pass_at == 2 and greeting.guidance == "First two agent turns."
    assert isinstance(greeting.evaluator, LLMEvaluator)
    assert greeting.evaluator.fallback.type == "lexical"
    assert isinstance(crits["verify_before_account"][1].evaluator, SequenceEvaluator)
    assert isinstance(crits["customer_sentiment"][1].evaluator, SentimentEvaluator)
    assert crits["went_extra_mile"][1].bonus
    assert crits["no_transfer"][1].na_rules[0].reason == "the customer never mentioned a transfer"


def test_rubric_survives_the_json_round_trip_the_pipeline_stores() -> None:
    r = load_rubric(EXTENDED)
    assert type(r).model_validate_json(r.model_dump_json()) == r


def test_scale_without_pass_at_names_the_criterion_and_line() -> None:
    text = _crit("        scale: [{value: 0, label: no}, {value: 1, label: yes}]\n" + LEX)
    assert _error(text) == (
        "sections[0].criteria[0]: a criterion with a scale needs pass_at "
        "(the lowest passing level) (line 8)"
    )


def test_pass_at_off_the_scale_names_the_field_and_line() -> None:
    text = _crit(
        "        scale: [{value: 0, label: no}, {value: 2, label: yes}]\n        pass_at: 1\n" + LEX
    )
    assert _error(text) == (
        "sections[0].criteria[0].pass_at: pass_at must be one of the scale values [0.0, 2.0] "
        "(line 12)"
    )


def test_unordered_scale_and_bonus_critical_are_refused() -> None:
    text = _crit(
        "        scale: [{value: 2, label: a}, {value: 1, label: b}]\n        pass_at: 2\n" + LEX
    )
    assert _error(text) == (
        "sections[0].criteria[0].scale: scale values must be unique and ascending (line 11)"
    )
    text = _crit("        critical: true\n        bonus: true\n" + LEX)
    assert _error(text) == (
        "sections[0].criteria[0].bonus: a bonus criterion cannot also be critical (line 12)"
    )


def test_na_rule_needs_exactly_one_condition_and_na_allowed() -> None:
    text = _crit("        na_allowed: true\n        na_rules: [{reason: x}]\n" + LEX)
    assert _error(text) == (
        "sections[0].criteria[0].na_rules[0]: give exactly one of if_present, if_absent, "
        "if_shorter_than_s, if_no_audio (line 12)"
    )
    text = _crit("        na_rules: [{if_shorter_than_s: 5}]\n" + LEX)
    assert _error(text).endswith("this evaluator can return N/A; set na_allowed: true (line 8)")


def test_llm_evaluator_requires_a_fallback() -> None:
    text = _crit("        evaluator: {type: llm}\n")
    assert _error(text) == "sections[0].criteria[0].evaluator.fallback: field required (line 11)"


def test_unknown_cue_set_in_sentiment_is_refused() -> None:
    text = _crit(
        "        na_allowed: true\n        evaluator: {type: sentiment, negative_sets: [x]}\n"
    )
    assert "negative_sets: unknown cue set 'x'" in _error(text)


# ------------------------------------------------------------------------------ scoring
CALL = [
    (A, "Thank you for calling Acme, my name is Sam."),
    (C, "Hi, I need to check my balance please."),
    (A, "Sure, can I take your date of birth?"),
    (C, "It's the fifth of May nineteen eighty."),
    (A, "Thanks. Your balance is two hundred dollars. I have also waived the late fee."),
    (C, "Oh wonderful, thank you so much, that's really kind."),
    (A, "Anything else today?"),
    (C, "No, that's great, thanks a lot. Bye."),
]


def test_extended_rubric_scores_with_weights_scale_and_bonus(embedder: Embedder) -> None:
    r = load_rubric(EXTENDED)
    ev = evaluate(make_transcript(script(CALL)), r, embedder=embedder)
    got = {
        c.id: (c.verdict, c.points, c.max_points, c.scale_value, c.scale_label, c.method)
        for c in ev.criteria
    }
    assert got == {
        # no LLM configured: the lexical fallback's pass is the top of the scale, x weight 2
        "greeting": ("pass", 10.0, 10.0, 3.0, "excellent", "lexical (no LLM configured)"),
        "verify_before_account": ("pass", 20.0, 20.0, None, "", "sequence"),
        "customer_sentiment": ("pass", 10.0, 10.0, None, "", "sentiment"),
        "went_extra_mile": ("pass", 5.0, 5.0, None, "", "lexical:cue"),
        "no_transfer": ("na", 0.0, 5.0, None, "", "na_rule"),
    }
    # 45 earned of 40 applicable (the bonus is not in the total): capped at 100
    assert (ev.score, ev.auto_failed) == (100.0, False)
    assert ev.criteria[1].evidence[0].text == "Sure, can I take your date of birth?"


def _result(cid: str, verdict: str, **kw: object) -> CriterionResult:
    return CriterionResult(cid, verdict, 0.9, 0.0, 0.0, "", **kw)  # type: ignore[arg-type]


def test_score_results_recomputes_points_from_the_rubric() -> None:
    r = load_rubric(EXTENDED)
    results = [
        _result("greeting", "pass", scale_value=1.0),  # "partial": below pass_at 2 -> fail
        _result("verify_before_account", "pass"),
        _result("customer_sentiment", "fail"),
        _result("went_extra_mile", "pass"),
        _result("no_transfer", "na"),
        _result("not_in_rubric", "fail", critical=True),
    ]
    # earned: greeting 10 * 1/3 = 3.33, verification 20, bonus 5 -> 28.33 of 40 applicable
    assert score_results(r, results) == (70.8, False)
    results[1] = _result("verify_before_account", "fail")
    assert score_results(r, results) == (0.0, True)
    assert criterion_points(r, "greeting", "pass", 2.0) == (6.67, 10.0)
    assert criterion_points(r, "greeting", "fail") == (0.0, 10.0)
    assert criterion_points(r, "went_extra_mile", "pass") == (5.0, 5.0)


def test_score_results_matches_evaluate_on_the_default_rubric(rubric, embedder) -> None:  # type: ignore[no-untyped-def]
    from tests.support.scoring_calls import bad_call, good_call

    for t in (good_call(), bad_call()):
        ev = evaluate(t, rubric, embedder=embedder)
        assert score_results(rubric, ev.criteria) == (ev.score, ev.auto_failed)
        flipped = [replace(c, verdict="pass") if c.critical else c for c in ev.criteria]
        assert score_results(rubric, flipped)[1] is False


def test_bonus_alone_cannot_make_a_score() -> None:
    r = load_rubric(EXTENDED)
    results = [_result(c.id, "na") for _, c in r.criteria if c.na_allowed]
    results[-2] = _result("went_extra_mile", "pass")
    assert score_results(r, results) == (0.0, False)


def test_cue_sets_are_rubric_data_covered_by_the_fingerprint() -> None:
    from domains.rubrics.service import rubric_fingerprint
    from scoring import default_rubric

    base = default_rubric()
    greeting = next(c for c in base.cues if c.name == "greeting_self_id")
    trimmed = base.model_copy(
        update={
            "cues": tuple(
                c.model_copy(update={"patterns": c.patterns[1:]}) if c is greeting else c
                for c in base.cues
            )
        }
    )
    assert rubric_fingerprint(trimmed)[1] != rubric_fingerprint(base)[1]
    # a stored rubric re-read from its JSON keeps the patterns it was stored with
    again = type(base).model_validate_json(trimmed.model_dump_json())
    assert (
        next(c for c in again.cues if c.name == "greeting_self_id").patterns
        == (greeting.patterns[1:])
    )


def test_a_rubric_adds_its_own_cue_sets_and_asr_confusions() -> None:
    text = (
        "name: own-cues\nversion: 1\ntitle: T\n"
        "cues:\n  upsell: ['\\bupgrade\\b']\n"
        "asr_confusions: [{heard: up grade, meant: upgrade}]\n"
        "sections:\n  - id: s\n    title: S\n    criteria:\n"
        "      - id: upsell\n        question: Did the agent offer an upgrade?\n"
        "        points: 5\n        evaluator:\n          type: lexical\n          mode: require\n"
        "          detect: {cue_sets: [upsell]}\n"
    )
    rubric = parse_rubric(text)
    assert rubric.book.any(["upsell"], "would you like an up grade today")
    assert rubric.book.any(["closing"], "anything else i can help with")  # the library's


def test_a_criterion_written_only_as_a_question() -> None:
    text = (
        "name: q\nversion: 1\ntitle: T\nsections:\n  - id: s\n    title: S\n    criteria:\n"
        "      - id: callback\n        question: Did the agent offer to call the customer back?\n"
        "        points: 5\n"
    )
    crit = parse_rubric(text).sections[0].criteria[0]
    assert (crit.evaluator.type, crit.coaching.strength) == ("question", "")


def test_coaching_templates_take_only_known_placeholders() -> None:
    text = _crit("        coaching: {tip: 'Say {q} at {when}'}\n" + LEX)
    assert "unknown placeholder {when}" in _error(text)


def test_a_pattern_that_backtracks_catastrophically_is_refused() -> None:
    text = _crit(
        "        evaluator: {type: lexical, mode: require, detect: {cues: ['(\\w+\\s?)*$']}}\n"
    )
    assert "too slow on long text (catastrophic backtracking)" in _error(text)


def test_a_search_that_runs_out_of_time_is_no_match_not_a_stall() -> None:
    import time

    from scoring.cues import CueBook, compile_pattern

    book = CueBook({})
    slow = compile_pattern(r"(\w+\s?)*$")  # what check_pattern refuses at import
    t0 = time.perf_counter()
    assert book.search([slow], "word " * 3000 + "!") is None
    assert time.perf_counter() - t0 < 2.0  # bounded by MATCH_TIMEOUT_S, not by backtracking


def test_a_stored_rubric_is_not_timed_again_when_it_is_read_back(monkeypatch) -> None:
    """Import times each pattern on hostile text; the stored copy, read back by every score
    step, is not timed again: on a busy worker the clock runs while the thread waits for a
    core, and a good rubric failed its calls that way (seen in CI)."""
    from scoring import rubric as rubric_module
    from scoring.rubric import Rubric, builtin_rubrics, default_rubric

    stored = default_rubric().model_dump_json()

    def too_slow(pattern: str) -> None:
        raise ValueError(f"regular expression {pattern!r} is too slow (simulated)")

    monkeypatch.setattr(rubric_module, "check_pattern", too_slow)
    assert Rubric.model_validate_json(stored) == default_rubric()
    with pytest.raises(RubricError, match="too slow"):
        rubric_module._load_file(builtin_rubrics()["contact-center-default"])


def test_a_pattern_that_ran_out_of_its_first_budget_gets_a_second(monkeypatch) -> None:
    """The first budget is short; a pattern over it is timed again with a longer one before
    it is refused, so only a pattern that is really slow is turned away."""
    from scoring import cues

    monkeypatch.setattr(cues, "CHECK_TIMEOUT_S", 1e-9)  # every first try runs out
    cues.check_pattern(r"\b(ending|ends) in\b.*\b(card|account)\b")  # no error
    with pytest.raises(ValueError, match="catastrophic backtracking"):
        cues.check_pattern(r"(\w+\s?)*$")


def test_a_search_over_its_first_budget_gets_a_second(monkeypatch) -> None:
    """A cue search that runs out of its first (short) budget is tried once more with a longer
    one before it counts as no match: a busy moment must not turn a hit into a wrong verdict."""
    from scoring import cues

    book = cues.CueBook({"card": [r"\b(ending|ends) in\b.*\b(card|account)\b"]})
    monkeypatch.setattr(cues, "MATCH_TIMEOUT_S", 1e-9)  # every first try runs out
    hit = book.search(book("card"), "the card ending in four two")
    assert hit is None  # "ending in" comes after "card": no match, and no error
    hit = book.search(book("card"), "the one ending in four two on that card")
    assert hit is not None and hit.group(0).startswith("ending in")
