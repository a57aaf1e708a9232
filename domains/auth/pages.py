"""Signing in and out in the browser: the login form, the HttpOnly token cookie, logout
that revokes the token everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.errors import CallReviewError, TooManyRequests
from domains.accounts.service import revoke_tokens
from domains.auth.dependencies import (
    TOKEN_COOKIE,
    authenticate,
    clear_token_cookie,
    client_ip,
    issue_token,
    set_token_cookie,
    user_from_token,
)
from domains.kit.deps import ServicesDep, SessionDep
from domains.kit.templating import render_page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) is a place to return to."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/calls"


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/calls", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render_page(request, "login.html", None, next=_safe_next(next), error=None)


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
        page = render_page(request, "login.html", None, next=_safe_next(next), error=exc.message)
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
    response = RedirectResponse("/login", status_code=303)
    clear_token_cookie(response)
    return response
