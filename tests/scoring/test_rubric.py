from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import RubricError
from scoring import builtin_rubrics, default_rubric, load_rubric, resolve_rubric
from scoring.rubric import HoldEvaluator, SemanticEvaluator, TimingEvaluator

VALID = """\
name: tiny
version: 2
title: Tiny rubric
sections:
  - id: main
    title: Main
    criteria:
      - id: greeting
        question: Did the agent greet?
        points: 10
        evaluator:
          type: lexical
          mode: require
          detect:
            phrases: [hello]
      - id: dead_air
        question: No long silence?
        points: 5
        evaluator:
          type: timing
          threshold_s: 10
"""


def test_default_rubric_has_the_eight_criteria() -> None:
    r = default_rubric()
    assert (r.name, r.version) == ("contact-center-default", 1)
    table = [(c.id, c.points, c.critical, c.na_allowed) for _, c in r.criteria]
    assert table == [
        ("greeting", 10, False, False),
        ("identity_verification", 15, True, True),
        ("empathy", 15, False, True),
        ("hold_etiquette", 10, False, True),
        ("resolution", 20, False, False),
        ("closing", 10, False, False),
        ("professional_language", 10, True, False),
        ("dead_air", 10, False, True),
    ]
    kinds = {c.id: type(c.evaluator) for _, c in r.criteria}
    assert kinds["hold_etiquette"] is HoldEvaluator
    assert kinds["dead_air"] is TimingEvaluator
    assert kinds["empathy"] is SemanticEvaluator


def test_builtin_and_resolve(tmp_path: Path) -> None:
    assert "contact-center-default" in builtin_rubrics()
    assert resolve_rubric("contact-center-default") == default_rubric()
    f = tmp_path / "tiny.yaml"
    f.write_text(VALID)
    assert resolve_rubric(str(f)).name == "tiny"
    assert load_rubric(f).version == 2
    assert load_rubric(VALID).sections[0].criteria[1].evaluator.type == "timing"
    with pytest.raises(RubricError, match="no rubric named 'nope'"):
        resolve_rubric("nope")


def _error(text: str) -> str:
    with pytest.raises(RubricError) as info:
        load_rubric(text)
    assert info.value.status_code == 422
    return str(info.value)


def test_missing_field_names_path_and_line() -> None:
    text = VALID.replace("        points: 10\n", "")
    assert _error(text) == "sections[0].criteria[0].points: field required (line 8)"


def test_unknown_evaluator_names_path_and_line() -> None:
    text = VALID.replace("type: timing", "type: magic")
    assert _error(text) == (
        "sections[0].criteria[1].evaluator.type: unknown evaluator 'magic' (line 20)"
    )


def test_duplicate_id() -> None:
    text = VALID.replace("id: dead_air", "id: greeting")
    assert _error(text) == (
        "sections[0].criteria[1].id: duplicate criterion id 'greeting', first at "
        "sections[0].criteria[0].id (line 16)"
    )


def test_bad_param_type_inside_an_evaluator() -> None:
    text = VALID.replace("threshold_s: 10", "threshold_s: soon")
    msg = _error(text)
    assert msg.startswith("sections[0].criteria[1].evaluator.threshold_s: ")
    assert msg.endswith("(line 21)")


def test_unknown_cue_set_and_bad_regex() -> None:
    msg = _error(VALID.replace("phrases: [hello]", "cue_sets: [nope]"))
    assert msg.startswith("sections[0].criteria[0].evaluator.detect.cue_sets: unknown cue set")
    assert msg.endswith("(line 15)")
    msg = _error(VALID.replace("phrases: [hello]", "cues: ['(unclosed']"))
    assert "invalid regular expression" in msg and msg.endswith("(line 15)")


def test_unknown_field_and_exemplars_in_lexical() -> None:
    assert _error(VALID.replace("title: Main", "title: Main\n    colour: red")) == (
        "sections[0].colour: unknown field (line 7)"
    )
    msg = _error(VALID.replace("phrases: [hello]", "positives: [hello]"))
    assert msg == (
        "sections[0].criteria[0].evaluator: a lexical evaluator takes cues and phrases, "
        "not exemplars (line 11)"
    )


def test_na_requires_na_allowed() -> None:
    text = VALID.replace("type: timing\n          threshold_s: 10", "type: hold")
    assert _error(text) == (
        "sections[0].criteria[1]: this evaluator can return N/A; set na_allowed: true (line 16)"
    )


def test_bad_yaml_and_wrong_shape(tmp_path: Path) -> None:
    msg = _error("name: x\nsections: [\n  - a: b\n")
    assert msg.startswith("<rubric>: invalid YAML: ")
    assert "(line " in msg
    assert _error("- just\n- a list\n") == (
        "<rubric>: a rubric is a YAML mapping with name, version, sections"
    )
    with pytest.raises(RubricError, match="rubric file not found"):
        load_rubric(tmp_path / "missing.yaml")
