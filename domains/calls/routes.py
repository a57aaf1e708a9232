"""Calls: upload, list, the review result, the recording and clips, retry."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from domains.audit import service as audit
from domains.auth.access import visible_agent, visible_call
from domains.auth.dependencies import CurrentUser, Reviewer, Uploader, require_roles
from domains.calls import clips, listing
from domains.calls.intake import submit_upload
from domains.calls.params import CallFiltersDep
from domains.calls.retention import delete_call
from domains.calls.scorability import score_anyway
from domains.calls.service import get_call, reassign, retry
from domains.kit.deps import ServicesDep, SessionDep
from domains.kit.unit_of_work import enqueue_after_commit
from domains.reviews.calibration import ensure_not_blind
from domains.reviews.overrides import override_verdict
from domains.reviews.schemas import ReviewResult
from domains.reviews.service import read_review
from models.accounts import Role, User
from scoring.types import Verdict

router = APIRouter(tags=["calls"])
# Deleting a call (an erasure request, a wrong upload) is for admins and QA analysts.
Eraser = Annotated[User, require_roles(Role.admin, Role.qa_analyst)]


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
    kind: str
    score: float | None
    auto_failed: bool | None
    evaluation_source: str | None
    provisional: bool | None = None
    not_scorable_reason: str | None = None


CallSort = Literal["newest", "oldest", "score_low", "score_high", "longest", "agent"]


class CallPage(BaseModel):
    items: list[CallSummary]
    total: int
    limit: int
    offset: int


@router.post("/calls", status_code=202, response_model=SubmittedOut)
def upload_call(
    svc: ServicesDep,
    session: SessionDep,
    user: Uploader,
    file: Annotated[UploadFile, File(description="audio or transcript file")],
    agent_id: Annotated[uuid.UUID, Form()],
    response: Response,
) -> SubmittedOut:
    """Store the upload and queue it. The same recording for the same agent is answered with
    the existing call (200, ``duplicate: true``) instead of a second one."""
    visible_agent(session, user, agent_id)
    # Give the request's connection back before the (long) upload: it would otherwise be
    # held while the body is stored, and 16 uploads at once exhausted the pool. Nothing is
    # pending yet; the session starts a new transaction when it is next used.
    session.close()
    submitted = submit_upload(
        svc, session, file.file, filename=file.filename or "", agent_id=agent_id
    )
    audit.record(
        session,
        actor_id=user.id,
        action="call.uploaded" if submitted.created else "call.uploaded_again",
        entity="call",
        entity_id=submitted.call_id,
        agent_id=str(agent_id),
    )
    if submitted.created:
        enqueue_after_commit(session, submitted.call_id)
    else:
        response.status_code = 200
    status = get_call(session, submitted.call_id).status
    return SubmittedOut(
        call_id=submitted.call_id, status=status.value, duplicate=not submitted.created
    )


@router.get("/calls", response_model=CallPage)
def list_calls(
    session: SessionDep,
    user: CurrentUser,
    filters: CallFiltersDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    sort: Annotated[CallSort, Query(description="the order of the list")] = "newest",
) -> CallPage:
    """The calls you may see, newest first (or by ``sort``). Score filters and ``auto_failed``
    match the call's current evaluation (a human override counts); ``q`` searches file and
    agent names."""
    page = listing.list_calls(session, user, filters, limit=limit, offset=offset, sort=sort)
    return CallPage(
        items=[CallSummary(**asdict(item)) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/calls/{call_id}", response_model=ReviewResult)
def get_review(call_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ReviewResult:
    """The review result: transcript, evaluation, moments and feedback."""
    visible_call(session, user, call_id)
    ensure_not_blind(session, user, call_id)
    return read_review(session, call_id)


@router.get(
    "/calls/{call_id}/audio",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"audio/*": {}, "application/octet-stream": {}},
            "description": "the recording",
        },
        206: {"description": "the requested byte range"},
    },
)
def get_audio(
    call_id: uuid.UUID, svc: ServicesDep, session: SessionDep, user: CurrentUser, request: Request
) -> FileResponse:
    """The original recording; supports HTTP Range for seeking."""
    call = visible_call(session, user, call_id)
    if call.kind != "audio":
        raise InvalidInput("this call was reviewed from a transcript and has no audio")
    path = svc.storage.path(call.redacted_storage_key or call.storage_key)
    media = clips.media_type(path)
    if _starts_playback(request):  # not every seek: a player sends a Range request per jump
        _record_listen(session, user, call_id, "call.audio_played")
    return FileResponse(path, media_type=media, filename=f"call-{call.id}{path.suffix}")


def _starts_playback(request: Request) -> bool:
    value = request.headers.get("range", "")
    return not value or value.replace(" ", "").startswith("bytes=0-")


def _record_listen(
    session: Session, user: User, call_id: uuid.UUID, action: str, **details: Any
) -> None:
    audit.record(
        session, actor_id=user.id, action=action, entity="call", entity_id=call_id, **details
    )


@router.get(
    "/calls/{call_id}/clip",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}, "description": "a WAV clip"}},
)
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
    stored = svc.storage.path(call.redacted_storage_key or call.storage_key)
    data = clips.cut_wav(stored, start, end)
    _record_listen(session, user, call_id, "call.clip_played", start=start, end=end)
    return Response(data, media_type="audio/wav")


@router.delete(
    "/calls/{call_id}",
    status_code=204,
    response_class=Response,
    responses={404: {"description": "no such call"}},
)
def erase_call(
    call_id: uuid.UUID,
    svc: ServicesDep,
    session: SessionDep,
    user: Eraser,
    reason: Annotated[str, Query(min_length=1, max_length=500, pattern=r"^[^\x00]*$")],
) -> Response:
    """Delete the call with everything derived from it: recording (original and redacted),
    transcript, evaluations, moments, feedback and reviews. Audited with the reason."""
    visible_call(session, user, call_id)
    delete_call(svc, session, call_id, actor_id=user.id, reason=reason)
    return Response(status_code=204)


class ReassignIn(BaseModel):
    agent_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")


class ReassignedOut(BaseModel):
    call_id: uuid.UUID
    agent_id: uuid.UUID
    agent: str


@router.post(
    "/calls/{call_id}/reassign",
    response_model=ReassignedOut,
    responses={409: {"description": "already this agent's, or the agent has this recording"}},
)
def reassign_call(
    call_id: uuid.UUID, body: ReassignIn, session: SessionDep, user: Eraser
) -> ReassignedOut:
    """Give the call to another agent (picked wrongly at upload); audited with the reason."""
    call = visible_call(session, user, call_id)
    visible_agent(session, user, body.agent_id)
    agent = reassign(session, call, body.agent_id, by=user, reason=body.reason.strip())
    return ReassignedOut(call_id=call.id, agent_id=agent.id, agent=agent.name)


@router.post("/calls/{call_id}/retry", status_code=202, response_model=SubmittedOut)
def retry_call(call_id: uuid.UUID, session: SessionDep, user: Reviewer) -> SubmittedOut:
    """Resume a failed call from the step that failed."""
    visible_call(session, user, call_id)
    retry(session, call_id)
    return SubmittedOut(call_id=call_id, status=get_call(session, call_id).status.value)


class ScoreAnywayIn(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"^[^\x00]*$",  # PostgreSQL text cannot hold NUL
        description="why this recording should be scored after all",
    )


@router.post(
    "/calls/{call_id}/score-anyway",
    status_code=202,
    response_model=SubmittedOut,
    responses={409: {"description": "the call is not marked not scorable"}},
)
def score_not_scorable_call(
    call_id: uuid.UUID,
    body: ScoreAnywayIn,
    session: SessionDep,
    user: Reviewer,
) -> SubmittedOut:
    """Score a call the scorability check marked not scorable (it was a customer
    conversation after all). The check's verdict is kept on the call; recorded in the audit
    log."""
    call = visible_call(session, user, call_id)
    score_anyway(session, call, reason=body.reason, by=user)
    enqueue_after_commit(session, call_id)
    return SubmittedOut(call_id=call_id, status=get_call(session, call_id).status.value)


class OverrideIn(BaseModel):
    verdict: Verdict
    reason: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"^[^\x00]*$",  # PostgreSQL text cannot hold NUL
        description="why the AI verdict is wrong",
    )


class OverrideOut(BaseModel):
    call_id: uuid.UUID
    criterion_id: str
    verdict: str
    previous_verdict: str
    reason: str
    points: float
    max_points: float
    score: float
    auto_failed: bool
    previous_score: float
    evaluation_id: uuid.UUID
    evaluation_source: str = "human"
    # Still provisional after this verdict: another unsure critical fail waits for a human.
    provisional: bool = False


@router.put(
    "/calls/{call_id}/criteria/{criterion_id}",
    response_model=OverrideOut,
    responses={409: {"description": "the call is not scored yet"}},
)
def override_criterion(
    call_id: uuid.UUID,
    criterion_id: Annotated[str, PathParam(max_length=100)],
    body: OverrideIn,
    session: SessionDep,
    user: Reviewer,
) -> OverrideOut:
    """Override one verdict with a reason. The AI evaluation is kept; a human copy becomes the
    call's current evaluation and its score is recomputed. Recorded in the audit log."""
    call = visible_call(session, user, call_id)
    result = override_verdict(
        session, call, criterion_id, verdict=body.verdict, reason=body.reason, by=user
    )
    return OverrideOut(**asdict(result))
