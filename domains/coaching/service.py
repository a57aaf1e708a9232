"""Coaching sessions: drafts built from the agent's calls, edits, the workflow's moves, the
agent's acknowledgement, follow-ups, and what each viewer may see. Helpers flush, never
commit: the route commits once."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from coaching.drafts import Draft, PreviousSession, build_draft
from coaching.goals import target_problem
from coaching.polish import PolishConfig, polish
from coaching.rules import (
    EDITABLE_AFTER_DELIVERY,
    MOVES,
    SHOWN_TO_AGENT,
    delivery_problems,
    move_problem,
)
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.settings import Settings
from domains.audit import service as audit
from domains.auth.access import can_see_agent, sees_everything
from domains.calls.filters import as_utc
from domains.coaching.data import coaching_texts, history, transcript_texts
from domains.coaching.files import attachments
from domains.coaching.measure import goal_of, session_goals
from domains.coaching.schemas import CoachingInboxRead, CoachingSessionRead, CoachingSummaryRead
from domains.coaching.training import as_modules, list_modules, module_by_ref
from domains.notifications.service import notify
from domains.reviews.comments import said_about_agent
from models.accounts import Role, User
from models.coaching import CoachingSession

DEFAULT_PERIOD = timedelta(days=28)
FOLLOW_UP_SOON = timedelta(days=7)
COACH_ROLES = (Role.admin, Role.qa_analyst, Role.supervisor)


def polish_config(settings: Settings) -> PolishConfig | None:
    if not settings.llm_base_url or not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return PolishConfig(settings.llm_base_url, settings.llm_model, key)


# ------------------------------------------------------------------------------ visibility
def scope_sessions(query: Select[Any], user: User) -> Select[Any]:
    """Agents see their own sessions once delivered; supervisors their team's; QA and admins
    all. What a user may not see does not exist for them (404)."""
    if sees_everything(user):
        return query
    if user.role == Role.agent:
        return query.where(
            CoachingSession.agent_id == user.id, CoachingSession.status.in_(SHOWN_TO_AGENT)
        )
    if user.team is None:
        return query.where(CoachingSession.id.is_(None))
    agent = aliased(User)
    return query.where(
        CoachingSession.agent_id.in_(select(agent.id).where(agent.team == user.team))
    )


def visible_session(session: Session, user: User, session_id: uuid.UUID) -> CoachingSession:
    cs = session.scalar(
        scope_sessions(select(CoachingSession).where(CoachingSession.id == session_id), user)
    )
    if cs is None:
        raise NotFound(f"coaching session {session_id} not found")
    return cs


def open_drafts(session: Session, user: User, agent_id: uuid.UUID) -> list[CoachingSession]:
    """The agent's sessions still being written (draft or ready) that ``user`` may edit: where
    a clip from a call page can go."""
    if not is_coach(user):
        return []
    query = select(CoachingSession).where(
        CoachingSession.agent_id == agent_id, CoachingSession.status.in_(("draft", "ready"))
    )
    return list(session.scalars(scope_sessions(query, user).order_by(CoachingSession.created_at)))


def is_coach(user: User) -> bool:
    return user.role in COACH_ROLES


def _require_coach(user: User, what: str) -> None:
    if not is_coach(user):
        raise Forbidden(f"only a coach (supervisor, QA analyst or admin) can {what}")


def list_sessions(
    session: Session,
    user: User,
    *,
    agent_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[CoachingSession]:
    query = select(CoachingSession)
    if agent_id is not None:
        query = query.where(CoachingSession.agent_id == agent_id)
    if status is not None:
        query = query.where(CoachingSession.status == status)
    query = scope_sessions(query, user).order_by(CoachingSession.created_at.desc())
    return list(session.scalars(query.limit(limit)))


# ---------------------------------------------------------------------------------- drafts
def latest_delivered(session: Session, agent_id: uuid.UUID) -> CoachingSession | None:
    return session.scalar(
        select(CoachingSession)
        .where(
            CoachingSession.agent_id == agent_id,
            CoachingSession.status.in_(SHOWN_TO_AGENT),
            CoachingSession.delivered_at.is_not(None),
        )
        .order_by(CoachingSession.delivered_at.desc())
        .limit(1)
    )


def create_draft(
    session: Session,
    *,
    agent: User,
    by: User | None,
    since: datetime | None = None,
    until: datetime | None = None,
    coach: User | None = None,
    previous: CoachingSession | None = None,
    polish_with: PolishConfig | None = None,
    now: datetime | None = None,
) -> CoachingSession:
    """A draft from the agent's calls in [since, until) (default: the last four weeks; for a
    follow-up, since the previous session's delivery)."""
    if agent.role != Role.agent:
        raise InvalidInput(f"{agent.name} is not an agent")
    now = now or datetime.now(UTC)
    until = as_utc(until) if until else now
    prev = previous or latest_delivered(session, agent.id)
    if since is None:
        since = as_utc(prev.delivered_at) if previous and prev and prev.delivered_at else None
        since = since or until - DEFAULT_PERIOD
    since = as_utc(since)
    if since >= until:
        raise InvalidInput("'since' must be before the end of the period")
    calls = history(session, agent.id, since=since, until=until)
    draft = build_draft(
        calls,
        since=since,
        until=until,
        now=now,
        previous=_previous(session, prev, until) if prev else None,
        modules=as_modules(list_modules(session)),
        texts=coaching_texts(session, [c.call_id for c in calls]),
    )
    spoken = transcript_texts(session, {c.call_id for c in calls})
    spoken += [o_e.text for c in calls for o in c.outcomes for o_e in o.evidence]
    worded = polish(draft.feedback, spoken, polish_with)
    coach = coach or (by if by is not None and is_coach(by) else _team_supervisor(session, agent))
    cs = CoachingSession(
        agent_id=agent.id,
        coach_id=coach.id if coach else None,
        previous_id=prev.id if prev else None,
        status="draft",
        created_by=by.id if by else None,
        **_draft_fields(session, draft),
    )
    cs.feedback = worded.text
    cs.wording = {"source": worded.source, "rejected": worded.rejected}
    session.add(cs)
    session.flush()
    audit.record(
        session,
        actor_id=by.id if by else None,
        action="coaching.draft_created",
        entity="coaching_session",
        entity_id=cs.id,
        agent_id=str(agent.id),
        calls=draft.calls,
    )
    return cs


