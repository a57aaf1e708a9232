"""Coaching sessions (with their goals, tasks, training assignments and action plan as JSON in
the shape the API shows), their attachments, and the training catalog's modules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class CoachingSession(Base):
    __tablename__ = "coaching_sessions"
    __table_args__ = (Index("ix_coaching_sessions_agent_status", "agent_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # A draft built by the nightly job or the CLI may have no coach until a supervisor takes it.
    coach_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    period_since: Mapped[datetime] = mapped_column()
    period_until: Mapped[datetime] = mapped_column()
    calls: Mapped[int] = mapped_column(Integer, default=0)
    average_score: Mapped[float | None] = mapped_column(Float)
    focus: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    strengths: Mapped[list[str]] = mapped_column(JSON, default=list)
    recognition: Mapped[list[str]] = mapped_column(JSON, default=list)
    feedback: Mapped[str] = mapped_column(Text, default="")
    # How the feedback was worded: {"source": "template" | "llm", "rejected": reason | null}.
    wording: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tasks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    training: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    action_plan: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    follow_up: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_meeting_at: Mapped[datetime | None] = mapped_column(index=True)
    private_notes: Mapped[str] = mapped_column(Text, default="")  # coach side only
    agent_feedback: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()


class CoachingAttachment(Base):
    """A clip of a call (a span, cut on demand) or an uploaded file (image, audio, video, PDF)."""

    __tablename__ = "coaching_attachments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # clip | file
    call_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(100))
    storage_key: Mapped[str | None] = mapped_column(String(300))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingModuleRow(Base):
    """A catalog module: from the shipped YAML (source 'catalog') or added through the API."""

    __tablename__ = "training_modules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1000))
    criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_min: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), default="api")  # catalog | api
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    content_filename: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(100))
    content_key: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
