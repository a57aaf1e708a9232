"""The inbox page: the user's notifications, newest first, each a link to what it is about."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domains.auth.dependencies import CurrentUser
from domains.kit.deps import SessionDep
from domains.kit.templating import render_page
from domains.notifications import service

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    rows, unread = service.inbox(session, user)
    return render_page(request, "inbox.html", user, items=rows, unread=unread)
