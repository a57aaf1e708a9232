"""Who may see what. Agents see their own calls; supervisors their team's; QA analysts and
admins everything. What a user may not see does not exist for them (404, not 403)."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from core.errors import NotFound
from models.accounts import Role, User
from models.calls import Call


def sees_everything(user: User) -> bool:
    return user.role in (Role.admin, Role.qa_analyst)


SelectT = TypeVar("SelectT", bound=Select)  # a select of any columns


def scope_calls(query: SelectT, user: User) -> SelectT:
    """Restrict a query over ``Call`` to the calls this user may see."""
    if sees_everything(user):
        return query
    if user.role == Role.agent:
        return query.where(Call.agent_id == user.id)
    agent = aliased(User)
    if user.team is None:
        return query.where(Call.agent_id.is_(None))  # a supervisor with no team sees no calls
    team_agents = select(agent.id).where(agent.team == user.team)
    return query.where(Call.agent_id.in_(team_agents))


def visible_call(session: Session, user: User, call_id: uuid.UUID) -> Call:
    call = session.scalar(scope_calls(select(Call).where(Call.id == call_id), user))
    if call is None:
        raise NotFound(f"call {call_id} not found")
    return call


def can_see_agent(user: User, agent: User) -> bool:
    if sees_everything(user):
        return True
    if user.role == Role.agent:
        return agent.id == user.id
    return user.team is not None and agent.team == user.team


def visible_agent(session: Session, user: User, agent_id: uuid.UUID) -> User:
    agent = session.get(User, agent_id)
    if agent is None or not can_see_agent(user, agent):
        raise NotFound(f"agent {agent_id} not found")
    return agent
