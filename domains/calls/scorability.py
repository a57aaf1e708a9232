"""A reviewer's "score anyway" for a call the scorability check set aside (scoring/scorable.py):
the check's verdict stays on the call for the record, the call goes back to the score step,
which skips the check this time, and the decision is audited. Helpers never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from domains.audit.service import record
from models.accounts import User
from models.calls import Call, CallStatus

MAX_REASON_CHARS = 2000


def score_anyway(session: Session, call: Call, *, reason: str, by: User) -> None:
    """Queue a not-scorable call for scoring. Does not commit; the caller enqueues the step
    after its commit."""
    session.execute(select(Call.id).where(Call.id == call.id).with_for_update())
    session.refresh(call)
    if call.status != CallStatus.not_scorable:
        raise Conflict(f"call {call.id} is {call.status.value}, not not_scorable")
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput("a reason is required to score a call marked not scorable")
    if len(cleaned) > MAX_REASON_CHARS:
        raise InvalidInput(f"the reason is longer than {MAX_REASON_CHARS} characters")
    call.score_anyway = True
    call.status = CallStatus.transcribed
    session.flush()
    record(
        session,
        actor_id=by.id,
        action="call.score_anyway",
        entity="call",
        entity_id=call.id,
        reason=cleaned,
        scorability=call.scorability,
    )
