"""Goal progress and coaching impact, computed from the calls scored after delivery (calls
that came in after the session was delivered), never typed in."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.goals import Goal, GoalProgress, evaluate_goal
from coaching.impact import Impact, combine, session_impact
from coaching.rules import SHOWN_TO_AGENT
from coaching.types import ScoredCall
from domains.auth.access import sees_everything
from domains.calls.filters import as_utc
from domains.coaching.data import agent_calls, history
from models.accounts import User
from models.coaching import CoachingSession


def goal_of(raw: dict[str, Any]) -> Goal:
    return Goal(
        metric=raw["metric"],
        baseline=float(raw["baseline"]),
        target=float(raw["target"]),
        due=date.fromisoformat(str(raw["due"])[:10]),
        criterion=raw.get("criterion"),
    )


def _shown(raw: dict[str, Any], p: GoalProgress) -> dict[str, Any]:
    return {
        **raw,
        "current": p.current,
        "measured_calls": p.measured_calls,
        "progress": p.progress,
        "status": p.status,
    }


def measured_goals(
    cs: CoachingSession, calls_after: list[ScoredCall] | None, now: datetime
) -> list[dict[str, Any]]:
    """Each goal with current value and status. Before delivery nothing is measured yet: the
    current value is the baseline."""
    if cs.delivered_at is None or calls_after is None:
        return [
            {
                **g,
                "current": g["baseline"],
                "measured_calls": 0,
                "progress": 0.0,
                "status": "on_track",
            }
            for g in cs.goals
        ]
    start = as_utc(cs.delivered_at)
    return [
        _shown(g, evaluate_goal(goal_of(g), calls_after, start=start, now=now)) for g in cs.goals
    ]


def session_goals(session: Session, cs: CoachingSession, now: datetime) -> list[dict[str, Any]]:
    if cs.delivered_at is None:
        return measured_goals(cs, None, now)
    after = history(session, cs.agent_id, since=as_utc(cs.delivered_at), until=None)
    return measured_goals(cs, after, now)


def agent_goals(
    session: Session, agent: User, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Goals of every delivered session of the agent, newest session first, measured."""
    now = now or datetime.now(UTC)
    sessions = list(
        session.scalars(
            select(CoachingSession)
            .where(
                CoachingSession.agent_id == agent.id,
                CoachingSession.status.in_(SHOWN_TO_AGENT),
            )
            .order_by(CoachingSession.delivered_at.desc())
        )
    )
    if not sessions:
        return []
    earliest = min(as_utc(s.delivered_at) for s in sessions if s.delivered_at)
    calls = history(session, agent.id, since=earliest, until=None)
    out = []
    for cs in sessions:
        start = as_utc(cs.delivered_at) if cs.delivered_at else now
        after = [c for c in calls if c.at >= start]
        for g in measured_goals(cs, after, now):
            out.append(
                {
                    **g,
                    "session_id": str(cs.id),
                    "delivered_at": start.isoformat(),
                    "session_status": cs.status,
                }
            )
    return out


# --------------------------------------------------------------------------------- impact
def _delivered_sessions(
    session: Session,
    user: User,
    *,
    agent_id: uuid.UUID | None,
    coach_id: uuid.UUID | None,
    team: str | None,
) -> list[tuple[CoachingSession, User, User | None]]:
    query = select(CoachingSession).where(
        CoachingSession.status.in_(SHOWN_TO_AGENT), CoachingSession.delivered_at.is_not(None)
    )
    if agent_id is not None:
        query = query.where(CoachingSession.agent_id == agent_id)
    if coach_id is not None:
        query = query.where(CoachingSession.coach_id == coach_id)
    rows = list(session.scalars(query.order_by(CoachingSession.delivered_at)))
    ids = {r.agent_id for r in rows} | {r.coach_id for r in rows if r.coach_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    out = []
    for r in rows:
        a = users[r.agent_id]
        if team is not None and a.team != team:
            continue
        if not sees_everything(user) and (user.team is None or a.team != user.team):
            continue
        out.append((r, a, users.get(r.coach_id) if r.coach_id else None))
    return out


def _impact_json(i: Impact) -> dict[str, Any]:
    def counts(c: Any) -> dict[str, Any]:
        return {"pass_rate": c.rate, "passed": c.passed, "applicable": c.applicable}

    return {
        "sessions": i.sessions,
        "coached": {
            "before": counts(i.coached_before),
            "after": counts(i.coached_after),
            "change": i.coached_change,
        },
        "uncoached": {
            "before": counts(i.control_before),
            "after": counts(i.control_after),
            "change": i.control_change,
        },
        "effect": i.effect,
    }


def impact_report(
    session: Session,
    user: User,
    *,
    agent_id: uuid.UUID | None = None,
    coach_id: uuid.UUID | None = None,
    team: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Per delivered session, then pooled per agent, per coach, per team and overall."""
    now = now or datetime.now(UTC)
    found = _delivered_sessions(session, user, agent_id=agent_id, coach_id=coach_id, team=team)
    calls = agent_calls(session, {a.id for _, a, _ in found})
    per_session = []
    groups: dict[str, dict[tuple[str, str], list[Impact]]] = {
        "agents": defaultdict(list),
        "coaches": defaultdict(list),
        "teams": defaultdict(list),
    }
    for cs, agent, coach in found:
        coached = {f["criterion"] for f in cs.focus}
        i = session_impact(calls[agent.id], coached, as_utc(cs.delivered_at or now), now=now)
        per_session.append(
            {
                "session_id": str(cs.id),
                "agent_id": str(agent.id),
                "agent": agent.name,
                "coach_id": str(coach.id) if coach else None,
                "coach": coach.name if coach else None,
                "team": agent.team,
                "delivered_at": as_utc(cs.delivered_at or now).isoformat(),
                "coached_criteria": sorted(coached),
                **_impact_json(i),
            }
        )
        groups["agents"][(str(agent.id), agent.name)].append(i)
        if coach is not None:
            groups["coaches"][(str(coach.id), coach.name)].append(i)
        groups["teams"][(agent.team or "", agent.team or "(no team)")].append(i)
    out: dict[str, Any] = {"sessions": per_session}
    for name, by_key in groups.items():
        out[name] = [
            {"id": key or None, "name": label, **_impact_json(combine(items))}
            for (key, label), items in sorted(by_key.items(), key=lambda kv: kv[0][1])
        ]
    out["overall"] = _impact_json(combine(i for items in groups["agents"].values() for i in items))
    return out
