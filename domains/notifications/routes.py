"""The signed-in user's notifications: the inbox and marking them read."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from domains.auth.dependencies import CurrentUser
from domains.kit.deps import SessionDep
from domains.notifications import service

router = APIRouter(tags=["notifications"])


class NotificationRead(BaseModel):
    id: uuid.UUID
    kind: str
    text: str
    link: str
    created_at: datetime
    read: bool


class InboxRead(BaseModel):
    unread: int
    items: list[NotificationRead]


class MarkedRead(BaseModel):
    marked: int


@router.get("/notifications", response_model=InboxRead)
def my_notifications(session: SessionDep, user: CurrentUser) -> InboxRead:
    """Your newest notifications (50) and how many are unread."""
    rows, unread = service.inbox(session, user)
    return InboxRead(
        unread=unread,
        items=[
            NotificationRead(
                id=n.id,
                kind=n.kind,
                text=n.text,
                link=n.link,
                created_at=n.created_at,
                read=n.read_at is not None,
            )
            for n in rows
        ],
    )


@router.post("/notifications/{notification_id}/read", response_model=MarkedRead)
def read_one(notification_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> MarkedRead:
    return MarkedRead(marked=service.mark_read(session, user, notification_id))


@router.post("/notifications/read", response_model=MarkedRead)
def read_all(session: SessionDep, user: CurrentUser) -> MarkedRead:
    return MarkedRead(marked=service.mark_read(session, user))
