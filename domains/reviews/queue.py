"""The needs-review queue: scored calls whose current evaluation has verdicts waiting for a
human (domains/reviews/policy.py) or is provisional (an unsure critical fail holds back its
auto-fail: scoring/publication.py), provisional calls first, then oldest first; and
confirming a verdict without changing it. Helpers never commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from core.errors import Conflict, NotFound
from domains.auth.access import scope_calls
from domains.calls.filters import as_utc, current_evaluation_join
from domains.reviews.overrides import OverrideResult, override_verdict
from domains.reviews.policy import review_policy, untrusted_set, waiting_clause
from domains.reviews.service import current_evaluation
from models.accounts import User
from models.calls import Call, CallStatus
from models.reviews import CriterionResultRow, EvaluationRow

CONFIRMED = "confirmed by a reviewer"


def review_queue(session: Session, user: User, *, limit: int, offset: int) -> dict[str, Any]:
    policy = review_policy()
    crit = aliased(CriterionResultRow)
    query = (
        select(Call, EvaluationRow)
        .join(EvaluationRow, current_evaluation_join())
        .where(
            Call.status == CallStatus.scored,
            or_(
                EvaluationRow.provisional.is_(True),
                exists().where(
                    crit.evaluation_id == EvaluationRow.id, waiting_clause(crit, policy)
                ),
            ),
        )
    )
    query = scope_calls(query, user)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.execute(
        query.order_by(EvaluationRow.provisional.desc(), Call.created_at, Call.id)
        .limit(limit)
        .offset(offset)
    ).all()
    untrusted = untrusted_set(session, policy)
    evaluations = {ev.id: ev for _, ev in page}
    waiting: dict[uuid.UUID, list[CriterionResultRow]] = {ev_id: [] for ev_id in evaluations}
    if evaluations:
        rows = session.scalars(
            select(CriterionResultRow)
            .join(EvaluationRow, EvaluationRow.id == CriterionResultRow.evaluation_id)
            .where(
                CriterionResultRow.evaluation_id.in_(list(evaluations)),
                or_(
                    waiting_clause(CriterionResultRow, policy),
                    # a held criterion waits even if the threshold moved since
                    EvaluationRow.provisional.is_(True)
                    & CriterionResultRow.critical.is_(True)
                    & (CriterionResultRow.verdict == "fail")
                    & CriterionResultRow.reason.is_(None),
                ),
            )
            .order_by(CriterionResultRow.evaluation_id, CriterionResultRow.position)
        )
        for r in rows:
            waiting[r.evaluation_id].append(r)
    items = []
    for call, ev in page:
        items.append(
            {
                "call_id": str(call.id),
                "agent_id": str(call.agent_id),
                "agent": call.agent.name,
                "filename": call.original_filename,
                "created_at": as_utc(call.created_at).isoformat(),
                "rubric": ev.rubric.name,
                "rubric_version": ev.rubric.version,
                "score": round(ev.score, 1),
                "provisional": ev.provisional,
                "provisional_reason": ev.provisional_reason,
                "criteria": [
                    {
                        "id": r.criterion_id,
                        "verdict": r.verdict,
                        "confidence": round(r.confidence, 3),
                        "why": _why(r, ev, policy.threshold, untrusted),
                    }
                    for r in waiting[ev.id]
                ],
            }
        )
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "confidence_threshold": policy.threshold,
    }


def _why(
    row: CriterionResultRow,
    evaluation: EvaluationRow,
    threshold: float,
    untrusted: set[tuple[uuid.UUID, str]],
) -> list[str]:
    out = []
    if row.confidence < threshold:
        out.append("low_confidence")
    if (evaluation.rubric_id, row.criterion_id) in untrusted:
        out.append("untrusted_criterion")
    if row.criterion_id in (evaluation.provisional_criteria or ()):
        out.append("unsure_critical_fail")  # the call's auto-fail waits on this verdict
    return out


def confirm_verdict(
    session: Session, call: Call, criterion_id: str, *, note: str | None, by: User
) -> OverrideResult:
    """A reviewer checked the verdict and agrees: it leaves the queue and counts for agreement
    (through the override path, so the AI evaluation stays untouched). Does not commit."""
    current = current_evaluation(session, call.id)
    if current is None or call.status != CallStatus.scored:
        raise Conflict(f"call {call.id} has no evaluation to confirm")
    row = next((c for c in current.criteria if c.criterion_id == criterion_id), None)
    if row is None:
        raise NotFound(f"criterion {criterion_id!r} was not evaluated on call {call.id}")
    return override_verdict(
        session,
        call,
        criterion_id,
        verdict=row.verdict,
        reason=(note or "").strip() or CONFIRMED,
        by=by,
        action="criterion.confirm",
    )


def confirm_confident(
    session: Session, call: Call, *, min_confidence: float, by: User
) -> list[str]:
    """Confirm at once every verdict of the call that no human has checked yet and the AI is at
    least ``min_confidence`` sure of (the reviewer listened and agrees); returns their ids."""
    current = current_evaluation(session, call.id)
    if current is None or call.status != CallStatus.scored:
        raise Conflict(f"call {call.id} has no evaluation to confirm")
    chosen = [
        c.criterion_id
        for c in current.criteria
        if c.reason is None and c.confidence >= min_confidence
    ]
    for criterion_id in chosen:
        confirm_verdict(session, call, criterion_id, note=None, by=by)
    return chosen
