"""The calls list: one page of the calls a user may see, with each call's current score."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, noload

from domains.auth.access import scope_calls
from domains.calls.filters import (
    SORTS,
    CallFilters,
    apply_filters,
    calls_with_current_evaluation,
)
from domains.reviews.calibration import blind_call_ids
from models.accounts import User
from models.calls import CallStatus
from models.reviews import EvaluationRow


@dataclass(frozen=True)
class CallListItem:
    call_id: uuid.UUID
    agent_id: uuid.UUID
    agent: str
    status: str
    kind: str
    filename: str
    duration_s: float | None
    created_at: datetime
    scored_at: datetime | None
    error: str | None
    score: float | None
    auto_failed: bool | None
    evaluation_source: str | None
    provisional: bool | None
    # Why the call is not scorable (its status says whether it is).
    not_scorable_reason: str | None


@dataclass(frozen=True)
class CallListPage:
    items: list[CallListItem]
    total: int
    limit: int
    offset: int


def list_calls(
    session: Session,
    user: User,
    filters: CallFilters,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: str = "newest",
) -> CallListPage:
    query = apply_filters(scope_calls(calls_with_current_evaluation(), user), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # A list row needs the evaluation's score, not its verdicts or rubric: don't load them.
    rows = session.execute(
        query.options(noload(EvaluationRow.criteria), noload(EvaluationRow.rubric))
        .order_by(*SORTS[sort])
        .limit(limit)
        .offset(offset)
    ).unique()
    blind = set(session.scalars(blind_call_ids(user)))
    items = [
        CallListItem(
            call_id=c.id,
            agent_id=c.agent_id,
            agent=c.agent.name,
            status=c.status.value,
            kind=c.kind,
            filename=c.original_filename,
            duration_s=c.duration_s,
            created_at=c.created_at,
            scored_at=c.scored_at,
            error=c.error,
            score=ev.score if ev is not None else None,
            auto_failed=ev.auto_failed if ev is not None else None,
            evaluation_source=ev.source if ev is not None else None,
            provisional=ev.provisional if ev is not None else None,
            not_scorable_reason=(c.scorability or {}).get("detail")
            if c.status == CallStatus.not_scorable
            else None,
        )
        for c, ev in ((c, None if c.id in blind else ev) for c, ev in rows)
    ]
    return CallListPage(items=items, total=total, limit=limit, offset=offset)
