"""Goals that measure themselves: a metric computed from calls, a baseline from the data, a
target one attainable step away, a due date. Progress is measured, never typed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from coaching.stats import average_score, calls_per_day, pass_rate
from coaching.types import ScoredCall

Metric = Literal["criterion_pass_rate", "average_score", "calls_per_day"]
METRICS: tuple[Metric, ...] = ("criterion_pass_rate", "average_score", "calls_per_day")
Status = Literal["on_track", "behind", "met"]

GOAL_DAYS = 30
RATE_CAP = 0.95  # nobody is asked for perfection
# The step a goal asks for: bigger where there is more room, never a leap.
RATE_STEP_LOW, RATE_STEP, RATE_MAX_STEP = 0.3, 0.2, 0.3
SCORE_STEP, SCORE_CAP, SCORE_MAX_STEP = 10.0, 95.0, 15.0
VOLUME_STEP, VOLUME_MAX_STEP = 0.1, 0.2  # relative to the baseline
# With fewer calls than this since delivery a goal can be on track, but not yet met.
MIN_CALLS_TO_MEET = 3


@dataclass(frozen=True)
class Goal:
    metric: Metric
    baseline: float
    target: float
    due: date
    criterion: str | None = None


@dataclass(frozen=True)
class GoalProgress:
    current: float | None
    measured_calls: int
    progress: float | None  # share of the step from baseline to target achieved (0..1)
    status: Status


def measure(metric: str, criterion: str | None, calls: Sequence[ScoredCall]) -> float | None:
    if metric == "criterion_pass_rate":
        return pass_rate(calls, criterion or "")
    if metric == "average_score":
        return average_score(calls)
    if metric == "calls_per_day":
        return calls_per_day(calls)
    raise ValueError(f"unknown metric {metric!r}")


def counted_calls(metric: str, criterion: str | None, calls: Sequence[ScoredCall]) -> int:
    """Calls that say something about the metric (a criterion's N/A calls do not)."""
    if metric != "criterion_pass_rate":
        return len(calls)
    return sum(1 for c in calls if (o := c.outcome(criterion or "")) and o.verdict != "na")


def suggest_target(metric: str, baseline: float) -> float | None:
    """One step up from the baseline; None when there is no step left to ask for."""
    if metric == "criterion_pass_rate":
        step = RATE_STEP_LOW if baseline < 0.5 else RATE_STEP
        target = min(RATE_CAP, baseline + step)
        return round(target, 2) if target > baseline else None
    if metric == "average_score":
        target = min(SCORE_CAP, baseline + SCORE_STEP)
        return round(target, 1) if target > baseline else None
    return round(baseline * (1 + VOLUME_STEP), 2) if baseline > 0 else None


def target_problem(metric: str, baseline: float, target: float) -> str | None:
    """Why a target is not a fair step (None: it is). Never punitive, never a leap."""
    if metric not in METRICS:
        return f"metric must be one of {', '.join(METRICS)}"
    if target <= baseline:
        return f"the target ({target:g}) must be above the baseline ({baseline:g})"
    if metric == "criterion_pass_rate":
        if target > 1:
            return "a pass-rate target is at most 100% (a fraction between 0 and 1)"
        if target - baseline > RATE_MAX_STEP + 1e-9:
            return (
                f"a target of {target:.0%} from a baseline of {baseline:.0%} is a leap; "
                f"ask for at most {RATE_MAX_STEP:.0%} more (up to {baseline + RATE_MAX_STEP:.0%})"
            )
    elif metric == "average_score":
        if target > 100:
            return "a score target is at most 100"
        if target - baseline > SCORE_MAX_STEP + 1e-9:
            return f"ask for at most {SCORE_MAX_STEP:g} points more than the baseline"
    elif target > baseline * (1 + VOLUME_MAX_STEP) + 1e-9:
        return f"ask for at most {VOLUME_MAX_STEP:.0%} more calls per day than the baseline"
    return None


def default_due(start: datetime) -> date:
    return (start + timedelta(days=GOAL_DAYS)).date()


def evaluate_goal(
    goal: Goal, calls_since_start: Sequence[ScoredCall], *, start: datetime, now: datetime
) -> GoalProgress:
    """Status from the calls since delivery: ``met`` at or above target (on enough calls);
    ``on_track`` at or above the straight line from baseline to target by the due date;
    ``behind`` below it (or past due without being met)."""
    current = measure(goal.metric, goal.criterion, calls_since_start)
    n = counted_calls(goal.metric, goal.criterion, calls_since_start)
    due = datetime.combine(goal.due, time(23, 59, 59), tzinfo=start.tzinfo)
    if current is None:
        status: Status = "behind" if now > due else "on_track"
        return GoalProgress(None, 0, None, status)
    step = goal.target - goal.baseline
    progress = max(0.0, min(1.0, (current - goal.baseline) / step)) if step > 0 else 1.0
    if current >= goal.target and n >= MIN_CALLS_TO_MEET:
        status = "met"
    elif now > due:
        status = "behind"
    else:
        span = (due - start).total_seconds()
        elapsed = min(1.0, max(0.0, (now - start).total_seconds() / span)) if span > 0 else 1.0
        expected = goal.baseline + step * elapsed
        status = "on_track" if current >= expected - 1e-9 else "behind"
    return GoalProgress(round(current, 3), n, round(progress, 3), status)
