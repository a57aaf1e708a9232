"""Bearer tokens (signed, expiring) and the current user."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from core.errors import Forbidden, TooManyRequests, Unauthorized
from core.settings import Settings
from domains.accounts.service import attempt_login
from domains.kit.deps import ServicesDep, SessionDep
from models.accounts import Role, User

_ALGORITHM = "HS256"
TOKEN_COOKIE = "callreview_token"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
# The pages (and their own fetches) carry the token in an HttpOnly, SameSite=Strict cookie:
# never readable by scripts, never sent by another site; unsafe requests it authenticates also
# need the session's CSRF token (api/security.py), in case a browser ignores SameSite.
cookie_scheme = APIKeyCookie(name=TOKEN_COOKIE, auto_error=False)


def issue_token(user: User, settings: Settings) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": str(user.id),
        "role": user.role.value,
        "ver": user.token_version or 0,  # revoked by bumping the user's token_version
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_expire_minutes),
    }
    return jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)


def authenticate(
    session: Session, email: str, password: str, *, ip: str, settings: Settings
) -> User:
    """A password login, throttled per account and per address (429 with Retry-After) and
    audited; commits the attempt whatever the outcome."""
    result = attempt_login(session, email, password, ip=ip, settings=settings)
    session.commit()
    if result.retry_after:
        minutes = max(1, -(-result.retry_after // 60))
        raise TooManyRequests(
            f"too many failed logins: try again in {minutes} minute{'s' if minutes > 1 else ''}",
            retry_after=result.retry_after,
        )
    if result.user is None:
        raise Unauthorized("wrong e-mail or password")
    return result.user


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def decode_token(token: str, settings: Settings) -> dict[str, Any]:
    """The claims of a token signed with our secret that has not expired; no database look-up
    (the request guard checks this much before it reads a request body)."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "iat", "sub"]},  # a token without expiry is refused
        )
        uuid.UUID(payload["sub"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired; log in again") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise Unauthorized("invalid token") from exc
    return payload


def user_from_token(session: Session, token: str, settings: Settings) -> User:
    payload = decode_token(token, settings)
    user_id = uuid.UUID(payload["sub"])
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("the token's user no longer exists")
    if payload.get("ver") != (user.token_version or 0):
        raise Unauthorized("the token has been revoked; log in again")
    return user


def current_user(
    svc: ServicesDep,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> User:
    """A bearer token wins over the cookie."""
    token = bearer or cookie
    if not token:
        raise Unauthorized("not authenticated: send 'Authorization: Bearer <token>'")
    return user_from_token(session, token, svc.settings)


def set_token_cookie(response: Response, request: Request, token: str, settings: Settings) -> None:
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=settings.token_expire_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_token_cookie(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Any:
    def dependency(user: CurrentUser) -> User:
        if user.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"this needs one of the roles: {allowed}")
        return user

    return Depends(dependency)


Reviewer = Annotated[User, require_roles(Role.admin, Role.qa_analyst, Role.supervisor)]
Uploader = Annotated[User, require_roles(Role.admin, Role.qa_analyst, Role.supervisor)]
Admin = Annotated[User, require_roles(Role.admin)]
