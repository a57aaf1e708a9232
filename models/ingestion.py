"""Ingestion: where recordings come from (a folder, a bucket, a webhook), every object each
source brought in, the explicit table that maps a source's agent references to agents, and the
metadata a source knows about a call that the call row has no column for."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class SourceKind(enum.StrEnum):
    folder = "folder"
    s3 = "s3"
    webhook = "webhook"


class Retention(enum.StrEnum):
    keep = "keep"  # the original stays where it was found
    delete = "delete"  # removed from the source once its call (or duplicate) is committed


class IngestStatus(enum.StrEnum):
    ingested = "ingested"  # a new call was created
    duplicate = "duplicate"  # the recording is already a call (same agent, same content)
    unassigned = "unassigned"  # stored and held: no mapping names its agent yet
    quarantined = "quarantined"  # refused, with its reason; the original is left in place


class IngestSource(Base):
    __tablename__ = "ingest_sources"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[SourceKind] = mapped_column(Enum(SourceKind, native_enum=False, length=20))
    # Kind-specific: a folder's path and patterns, a bucket's endpoint and prefix, the hosts a
    # webhook may fetch recordings from, the poll interval, the rubric.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The webhook's HMAC-SHA256 key (it has to be read back to verify a signature).
    hmac_secret: Mapped[str | None] = mapped_column(String(200))
    # Where a listing resumes: the last key a bucket poll finished (keys come sorted).
    position: Mapped[str | None] = mapped_column(String(1024))
    retention: Mapped[Retention] = mapped_column(
        Enum(Retention, native_enum=False, length=10), default=Retention.keep
    )
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IngestedObject(Base):
    __tablename__ = "ingested_objects"
    __table_args__ = (
        # The same object with the same content, seen again (a re-poll, a retried webhook), is
        # this row: never a second call.
        UniqueConstraint(
            "source_id", "object_id", "content_sha256", name="uq_ingested_objects_source_object"
        ),
        Index("ix_ingested_objects_source_status", "source_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ingest_sources.id", ondelete="CASCADE")
    )
    object_id: Mapped[str] = mapped_column(String(1024))
    # "" when the content could not be read (the object is quarantined before hashing).
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[IngestStatus] = mapped_column(Enum(IngestStatus, native_enum=False, length=20))
    reason: Mapped[str | None] = mapped_column(Text)
    call_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    # Held (unassigned) objects keep their stored file and metadata until an agent is mapped.
    storage_key: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AgentMapping(Base):
    """A source's name for an agent (its external id, e-mail or user name) → the agent. Only
    this table assigns ingested calls: an unmapped reference is held, never guessed."""

    __tablename__ = "agent_mappings"
    __table_args__ = (
        UniqueConstraint("source_id", "ref_kind", "ref", name="uq_agent_mappings_source_ref"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ingest_sources.id", ondelete="CASCADE")
    )
    ref_kind: Mapped[str] = mapped_column(String(20))  # external_id | email | name
    ref: Mapped[str] = mapped_column(String(300))  # e-mails and names kept lower-case
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallMetadata(Base):
    """What the source said about a call beyond the recording."""

    __tablename__ = "call_metadata"

    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ingest_sources.id", ondelete="SET NULL")
    )
    external_id: Mapped[str] = mapped_column(String(1024), default="")
    started_at: Mapped[datetime | None] = mapped_column(index=True)
    queue: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str | None] = mapped_column(String(20))  # inbound | outbound
    customer_ref: Mapped[str | None] = mapped_column(String(300))
    ticket_url: Mapped[str | None] = mapped_column(String(1000))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
