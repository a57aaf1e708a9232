"""One call: read it (or a 404) and put a failed one back at the step that failed."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from domains.kit.unit_of_work import enqueue_after_commit
from models.calls import Call, CallStatus, TranscriptRow


def get_call(session: Session, call_id: uuid.UUID) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"call {call_id} not found")
    return call


def reset_failed(session: Session, call_id: uuid.UUID) -> Call:
    """Put a failed call back at the step that failed (the upload was kept); nothing runs
    until someone enqueues it."""
    call = get_call(session, call_id)
    if call.status != CallStatus.failed:
        raise Conflict(f"call {call_id} is {call.status.value}, not failed; nothing to retry")
    has_transcript = session.scalar(
        select(TranscriptRow.id).where(TranscriptRow.call_id == call_id)
    )
    call.status = CallStatus.transcribed if has_transcript else CallStatus.queued
    call.failed_step = None
    call.error = None
    session.flush()
    return call


def retry(session: Session, call_id: uuid.UUID) -> None:
    """Put a failed call back at the step that failed; that step runs once the caller's
    transaction commits."""
    reset_failed(session, call_id)
    enqueue_after_commit(session, call_id)
