"""Calls: upload, list, the review result, the recording and clips, retry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select

from core.errors import InvalidInput
from models.orm import Call, CallStatus
from pipeline import clips
from pipeline.intake import submit_upload
from pipeline.results import load_review
from pipeline.access import scope_calls, visible_agent, visible_call
from pipeline.steps import get_call, retry

from api.auth import CurrentUser, Reviewer, Uploader
from api.deps import RunnerDep, ServicesDep, SessionDep

router = APIRouter(tags=["calls"])


class SubmittedOut(BaseModel):
    call_id: uuid.UUID
    status: str
    duplicate: bool = False


class CallSummary(BaseModel):
    call_id: uuid.UUID
    agent_id: uuid.UUID
    agent: str
    status: str
    filename: str
    duration_s: float | None
    created_at: datetime
    scored_at: datetime | None
    error: str | None


class CallPage(BaseModel):
    items: list[CallSummary]
    total: int
    limit: int
    offset: int


@router.post("/calls", status_code=202, response_model=SubmittedOut)
def upload_call(
    svc: ServicesDep,
    session: SessionDep,
    runner: RunnerDep,
    user: Uploader,
    file: Annotated[UploadFile, File(description="audio or transcript file")],
    agent_id: Annotated[uuid.UUID, Form()],
    response: Response,
) -> SubmittedOut:
    """Store the upload and queue it. The same recording for the same agent is answered with
    the existing call (200, ``duplicate: true``) instead of a second one."""
    visible_agent(session, user, agent_id)
    submitted = submit_upload(svc, file.file, filename=file.filename or "", agent_id=agent_id)
    with svc.session_factory() as s:
        status = get_call(s, submitted.call_id).status
    if submitted.created:
        runner.enqueue(submitted.call_id)
    else:
        response.status_code = 200
    return SubmittedOut(call_id=submitted.call_id, status=status.value, duplicate=not submitted.created)


@router.get("/calls", response_model=CallPage)
def list_calls(
    session: SessionDep,
    user: CurrentUser,
    agent_id: uuid.UUID | None = None,
    status: CallStatus | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CallPage:
    query = scope_calls(select(Call), user)
    if agent_id is not None:
        query = query.where(Call.agent_id == agent_id)
    if status is not None:
        query = query.where(Call.status == status)
    if since is not None:
        query = query.where(Call.created_at >= since)
    if until is not None:
        query = query.where(Call.created_at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Call.created_at.desc(), Call.id).limit(limit).offset(offset)
    )
    items = [
        CallSummary(
            call_id=c.id,
            agent_id=c.agent_id,
            agent=c.agent.name,
            status=c.status.value,
            filename=c.original_filename,
            duration_s=c.duration_s,
            created_at=c.created_at,
            scored_at=c.scored_at,
            error=c.error,
        )
        for c in rows
    ]
    return CallPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/calls/{call_id}")
def get_review(call_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """The review result: transcript, evaluation, moments and feedback."""
    visible_call(session, user, call_id)
    return load_review(session, call_id)


@router.get("/calls/{call_id}/audio")
def get_audio(
    call_id: uuid.UUID, svc: ServicesDep, session: SessionDep, user: CurrentUser
) -> FileResponse:
    """The original recording; supports HTTP Range for seeking."""
    call = visible_call(session, user, call_id)
    if call.kind != "audio":
        raise InvalidInput("this call was reviewed from a transcript and has no audio")
    path = svc.storage.path(call.storage_key)
    media = clips.media_type(path)
    return FileResponse(path, media_type=media, filename=f"call-{call.id}{path.suffix}")


@router.get("/calls/{call_id}/clip")
def get_clip(
    call_id: uuid.UUID,
    svc: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    start: Annotated[float, Query(ge=0)],
    end: Annotated[float, Query(gt=0)],
) -> Response:
    """A WAV clip of any span of the recording."""
    call = visible_call(session, user, call_id)
    if call.kind != "audio":
        raise InvalidInput("this call was reviewed from a transcript and has no audio")
    data = clips.cut_wav(svc.storage.path(call.storage_key), start, end)
    return Response(data, media_type="audio/wav")


@router.post("/calls/{call_id}/retry", status_code=202, response_model=SubmittedOut)
def retry_call(
    call_id: uuid.UUID, svc: ServicesDep, session: SessionDep, runner: RunnerDep, user: Reviewer
) -> SubmittedOut:
    """Resume a failed call from the step that failed."""
    visible_call(session, user, call_id)
    retry(svc, call_id)
    runner.enqueue(call_id)
    with svc.session_factory() as s:
        status = get_call(s, call_id).status
    return SubmittedOut(call_id=call_id, status=status.value)
