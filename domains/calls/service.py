"""One call: read it (or a 404) and put a failed one back at the step that failed."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from domains.audit import service as audit
from domains.kit.unit_of_work import enqueue_after_commit
from models.accounts import Role, User
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


def reassign(session: Session, call: Call, agent_id: uuid.UUID, *, by: User, reason: str) -> User:
    """Give the call to another agent (a wrong pick at upload): its scores, moments and
    coaching evidence count for the new agent from now on. Audited with the reason."""
    agent = session.get(User, agent_id)
    if agent is None or agent.role != Role.agent:
        raise InvalidInput(f"{agent_id} is not an agent: calls belong to agents", field="agent_id")
    if agent.id == call.agent_id:
        raise Conflict(f"the call already belongs to {agent.name}")
    twin = session.scalar(
        select(Call.id).where(Call.agent_id == agent.id, Call.sha256 == call.sha256)
    )
    if twin is not None:
        raise Conflict(f"{agent.name} already has this recording (call {twin})")
    previous = call.agent_id
    call.agent_id = agent.id
    session.flush()
    session.expire(call, ["agent"])
    audit.record(
        session,
        actor_id=by.id,
        action="call.reassigned",
        entity="call",
        entity_id=call.id,
        reason=reason,
        from_agent_id=str(previous),
        to_agent_id=str(agent.id),
    )
    return agent
