"""Log in (OAuth2 password flow) and who am I."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.auth import CurrentUser, authenticate, issue_token
from api.deps import ServicesDep, SessionDep
from models.orm import User

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

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id, email=user.email, name=user.name, role=user.role.value, team=user.team
        )


@router.post("/auth/token", response_model=TokenOut)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], svc: ServicesDep, session: SessionDep
) -> TokenOut:
    """``username`` is the e-mail address."""
    user = authenticate(session, form.username, form.password)
    return TokenOut(access_token=issue_token(user, svc.settings))


@router.get("/users/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)
