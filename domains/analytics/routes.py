"""Agent progress, the supervisor dashboard and the CSV export of evaluations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from domains.analytics import exports
from domains.analytics import service as analytics
from domains.analytics.schemas import AgentProgressRead, DashboardRead
from domains.audit import service as audit
from domains.auth.access import visible_agent
from domains.auth.dependencies import CurrentUser, Reviewer
from domains.calls.params import CallFiltersDep
from domains.coaching.measure import agent_goals
from domains.kit.deps import SessionDep

router = APIRouter(tags=["analytics"])


@router.get("/agents/{agent_id}/progress", response_model=AgentProgressRead)
def agent_progress(
    agent_id: uuid.UUID, session: SessionDep, user: CurrentUser, filters: CallFiltersDep
) -> dict[str, Any]:
    """Weekly score trend and pass rate per criterion (pass / (pass + fail)) from each call's
    current evaluation. Agents may read only their own; supervisors their team's.
    ``goals``: each delivered coaching goal's baseline, current value, target and status."""
    agent = visible_agent(session, user, agent_id)
    progress = analytics.agent_progress(session, user, agent, filters)
    progress["goals"] = agent_goals(session, agent)  # measured from calls after delivery
    return progress


@router.get("/dashboard", response_model=DashboardRead)
def dashboard(session: SessionDep, user: Reviewer, filters: CallFiltersDep) -> dict[str, Any]:
    """The team's score distribution, fail rate per criterion, agents trending down, auto-failed
    calls and low-confidence verdicts waiting for a human. Each number carries ``filters``:
    the calls list's query parameters that list the calls behind it."""
    return analytics.dashboard(session, user, filters)


@router.get(
    "/exports/evaluations.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per call × criterion"}},
)
def export_evaluations(session: SessionDep, user: Reviewer, filters: CallFiltersDep) -> Response:
    """Each call's current evaluation, one row per criterion, with the calls list's filters."""
    body = exports.evaluations_csv(session, user, filters)
    audit.record(
        session,
        actor_id=user.id,
        action="export.evaluations_csv",
        entity="export",
        entity_id="evaluations.csv",
        rows=max(0, body.count("\n") - 1),
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="evaluations-{stamp}.csv"'},
    )
