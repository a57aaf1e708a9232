"""Log in (OAuth2 password flow) and who am I."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from domains.accounts.service import change_password, revoke_tokens
from domains.auth.dependencies import CurrentUser, authenticate, client_ip, issue_token
from domains.kit.deps import ServicesDep, SessionDep
from models.accounts import User

router = APIRouter(tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class UserOut(BaseModel):
    id: uuid.UUID
    email: str | None
    name: str
    role: str
    team: str | None
    active: bool = True

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role.value,
            team=user.team,
            active=user.active,
        )


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={429: {"description": "too many failed logins (Retry-After says how long)"}},
)
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    svc: ServicesDep,
    session: SessionDep,
) -> TokenOut:
    """``username`` is the e-mail address. Failed logins are throttled per account and per
    address (429 with ``Retry-After``); every attempt is audited."""
    user = authenticate(
        session, form.username, form.password, ip=client_ip(request), settings=svc.settings
    )
    return TokenOut(access_token=issue_token(user, svc.settings))


@router.post("/auth/logout", status_code=204)
def logout(session: SessionDep, user: CurrentUser) -> Response:
    """End every session of the caller: all their tokens stop working."""
    revoke_tokens(session, user, by=user, reason="logout")
    return Response(status_code=204)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


@router.post("/users/me/password", status_code=204)
def change_my_password(body: PasswordChangeIn, session: SessionDep, user: CurrentUser) -> Response:
    """Change your password (at least 12 characters, not your e-mail or name, not a common
    one); every existing token, this one included, stops working."""
    change_password(session, user, body.current_password, body.new_password)
    return Response(status_code=204)


@router.get("/users/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)
