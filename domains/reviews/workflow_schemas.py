"""Humans in the loop: the review queue, AI-vs-human agreement, disputes and blind
calibration sessions (domains/reviews/queue.py, agreement.py, disputes.py, calibration.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from domains.kit.schemas import MISSING, Schema
from scoring.types import Verdict

WaitReason = Literal["low_confidence", "untrusted_criterion", "unsure_critical_fail"]


class QueuedVerdictRead(Schema):
    id: str
    verdict: Verdict
    confidence: float
    why: list[WaitReason]


class QueuedCallRead(Schema):
    call_id: str
    agent_id: str
    agent: str
    filename: str
    created_at: str
    rubric: str
    rubric_version: int
    score: float
    provisional: bool
    provisional_reason: str | None
    criteria: list[QueuedVerdictRead]


class ReviewQueueRead(Schema):
    items: list[QueuedCallRead]
    total: int
    limit: int
    offset: int
    confidence_threshold: float


class CriterionAgreementRead(Schema):
    id: str
    reviewed: int
    agreed: int
    accuracy: float
    kappa: float | None = Field(description="Cohen's kappa; null where it is undefined")
    confusion: dict[Verdict, dict[Verdict, int]] = Field(description="confusion[ai][human]")
    untrusted: bool


class RubricAgreementRead(Schema):
    rubric: str
    version: int
    reviewed_calls: int
    criteria: list[CriterionAgreementRead]


class AgreementReportRead(Schema):
    metric: str
    bar: float
    min_reviews: int
    rubrics: list[RubricAgreementRead]


class DisputeRead(Schema):
    id: str
    call_id: str
    criterion_id: str
    raised_by: str
    agent: str
    reason: str
    disputed_verdict: Verdict
    requested_verdict: Verdict | None
    status: str
    resolution: str | None
    resolved_verdict: Verdict | None
    resolved_by: str | None
    resolved_at: str | None
    created_at: str


class CalibrationSummaryRead(Schema):
    id: str
    call_id: str
    title: str
    status: str
    created_at: str
    participants: int
    submitted: int


class RubricVersionRef(Schema):
    name: str
    version: int


class CalibrationCriterionRead(Schema):
    id: str
    section: str
    question: str
    guidance: str
    na_allowed: bool


class AnswerRead(Schema):
    verdict: Verdict
    note: str | MISSING = MISSING


class ParticipantRead(Schema):
    user_id: str
    name: str
    submitted: bool
    answers: dict[str, AnswerRead] | MISSING = Field(
        MISSING, description="shown to the analyst themself, and to all once blindness ends"
    )


class CriterionSpreadRead(Schema):
    id: str
    counts: dict[Verdict, int]
    spread: float | None
    agreed: Verdict | None
    agreed_by: str | None
    matching_agreed: int | None


class AnalystDistanceRead(Schema):
    user_id: str
    name: str
    mismatches: int
    compared: int
    distance: float | None
    missed: list[str]


class CalibrationResultsRead(Schema):
    criteria: list[CriterionSpreadRead]
    analysts: list[AnalystDistanceRead]


class CalibrationSessionRead(Schema):
    """Blind until you submit: your own answers only and no AI verdicts."""

    id: str
    call_id: str
    title: str
    status: str
    lead_id: str
    rubric_version: RubricVersionRef
    created_at: str
    closed_at: str | None
    blind: bool
    criteria: list[CalibrationCriterionRead]
    participants: list[ParticipantRead]
    ai_verdicts: dict[str, Verdict] | MISSING = MISSING
    results: CalibrationResultsRead | MISSING = Field(MISSING, description="once closed")


class CommentRead(Schema):
    id: uuid.UUID
    call_id: uuid.UUID
    criterion_id: str | None = Field(description="empty: a comment on the call as a whole")
    author_id: uuid.UUID
    author: str
    body: str
    internal: bool = Field(description="for reviewers only; the agent does not see it")
    created_at: datetime
    edited_at: datetime | None


class CommentListRead(Schema):
    items: list[CommentRead]
