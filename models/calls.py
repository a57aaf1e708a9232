"""Calls: an uploaded recording or transcript, its status through the pipeline, and its
transcript."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, utcnow


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
