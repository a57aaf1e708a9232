"""Disputes: an agent contests a verdict on their own call; a reviewer accepts it (the verdict
becomes the one asked for), rejects it with a reason (the verdict stands, confirmed by a human),
or changes it to a third verdict. Verdict changes go through the override path, so the AI
evaluation is kept and the score is recomputed; every step is in the audit trail.
Helpers never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from domains.audit.service import record
from domains.auth.access import scope_calls, visible_call
from domains.notifications.service import notify, reviewers_of
from domains.reviews.overrides import override_verdict, rubric_criterion, rubric_of
from domains.reviews.service import current_evaluation
from models.accounts import Role, User
from models.calls import Call, CallStatus
from models.reviews import Dispute, DisputeStatus
from models.rubrics import RubricRow
from scoring.types import VERDICTS

Outcome = Literal["accept", "reject", "change"]
_OPPOSITE = {"fail": "pass", "na": "pass", "pass": "fail"}


def _clean(text: str, what: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"{what} is required")
    return cleaned


def open_dispute(
    session: Session,
    call: Call,
    criterion_id: str,
    *,
    reason: str,
    requested_verdict: str | None,
    by: User,
) -> Dispute:
    if by.role != Role.agent or call.agent_id != by.id:
        raise Forbidden("only the call's agent can dispute its verdicts")
    evaluation = current_evaluation(session, call.id)
    if call.status != CallStatus.scored or evaluation is None:
        raise Conflict(f"call {call.id} is not scored yet; nothing to dispute")
    row = next((c for c in evaluation.criteria if c.criterion_id == criterion_id), None)
    if row is None:
        raise NotFound(f"criterion {criterion_id!r} was not evaluated on call {call.id}")
    wanted = requested_verdict or _OPPOSITE[row.verdict]
    if wanted not in VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}")
    if wanted == row.verdict:
        raise InvalidInput(f"the verdict is already {wanted}; ask for another one")
    dispute = Dispute(
        call_id=call.id,
        criterion_id=criterion_id,
        rubric_id=evaluation.rubric_id,
        raised_by=by.id,
        reason=_clean(reason, "a reason"),
        disputed_verdict=row.verdict,
        requested_verdict=wanted,
    )
    session.add(dispute)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"criterion {criterion_id!r} of this call already has an open dispute"
        ) from exc
    record(
        session,
        actor_id=by.id,
        action="dispute.open",
        entity="dispute",
        entity_id=dispute.id,
        call_id=str(call.id),
        criterion=criterion_id,
        verdict=row.verdict,
        requested_verdict=wanted,
        reason=dispute.reason,
    )
    notify(
        session,
        reviewers_of(session, by),
        kind="dispute.opened",
        text=f"{by.name} disputed {criterion_id.replace('_', ' ')} on "
        f"{call.original_filename or 'a call'} (asks for {wanted.upper()})",
        link=f"/disputes#dispute-{dispute.id}",
    )
    return dispute


def _visible(query: Select[Any], user: User) -> Select[Any]:
    query = query.join(Call, Call.id == Dispute.call_id)
    return scope_calls(query, user)


def list_disputes(session: Session, user: User, *, status: DisputeStatus | None) -> list[Dispute]:
    """Agents: their own calls' disputes; reviewers: those on calls they may see."""
    query = _visible(select(Dispute), user)
    if status is not None:
        query = query.where(Dispute.status == status)
    return list(session.scalars(query.order_by(Dispute.created_at.desc(), Dispute.id)))


def get_dispute(session: Session, user: User, dispute_id: uuid.UUID) -> Dispute:
    dispute = session.scalar(_visible(select(Dispute), user).where(Dispute.id == dispute_id))
    if dispute is None:
        raise NotFound(f"dispute {dispute_id} not found")
    return dispute


def resolve_dispute(
    session: Session,
    dispute: Dispute,
    *,
    outcome: Outcome,
    reason: str,
    verdict: str | None,
    by: User,
) -> Dispute:
    if dispute.status != DisputeStatus.open:
        raise Conflict(f"dispute {dispute.id} is already {dispute.status.value}")
    cleaned = _clean(reason, "a reason")
    call = visible_call(session, by, dispute.call_id)
    note = f"dispute {outcome}ed: {cleaned}" if outcome != "change" else f"dispute: {cleaned}"
    if outcome == "accept":
        final = dispute.requested_verdict
    elif outcome == "reject":
        final = dispute.disputed_verdict
    else:
        if verdict is None or verdict not in VERDICTS:
            raise InvalidInput("changing a disputed verdict needs the new verdict")
        if verdict == dispute.requested_verdict:
            raise InvalidInput("that is the verdict the agent asked for: accept the dispute")
        if verdict == dispute.disputed_verdict:
            raise InvalidInput("that is the disputed verdict: reject the dispute")
        final = verdict
    # Even a rejection goes through the override path: the verdict was checked by a human.
    override_verdict(
        session,
        call,
        dispute.criterion_id,
        verdict=final,
        reason=note,
        by=by,
        action="criterion.confirm" if outcome == "reject" else "criterion.override",
    )
    dispute.status = {
        "accept": DisputeStatus.accepted,
        "reject": DisputeStatus.rejected,
        "change": DisputeStatus.changed,
    }[outcome]
    dispute.resolution = cleaned
    dispute.resolved_verdict = final
    dispute.resolved_by = by.id
    dispute.resolved_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor_id=by.id,
        action=f"dispute.{dispute.status.value}",
        entity="dispute",
        entity_id=dispute.id,
        call_id=str(call.id),
        criterion=dispute.criterion_id,
        verdict_before=dispute.disputed_verdict,
        verdict_after=final,
        reason=cleaned,
    )
    agent = session.get(User, dispute.raised_by)
    if agent is not None:
        notify(
            session,
            [agent],
            kind="dispute.resolved",
            text=f"Your dispute on {dispute.criterion_id.replace('_', ' ')} was "
            f"{dispute.status.value} by {by.name} (verdict now {final.upper()})",
            link=f"/calls/{call.id}",
        )
    return dispute


def dispute_json(d: Dispute) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "call_id": str(d.call_id),
        "criterion_id": d.criterion_id,
        "raised_by": str(d.raised_by),
        "agent": d.raiser.name,
        "reason": d.reason,
        "disputed_verdict": d.disputed_verdict,
        "requested_verdict": d.requested_verdict,
        "status": d.status.value,
        "resolution": d.resolution,
        "resolved_verdict": d.resolved_verdict,
        "resolved_by": str(d.resolved_by) if d.resolved_by else None,
        "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None,
        "created_at": d.created_at.isoformat(),
    }


def verdict_choices(session: Session, d: Dispute) -> list[str]:
    """The verdicts a reviewer may give the disputed criterion: N/A only where its rubric
    version allows it."""
    row = session.get(RubricRow, d.rubric_id)
    try:
        allowed = row is not None and rubric_criterion(rubric_of(row), d.criterion_id)[0].na_allowed
    except NotFound:  # a criterion its rubric version no longer names
        allowed = False
    return ["pass", "fail", "na"] if allowed else ["pass", "fail"]


def latest_by_criterion(session: Session, call_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """The newest dispute of each criterion of a call (the review page shows its state)."""
    out: dict[str, dict[str, Any]] = {}
    for d in session.scalars(
        select(Dispute).where(Dispute.call_id == call_id).order_by(Dispute.created_at)
    ):
        out[d.criterion_id] = dispute_json(d)
    return out
