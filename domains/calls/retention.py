"""Deleting calls: on request (an erasure, a wrong upload) or when the retention period ends.

A call goes with everything derived from it: its transcript, evaluations, criterion results,
moments, feedback, reviews and coaching links (all ``ON DELETE CASCADE``), and its stored
files (original and redacted copy) unless another call shares the same content. Each deletion
leaves an audit event naming who (or the retention policy) and why; the call's content does
not survive in the audit log.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from domains.audit import service as audit
from domains.calls.redaction import drop_unreferenced
from domains.kit.services import Services
from domains.kit.unit_of_work import on_commit
from models.calls import Call

log = logging.getLogger(__name__)


def delete_call(
    svc: Services,
    session: Session,
    call_id: uuid.UUID,
    *,
    actor_id: uuid.UUID | None,
    reason: str,
) -> None:
    """Delete the call's rows; its files go once the deletion has committed."""
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"call {call_id} not found")
    for key in _delete(session, call, actor_id=actor_id, action="call.deleted", reason=reason):
        on_commit(session, partial(drop_unreferenced, svc, key))


def purge_expired(svc: Services, now: datetime | None = None) -> int:
    """Delete every call older than ``retention_days``; returns how many went."""
    days = svc.settings.retention_days
    if days is None:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    keys: list[str] = []
    with svc.unit_of_work() as s:
        calls = list(s.scalars(select(Call).where(Call.created_at < cutoff).limit(500)))
        for call in calls:
            keys += _delete(
                s,
                call,
                actor_id=None,
                action="call.purged",
                reason=f"retention period of {days} days ended",
            )
    for key in keys:
        drop_unreferenced(svc, key)
    if calls:
        log.info("retention: %d calls older than %d days deleted", len(calls), days)
    return len(calls)


def _delete(
    s: Session, call: Call, *, actor_id: uuid.UUID | None, action: str, reason: str
) -> list[str]:
    keys = [k for k in (call.storage_key, call.redacted_storage_key) if k]
    audit.record(
        s,
        actor_id=actor_id,
        action=action,
        entity="call",
        entity_id=call.id,
        reason=reason,
        agent_id=str(call.agent_id),
        created_at=call.created_at.isoformat(),
    )
    # A plain DELETE: the database's ON DELETE CASCADE removes what derives from the call.
    s.execute(delete(Call).where(Call.id == call.id).execution_options(synchronize_session=False))
    s.expunge(call)
    return keys
