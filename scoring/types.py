"""Plain data that flows out of scoring (and into coaching and storage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["pass", "fail", "na"]
VERDICTS: tuple[Verdict, ...] = ("pass", "fail", "na")
Severity = Literal["info", "warning", "critical"]
MomentType = Literal[
    "dead_air",
    "long_hold",
    "overtalk",
    "negative_sentiment",
    "escalation_request",
    "prohibited_phrase",
    "pii_spoken",
    "failed_criterion",
]


@dataclass(frozen=True)
class Evidence:
    start: float
    end: float
    speaker: str
    text: str


@dataclass(frozen=True)
class CriterionResult:
    id: str
    verdict: Verdict
    confidence: float
    points: float
    max_points: float
    rationale: str
    evidence: tuple[Evidence, ...] = ()
    critical: bool = False
    section: str = ""
    # Bonus criteria add earned points but never count toward the applicable total.
    bonus: bool = False
    # Confidence below the evaluation's review threshold: a human should look before it counts.
    needs_review: bool = False
    # Criteria with an answer scale: the level given and its label (points are proportional).
    scale_value: float | None = None
    scale_label: str = ""
    # Which evaluator produced the verdict ("semantic", "llm", "llm-fallback:semantic", ...).
    method: str = ""


@dataclass(frozen=True)
class Evaluation:
    rubric: str
    rubric_version: int
    source: Literal["ai", "human"]
    score: float
    auto_failed: bool
    criteria: tuple[CriterionResult, ...]
    # Ids of the criteria whose verdict fell under the review threshold.
    needs_review: tuple[str, ...] = ()
    review_threshold: float | None = None
    # Publication (scoring/publication.py): an unsure critical fail holds back the auto-fail;
    # the score shown meanwhile counts it as a plain failed criterion, and waits for a human.
    provisional: bool = False
    provisional_criteria: tuple[str, ...] = ()
    provisional_reason: str = ""


@dataclass(frozen=True)
class Moment:
    type: MomentType
    start: float
    end: float
    severity: Severity
    description: str
    criterion: str | None = None
