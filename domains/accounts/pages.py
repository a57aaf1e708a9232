"""The admin's user page: roles and teams, deactivation, password resets. Plain forms (with the
session's CSRF token) posting to this router; every change is audited by
``domains.accounts.service``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import CallReviewError
from domains.accounts.service import change_role, get_user, reset_password, set_active
from domains.auth.dependencies import Admin
from domains.kit.deps import SessionDep
from domains.kit.templating import templates
from models.accounts import Role, User

router = APIRouter(include_in_schema=False)


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse("/admin/users?" + urlencode(params), status_code=303)


def _apply(session: Session, change: Callable[[], object], done: Callable[[], str]) -> Response:
    """Back to the list saying what changed, or why nothing did (a refused change is rolled
    back, so the request's commit saves nothing half-done)."""
    try:
        change()
    except CallReviewError as exc:
        session.rollback()
        return _back(error=exc.message)
    return _back(done=done())


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, user: Admin) -> Response:
    users = list(session.scalars(select(User).order_by(User.name)))
    return templates.TemplateResponse(
        request,
        "admin_users.html",
        {
            "user": user,
            "is_reviewer": True,
            "users": users,
            "roles": [r.value for r in Role],
            "message": request.query_params.get("done", "")[:200],
            "error": request.query_params.get("error", "")[:300],
        },
    )


@router.post("/admin/users/{user_id}/role")
def set_role(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
    role: Annotated[str, Form(max_length=20)],
    team: Annotated[str, Form(max_length=100, pattern=r"^[^\x00]*$")] = "",
) -> Response:
    target = get_user(session, user_id)
    return _apply(
        session,
        lambda: change_role(session, target, role, by=user, team=team.strip()),
        lambda: f"{target.name}: {target.role.value}, team {target.team or '–'}",
    )


@router.post("/admin/users/{user_id}/active")
def set_activity(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
    active: Annotated[bool, Form()],
) -> Response:
    target = get_user(session, user_id)
    return _apply(
        session,
        lambda: set_active(session, target, active, by=user),
        lambda: f"{target.name} {'reactivated' if active else 'deactivated'}",
    )


@router.post("/admin/users/{user_id}/password")
def set_password(
    user_id: uuid.UUID,
    session: SessionDep,
    user: Admin,
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    target = get_user(session, user_id)
    return _apply(
        session,
        lambda: reset_password(session, target, password, by=user),
        lambda: f"new password set for {target.name}; their sessions have ended",
    )
