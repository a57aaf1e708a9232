"""The admin's sources page: each source's counts, last run and error, the unassigned queue
(with a form mapping its agent reference to an agent) and the latest quarantined objects."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from core.errors import CallReviewError
from domains.auth.dependencies import Admin
from domains.ingestion import service
from domains.ingestion.schemas import MappingIn
from domains.kit.deps import ServicesDep, SessionDep
from domains.kit.templating import templates
from models.accounts import Role, User

router = APIRouter(include_in_schema=False)


@router.get("/admin/sources")
def sources_page(request: Request, session: SessionDep, user: Admin) -> Response:
    sources = service.list_sources(session)
    names = {src.id: src.name for src, _ in sources}
    agents = list(
        session.scalars(
            select(User).where(User.role == Role.agent, User.active.is_(True)).order_by(User.name)
        )
    )
    return templates.TemplateResponse(
        request,
        "ingest_sources.html",
        {
            "user": user,
            "is_reviewer": True,
            "sources": sources,
            "names": names,
            "held": service.held_objects(session),
            "problems": service.recent_problems(session),
            "agents": agents,
            "message": request.query_params.get("done", "")[:200],
            "error": request.query_params.get("error", "")[:300],
        },
    )


@router.post("/admin/sources/{name}/mappings")
def map_from_page(
    name: str,
    svc: ServicesDep,
    session: SessionDep,
    user: Admin,
    ref_kind: Annotated[str, Form(max_length=20)],
    ref: Annotated[str, Form(min_length=1, max_length=300)],
    agent_id: Annotated[uuid.UUID, Form()],
) -> Response:
    try:
        src = service.get_source(session, name)
        data = MappingIn(ref_kind=ref_kind, ref=ref, agent_id=agent_id)  # type: ignore[arg-type]
        released = service.map_agent(svc, session, src, data, actor_id=user.id)
    except CallReviewError as exc:
        session.rollback()
        return _back(error=exc.message)
    except ValueError as exc:  # pydantic: an unknown reference kind
        session.rollback()
        return _back(error=str(exc).splitlines()[0])
    return _back(done=f"{ref_kind} {ref!r} mapped; {released} held call(s) released")


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse("/admin/sources?" + urlencode(params), status_code=303)
