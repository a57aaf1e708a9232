"""Accounts: password logins with throttling, token revocation, password changes and resets,
deactivation and role changes. Every change goes to the audit log. Helpers add to the caller's
transaction and never commit."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.passwords import hash_password, password_problem, verify_password
from core.settings import Settings
from domains.audit import service as audit
from models.accounts import LoginAttempt, Role, User
from models.base import utcnow
from models.calls import Call

# Attempts older than this are of no use to any window and are pruned.
_KEEP = timedelta(days=1)


@dataclass(frozen=True)
class LoginResult:
    user: User | None  # None: refused
    retry_after: int = 0  # > 0: throttled, no password was checked


def _wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of these failures are inside the window."""
    if len(times) < limit:
        return 0
    release = sorted(times)[len(times) - limit] + window
    return max(1, math.ceil((release - now).total_seconds()))


def _failures(session: Session, *, email: str | None, ip: str | None, since: datetime) -> list:
    query = select(LoginAttempt.at).where(LoginAttempt.success.is_(False), LoginAttempt.at > since)
    if email is not None:
        last_ok = session.scalar(
            select(func.max(LoginAttempt.at)).where(
                LoginAttempt.email == email, LoginAttempt.success.is_(True)
            )
        )
        query = query.where(LoginAttempt.email == email)
        if last_ok is not None and last_ok > since:
            query = query.where(LoginAttempt.at > last_ok)
    if ip is not None:
        query = query.where(LoginAttempt.ip == ip)
    return list(session.scalars(query))


def throttle_wait(session: Session, email: str, ip: str, settings: Settings) -> int:
    now = utcnow()
    window = timedelta(seconds=settings.login_window_s)
    since = now - window
    by_account = _failures(session, email=email, ip=None, since=since)
    by_ip = _failures(session, email=None, ip=ip, since=since)
    return max(
        _wait(by_account, settings.login_max_failures_per_account, window, now),
        _wait(by_ip, settings.login_max_failures_per_ip, window, now),
    )


def attempt_login(
    session: Session, email: str, password: str, *, ip: str, settings: Settings
) -> LoginResult:
    """Check a password login, throttled per account and per address; the attempt and its
    outcome are recorded (the caller commits, whatever the result)."""
    key = email.replace("\x00", "").strip().casefold()[:320]
    ip = (ip or "unknown").replace("\x00", "")[:64]
    if wait := throttle_wait(session, key, ip, settings):
        return LoginResult(None, retry_after=wait)
    user = None
    if "\x00" not in email:  # PostgreSQL text cannot hold NUL
        user = session.scalar(select(User).where(func.lower(User.email) == key).limit(1))
    # Always one scrypt, for unknown users too: timing does not reveal which e-mails exist.
    ok = verify_password(password, user.password_hash if user else None)
    success = user is not None and ok and user.active
    now = utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - _KEEP))
    session.add(LoginAttempt(email=key, ip=ip, success=success, at=now))
    session.flush()
    if success:
        assert user is not None
        audit.record(
            session, actor_id=user.id, action="auth.login_succeeded", entity="user",
            entity_id=user.id, ip=ip,
        )  # fmt: skip
        return LoginResult(user)
    reason = (
        "unknown e-mail"
        if user is None
        else ("deactivated" if not user.active else "wrong password")
    )
    audit.record(
        session, actor_id=None, action="auth.login_failed", entity="user",
        entity_id=user.id if user else "unknown", email=key, ip=ip, reason=reason,
    )  # fmt: skip
    if wait := throttle_wait(session, key, ip, settings):
        audit.record(
            session, actor_id=None, action="auth.login_locked", entity="user",
            entity_id=user.id if user else "unknown", email=key, ip=ip, retry_after=wait,
        )  # fmt: skip
    return LoginResult(None)


def check_password(password: str, *, email: str | None, name: str | None) -> None:
    if problem := password_problem(password, email=email, name=name):
        raise InvalidInput(problem)


def revoke_tokens(session: Session, user: User, *, by: User | None, reason: str) -> None:
    """Every token issued to ``user`` so far stops working."""
    user.token_version = (user.token_version or 0) + 1
    audit.record(
        session, actor_id=by.id if by else None, action="user.tokens_revoked", entity="user",
        entity_id=user.id, reason=reason,
    )  # fmt: skip


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user's own change: needs the current password; ends every other session too."""
    if not verify_password(current, user.password_hash):
        raise Forbidden("the current password is wrong")
    _set_password(session, user, new, by=user, action="user.password_changed")


def reset_password(session: Session, user: User, new: str, *, by: User | None) -> None:
    """An admin's (or the CLI's) reset: ends every session of the user."""
    _set_password(session, user, new, by=by, action="user.password_reset")


def _set_password(session: Session, user: User, new: str, *, by: User | None, action: str) -> None:
    check_password(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.token_version = (user.token_version or 0) + 1
    audit.record(
        session, actor_id=by.id if by else None, action=action, entity="user", entity_id=user.id
    )


def set_active(session: Session, user: User, active: bool, *, by: User | None) -> None:
    if by is not None and by.id == user.id and not active:
        raise Conflict("you cannot deactivate your own account")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.token_version = (user.token_version or 0) + 1
    audit.record(
        session, actor_id=by.id if by else None,
        action="user.reactivated" if active else "user.deactivated", entity="user",
        entity_id=user.id,
    )  # fmt: skip


def change_role(
    session: Session, user: User, role: str, *, by: User | None, team: str | None = None
) -> None:
    if role not in Role.__members__:
        raise InvalidInput(f"role must be one of {', '.join(Role.__members__)}, not {role!r}")
    new = Role(role)
    if by is not None and by.id == user.id and new != user.role:
        raise Conflict("you cannot change your own role")
    if user.role == Role.agent and new != Role.agent:
        calls = session.scalar(
            select(func.count()).select_from(Call).where(Call.agent_id == user.id)
        )
        if calls:
            raise Conflict(f"{user.name} has {calls} calls as an agent: calls belong to agents")
    old_role, old_team = user.role, user.team
    user.role = new
    if team is not None:
        user.team = team or None
    if (old_role, old_team) == (user.role, user.team):
        return
    user.token_version = (user.token_version or 0) + 1
    audit.record(
        session, actor_id=by.id if by else None, action="user.role_changed", entity="user",
        entity_id=user.id, role_from=old_role.value, role_to=new.value, team_from=old_team,
        team_to=user.team,
    )  # fmt: skip


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().casefold()))
    if user is None:
        raise NotFound(f"no user with e-mail {email!r}")
    return user


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user