def _team_supervisor(session: Session, agent: User) -> User | None:
    if agent.team is None:
        return None
    return session.scalar(
        select(User)
        .where(User.role == Role.supervisor, User.team == agent.team, User.active.is_(True))
        .order_by(User.name)
        .limit(1)
    )


def _previous(session: Session, prev: CoachingSession, until: datetime) -> PreviousSession:
    delivered = as_utc(prev.delivered_at or until)
    return PreviousSession(
        session_id=str(prev.id),
        delivered_at=delivered,
        focus_rates={f["criterion"]: f.get("pass_rate") for f in prev.focus},
        goals=tuple(goal_of(g) for g in prev.goals),
        agent_feedback=prev.agent_feedback,
        calls_since=tuple(history(session, prev.agent_id, since=delivered, until=until)),
    )


def _draft_fields(session: Session, d: Draft) -> dict[str, Any]:
    modules = {m.key: m for m in list_modules(session)}
    return {
        "period_since": d.since,
        "period_until": d.until,
        "calls": d.calls,
        "average_score": d.average_score,
        "focus": [{**asdict(f), "evidence": [asdict(c) for c in f.evidence]} for f in d.focus],
        "strengths": [s.text for s in d.strengths],
        "recognition": list(d.recognition),
        "goals": [
            {
                "metric": g.metric,
                "criterion": g.criterion,
                "baseline": g.baseline,
                "target": g.target,
                "due": g.due.isoformat(),
            }
            for g in d.goals
        ],
        "tasks": [
            {"text": t.text, "due": t.due.isoformat(), "done": t.done, "criterion": t.criterion}
            for t in d.tasks
        ],
        "training": [
            _training_item(
                modules[p.module.key].id,
                p.module.title,
                p.module.url,
                p.module.key,
                p.criterion,
                p.due,
            )
            for p in d.training
        ],
        "action_plan": [{"owner": a.owner, "text": a.text} for a in d.action_plan],
        "next_meeting_at": d.next_meeting_at,
        "follow_up": (
            {
                "previous_id": d.follow_up.previous_id,
                "delivered_at": d.follow_up.delivered_at.isoformat(),
                "agent_feedback": d.follow_up.agent_feedback,
                "goals": [
                    {
                        "metric": g.metric,
                        "criterion": g.criterion,
                        "baseline": g.baseline,
                        "target": g.target,
                        "due": g.due.isoformat(),
                        **asdict(p),
                    }
                    for g, p in d.follow_up.goals
                ],
            }
            if d.follow_up
            else None
        ),
    }


