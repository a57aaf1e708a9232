"""Work assignment: QA leads set sampling rules; applying them fills each analyst's queue of
calls to grade (each call once per analyst, with a due date); an analyst's verdict on a call
(a confirmation or an override) marks it done. Never commits."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from domains.audit import service as audit
from domains.calls.filters import CallFilters, apply_filters, as_utc, calls_with_current_evaluation
from models.accounts import Role, User
from models.assignments import Assignment, SamplingRule
from models.calls import Call, CallStatus
from models.reviews import Dispute, DisputeStatus

KINDS = ("per_agent_per_week", "score_below", "auto_fails", "low_confidence", "disputes")
# Rules look at the calls of the last week: a rule added today does not flood a queue with
# the whole history.
WINDOW = timedelta(days=7)


def create_rule(
    session: Session,
    *,
    name: str,
    kind: str,
    analyst_id: uuid.UUID,
    by: User,
    value: float | None = None,
    per_week: int | None = None,
    due_days: int = 2,
) -> SamplingRule:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if kind == "score_below" and value is None:
        raise InvalidInput("a score_below rule needs the score (value)", field="value")
    if kind == "per_agent_per_week" and not per_week:
        raise InvalidInput("a per_agent_per_week rule needs per_week", field="per_week")
    analyst = session.get(User, analyst_id)
    if analyst is None or analyst.role not in (Role.qa_analyst, Role.admin, Role.supervisor):
        raise InvalidInput(
            "calls are assigned to an analyst, a supervisor or an admin", field="analyst_id"
        )
    rule = SamplingRule(
        name=name.strip(), kind=kind, value=value, per_week=per_week, analyst_id=analyst.id,
        due_days=due_days, created_by=by.id,
    )  # fmt: skip
    session.add(rule)
    session.flush()
    audit.record(session, actor_id=by.id, action="sampling_rule.created", entity="sampling_rule",
                 entity_id=rule.id, kind=kind, analyst_id=str(analyst.id))  # fmt: skip
    return rule


def _candidates(
    session: Session, rule: SamplingRule, since: datetime, now: datetime
) -> list[uuid.UUID]:
    """Scored calls of the window that the rule picks, oldest first (a sample drawn at random
    for ``per_agent_per_week``)."""
    base = calls_with_current_evaluation().where(
        Call.status == CallStatus.scored, Call.created_at >= since
    )
    if rule.kind == "score_below":
        query = apply_filters(base, CallFilters(max_score=(rule.value or 0) - 0.05))
    elif rule.kind == "auto_fails":
        query = apply_filters(base, CallFilters(auto_failed=True))
    elif rule.kind == "low_confidence":
        query = apply_filters(base, CallFilters(needs_review=True))
    elif rule.kind == "disputes":
        query = base.where(
            Call.id.in_(select(Dispute.call_id).where(Dispute.status == DisputeStatus.open))
        )
    else:  # per_agent_per_week: a sample of each agent's calls (_sample_per_agent)
        query = base
    ids = [row[0].id for row in session.execute(query.order_by(Call.created_at, Call.id))]
    if rule.kind != "per_agent_per_week":
        return ids
    return _sample_per_agent(session, rule, ids, now)


def _draw(rule: SamplingRule, call_id: uuid.UUID) -> str:
    """A call's place in the rule's random order: a hash, so it is stable (applying the rule
    again draws the same calls) yet unrelated to when the call was made."""
    return hashlib.sha256(f"{rule.id}:{call_id}".encode()).hexdigest()


def _sample_per_agent(
    session: Session, rule: SamplingRule, ids: list[uuid.UUID], now: datetime
) -> list[uuid.UUID]:
    """Up to ``per_week`` of each agent's calls of the window, drawn at random, and at most
    ``ceil(per_week / 7)`` a day. Taking the oldest, or all of them on the day they arrive,
    would grade Monday mornings only: the daily share spreads the sample over the week."""
    per_week = rule.per_week or 0
    daily = math.ceil(per_week / 7)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    taken = dict(
        session.execute(
            select(Assignment.call_id, Assignment.created_at).where(Assignment.call_id.in_(ids))
        ).all()
    )
    agents = dict(session.execute(select(Call.id, Call.agent_id).where(Call.id.in_(ids))).all())
    per_agent: dict[uuid.UUID, list[uuid.UUID]] = {}
    for cid in ids:
        per_agent.setdefault(agents[cid], []).append(cid)
    out = []
    for calls in per_agent.values():
        already = [taken[c] for c in calls if c in taken]
        today_taken = sum(1 for at in already if as_utc(at) >= today)
        room = min(per_week - len(already), daily - today_taken)
        waiting = sorted((c for c in calls if c not in taken), key=lambda c: _draw(rule, c))
        out += waiting[: max(0, room)]
    return out


def apply_rules(session: Session, now: datetime | None = None) -> int:
    """Give each enabled rule's calls to its analyst (a call once per analyst); returns how
    many assignments were made."""
    now = now or datetime.now(UTC)
    made = 0
    enabled = select(SamplingRule).where(SamplingRule.enabled.is_(True))
    for rule in session.scalars(enabled.order_by(SamplingRule.created_at, SamplingRule.id)):
        have = set(
            session.scalars(
                select(Assignment.call_id).where(Assignment.analyst_id == rule.analyst_id)
            )
        )
        for call_id in _candidates(session, rule, now - WINDOW, now):
            if call_id in have:
                continue
            session.add(
                Assignment(
                    call_id=call_id,
                    analyst_id=rule.analyst_id,
                    rule_id=rule.id,
                    due_at=now + timedelta(days=rule.due_days),
                    created_at=now,
                )
            )
            have.add(call_id)
            made += 1
    session.flush()
    return made


def mark_graded(session: Session, call_id: uuid.UUID, analyst: User) -> None:
    """The analyst gave a verdict on the call: their assignment of it is done."""
    row = session.scalar(
        select(Assignment).where(
            Assignment.call_id == call_id,
            Assignment.analyst_id == analyst.id,
            Assignment.done_at.is_(None),
        )
    )
    if row is not None:
        row.done_at = datetime.now(UTC)
        session.flush()


@dataclass(frozen=True)
class NextToGrade:
    call_id: uuid.UUID
    filename: str | None
    agent: str
    due_at: datetime
    others_open: int  # open assignments besides the call on screen


def next_to_grade(
    session: Session, user: User, current: uuid.UUID | None = None
) -> NextToGrade | None:
    """The user's next open call to grade (the soonest due) other than ``current``, so the
    review page can go straight on to it."""
    query = (
        select(Assignment.call_id, Assignment.due_at, Call.original_filename, User.name)
        .join(Call, Call.id == Assignment.call_id)
        .join(User, User.id == Call.agent_id)
        .where(Assignment.analyst_id == user.id, Assignment.done_at.is_(None))
    )
    if current is not None:
        query = query.where(Assignment.call_id != current)
    rows = session.execute(query.order_by(Assignment.due_at, Assignment.id)).all()
    if not rows:
        return None
    call_id, due_at, filename, agent = rows[0]
    return NextToGrade(call_id, filename, agent, as_utc(due_at), len(rows))


@dataclass(frozen=True)
class QueueItem:
    call_id: uuid.UUID
    filename: str | None
    agent: str
    rule: str | None
    due_at: datetime
    done_at: datetime | None
    overdue: bool


def my_queue(session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    """The user's calls to grade, open ones first by due date, with counts."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(Assignment, Call, User.name, SamplingRule.name)
        .join(Call, Call.id == Assignment.call_id)
        .join(User, User.id == Call.agent_id)
        .outerjoin(SamplingRule, SamplingRule.id == Assignment.rule_id)
        .where(Assignment.analyst_id == user.id)
        .where(Assignment.done_at.is_(None) | (Assignment.done_at >= now - WINDOW))
        .order_by(Assignment.done_at.is_not(None), Assignment.due_at, Assignment.id)
    ).all()
    items = [
        QueueItem(
            call_id=a.call_id,
            filename=c.original_filename,
            agent=agent,
            rule=rule,
            due_at=as_utc(a.due_at),
            done_at=as_utc(a.done_at) if a.done_at else None,
            overdue=a.done_at is None and as_utc(a.due_at) < now,
        )
        for a, c, agent, rule in rows
    ]
    open_items = [i for i in items if i.done_at is None]
    return {
        "open": len(open_items),
        "overdue": sum(1 for i in open_items if i.overdue),
        "done_this_week": len(items) - len(open_items),
        "items": items,
    }


def list_rules(session: Session) -> list[SamplingRule]:
    return list(session.scalars(select(SamplingRule).order_by(SamplingRule.created_at)))


def set_enabled(session: Session, rule_id: uuid.UUID, enabled: bool, *, by: User) -> SamplingRule:
    rule = session.get(SamplingRule, rule_id)
    if rule is None:
        raise NotFound(f"sampling rule {rule_id} not found")
    rule.enabled = enabled
    session.flush()
    audit.record(session, actor_id=by.id, action="sampling_rule.updated", entity="sampling_rule",
                 entity_id=rule.id, enabled=enabled)  # fmt: skip
    return rule
