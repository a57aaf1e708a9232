"""The web pages: server-rendered, signed in with the HttpOnly token cookie. They read through
the same pipeline services as the API; their scripts call the JSON API for uploads, status
polling and overrides."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import (
    TOKEN_COOKIE,
    CurrentUser,
    Reviewer,
    authenticate,
    clear_token_cookie,
    client_ip,
    issue_token,
    set_token_cookie,
    user_from_token,
)
from api.charts import progress_charts
from api.deps import ServicesDep, SessionDep
from api.filters import filters_from_form
from api.templating import templates
from core.errors import CallReviewError, TooManyRequests
from models.orm import Role, User
from pipeline import analytics, listing
from pipeline.access import sees_everything, visible_agent, visible_call
from pipeline.accounts import revoke_tokens
from pipeline.calibration import ensure_not_blind
from pipeline.coaching_measure import agent_goals
from pipeline.disputes import latest_by_criterion
from pipeline.overrides import rubric_of
from pipeline.results import current_evaluation, load_review
from pipeline.users import visible_users

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
REVIEWER_ROLES = (Role.admin, Role.qa_analyst, Role.supervisor)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) is a place to return to."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/calls"


def _render(request: Request, name: str, user: User | None, **context: Any) -> Response:
    is_reviewer = user is not None and user.role in REVIEWER_ROLES
    return templates.TemplateResponse(
        request, name, {"user": user, "is_reviewer": is_reviewer, **context}
    )


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/calls", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return _render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login_submit(
    request: Request,
    svc: ServicesDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/calls",
) -> Response:
    try:
        user = authenticate(
            session, username, password, ip=client_ip(request), settings=svc.settings
        )
    except CallReviewError as exc:
        page = _render(request, "login.html", None, next=_safe_next(next), error=exc.message)
        page.status_code = exc.status_code
        if isinstance(exc, TooManyRequests):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_token_cookie(response, request, issue_token(user, svc.settings), svc.settings)
    return response


@router.post("/logout")
def logout(request: Request, svc: ServicesDep, session: SessionDep) -> Response:
    """Ends the session for good: the token stops working everywhere (with the user's other
    sessions), not only in this browser."""
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        try:
            user = user_from_token(session, token, svc.settings)
        except CallReviewError:
            user = None  # already expired or revoked
        if user is not None:
            revoke_tokens(session, user, by=user, reason="logout")
            session.commit()
    response = RedirectResponse("/login", status_code=303)
    clear_token_cookie(response)
    return response


@router.get("/calls")
def calls_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    filters = filters_from_form(request.query_params)
    try:
        page_no = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page_no = 1
    page = listing.list_calls(
        session, user, filters, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    params = filters.query_params()
    agents = [u for u in visible_users(session, user) if u.role == Role.agent]
    return _render(
        request,
        "calls.html",
        user,
        page=page,
        page_no=page_no,
        pages=max(1, -(-page.total // PAGE_SIZE)),
        filters=params,
        query=urlencode(params),
        agents=agents,
        statuses=[
            "queued",
            "transcribing",
            "transcribed",
            "scoring",
            "scored",
            "not_scorable",
            "failed",
        ],
    )


def _sections(session: SessionDep, review: dict[str, Any], call_id: uuid.UUID) -> list[Any]:
    """Verdicts grouped by rubric section, with the section titles and N/A permission of the
    evaluation's own rubric version."""
    evaluation = current_evaluation(session, call_id)
    if evaluation is None or review["evaluation"] is None:
        return []
    rubric = rubric_of(evaluation.rubric)
    by_id = {c["id"]: c for c in review["evaluation"]["criteria"]}
    sections = []
    for section in rubric.sections:
        criteria = []
        for crit in section.criteria:
            shown = by_id.get(crit.id)
            if shown is not None:
                criteria.append({**shown, "question": crit.question, "na_allowed": crit.na_allowed})
        if criteria:
            sections.append({"id": section.id, "title": section.title, "criteria": criteria})
    return sections


@router.get("/calls/{call_id}")
def review_page(
    request: Request, call_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    call = visible_call(session, user, call_id)
    ensure_not_blind(session, user, call_id)
    review = load_review(session, call_id)
    can_dispute = user.role == Role.agent and call.agent_id == user.id
    return _render(
        request,
        "review.html",
        user,
        call=call,
        review=review,
        sections=_sections(session, review, call_id),
        has_audio=call.kind == "audio",
        can_override=user.role in REVIEWER_ROLES,
        can_dispute=can_dispute and review["status"] == "scored",
        disputes=latest_by_criterion(session, call_id) if can_dispute else {},
    )


@router.get("/agents/{agent_id}/progress")
def progress_page(
    request: Request, agent_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    agent = visible_agent(session, user, agent_id)
    filters = filters_from_form(request.query_params)
    progress = analytics.agent_progress(session, user, agent, filters)
    progress["goals"] = agent_goals(session, agent)
    return _render(
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
    return _render(
        request,
        "dashboard.html",
        user,
        data=data,
        teams=teams if sees_everything(user) else [],
        filters=filters.query_params(),
        link=lambda f: "/calls?" + urlencode(f),
    )
