"""A call's score from its criteria's points: the arithmetic every stage shares."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.types import CriterionResult


def score(results: Sequence[CriterionResult]) -> float:
    """Earned / applicable points x 100, one decimal, at most 100; 0 when a critical criterion
    failed or nothing was applicable. Bonus criteria add their earned points but never count
    toward the applicable total."""
    if any(r.critical and r.verdict == "fail" for r in results):
        return 0.0
    applicable = sum(r.max_points for r in results if r.verdict != "na" and not r.bonus)
    if applicable <= 0:
        return 0.0
    earned = sum(r.points for r in results if r.verdict != "na")
    return min(100.0, round(100.0 * earned / applicable, 1))
