"""Notifications: a row in each recipient's inbox and, when the service has a mail server, an
e-mail, sent once the transaction that caused it has committed (a rollback notifies nobody).
Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.errors import NotFound
from domains.kit.mail import Mail
from domains.kit.unit_of_work import mail_after_commit
from models.accounts import Role, User
from models.calls import Call
from models.notifications import Notification

KINDS = (
    "coaching.delivered",
    "coaching.acknowledged",
    "dispute.opened",
    "dispute.resolved",
    "batch.finished",
    "review.critical_waiting",
    "comment.added",
)


def notify(
    session: Session,
    recipients: Iterable[User],
    *,
    kind: str,
    text: str,
    link: str,
) -> list[Notification]:
    """One notification per active recipient (each once, never the one who acted: the caller
    leaves them out)."""
    assert kind in KINDS, kind
    out = []
    seen: set[uuid.UUID] = set()
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        row = Notification(user_id=user.id, kind=kind, text=text, link=link)
        session.add(row)
        out.append(row)
        if user.email:
            mail_after_commit(session, Mail(user.email, f"callreview: {text}", text, link))
    session.flush()
    return out


def reviewers_of(session: Session, agent: User) -> list[User]:
    """Who handles an agent's disputes: the supervisors of the agent's team and the QA
    analysts."""
    query = select(User).where(
        User.active.is_(True),
        (User.role == Role.qa_analyst)
        | ((User.role == Role.supervisor) & (User.team == agent.team) & (User.team.is_not(None))),
    )
    return list(session.scalars(query.order_by(User.name)))


def critical_fail_waits(session: Session, call: Call, criteria: list[str]) -> None:
    """An unsure critical fail holds the call's score back: its reviewers hear of it."""
    agent = session.get(User, call.agent_id)
    if agent is None:
        return
    names = ", ".join(c.replace("_", " ") for c in criteria) or "a critical criterion"
    notify(
        session,
        reviewers_of(session, agent),
        kind="review.critical_waiting",
        text=f"An unsure critical fail ({names}) on {call.original_filename or 'a call'} of "
        f"{agent.name} waits for a reviewer",
        link=f"/calls/{call.id}",
    )


def inbox(session: Session, user: User, *, limit: int = 50) -> tuple[list[Notification], int]:
    """The user's newest notifications and how many are unread."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id)
        .limit(limit)
    )
    unread = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return list(rows), unread or 0


def mark_read(session: Session, user: User, notification_id: uuid.UUID | None = None) -> int:
    """Mark one (or, without an id, every) notification of ``user`` read; returns how many.
    Another user's notification does not exist for them (404)."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        row = session.get(Notification, notification_id)
        if row is None or row.user_id != user.id:
            raise NotFound(f"notification {notification_id} not found")
        query = query.where(Notification.id == notification_id)
    res = session.execute(
        query.values(read_at=datetime.now(UTC)).execution_options(synchronize_session=False)
    )
    return int(res.rowcount)  # type: ignore[attr-defined]


def comment_for_agent(session: Session, call: Call, by: User) -> None:
    """A reviewer commented on the agent's call (a comment the agent may read). One unread
    notice per call is enough: eight comments while grading a call are one thing to read."""
    agent = session.get(User, call.agent_id)
    link = f"/calls/{call.id}"
    if agent is None or agent.id == by.id:
        return
    waiting = session.scalar(
        select(Notification.id).where(
            Notification.user_id == agent.id,
            Notification.kind == "comment.added",
            Notification.link == link,
            Notification.read_at.is_(None),
        )
    )
    if waiting is not None:
        return
    notify(
        session,
        [agent],
        kind="comment.added",
        text=f"{by.name} commented on your call {call.original_filename or ''}".rstrip(),
        link=link,
    )
