"""Coaching pages: the supervisor's inbox, the session editor, the agent's view of delivered
sessions, and coaching impact. Read through the same services as the API; the page script
calls the JSON API for edits and moves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domains.accounts.users import visible_users
from domains.auth.dependencies import CurrentUser, Reviewer
from domains.coaching import service as coaching
from domains.coaching import training as coaching_training
from domains.coaching.measure import impact_report
from domains.kit.deps import SessionDep
from domains.kit.templating import render_page
from models.accounts import Role
from scoring.rubric import default_rubric

router = APIRouter(include_in_schema=False)


@router.get("/coaching")
def coaching_home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    now = datetime.now(UTC)
    if user.role == Role.agent:
        rows = coaching.list_sessions(session, user, agent_id=user.id)
        return render_page(
            request,
            "coaching_mine.html",
            user,
            sessions=[s.to_json() for s in coaching.summaries(session, rows, now)],
        )
    agents = [u for u in visible_users(session, user, role=Role.agent)]
    return render_page(
        request,
        "coaching_inbox.html",
        user,
        inbox=coaching.inbox(session, user).to_json(),
        agents=agents,
    )


@router.get("/coaching/impact")
def impact_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    return render_page(request, "coaching_impact.html", user, report=impact_report(session, user))


@router.get("/coaching/sessions/{session_id}")
def session_page(
    request: Request, session_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    cs = coaching.visible_session(session, user, session_id)
    data = coaching.to_json(session, cs, user)
    if not coaching.is_coach(user):
        return render_page(request, "coaching_agent.html", user, s=data)
    modules = [coaching_training.module_json(m) for m in coaching_training.list_modules(session)]
    return render_page(
        request,
        "coaching_session.html",
        user,
        s=data,
        modules=modules,
        editable=cs.status in ("draft", "ready"),
        # the goal's criterion picker: the rubric's criteria, the session's focus first
        criteria=list(
            dict.fromkeys([*(f["criterion"] for f in data.get("focus", [])), *rubric_criteria()])
        ),
    )


def rubric_criteria() -> list[str]:
    """The default rubric's criterion ids, in rubric order."""
    return [crit.id for _, crit in default_rubric().criteria]
