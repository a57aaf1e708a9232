"""Review workflow tables (issue 5): where each rubric version came from, agents' disputes of
verdicts, and calibration sessions where several analysts score one call blind."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Enum,
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

from models.orm import Base, User, utcnow


class RubricSource(Base):
    """The document a rubric version was imported from, as written (comments and all), so it
    can be shown and edited; ``rubrics.source_yaml`` keeps the canonical parsed form."""

    __tablename__ = "rubric_sources"

    rubric_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("rubrics.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    # The version number written in the YAML; the stored version is assigned (max + 1).
    declared_version: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(20))  # builtin | file | api | cli
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


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


class CalibrationStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class CalibrationSession(Base):
    __tablename__ = "calibration_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    # The rubric version the analysts score with (the call's evaluation's, when it was opened).
    rubric_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rubrics.id"))
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[CalibrationStatus] = mapped_column(
        Enum(CalibrationStatus, native_enum=False, length=20), default=CalibrationStatus.open
    )
    # On close: criterion id -> the agreed verdict (the lead's final answer or the majority;
    # null where neither decides), and how each was decided.
    agreed: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column()

    participants: Mapped[list[CalibrationParticipant]] = relationship(
        back_populates="session",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="CalibrationParticipant.position",
    )


class CalibrationParticipant(Base):
    __tablename__ = "calibration_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_calibration_participants_session_user"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # criterion id -> {"verdict": …, "note": …}; written once, on submit.
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column()

    session: Mapped[CalibrationSession] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(lazy="joined")