def _training_item(
    module_id: uuid.UUID,
    title: str,
    url: str | None,
    key: str,
    criterion: str | None,
    due: date | str | None,
    completed_at: str | None = None,
) -> dict[str, Any]:
    return {
        "module_id": str(module_id),
        "key": key,
        "title": title,
        "url": url,
        "criterion": criterion,
        "due": (due.isoformat() if isinstance(due, date) else due[:10]) if due else None,
        "completed_at": completed_at,
    }


def follow_up(
    session: Session,
    previous: CoachingSession,
    *,
    by: User,
    polish_with: PolishConfig | None = None,
    now: datetime | None = None,
) -> CoachingSession:
    """A draft linked to ``previous``, over the calls since it was delivered, opening with the
    agent's view and the goal progress since."""
    _require_coach(by, "start a follow-up")
    if previous.status not in SHOWN_TO_AGENT:
        raise Conflict(f"a {previous.status} session has not been delivered: nothing to follow up")
    agent = session.get(User, previous.agent_id)
    assert agent is not None
    return create_draft(
        session, agent=agent, by=by, previous=previous, polish_with=polish_with, now=now
    )


# ----------------------------------------------------------------------------------- edits
def update(
    session: Session,
    cs: CoachingSession,
    changes: dict[str, Any],
    *,
    by: User,
    now: datetime | None = None,
    amend_reason: str | None = None,
) -> CoachingSession:
    """Apply a PATCH. Goals' baselines always come from the period's calls. Once the agent
    has seen the session, what they saw changes only as an amendment: with a reason, audited
    (``coaching.amended``), never silently."""
    _require_coach(by, "edit a coaching session")
    now = now or datetime.now(UTC)
    if cs.status == "closed":
        raise Conflict("a closed session cannot be edited")
    frozen = sorted(set(changes) - EDITABLE_AFTER_DELIVERY) if cs.status in SHOWN_TO_AGENT else []
    if frozen and not (amend_reason and amend_reason.strip()):
        raise Conflict(
            f"{', '.join(frozen)} cannot change once the session is delivered: the agent "
            f"has seen it; amend it with a reason to change them (still editable: "
            f"{', '.join(sorted(EDITABLE_AFTER_DELIVERY))})"
        )
    for key, value in changes.items():
        if key == "goals":
            value = _checked_goals(session, cs, value)
        elif key == "focus":
            value = _checked_focus(cs, value)
        elif key == "training":
            value = [_checked_training(session, t) for t in value]
        elif key == "coach_id":
            value = _checked_coach(session, value)
        elif key == "next_meeting_at" and value is not None:
            value = as_utc(value)
        setattr(cs, key, value)
    cs.updated_at = now
    if cs.coach_id is None:
        cs.coach_id = by.id
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="coaching.amended" if frozen else "coaching.updated",
        entity="coaching_session",
        entity_id=cs.id,
        fields=sorted(changes),
        **({"reason": (amend_reason or "").strip(), "amended": frozen} if frozen else {}),
    )
    return cs


