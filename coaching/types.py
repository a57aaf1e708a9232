"""Plain data coaching works on: an agent's scored calls, reduced to what coaching needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scoring.types import Evidence


@dataclass(frozen=True)
class Outcome:
    """One criterion's verdict on one call (the call's current evaluation: overrides count)."""

    criterion: str
    verdict: str  # pass | fail | na
    points: float
    max_points: float
    evidence: tuple[Evidence, ...] = ()
    critical: bool = False

    @property
    def lost(self) -> float:
        return self.max_points - self.points if self.verdict == "fail" else 0.0


@dataclass(frozen=True)
class ScoredCall:
    call_id: str
    at: datetime  # when the call came in (always UTC-aware)
    score: float
    outcomes: tuple[Outcome, ...]
    has_audio: bool = True

    def outcome(self, criterion: str) -> Outcome | None:
        for o in self.outcomes:
            if o.criterion == criterion:
                return o
        return None


@dataclass(frozen=True)
class Clip:
    """A span of one call that shows the point being made (played in the page)."""

    call_id: str
    start: float
    end: float
    text: str
    audio: bool = True
