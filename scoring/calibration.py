"""Calibrated confidence: how often a verdict reached a given way was right, learned from
labelled calls (and, over time, from human verdicts on reviewed calls), instead of constants
set by hand.

A verdict is keyed by its criterion, its verdict and how it was reached (``method``, e.g.
``verification:framed-cue``). Its confidence is the share of such verdicts that a human
agreed with, smoothed toward the broader keys (the criterion and verdict, the verdict alone,
everything) so that a key seen a few times borrows from the rest. Reliability and ECE measure
how well the confidences match what happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Labelled:
    """One AI verdict and whether a human agreed with it."""

    criterion: str
    verdict: str
    method: str
    correct: bool
    confidence: float = 0.0  # the confidence it was given (for reliability, not for fitting)


MAX_PROBABILITY = 0.99


def _keys(criterion: str, verdict: str, method: str) -> tuple[str, str, str, str]:
    return ("*", f"v:{verdict}", f"c:{criterion}|{verdict}", f"m:{criterion}|{verdict}|{method}")


@dataclass(frozen=True)
class Calibration:
    rubric: str
    # key -> [right, total] over the labelled verdicts it was fitted on
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    # How many labelled verdicts the broader key's rate is worth when a key is smoothed.
    prior_strength: float = 4.0
    source: str = ""

    def probability(self, criterion: str, verdict: str, method: str) -> float:
        p = 0.5
        for i, key in enumerate(_keys(criterion, verdict, method)):
            right, total = self.counts.get(key, (0, 0))
            strength = 2.0 if i == 0 else self.prior_strength
            p = (right + strength * p) / (total + strength)
        # However often it was right before, a machine's verdict is never certain.
        return min(max(p, 1.0 - MAX_PROBABILITY), MAX_PROBABILITY)

    @property
    def size(self) -> int:
        return self.counts.get("*", (0, 0))[1]

    def to_json(self) -> str:
        return json.dumps(
            {
                "rubric": self.rubric,
                "prior_strength": self.prior_strength,
                "source": self.source,
                "counts": {k: list(v) for k, v in sorted(self.counts.items())},
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        data = json.loads(text)
        return cls(
            rubric=str(data["rubric"]),
            counts={k: (int(v[0]), int(v[1])) for k, v in data["counts"].items()},
            prior_strength=float(data.get("prior_strength", 4.0)),
            source=str(data.get("source", "")),
        )

    def merged(self, other: Calibration) -> Calibration:
        """Both sets of counts (the shipped fit and a deployment's own human verdicts)."""
        counts = dict(self.counts)
        for k, (right, total) in other.counts.items():
            r0, t0 = counts.get(k, (0, 0))
            counts[k] = (r0 + right, t0 + total)
        return Calibration(
            self.rubric, counts, self.prior_strength, f"{self.source}+{other.source}"
        )


def fit(rows: Iterable[Labelled], rubric: str, *, source: str = "") -> Calibration:
    counts: dict[str, list[int]] = {}
    for r in rows:
        for key in _keys(r.criterion, r.verdict, r.method):
            c = counts.setdefault(key, [0, 0])
            c[0] += int(r.correct)
            c[1] += 1
    return Calibration(rubric, {k: (v[0], v[1]) for k, v in counts.items()}, source=source)


def builtin_path(rubric: str) -> Path:
    return Path(str(resources.files("scoring") / "rubrics" / f"{rubric}.calibration.json"))


@cache
def builtin_calibration(rubric: str) -> Calibration | None:
    """The calibration shipped for a built-in rubric (fitted by ``bench.calibrate``)."""
    path = builtin_path(rubric)
    return Calibration.from_json(path.read_text()) if path.is_file() else None


# ------------------------------------------------------------------------------ measuring
@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> list[Bin]:
    """Verdicts grouped by confidence: how sure they were and how often they were right."""
    out = []
    for i in range(bins):
        lo, hi = i / bins, (i + 1) / bins
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi or (i == bins - 1 and c == 1.0)]
        if inside:
            out.append(
                Bin(
                    lo,
                    hi,
                    len(inside),
                    sum(c for c, _ in inside) / len(inside),
                    sum(ok for _, ok in inside) / len(inside),
                )
            )
    return out


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Mean |confidence - accuracy| over the bins, weighted by how many verdicts each holds."""
    n = len(pairs)
    if not n:
        return 0.0
    return sum(b.n * abs(b.mean_confidence - b.accuracy) for b in reliability(pairs, bins)) / n
