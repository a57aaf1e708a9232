"""Coaching: drafts, sessions and their workflow, attachments, training modules, impact.
Routes parse and check access, call one ``pipeline`` function, commit once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from core.errors import NotFound
from domains.auth.dependencies import CurrentUser, Reviewer, require_roles
from domains.coaching import files as coaching_files
from domains.coaching import service as coaching
from domains.coaching import training as coaching_training
from domains.coaching.measure import impact_report
from domains.coaching.schemas import (
    CoachingInboxRead,
    CoachingSessionRead,
    CoachingSummaryRead,
    ImpactReportRead,
    ImportedModulesRead,
    TrainingModuleRead,
)
from domains.kit.deps import ServicesDep, SessionDep
from models.accounts import Role, User

router = APIRouter(prefix="/coaching", tags=["coaching"])
# The training catalog is shared by every team: only admins and QA analysts change it.
CatalogManager = Annotated[User, require_roles(Role.admin, Role.qa_analyst)]
Text = Annotated[str, Field(max_length=20_000, pattern=r"^[^\x00]*$")]
Line = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")]
CriterionId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]


class DraftIn(BaseModel):
    agent_id: uuid.UUID
    since: datetime | None = None
    until: datetime | None = None
    coach_id: uuid.UUID | None = None


class ClipRef(BaseModel):
    call_id: str = Field(max_length=64)
    start: float
    end: float


class FocusIn(BaseModel):
    criterion: CriterionId
    evidence: list[ClipRef] | None = Field(None, description="the clips to keep (default all)")


class GoalIn(BaseModel):
    metric: Literal["criterion_pass_rate", "average_score", "calls_per_day"]
    criterion: CriterionId | None = None
    target: float = Field(ge=0)
    due: date


class TaskIn(BaseModel):
    text: Line
    due: date | None = None
    done: bool = False
    criterion: CriterionId | None = None


class TrainingIn(BaseModel):
    module_id: str = Field(min_length=1, max_length=80, description="module id or key")
    due: date | None = None
    criterion: CriterionId | None = None
    completed_at: str | None = Field(None, max_length=40)


class ActionIn(BaseModel):
    owner: Literal["coach", "agent"]
    text: Line


class SessionPatch(BaseModel):
    """Any field of the session; goals' baselines are measured, so a goal gives its target."""

    feedback: Text | None = None
    strengths: list[Line] | None = None
    recognition: list[Line] | None = None
    focus: list[FocusIn] | None = None
    goals: list[GoalIn] | None = None
    tasks: list[TaskIn] | None = None
    training: list[TrainingIn] | None = None
    action_plan: list[ActionIn] | None = None
    next_meeting_at: datetime | None = None
    private_notes: Text | None = None
    coach_id: uuid.UUID | None = None
    amend_reason: Text | None = Field(
        default=None,
        description="required to change what a delivered session showed the agent (audited)",
    )


class TransitionIn(BaseModel):
    to: Literal["draft", "ready", "delivered", "acknowledged", "closed"]
    agent_feedback: Text | None = None


class DoneIn(BaseModel):
    done: bool = True


class ClipIn(ClipRef):
    call_id: uuid.UUID  # type: ignore[assignment]
    start: float = Field(ge=0)
    end: float = Field(gt=0)
    note: Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")] = ""


