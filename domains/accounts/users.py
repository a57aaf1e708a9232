"""User accounts."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from core.passwords import hash_password, password_problem
from domains.audit import service as audit
from models.accounts import Role, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    team: str | None = None,
    by: uuid.UUID | None = None,
) -> uuid.UUID:
    """``by``: the admin who created the account (None: the CLI). Audited."""
    if role not in Role.__members__:
        raise InvalidInput(f"role must be one of {', '.join(Role.__members__)}, not {role!r}")
    if not _EMAIL.match(email):
        raise InvalidInput(f"not an e-mail address: {email!r}")
    if not name.strip():
        raise InvalidInput("name must not be empty")
    if problem := password_problem(password, email=email, name=name.strip()):
        raise InvalidInput(problem)
    taken = session.scalar(select(User.id).where(or_(User.email == email, User.name == name)))
    if taken is not None:
        raise Conflict(f"a user with e-mail {email!r} or name {name!r} already exists")
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        team=team,
        password_hash=hash_password(password),
    )
    try:
        with session.begin_nested():  # a racing twin loses only this insert (flushed: the id)
            session.add(user)
    except IntegrityError as exc:
        raise Conflict(f"a user with e-mail {email!r} or name {name!r} already exists") from exc
    audit.record(
        session,
        actor_id=by,
        action="user.created",
        entity="user",
        entity_id=user.id,
        role=role,
        team=team,
    )
    return user.id


def visible_users(session: Session, user: User, *, role: Role | None = None) -> list[User]:
    """Admins and QA analysts see every account; a supervisor sees their team; agents only
    themselves."""
    query = select(User).order_by(User.name)
    if user.role == Role.supervisor and user.team:
        query = query.where(User.team == user.team)
    elif user.role in (Role.supervisor, Role.agent):
        query = query.where(User.id == user.id)
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))
