"""Accounts: users with their role and team, and login attempts (the throttle's record)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Enum,
    Index,
    Integer,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Role(enum.StrEnum):
    admin = "admin"
    qa_analyst = "qa_analyst"
    supervisor = "supervisor"
    agent = "agent"


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
