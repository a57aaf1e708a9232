"""The audit log: who changed what and when. Added to the caller's transaction (never commits)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from models.orm import AuditEvent


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
