"""Coaching impact with a simple control: the coached criteria's pass rate before vs after
delivery, next to the same agent's uncoached criteria over the same weeks. The difference of
the two changes is the effect attributed to coaching (not only the team getting better)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from coaching.stats import pooled, rate
from coaching.types import ScoredCall

WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    applicable: int = 0

    @property
    def rate(self) -> float | None:
        return rate(self.passed, self.applicable)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.passed + other.passed, self.applicable + other.applicable)


@dataclass(frozen=True)
class Impact:
    coached_before: Counts = Counts()
    coached_after: Counts = Counts()
    control_before: Counts = Counts()
    control_after: Counts = Counts()
    sessions: int = 0

    def __add__(self, other: Impact) -> Impact:
        return Impact(
            self.coached_before + other.coached_before,
            self.coached_after + other.coached_after,
            self.control_before + other.control_before,
            self.control_after + other.control_after,
            self.sessions + other.sessions,
        )

    @property
    def coached_change(self) -> float | None:
        return _change(self.coached_before, self.coached_after)

    @property
    def control_change(self) -> float | None:
        return _change(self.control_before, self.control_after)

    @property
    def effect(self) -> float | None:
        coached, control = self.coached_change, self.control_change
        if coached is None or control is None:
            return None
        return round(coached - control, 3)


def _change(before: Counts, after: Counts) -> float | None:
    a, b = after.rate, before.rate
    return None if a is None or b is None else round(a - b, 3)


def session_impact(
    calls: Sequence[ScoredCall],
    coached: set[str],
    delivered_at: datetime,
    *,
    now: datetime,
    window: timedelta = WINDOW,
) -> Impact:
    """Before: the ``window`` up to delivery; after: from delivery for the same length (or up
    to now). Control: every other criterion the agent's calls were scored on."""
    before = [c for c in calls if delivered_at - window <= c.at < delivered_at]
    after = [c for c in calls if delivered_at <= c.at < min(delivered_at + window, now)]
    control = {o.criterion for c in calls for o in c.outcomes} - coached
    return Impact(
        Counts(*pooled(before, coached)),
        Counts(*pooled(after, coached)),
        Counts(*pooled(before, control)),
        Counts(*pooled(after, control)),
        1,
    )


def combine(impacts: Iterable[Impact]) -> Impact:
    """Pool the counts (each answer weighs the same, whichever session it belongs to)."""
    total = Impact()
    for i in impacts:
        total = total + i
    return total
