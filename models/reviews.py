"""Evaluations (the AI's and humans'), their per-criterion verdicts, flagged moments,
per-call feedback, and agents' disputes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, utcnow
from models.rubrics import RubricRow


class EvaluationRow(Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        # Exactly one AI evaluation per call and rubric version: a second delivery of the
        # scoring step hits this key instead of writing a duplicate.
        Index(
            "uq_evaluations_ai_call_rubric",
            "call_id",
            "rubric_id",
            unique=True,
            sqlite_where=text("source = 'ai'"),
            postgresql_where=text("source = 'ai'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"))
    source: Mapped[str] = mapped_column(String(10), default="ai")  # ai | human
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    score: Mapped[float] = mapped_column(Float)
    auto_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    processing_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Publication (scoring/publication.py): an unsure critical fail holds back the auto-fail;
    # the score counts it as a plain fail meanwhile, and the call stays out of averages.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    provisional_reason: Mapped[str | None] = mapped_column(Text)
    provisional_criteria: Mapped[list[str] | None] = mapped_column(JSON)

    rubric: Mapped[RubricRow] = relationship(lazy="joined")
    criteria: Mapped[list[CriterionResultRow]] = relationship(
        back_populates="evaluation",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="CriterionResultRow.position",
    )


class CriterionResultRow(Base):
    __tablename__ = "criterion_results"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion_id", name="uq_criterion_results_eval_crit"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    criterion_id: Mapped[str] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(100), default="")
    verdict: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    rationale: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)  # a human override's reason
    bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    scale_value: Mapped[float | None] = mapped_column(Float)
    scale_label: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(60), default="")  # e.g. llm, llm-fallback:lexical

    evaluation: Mapped[EvaluationRow] = relationship(back_populates="criteria")


class MomentRow(Base):
    __tablename__ = "moments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(40))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    criterion: Mapped[str | None] = mapped_column(String(100))


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), unique=True
    )
    strengths: Mapped[list[str]] = mapped_column(JSON, default=list)
    improvements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class DisputeStatus(enum.StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"
    changed = "changed"


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (
        # One open dispute per verdict: a second one would split the conversation.
        Index(
            "uq_disputes_open_call_criterion",
            "call_id",
            "criterion_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[str] = mapped_column(String(100))
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"))
    raised_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    disputed_verdict: Mapped[str] = mapped_column(String(10))
    requested_verdict: Mapped[str] = mapped_column(String(10))
    status: Mapped[DisputeStatus] = mapped_column(
        Enum(DisputeStatus, native_enum=False, length=20), default=DisputeStatus.open
    )
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_verdict: Mapped[str | None] = mapped_column(String(10))
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    raiser: Mapped[User] = relationship(foreign_keys=[raised_by], lazy="joined")


class ReviewComment(Base):
    """A reviewer's comment on a call: on one criterion, or on the whole call when
    ``criterion_id`` is empty. ``internal`` ones are for reviewers only; the agent reads the
    rest beside the verdicts they explain."""

    __tablename__ = "review_comments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[str | None] = mapped_column(String(100))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()

    author: Mapped[User] = relationship(lazy="joined")
