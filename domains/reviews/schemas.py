"""The review result (ARCHITECTURE.md "The review result (JSON)"): what
``GET /api/v1/calls/{id}`` returns and ``callreview review --format json`` prints, one object
per call. Built from the stored rows by ``domains.reviews.serialize.review_result``."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from domains.kit.schemas import MISSING, Schema
from scoring.types import Severity, Verdict
from transcription.types import Speaker

CallStatusName = Literal[
    "queued", "transcribing", "transcribed", "scoring", "scored", "not_scorable", "failed"
]


class AudioRead(Schema):
    duration_s: float | None
    channels: int | None
    sample_rate: int | None


class WordRead(Schema):
    start: float
    end: float
    word: str
    probability: float | None = None


class SegmentRead(Schema):
    start: float
    end: float
    speaker: Speaker
    text: str
    words: list[WordRead] = Field(default_factory=list)
    speaker_confidence: float | None = None
    channel: int | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None


class TranscriptRead(Schema):
    engine: str
    model: str
    speaker_method: str | None
    segments: list[SegmentRead]


class EvidenceRead(Schema):
    """A span of the call that a verdict or a piece of feedback points at."""

    start: float
    end: float
    speaker: str
    text: str


class CriterionRead(Schema):
    """One verdict with its evidence, worded as in the evaluation's own rubric version."""

    id: str
    verdict: Verdict
    confidence: float
    points: float
    max_points: float
    rationale: str
    evidence: list[EvidenceRead]
    critical: bool
    section: str
    bonus: bool
    needs_review: bool
    scale_value: float | None = Field(description="the level given, on a scale criterion")
    scale_label: str = Field(description="that level's label ('' without a scale)")
    method: str = Field(description="which evaluator gave the verdict")
    rationale_superseded: bool = Field(
        description="a reviewer changed the verdict: the AI's rationale argued for the other one"
    )
    question: str
    guidance: str
    # A human evaluation says what changed (absent on the AI's own).
    override_reason: str | MISSING | None = MISSING
    ai_verdict: Verdict | MISSING | None = MISSING


class EvaluationRead(Schema):
    rubric: str
    rubric_version: int
    source: Literal["ai", "human"]
    score: float
    auto_failed: bool
    provisional: bool = Field(
        description="an unsure critical fail waits for a human: the score is not final"
    )
    provisional_reason: str | None
    provisional_criteria: list[str]
    criteria: list[CriterionRead]
    ai_score: float | MISSING | None = Field(
        MISSING, description="the AI's score, on a human evaluation only"
    )


class MomentRead(Schema):
    type: str
    start: float
    end: float
    severity: Severity
    description: str
    criterion: str | None
    clip: str = Field(description="URL of the WAV clip of this moment")


class ImprovementRead(Schema):
    criterion: str
    text: str
    evidence: list[EvidenceRead]


class FeedbackRead(Schema):
    strengths: list[str]
    improvements: list[ImprovementRead]


class ErrorRead(Schema):
    step: str | None
    message: str | None


class ScorabilityRead(Schema):
    """Whether the recording is a customer-service conversation (scoring/scorable.py)."""

    scorable: bool
    reason: str
    confidence: float | None
    detail: str
    signals: dict[str, Any] = Field(description="what was measured: words per voice, turns, …")
    score_anyway: bool


class ReviewResult(Schema):
    call_id: uuid.UUID
    status: CallStatusName
    agent: str
    agent_id: uuid.UUID
    filename: str
    created_at: str = Field(description="ISO 8601, as stored")
    audio: AudioRead
    transcript: TranscriptRead | None
    evaluation: EvaluationRead | None
    moments: list[MomentRead]
    feedback: FeedbackRead | None
    error: ErrorRead | MISSING = Field(MISSING, description="why a failed call failed")
    scorable: bool | None = Field(description="null until the score step checked it")
    scorability: ScorabilityRead | None
