"""'My calls to grade': the reviewer's queue with counts and due dates."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domains.assignments import service
from domains.auth.dependencies import Reviewer
from domains.kit.deps import SessionDep
from domains.kit.templating import render_page

router = APIRouter(include_in_schema=False)


@router.get("/queue")
def queue_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    return render_page(request, "queue.html", user, q=service.my_queue(session, user))
