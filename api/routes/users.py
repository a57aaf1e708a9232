"""Accounts: admins and QA analysts list everyone (QA uploads calls for any agent);
supervisors list their team."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.auth import require_roles
from api.deps import SessionDep
from api.routes.auth import UserOut
from models.orm import Role, User
from pipeline.users import visible_users

router = APIRouter(tags=["users"])

UserManager = Annotated[User, require_roles(Role.admin, Role.qa_analyst, Role.supervisor)]


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, user: UserManager, role: Role | None = None) -> list[UserOut]:
    return [UserOut.of(u) for u in visible_users(session, user, role=role)]
