"""Pass rates, points lost and trends over a list of scored calls. N/A never counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from coaching.types import ScoredCall


@dataclass(frozen=True)
class CriterionStats:
    criterion: str
    passed: int
    failed: int
    points_lost: float
    critical: bool = False

    @property
    def applicable(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        return rate(self.passed, self.applicable)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def criterion_stats(calls: Iterable[ScoredCall]) -> dict[str, CriterionStats]:
    """Per criterion, in the order first seen (rubric order)."""
    tally: dict[str, list[float]] = {}
    critical: dict[str, bool] = {}
    for call in calls:
        for o in call.outcomes:
            cell = tally.setdefault(o.criterion, [0, 0, 0.0])
            critical[o.criterion] = critical.get(o.criterion, False) or o.critical
            if o.verdict == "pass":
                cell[0] += 1
            elif o.verdict == "fail":
                cell[1] += 1
                cell[2] += o.lost
    return {
        cid: CriterionStats(cid, int(p), int(f), round(lost, 2), critical[cid])
        for cid, (p, f, lost) in tally.items()
    }


def pooled(calls: Iterable[ScoredCall], criteria: set[str]) -> tuple[int, int]:
    """(passed, applicable) over every call and every criterion in ``criteria``."""
    passed = applicable = 0
    for call in calls:
        for o in call.outcomes:
            if o.criterion in criteria and o.verdict != "na":
                applicable += 1
                passed += o.verdict == "pass"
    return passed, applicable


def pass_rate(calls: Iterable[ScoredCall], criterion: str) -> float | None:
    return rate(*pooled(calls, {criterion}))


def trend(
    calls: Sequence[ScoredCall], criterion: str, since: datetime, until: datetime
) -> float | None:
    """Pass rate in the second half of the period minus the first half (None: a half is empty)."""
    middle = since + (until - since) / 2
    first = pass_rate([c for c in calls if c.at < middle], criterion)
    second = pass_rate([c for c in calls if c.at >= middle], criterion)
    if first is None or second is None:
        return None
    return round(second - first, 3)


def average_score(calls: Sequence[ScoredCall]) -> float | None:
    return round(sum(c.score for c in calls) / len(calls), 1) if calls else None


def calls_per_day(calls: Sequence[ScoredCall]) -> float | None:
    """Handled calls per working day (days with at least one call)."""
    days = {c.at.date() for c in calls}
    return round(len(calls) / len(days), 2) if days else None
