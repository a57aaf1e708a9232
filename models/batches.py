"""Batches of calls enqueued together (the nightly run, `callreview batch`, `POST /batches`).

A batch remembers which calls it enqueued; its progress is read from the calls' own status,
so there is one source of truth. Cancelling marks the items not yet started as skipped, and a
task carrying the batch id checks that before claiming the call.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    trigger: Mapped[str] = mapped_column(String(20), default="cli")  # cli | api | schedule
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The selection as asked for (since, until, statuses, agent), for the record.
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column()
    # When its creator was told it finished (once, whichever worker saw the last call end).
    announced_at: Mapped[datetime | None] = mapped_column()


class BatchItem(Base):
    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "call_id", name="uq_batch_items_batch_call"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
