"""The pure coaching package: goal steps and status, the wording check with canned LLM texts,
the training catalog, the workflow's rules and the impact arithmetic."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from coaching.goals import Goal, evaluate_goal, suggest_target, target_problem
from coaching.impact import session_impact
from coaching.polish import PolishConfig, check_polished, polish
from coaching.rules import delivery_problems, move_problem
from coaching.training import default_catalog, match_modules, parse_catalog
from coaching.types import Outcome, ScoredCall
from core.errors import InvalidInput

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
TEMPLATE = (
    "Empathy passed on 8 of 20 calls (40%). For example on the call of 2 Mar 2025 at 0:01: "
    '"this is the third time I have called". A short acknowledgement first helps.'
)
TRANSCRIPTS = ["Customer: this is the third time I have called and nobody fixed it"]


def _call(at: datetime, **verdicts: str) -> ScoredCall:
    return ScoredCall(
        "c",
        at,
        80.0,
        tuple(Outcome(k, v, 10.0 if v == "pass" else 0.0, 10.0) for k, v in verdicts.items()),
    )


@pytest.mark.parametrize(
    ("metric", "baseline", "target"),
    [
        ("criterion_pass_rate", 0.4, 0.7),
        ("criterion_pass_rate", 0.6, 0.8),
        ("criterion_pass_rate", 0.9, 0.95),
        ("criterion_pass_rate", 0.95, None),
        ("average_score", 70.0, 80.0),
        ("average_score", 90.0, 95.0),
        ("calls_per_day", 20, 22.0),
    ],
)
def test_targets_are_one_bounded_step(metric: str, baseline: float, target: float | None) -> None:
    assert suggest_target(metric, baseline) == target
    if target is not None:
        assert target_problem(metric, baseline, target) is None


def test_leaps_and_punitive_targets_are_refused() -> None:
    assert target_problem("criterion_pass_rate", 0.4, 0.9) == (
        "a target of 90% from a baseline of 40% is a leap; ask for at most 30% more (up to 70%)"
    )
    assert target_problem("criterion_pass_rate", 0.4, 0.3) == (
        "the target (0.3) must be above the baseline (0.4)"
    )
    assert (
        target_problem("average_score", 60, 80)
        == "ask for at most 15 points more than the baseline"
    )


def test_goal_status_follows_the_line_from_baseline_to_target() -> None:
    goal = Goal("criterion_pass_rate", 0.4, 0.7, (T0 + timedelta(days=30)).date(), "empathy")
    half = T0 + timedelta(days=15, hours=14, minutes=59, seconds=59, microseconds=500000)
    passes = [_call(T0 + timedelta(days=1), empathy="pass")] * 3
    mixed = [*passes[:1], _call(T0 + timedelta(days=1), empathy="fail")]
    assert evaluate_goal(goal, passes, start=T0, now=half).status == "met"
    assert evaluate_goal(goal, passes[:2], start=T0, now=half).status == "on_track"  # too few
    p = evaluate_goal(goal, mixed, start=T0, now=half)  # 50% < 55% expected halfway
    assert (p.current, p.status, p.progress, p.measured_calls) == (0.5, "behind", 0.333, 2)
    assert evaluate_goal(goal, mixed, start=T0, now=T0 + timedelta(days=2)).status == "on_track"
    assert evaluate_goal(goal, [], start=T0, now=T0 + timedelta(days=40)).status == "behind"


def test_wording_check_accepts_a_faithful_polish() -> None:
    polished = (
        "Empathy came through on 8 of 20 calls (40%). On the call of 2 Mar 2025 at 0:01 the "
        'customer said "this is the third time I have called" — a short acknowledgement first '
        "will help them feel heard."
    )
    assert check_polished(TEMPLATE, polished, TRANSCRIPTS) is None


@pytest.mark.parametrize(
    ("polished", "reason"),
    [
        (
            'You were lazy on 8 of 20 calls (40%): "this is the third time I have called".',
            "harsh or belittling wording: 'lazy'",
        ),
        (
            "Frankly this is unacceptable on 8 of 20 calls.",
            "harsh or belittling wording: 'unacceptable'",
        ),
        (
            'On 8 of 20 calls the customer said "I want a refund today".',
            "the quote 'I want a refund today' is not in the agent's transcripts",
        ),
        ("Empathy passed on 9 of 20 calls (45%).", "the number '9' is not in the data"),
        ("   ", "the polished text is empty"),
    ],
)
def test_wording_check_rejects_made_up_or_harsh_text(polished: str, reason: str) -> None:
    assert check_polished(TEMPLATE, polished, TRANSCRIPTS) == reason


def _llm(reply: str) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/chat/completions"
        assert json.loads(request.content)["messages"][1]["content"] == TEMPLATE
        return httpx.Response(200, json={"choices": [{"message": {"content": reply}}]})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_polish_keeps_the_template_when_the_llm_text_fails_the_check() -> None:
    config = PolishConfig("http://llm.test/v1", "m")
    good = "Empathy passed on 8 of 20 calls (40%); let's work on it together."
    assert polish(TEMPLATE, TRANSCRIPTS, config, client=_llm(good)).source == "llm"
    bad = polish(TEMPLATE, TRANSCRIPTS, config, client=_llm("That was pathetic."))
    assert (bad.text, bad.source, bad.rejected) == (
        TEMPLATE,
        "template",
        "harsh or belittling wording: 'pathetic'",
    )
    assert polish(TEMPLATE, TRANSCRIPTS, None).source == "template"


def test_training_catalog() -> None:
    modules = default_catalog()
    picks = match_modules(modules, ["empathy", "dead_air", "hold_etiquette"])
    # Each module once: hold_etiquette's only module already went to dead air.
    assert [(c, m.key) for c, m in picks] == [
        ("empathy", "empathy-statements"),
        ("dead_air", "hold-procedure"),
    ]
    with pytest.raises(InvalidInput, match=r"modules\[1\].key: 'a' appears twice"):
        parse_catalog(
            "modules:\n - {key: a, title: A, criteria: []}\n - {key: a, title: B, criteria: []}\n"
        )


def test_workflow_rules() -> None:
    assert move_problem("draft", "ready") is None
    assert move_problem("draft", "delivered") == (
        "a draft session cannot move to delivered; from draft it can go to: ready"
    )
    assert move_problem("closed", "draft") == "a closed session cannot move to draft"
    now = T0
    assert delivery_problems([{"owner": "coach", "text": "role-play"}], None, now) == [
        "add an action plan with at least one item for the coach and one for the agent",
        "set the next meeting date",
    ]
    plan = [{"owner": "coach", "text": "a"}, {"owner": "agent", "text": "b"}]
    assert delivery_problems(plan, now - timedelta(days=1), now) == [
        "the next meeting must be in the future"
    ]
    assert delivery_problems(plan, now + timedelta(days=1), now) == []


def test_impact_compares_coached_with_uncoached_criteria() -> None:
    before = [_call(T0 - timedelta(days=d), empathy="fail", greeting="pass") for d in (1, 2)]
    after = [_call(T0 + timedelta(days=d), empathy="pass", greeting="pass") for d in (1, 2)]
    i = session_impact(before + after, {"empathy"}, T0, now=T0 + timedelta(days=10))
    assert (i.coached_change, i.control_change, i.effect) == (1.0, 0.0, 1.0)
    assert date(2025, 3, 3) == T0.date()
