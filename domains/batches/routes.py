"""Batches: enqueue many calls at once, follow their progress, cancel."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domains.auth.dependencies import Reviewer
from domains.batches import service as batches
from domains.kit.deps import ServicesDep, SessionDep

router = APIRouter(tags=["batches"])


class BatchIn(BaseModel):
    since: datetime | None = Field(None, description="calls created at or after")
    until: datetime | None = Field(None, description="calls created before")
    status: list[str] = Field(
        default_factory=lambda: ["pending"],
        description="pending (queued, transcribed, or held by a dead worker), queued, "
        "transcribed, failed (retried from the failed step), outdated (scored by the AI with an "
        "older version of its rubric: scored again with the latest)",
    )
    agent: str | None = Field(None, max_length=200, description="agent id or name")


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    state: str
    total: int
    done: int
    failed: int
    skipped: int
    steps: dict[str, int]
    created_at: datetime
    cancelled_at: datetime | None
    filters: dict[str, Any]


@router.post("/batches", status_code=202, response_model=BatchOut)
def create_batch(body: BatchIn, svc: ServicesDep, session: SessionDep, user: Reviewer) -> BatchOut:
    """Enqueue every matching call you may see (default: every pending call)."""
    filters = batches.BatchFilters(
        since=body.since, until=body.until, statuses=tuple(body.status), agent=body.agent
    )
    created = batches.create_batch(svc, session, filters, trigger="api", user=user)
    return BatchOut(**asdict(created))


@router.get("/batches/{batch_id}", response_model=BatchOut)
def get_batch(batch_id: uuid.UUID, session: SessionDep, user: Reviewer) -> BatchOut:
    """Progress: ``done`` (scored), ``failed``, ``skipped`` and items by step."""
    return BatchOut(**asdict(batches.progress(session, batch_id, user=user)))


@router.post("/batches/{batch_id}/cancel", response_model=BatchOut)
def cancel_batch(batch_id: uuid.UUID, session: SessionDep, user: Reviewer) -> BatchOut:
    """Skip the items not started yet; calls mid-step finish that step."""
    return BatchOut(**asdict(batches.cancel(session, batch_id, user=user)))