class ModuleIn(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")
    title: Line
    description: Text = ""
    url: str | None = Field(None, max_length=1000, pattern=r"^https?://[^\x00\s]+$")
    criteria: list[CriterionId] = Field(default_factory=list)
    duration_min: int | None = Field(None, gt=0, le=10_000)


class ModulePatch(BaseModel):
    title: Line | None = None
    description: Text | None = None
    url: str | None = Field(None, max_length=1000, pattern=r"^https?://[^\x00\s]+$")
    criteria: list[CriterionId] | None = None
    duration_min: int | None = Field(None, gt=0, le=10_000)
    active: bool | None = None


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------- sessions
@router.post("/drafts", response_model=CoachingSessionRead, status_code=201)
def create_draft(
    body: DraftIn, svc: ServicesDep, session: SessionDep, user: Reviewer
) -> CoachingSessionRead:
    """A draft session from the agent's scored calls in the period (default: last 28 days)."""
    agent = coaching.agent_for_draft(session, user, body.agent_id)
    coach = None
    if body.coach_id is not None:
        coach = session.get(User, body.coach_id)
        if coach is None or not coaching.is_coach(coach):
            raise NotFound(f"coach {body.coach_id} not found")
    cs = coaching.create_draft(
        session,
        agent=agent,
        by=user,
        since=body.since,
        until=body.until,
        coach=coach,
        polish_with=coaching.polish_config(svc.settings),
    )
    return coaching.session_read(session, cs, user)


@router.get("/sessions", response_model=list[CoachingSummaryRead])
def list_sessions(
    session: SessionDep,
    user: CurrentUser,
    agent_id: uuid.UUID | None = None,
    status: Literal["draft", "ready", "delivered", "acknowledged", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CoachingSummaryRead]:
    """Sessions you may see, newest first (agents: their own, once delivered)."""
    rows = coaching.list_sessions(session, user, agent_id=agent_id, status=status, limit=limit)
    return coaching.summaries(session, rows, _now())


@router.get("/inbox", response_model=CoachingInboxRead)
def inbox(session: SessionDep, user: Reviewer) -> CoachingInboxRead:
    """Drafts to review, sessions ready to deliver or waiting for the agent, follow-ups due."""
    return coaching.inbox(session, user)


@router.get("/sessions/{session_id}", response_model=CoachingSessionRead)
def get_session(
    session_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> CoachingSessionRead:
    cs = coaching.visible_session(session, user, session_id)
    return coaching.session_read(session, cs, user)


@router.patch("/sessions/{session_id}", response_model=CoachingSessionRead)
def patch_session(
    session_id: uuid.UUID, body: SessionPatch, session: SessionDep, user: Reviewer
) -> CoachingSessionRead:
    """Edit any field. Once delivered, only private notes, tasks, training and the meeting
    date change (409 otherwise); a closed session is read-only."""
    cs = coaching.visible_session(session, user, session_id)
    changes = body.model_dump(mode="json", exclude_unset=True)
    amend_reason = changes.pop("amend_reason", None)
    for key in ("next_meeting_at", "coach_id"):
        if key in changes:
            changes[key] = getattr(body, key)
    coaching.update(session, cs, changes, by=user, amend_reason=amend_reason)
    return coaching.session_read(session, cs, user)


@router.post(
    "/sessions/{session_id}/transition",
    response_model=CoachingSessionRead,
    responses={
        409: {"description": "not a move from this status"},
        422: {"description": "not ready to deliver (action plan, next meeting)"},
    },
)
def transition(
    session_id: uuid.UUID, body: TransitionIn, session: SessionDep, user: CurrentUser
) -> CoachingSessionRead:
    """draft → ready → delivered → acknowledged (the agent, with their own view) → closed."""
    cs = coaching.visible_session(session, user, session_id)
    coaching.transition(session, cs, body.to, by=user, agent_feedback=body.agent_feedback)
    return coaching.session_read(session, cs, user)


@router.post(
    "/sessions/{session_id}/follow-up", response_model=CoachingSessionRead, status_code=201
)
def follow_up(
    session_id: uuid.UUID, svc: ServicesDep, session: SessionDep, user: Reviewer
) -> CoachingSessionRead:
    """A new draft linked to this session, over the calls since it was delivered."""
    previous = coaching.visible_session(session, user, session_id)
    cs = coaching.follow_up(
        session, previous, by=user, polish_with=coaching.polish_config(svc.settings)
    )
    return coaching.session_read(session, cs, user)


@router.post("/sessions/{session_id}/tasks/{index}/done", response_model=CoachingSessionRead)
def task_done(
    session_id: uuid.UUID,
    index: Annotated[int, PathParam(ge=0, le=1000)],
    session: SessionDep,
    user: CurrentUser,
    body: DoneIn,
) -> CoachingSessionRead:
    cs = coaching.visible_session(session, user, session_id)
    coaching.mark_done(session, cs, kind="task", ref=str(index), done=body.done, by=user)
    return coaching.session_read(session, cs, user)


@router.post("/sessions/{session_id}/training/{module_id}/done", response_model=CoachingSessionRead)
def training_done(
    session_id: uuid.UUID,
    module_id: Annotated[str, PathParam(max_length=80)],
    session: SessionDep,
    user: CurrentUser,
    body: DoneIn,
) -> CoachingSessionRead:
    """Mark an assigned training module completed (or not)."""
    cs = coaching.visible_session(session, user, session_id)
    coaching.mark_done(session, cs, kind="training", ref=module_id, done=body.done, by=user)
    return coaching.session_read(session, cs, user)


# ---------------------------------------------------------------------------- attachments
@router.post(
    "/sessions/{session_id}/attachments/clip", response_model=CoachingSessionRead, status_code=201
)
def attach_clip(
    session_id: uuid.UUID, body: ClipIn, session: SessionDep, user: Reviewer
) -> CoachingSessionRead:
    """Attach a span of any call you may see (played from ``/calls/{id}/clip``)."""
    cs = coaching.visible_session(session, user, session_id)
    coaching_files.add_clip(
        session, cs, call_id=body.call_id, start=body.start, end=body.end, note=body.note, by=user
    )
    return coaching.session_read(session, cs, user)


@router.post(
    "/sessions/{session_id}/attachments",
    response_model=CoachingSessionRead,
    status_code=201,
    responses={413: {"description": "too large"}, 415: {"description": "not a supported type"}},
)
def attach_file(
    session_id: uuid.UUID,
    svc: ServicesDep,
    session: SessionDep,
    user: Reviewer,
    file: Annotated[UploadFile, File(description="an image, audio, video or PDF")],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> CoachingSessionRead:
    """Upload an image, audio, video or PDF; its type is read from its bytes."""
    cs = coaching.visible_session(session, user, session_id)
    coaching_files.add_file(
        svc, session, cs, file.file, filename=file.filename or "upload", note=note, by=user
    )
    return coaching.session_read(session, cs, user)


@router.get(
    "/sessions/{session_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def get_attachment(
    session_id: uuid.UUID,
    attachment_id: uuid.UUID,
    svc: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
) -> FileResponse:
    cs = coaching.visible_session(session, user, session_id)
    att = coaching_files.get_attachment(session, cs, attachment_id)
    if att.storage_key is None:
        raise NotFound("this attachment is a clip: play it from its url")
    return FileResponse(
        svc.storage.path(att.storage_key),
        media_type=att.content_type or "application/octet-stream",
        filename=att.filename or "attachment",
    )


@router.delete(
    "/sessions/{session_id}/attachments/{attachment_id}", response_model=CoachingSessionRead
)
def delete_attachment(
    session_id: uuid.UUID, attachment_id: uuid.UUID, session: SessionDep, user: Reviewer
) -> CoachingSessionRead:
    cs = coaching.visible_session(session, user, session_id)
    coaching_files.remove_attachment(session, cs, attachment_id, by=user)
    return coaching.session_read(session, cs, user)


# --------------------------------------------------------------------------------- impact
@router.get("/impact", response_model=ImpactReportRead)
def impact(
    session: SessionDep,
    user: Reviewer,
    agent_id: uuid.UUID | None = None,
    coach_id: uuid.UUID | None = None,
    team: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
) -> dict[str, Any]:
    """Coached criteria's pass rate 28 days before vs after delivery, next to the same agents'
    uncoached criteria (the control), per session, agent, coach, team and overall."""
    return impact_report(session, user, agent_id=agent_id, coach_id=coach_id, team=team)


# ------------------------------------------------------------------------ training modules
@router.get("/training-modules", response_model=list[TrainingModuleRead])
def list_modules(
    session: SessionDep, user: CurrentUser, include_retired: bool = False
) -> list[dict[str, Any]]:
    rows = coaching_training.list_modules(session, include_retired=include_retired)
    return [coaching_training.module_json(r) for r in rows]


@router.post("/training-modules", response_model=TrainingModuleRead, status_code=201)
def create_module(body: ModuleIn, session: SessionDep, user: CatalogManager) -> dict[str, Any]:
    coaching_training.ensure_catalog(session)
    row = coaching_training.create_module(session, body.model_dump(), by=user)
    return coaching_training.module_json(row)


@router.post("/training-modules/import", response_model=ImportedModulesRead)
def import_modules(
    session: SessionDep,
    user: CatalogManager,
    catalog: Annotated[str, Body(media_type="application/yaml", max_length=1_000_000)],
) -> dict[str, Any]:
    """Add or replace modules from a YAML catalog (the shape of the shipped one)."""
    n = coaching_training.import_catalog(session, catalog, by=user)
    return {"modules": n}


@router.patch("/training-modules/{module_id}", response_model=TrainingModuleRead)
def patch_module(
    module_id: uuid.UUID, body: ModulePatch, session: SessionDep, user: CatalogManager
) -> dict[str, Any]:
    row = coaching_training.get_module(session, module_id)
    coaching_training.update_module(session, row, body.model_dump(exclude_unset=True), by=user)
    return coaching_training.module_json(row)


@router.post("/training-modules/{module_id}/content", response_model=TrainingModuleRead)
def upload_module_content(
    module_id: uuid.UUID,
    svc: ServicesDep,
    session: SessionDep,
    user: CatalogManager,
    file: Annotated[UploadFile, File(description="a PDF, video, audio or image")],
) -> dict[str, Any]:
    row = coaching_training.get_module(session, module_id)
    coaching_training.set_content(
        svc, session, row, file.file, filename=file.filename or "content", by=user
    )
    return coaching_training.module_json(row)


@router.get(
    "/training-modules/{module_id}/content",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def module_content(
    module_id: uuid.UUID, svc: ServicesDep, session: SessionDep, user: CurrentUser
) -> FileResponse:
    row = coaching_training.get_module(session, module_id)
    if row.content_key is None:
        raise NotFound("this module has no uploaded content")
    return FileResponse(
        svc.storage.path(row.content_key),
        media_type=row.content_type or "application/octet-stream",
        filename=row.content_filename or "content",
    )
