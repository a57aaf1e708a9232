"""The database schema. UUID keys, timezone-aware timestamps, unique keys wherever a
duplicate would be a bug (one transcript per call, one AI evaluation per call and rubric
version), so a step delivered twice cannot write twice."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware on every backend: SQLite stores no zone, so values read back from it
    are tagged UTC (everything is written in UTC), as PostgreSQL returns them."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


class Role(enum.StrEnum):
    admin = "admin"
    qa_analyst = "qa_analyst"
    supervisor = "supervisor"
    agent = "agent"


class CallStatus(enum.StrEnum):
    queued = "queued"
    transcribing = "transcribing"
    transcribed = "transcribed"
    scoring = "scoring"
    scored = "scored"
    # Not a customer-service conversation (silence, one voice, colleagues chatting): the
    # transcript is kept, nothing is scored, and the call stays out of every average.
    not_scorable = "not_scorable"
    failed = "failed"


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Agents known only by name (CLI --agent, demo seed) have no e-mail or password.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20), default=Role.agent)
    team: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every token carries the version it was issued under; logging out, a password change or
    # reset, a role change and deactivation bump it, so all earlier tokens stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    password_changed_at: Mapped[datetime | None] = mapped_column()


class LoginAttempt(Base):
    """One password login, kept for throttling (failures per account and per address within
    a window); the audit log has the same events for people."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        # The same recording uploaded twice for one agent is one call.
        UniqueConstraint("agent_id", "sha256", name="uq_calls_agent_sha256"),
        Index("ix_calls_status_created", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[CallStatus] = mapped_column(
        Enum(CallStatus, native_enum=False, length=20), default=CallStatus.queued
    )
    kind: Mapped[str] = mapped_column(String(20), default="audio")  # audio | transcript
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(300))
    # The copy with PII muted or bleeped (CALLREVIEW_PII_AUDIO); served instead of the original.
    redacted_storage_key: Mapped[str | None] = mapped_column(String(300))
    original_filename: Mapped[str] = mapped_column(String(300), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    rubric_name: Mapped[str] = mapped_column(String(200), default="contact-center-default")
    duration_s: Mapped[float | None] = mapped_column(Float)
    channels: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[int | None] = mapped_column(Integer)
    failed_step: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # scoring/scorable.py's verdict: {"scorable", "reason", "confidence", "detail", "signals"};
    # None until the score step ran (or for calls scored before it existed).
    scorability: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A reviewer had a not-scorable call scored anyway (audited): the check is skipped.
    score_anyway: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    scored_at: Mapped[datetime | None] = mapped_column()

    agent: Mapped[User] = relationship(lazy="joined")


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), unique=True
    )
    engine: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(10), default="en")
    speaker_method: Mapped[str] = mapped_column(String(50), default="")
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    processing_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RubricRow(Base):
    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_rubrics_name_version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    source_yaml: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