def _checked_goals(
    session: Session, cs: CoachingSession, goals: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    from coaching.goals import measure

    calls = history(
        session, cs.agent_id, since=as_utc(cs.period_since), until=as_utc(cs.period_until)
    )
    out = []
    for i, g in enumerate(goals):
        metric, criterion = g["metric"], g.get("criterion")
        if metric == "criterion_pass_rate" and not criterion:
            raise InvalidInput(
                f"Goal {i + 1}: a pass-rate goal names its criterion", field=f"goals.{i}.criterion"
            )
        baseline = measure(metric, criterion, calls)
        if baseline is None:
            raise InvalidInput(
                f"Goal {i + 1}: no calls in the session's period measure {metric}"
                + (f" for {criterion}" if criterion else ""),
                field=f"goals.{i}",
            )
        problem = target_problem(metric, baseline, float(g["target"]))
        if problem:
            raise InvalidInput(f"Goal {i + 1}: {problem}", field=f"goals.{i}.target")
        out.append(
            {
                "metric": metric,
                "criterion": criterion if metric == "criterion_pass_rate" else None,
                "baseline": baseline,
                "target": float(g["target"]),
                "due": str(g["due"])[:10],
            }
        )
    return out


def _checked_focus(cs: CoachingSession, focus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The coach may drop or reorder focus areas and their clips; the numbers stay measured."""
    known = {f["criterion"]: f for f in cs.focus}
    out = []
    for i, f in enumerate(focus):
        stored = known.get(f["criterion"])
        if stored is None:
            raise InvalidInput(
                f"Focus area {i + 1}: {f['criterion']!r} is not one of this draft's focus areas "
                f"({', '.join(known) or 'none'}); add a goal for it instead",
                field=f"focus.{i}",
            )
        clips = {(e["call_id"], e["start"], e["end"]): e for e in stored.get("evidence", [])}
        keep = f.get("evidence")
        evidence = (
            stored.get("evidence", [])
            if keep is None
            else [clips[k] for e in keep if (k := (e["call_id"], e["start"], e["end"])) in clips]
        )
        out.append({**stored, "evidence": evidence})
    return out


def _checked_training(session: Session, item: dict[str, Any]) -> dict[str, Any]:
    m = module_by_ref(session, str(item["module_id"]))
    return _training_item(
        m.id,
        m.title,
        m.url,
        m.key,
        item.get("criterion"),
        item.get("due"),
        item.get("completed_at"),
    )


def _checked_coach(session: Session, coach_id: uuid.UUID) -> uuid.UUID:
    coach = session.get(User, coach_id)
    if coach is None or not is_coach(coach):
        raise InvalidInput("the coach must be a supervisor, QA analyst or admin")
    return coach.id


# ------------------------------------------------------------------------------ workflow
def transition(
    session: Session,
    cs: CoachingSession,
    to: str,
    *,
    by: User,
    agent_feedback: str | None = None,
    now: datetime | None = None,
) -> CoachingSession:
    now = now or datetime.now(UTC)
    problem = move_problem(cs.status, to)
    if problem:
        raise Conflict(problem)
    who = MOVES[(cs.status, to)]
    if who == "agent" and by.id != cs.agent_id:
        raise Forbidden("only the agent the session is for can acknowledge it")
    if who == "coach":
        _require_coach(by, f"move a session to {to}")
    if to == "delivered":
        next_at = as_utc(cs.next_meeting_at) if cs.next_meeting_at else None
        problems = delivery_problems(cs.action_plan, next_at, now)
        if problems:
            raise InvalidInput("cannot deliver yet: " + "; ".join(problems))
    before = cs.status
    cs.status = to
    stamp = {
        "ready": "ready_at",
        "delivered": "delivered_at",
        "acknowledged": "acknowledged_at",
        "closed": "closed_at",
    }.get(to)
    if stamp:
        setattr(cs, stamp, now)
    if to == "acknowledged":
        cs.agent_feedback = (agent_feedback or "").strip() or None
    if who == "coach" and cs.coach_id is None:
        cs.coach_id = by.id
    cs.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="coaching.transition",
        entity="coaching_session",
        entity_id=cs.id,
        **{"from": before, "to": to},
    )
    _notify_move(session, cs, to, by)
    return cs


def _notify_move(session: Session, cs: CoachingSession, to: str, by: User) -> None:
    """The agent hears a session was delivered; the coach hears the agent acknowledged it."""
    link = f"/coaching/sessions/{cs.id}"
    if to == "delivered":
        agent = session.get(User, cs.agent_id)
        coach = by.name
        if agent is not None:
            notify(
                session,
                [agent],
                kind="coaching.delivered",
                text=f"{coach} shared a coaching session with you",
                link=link,
            )
    elif to == "acknowledged" and cs.coach_id is not None:
        coach_user = session.get(User, cs.coach_id)
        if coach_user is not None and coach_user.id != by.id:
            notify(
                session,
                [coach_user],
                kind="coaching.acknowledged",
                text=f"{by.name} acknowledged the coaching session"
                + (": " + cs.agent_feedback[:120] if cs.agent_feedback else ""),
                link=link,
            )


def mark_done(
    session: Session,
    cs: CoachingSession,
    *,
    kind: str,
    ref: str,
    done: bool,
    by: User,
    now: datetime | None = None,
) -> CoachingSession:
    """Tick a task (by index) or a training assignment (by module id) done; the agent does this
    on their delivered session, the coach on any open one."""
    now = now or datetime.now(UTC)
    if by.id == cs.agent_id:
        if cs.status not in ("delivered", "acknowledged"):
            raise Conflict(f"a {cs.status} session's tasks cannot be ticked")
    else:
        _require_coach(by, "tick tasks")
        if cs.status == "closed":
            raise Conflict("a closed session cannot be edited")
    if kind == "task":
        tasks = [dict(t) for t in cs.tasks]
        index = int(ref) if ref.isdigit() else -1
        if not 0 <= index < len(tasks):
            raise NotFound(f"task {ref} not found")
        tasks[index]["done"] = done
        cs.tasks = tasks
    else:
        training = [dict(t) for t in cs.training]
        found = [t for t in training if t["module_id"] == ref or t.get("key") == ref]
        if not found:
            raise NotFound(f"training assignment {ref} not found")
        found[0]["completed_at"] = now.isoformat() if done else None
        cs.training = training
    cs.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action=f"coaching.{kind}_done",
        entity="coaching_session",
        entity_id=cs.id,
        ref=ref,
        done=done,
    )
    return cs


# ---------------------------------------------------------------------------- read models
def allowed_moves(cs: CoachingSession, user: User) -> list[str]:
    out = []
    for (src, dst), who in MOVES.items():
        if src != cs.status:
            continue
        if (who == "agent" and user.id == cs.agent_id) or (who == "coach" and is_coach(user)):
            out.append(dst)
    return out


def clip_url(call_id: str, start: float, end: float) -> str:
    return f"/api/v1/calls/{call_id}/clip?start={start:g}&end={end:g}"


def session_read(
    session: Session, cs: CoachingSession, viewer: User, *, now: datetime | None = None
) -> CoachingSessionRead:
    """The session as the API shows it (ARCHITECTURE "Coaching" field names). Coach-only
    notes are left out for the agent."""
    now = now or datetime.now(UTC)
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_([cs.agent_id, cs.coach_id or cs.agent_id]))
        )
    }

    def iso(at: datetime | None) -> str | None:
        return as_utc(at).isoformat() if at else None

    focus = [
        {
            **f,
            "evidence": [
                {
                    **e,
                    "clip_url": clip_url(e["call_id"], e["start"], e["end"])
                    if e.get("audio")
                    else None,
                }
                for e in f.get("evidence", [])
            ],
        }
        for f in cs.focus
    ]
    return CoachingSessionRead.model_validate(
        {
            "id": str(cs.id),
            "agent_id": str(cs.agent_id),
            "agent": users[cs.agent_id].name,
            "coach_id": str(cs.coach_id) if cs.coach_id else None,
            "coach": users[cs.coach_id].name if cs.coach_id in users else None,
            "status": cs.status,
            "period": {"since": iso(cs.period_since), "until": iso(cs.period_until)},
            "calls": cs.calls,
            "average_score": cs.average_score,
            "focus": focus,
            "strengths": list(cs.strengths),
            "recognition": list(cs.recognition),
            "feedback": cs.feedback,
            "wording": dict(cs.wording or {}),
            "goals": session_goals(session, cs, now),
            "tasks": list(cs.tasks),
            "training": list(cs.training),
            "action_plan": list(cs.action_plan),
            "next_meeting_at": iso(cs.next_meeting_at),
            "agent_feedback": cs.agent_feedback,
            "previous_id": str(cs.previous_id) if cs.previous_id else None,
            "follow_up": cs.follow_up,
            "attachments": [_attachment_json(cs, a) for a in attachments(session, cs.id)],
            "reviewer_comments": said_about_agent(
                session, cs.agent_id, as_utc(cs.period_since), as_utc(cs.period_until)
            ),
            "created_at": iso(cs.created_at),
            "updated_at": iso(cs.updated_at),
            "ready_at": iso(cs.ready_at),
            "delivered_at": iso(cs.delivered_at),
            "acknowledged_at": iso(cs.acknowledged_at),
            "closed_at": iso(cs.closed_at),
            "allowed_transitions": allowed_moves(cs, viewer),
            **({"private_notes": cs.private_notes} if is_coach(viewer) else {}),
        }
    )


def to_json(
    session: Session, cs: CoachingSession, viewer: User, *, now: datetime | None = None
) -> dict[str, Any]:
    """``session_read`` as JSON-ready data (the pages and the CLI)."""
    return session_read(session, cs, viewer, now=now).to_json()


def _attachment_json(cs: CoachingSession, a: Any) -> dict[str, Any]:
    base = {"id": str(a.id), "kind": a.kind, "note": a.note}
    if a.kind == "clip":
        return {
            **base,
            "call_id": str(a.call_id),
            "start": a.start,
            "end": a.end,
            "url": clip_url(str(a.call_id), a.start, a.end),
        }
    return {
        **base,
        "filename": a.filename,
        "content_type": a.content_type,
        "size_bytes": a.size_bytes,
        "url": f"/api/v1/coaching/sessions/{cs.id}/attachments/{a.id}",
    }


def summary(cs: CoachingSession, agent: User | None, now: datetime) -> CoachingSummaryRead:
    return CoachingSummaryRead(
        id=str(cs.id),
        agent_id=str(cs.agent_id),
        agent=agent.name if agent else None,
        coach_id=str(cs.coach_id) if cs.coach_id else None,
        status=cs.status,  # type: ignore[arg-type]
        focus=[f["criterion"] for f in cs.focus],
        calls=cs.calls,
        created_at=as_utc(cs.created_at).isoformat(),
        delivered_at=as_utc(cs.delivered_at).isoformat() if cs.delivered_at else None,
        next_meeting_at=as_utc(cs.next_meeting_at).isoformat() if cs.next_meeting_at else None,
        overdue=bool(cs.next_meeting_at and as_utc(cs.next_meeting_at) < now),
        previous_id=str(cs.previous_id) if cs.previous_id else None,
    )


def summaries(
    session: Session, rows: list[CoachingSession], now: datetime
) -> list[CoachingSummaryRead]:
    ids = {r.agent_id for r in rows}
    agents = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return [summary(r, agents.get(r.agent_id), now) for r in rows]


def inbox(session: Session, user: User, *, now: datetime | None = None) -> CoachingInboxRead:
    """A coach's queue: drafts to review, sessions ready to deliver, sessions waiting for the
    agent, and follow-ups due within a week (or overdue) that have none yet."""
    _require_coach(user, "see the coaching inbox")
    now = now or datetime.now(UTC)
    rows = list(
        session.scalars(
            scope_sessions(
                select(CoachingSession).where(CoachingSession.status != "closed"), user
            ).order_by(CoachingSession.created_at.desc())
        )
    )
    followed = {
        r.previous_id
        for r in session.scalars(
            select(CoachingSession).where(CoachingSession.previous_id.is_not(None))
        )
    }
    due = [
        r
        for r in rows
        if r.status in ("delivered", "acknowledged")
        and r.id not in followed
        and r.next_meeting_at is not None
        and as_utc(r.next_meeting_at) <= now + FOLLOW_UP_SOON
    ]
    due.sort(key=lambda r: as_utc(r.next_meeting_at or now))
    return CoachingInboxRead(
        drafts=summaries(session, [r for r in rows if r.status == "draft"], now),
        ready=summaries(session, [r for r in rows if r.status == "ready"], now),
        awaiting_acknowledgement=summaries(
            session, [r for r in rows if r.status == "delivered"], now
        ),
        follow_ups_due=summaries(session, due, now),
    )


def agent_for_draft(session: Session, user: User, agent_id: uuid.UUID) -> User:
    _require_coach(user, "draft coaching sessions")
    agent = session.get(User, agent_id)
    if agent is None or not can_see_agent(user, agent):
        raise NotFound(f"agent {agent_id} not found")
    return agent
