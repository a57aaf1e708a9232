"""Blind calibration sessions: several analysts score one call; their forms."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Enum,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, utcnow


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
