"""The analytics pages: an agent's progress and the supervisor dashboard."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domains.accounts.users import visible_users
from domains.analytics import service as analytics
from domains.analytics.charts import progress_charts
from domains.auth.access import sees_everything, visible_agent
from domains.auth.dependencies import CurrentUser, Reviewer
from domains.calls.params import filters_from_form
from domains.coaching.measure import agent_goals
from domains.kit.deps import SessionDep
from domains.kit.templating import render_page

router = APIRouter(include_in_schema=False)


@router.get("/agents/{agent_id}/progress")
def progress_page(
    request: Request, agent_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    agent = visible_agent(session, user, agent_id)
    filters = filters_from_form(request.query_params)
    progress = analytics.agent_progress(session, user, agent, filters)
    progress["goals"] = agent_goals(session, agent)
    return render_page(
        request,
        "progress.html",
        user,
        agent=agent,
        progress=progress,
        charts=progress_charts(progress),
    )


@router.get("/dashboard")
def dashboard_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    filters = filters_from_form(request.query_params)
    data = analytics.dashboard(session, user, filters)
    teams = sorted({u.team for u in visible_users(session, user) if u.team})
    return render_page(
        request,
        "dashboard.html",
        user,
        data=data,
        teams=teams if sees_everything(user) else [],
        filters=filters.query_params(),
        link=lambda f: "/calls?" + urlencode(f),
    )
