"""Accounts: admins and QA analysts list everyone (QA uploads calls for any agent);
supervisors list their team."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from domains.accounts.service import change_role, get_user, reset_password, set_active
from domains.accounts.users import visible_users
from domains.auth.dependencies import Admin, require_roles
from domains.auth.routes import UserOut
from domains.kit.deps import SessionDep
from models.accounts import Role, User

router = APIRouter(tags=["users"])

UserManager = Annotated[User, require_roles(Role.admin, Role.qa_analyst, Role.supervisor)]


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, user: UserManager, role: Role | None = None) -> list[UserOut]:
    return [UserOut.of(u) for u in visible_users(session, user, role=role)]


class UserPatch(BaseModel):
    role: Role | None = None
    team: str | None = Field(None, max_length=100, pattern=r"^[^\x00]*$")
    active: bool | None = None


class PasswordResetIn(BaseModel):
    password: str = Field(max_length=1000)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: uuid.UUID, body: UserPatch, session: SessionDep, user: Admin) -> UserOut:
    """Change a user's role or team, or (de)activate them; audited. A role change or a
    deactivation ends the user's sessions. An agent with calls keeps the agent role."""
    target = get_user(session, user_id)
    if body.role is not None or body.team is not None:
        change_role(session, target, (body.role or target.role).value, by=user, team=body.team)
    if body.active is not None:
        set_active(session, target, body.active, by=user)
    return UserOut.of(target)


@router.post("/users/{user_id}/password", status_code=204)
def reset_user_password(
    user_id: uuid.UUID, body: PasswordResetIn, session: SessionDep, user: Admin
) -> Response:
    """Set a new password for a user (the password policy applies); ends their sessions."""
    reset_password(session, get_user(session, user_id), body.password, by=user)
    return Response(status_code=204)
