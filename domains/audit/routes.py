"""The audit log (admins): who changed what and when."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from domains.audit.service import list_events
from domains.auth.dependencies import Admin
from domains.kit.deps import SessionDep

router = APIRouter(tags=["audit"])


class AuditEventOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    entity: str
    entity_id: str
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    total: int
    limit: int
    offset: int


@router.get("/audit", response_model=AuditPage)
def audit_log(
    session: SessionDep,
    user: Admin,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPage:
    """Newest first."""
    events, total = list_events(
        session,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        limit=limit,
        offset=offset,
    )
    return AuditPage(
        items=[AuditEventOut.model_validate(e, from_attributes=True) for e in events],
        total=total,
        limit=limit,
        offset=offset,
    )
