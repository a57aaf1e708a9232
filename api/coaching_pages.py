"""Coaching pages: the supervisor's inbox, the session editor, the agent's view of delivered
sessions, and coaching impact. Read through the same services as the API; the page script
calls the JSON API for edits and moves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import CurrentUser, Reviewer
from api.deps import SessionDep
from api.templating import templates
from models.orm import Role, User
from pipeline import coaching, coaching_training
from pipeline.coaching_measure import impact_report
from pipeline.users import visible_users

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, user: User, **context: Any) -> Response:
    is_reviewer = user.role in coaching.COACH_ROLES
    return templates.TemplateResponse(
        request, name, {"user": user, "is_reviewer": is_reviewer, **context}
    )


@router.get("/coaching")
def coaching_home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    now = datetime.now(UTC)
    if user.role == Role.agent:
        rows = coaching.list_sessions(session, user, agent_id=user.id)
        return _render(
            request,
            "coaching_mine.html",
            user,
            sessions=[s.to_json() for s in coaching.summaries(session, rows, now)],
        )
    agents = [u for u in visible_users(session, user, role=Role.agent)]
    return _render(
        request,
        "coaching_inbox.html",
        user,
        inbox=coaching.inbox(session, user).to_json(),
        agents=agents,
    )


@router.get("/coaching/impact")
def impact_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    return _render(request, "coaching_impact.html", user, report=impact_report(session, user))


@router.get("/coaching/sessions/{session_id}")
def session_page(
    request: Request, session_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    cs = coaching.visible_session(session, user, session_id)
    data = coaching.to_json(session, cs, user)
    if not coaching.is_coach(user):
        return _render(request, "coaching_agent.html", user, s=data)
    modules = [coaching_training.module_json(m) for m in coaching_training.list_modules(session)]
    session.commit()  # the shipped catalog, added on first use
    return _render(
        request,
        "coaching_session.html",
        user,
        s=data,
        modules=modules,
        editable=cs.status in ("draft", "ready"),
    )
