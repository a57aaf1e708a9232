"""The audit log: who changed what and when. Added to the caller's transaction (never commits)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit import AuditEvent


def record(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str,
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details,
        )
    )


def list_events(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_id: uuid.UUID | None = None,
    action: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEvent], int]:
    """Newest first, with the total for pagination."""
    query = select(AuditEvent)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit).offset(offset)
    )
    return list(events), total
