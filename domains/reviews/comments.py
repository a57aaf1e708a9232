"""Reviewers' comments on a call: one thread per criterion and one for the call as a whole.

A comment explains a verdict without changing it (an override carries its own reason). The
agent reads the comments on their own calls, except those marked ``internal`` (notes between
reviewers). Only the author, or an admin, edits or deletes one; both are audited with the words
before, so the trail survives the edit. Helpers never commit: the route does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, InvalidInput, NotFound
from domains.audit.service import record
from domains.calls.filters import as_utc
from domains.kit.templating import REVIEWER_ROLES
from domains.notifications.service import comment_for_agent
from domains.reviews.service import current_evaluation
from models.accounts import Role, User
from models.base import utcnow
from models.calls import Call
from models.reviews import ReviewComment

MAX_COMMENT_CHARS = 4000
COMMENTERS = REVIEWER_ROLES
OVERALL = ""  # the key of the call-wide thread in ``comments_by_criterion``


def _clean(body: str) -> str:
    cleaned = body.strip()
    if not cleaned:
        raise InvalidInput("a comment needs some words", field="body")
    if len(cleaned) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            f"a comment is at most {MAX_COMMENT_CHARS} characters (this one is {len(cleaned)})",
            field="body",
        )
    return cleaned


def _check_criterion(session: Session, call: Call, criterion_id: str) -> None:
    evaluation = current_evaluation(session, call.id)
    if evaluation is None:
        raise InvalidInput(
            "this call has no verdicts yet: comment on the call as a whole", field="criterion_id"
        )
    known = [c.criterion_id for c in evaluation.criteria]
    if criterion_id not in known:
        raise InvalidInput(
            f"criterion {criterion_id!r} was not scored on this call (it has: {', '.join(known)})",
            field="criterion_id",
        )


def _audit(session: Session, by: User, action: str, comment: ReviewComment, **details: Any) -> None:
    record(
        session,
        actor_id=by.id,
        action=action,
        entity="call",
        entity_id=comment.call_id,
        comment_id=str(comment.id),
        criterion=comment.criterion_id,
        **details,
    )


def add_comment(
    session: Session,
    call: Call,
    by: User,
    body: str,
    *,
    criterion_id: str | None = None,
    internal: bool = False,
) -> ReviewComment:
    if by.role not in COMMENTERS:
        raise Forbidden("only reviewers comment on a call's verdicts; an agent can dispute one")
    cleaned = _clean(body)
    if criterion_id:
        _check_criterion(session, call, criterion_id)
    comment = ReviewComment(
        call_id=call.id,
        criterion_id=criterion_id or None,
        author_id=by.id,
        body=cleaned,
        internal=internal,
    )
    session.add(comment)
    session.flush()
    _audit(session, by, "comment.added", comment, internal=internal)
    if not internal:
        comment_for_agent(session, call, by)
    return comment


def _own_comment(session: Session, call: Call, comment_id: uuid.UUID, by: User) -> ReviewComment:
    comment = session.get(ReviewComment, comment_id)
    if comment is None or comment.call_id != call.id:
        raise NotFound(f"comment {comment_id} not found on call {call.id}")
    if comment.author_id != by.id and by.role != Role.admin:
        raise Forbidden("only the comment's author or an admin may change it")
    return comment


def edit_comment(
    session: Session,
    call: Call,
    comment_id: uuid.UUID,
    by: User,
    *,
    body: str | None = None,
    internal: bool | None = None,
) -> ReviewComment:
    comment = _own_comment(session, call, comment_id, by)
    before = {"body": comment.body, "internal": comment.internal}
    if body is not None:
        comment.body = _clean(body)
    if internal is not None:
        comment.internal = internal
    if before == {"body": comment.body, "internal": comment.internal}:
        return comment
    comment.edited_at = utcnow()
    if before["internal"] and not comment.internal:  # the agent may read it from now on
        comment_for_agent(session, call, by)
    _audit(session, by, "comment.edited", comment, before=before)
    return comment


def delete_comment(session: Session, call: Call, comment_id: uuid.UUID, by: User) -> None:
    comment = _own_comment(session, call, comment_id, by)
    _audit(session, by, "comment.deleted", comment, body=comment.body,
           author_id=str(comment.author_id))  # fmt: skip
    session.delete(comment)


def comments_on(session: Session, call_id: uuid.UUID, viewer: User) -> list[ReviewComment]:
    """The comments ``viewer`` may read, oldest first (a thread reads top to bottom)."""
    query = select(ReviewComment).where(ReviewComment.call_id == call_id)
    if viewer.role not in COMMENTERS:
        query = query.where(ReviewComment.internal.is_(False))
    return list(session.scalars(query.order_by(ReviewComment.created_at, ReviewComment.id)))


def comment_json(comment: ReviewComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "call_id": comment.call_id,
        "criterion_id": comment.criterion_id,
        "author_id": comment.author_id,
        "author": comment.author.name,
        "body": comment.body,
        "internal": comment.internal,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


def said_about_agent(
    session: Session, agent_id: uuid.UUID, since: datetime, until: datetime, *, limit: int = 20
) -> list[dict[str, Any]]:
    """What reviewers wrote on the agent's calls of [since, until), newest first, for the
    coaching session: the comments the agent may read (never the reviewers-only ones)."""
    rows = session.execute(
        select(ReviewComment, Call.original_filename)
        .join(Call, Call.id == ReviewComment.call_id)
        .where(
            Call.agent_id == agent_id,
            Call.created_at >= since,
            Call.created_at < until,
            ReviewComment.internal.is_(False),
        )
        .order_by(ReviewComment.created_at.desc(), ReviewComment.id)
        .limit(limit)
    ).all()
    return [
        {
            "call_id": str(c.call_id),
            "filename": filename,
            "criterion_id": c.criterion_id,
            "author": c.author.name,
            "body": c.body,
            "created_at": as_utc(c.created_at).isoformat(),
        }
        for c, filename in rows
    ]


def comments_by_criterion(
    session: Session, call_id: uuid.UUID, viewer: User
) -> dict[str, list[dict[str, Any]]]:
    """For the review page: each criterion's thread, and the call-wide one under ``OVERALL``."""
    threads: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for comment in comments_on(session, call_id, viewer):
        threads[comment.criterion_id or OVERALL].append(comment_json(comment))
    return dict(threads)
