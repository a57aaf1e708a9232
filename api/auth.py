"""Bearer tokens (signed, expiring) and the current user."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import ServicesDep, SessionDep
from core.errors import Forbidden, Unauthorized
from core.passwords import verify_password
from core.settings import Settings
from models.orm import Role, User

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
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_expire_minutes),
    }
    return jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)


def authenticate(session: Session, email: str, password: str) -> User:
    if "\x00" in email:
        raise Unauthorized("wrong e-mail or password")  # PostgreSQL text cannot hold NUL
    user = session.scalar(select(User).where(User.email == email))
    # Verify even for unknown users so timing does not reveal which e-mails exist.
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.active:
        raise Unauthorized("wrong e-mail or password")
    return user


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
