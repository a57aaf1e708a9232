"""Humans in the loop: the needs-review queue, confirming a verdict, AI-vs-human agreement,
agents' disputes, and blind calibration sessions."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from domains.auth.access import visible_call
from domains.auth.dependencies import CurrentUser, Reviewer, require_roles
from domains.calls.routes import OverrideOut
from domains.kit.deps import SessionDep
from domains.reviews import calibration, comments, disputes
from domains.reviews.agreement import agreement_report
from domains.reviews.policy import review_policy
from domains.reviews.queue import confirm_confident, confirm_verdict, review_queue
from domains.reviews.workflow_schemas import (
    AgreementReportRead,
    CalibrationSessionRead,
    CalibrationSummaryRead,
    CommentListRead,
    CommentRead,
    DisputeRead,
    ReviewQueueRead,
)
from models.accounts import Role, User
from models.reviews import DisputeStatus
from scoring.types import Verdict

router = APIRouter(tags=["reviews"])

CalibrationLead = Annotated[User, require_roles(Role.admin, Role.qa_analyst)]
CriterionId = Annotated[str, PathParam(max_length=100)]
NoNul = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL


# ---------------------------------------------------------------------------------- the queue
@router.get("/reviews/queue", response_model=ReviewQueueRead)
def queue(
    session: SessionDep,
    user: Reviewer,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Scored calls you may see whose verdicts wait for a human, oldest first: confidence
    under ``CALLREVIEW_REVIEW_CONFIDENCE_THRESHOLD`` or a criterion flagged untrusted, not yet
    overridden or confirmed."""
    return review_queue(session, user, limit=limit, offset=offset)


class ConfirmIn(BaseModel):
    note: str | None = Field(None, max_length=2000, pattern=NoNul)


@router.post("/calls/{call_id}/criteria/{criterion_id}/confirm", response_model=OverrideOut)
def confirm(
    call_id: uuid.UUID,
    criterion_id: CriterionId,
    session: SessionDep,
    user: Reviewer,
    body: ConfirmIn | None = None,
) -> OverrideOut:
    """Confirm a verdict without changing it: it leaves the queue and counts for agreement."""
    call = visible_call(session, user, call_id)
    result = confirm_verdict(session, call, criterion_id, note=body.note if body else None, by=user)
    return OverrideOut(**asdict(result))


class ConfirmConfidentIn(BaseModel):
    min_confidence: float = Field(0.9, ge=0.5, le=1.0)


class ConfirmedOut(BaseModel):
    call_id: uuid.UUID
    confirmed: list[str]


@router.post("/calls/{call_id}/confirm-confident", response_model=ConfirmedOut)
def confirm_confident_verdicts(
    call_id: uuid.UUID, body: ConfirmConfidentIn, session: SessionDep, user: Reviewer
) -> ConfirmedOut:
    """Bulk confirm: every verdict no human has checked whose confidence is at least
    ``min_confidence``; each is audited as a confirmation."""
    call = visible_call(session, user, call_id)
    done = confirm_confident(session, call, min_confidence=body.min_confidence, by=user)
    return ConfirmedOut(call_id=call.id, confirmed=done)


# ------------------------------------------------------------------------------- comments
# The length is the service's to check: its message says how long the comment was.
class CommentIn(BaseModel):
    body: str = Field(min_length=1, pattern=NoNul)
    criterion_id: str | None = Field(
        None, max_length=100, description="the criterion it explains; empty: the whole call"
    )
    internal: bool = Field(False, description="for reviewers only; the agent does not see it")


class CommentEditIn(BaseModel):
    body: str | None = Field(None, min_length=1, pattern=NoNul)
    internal: bool | None = None


@router.get("/calls/{call_id}/comments", response_model=CommentListRead)
def list_comments(call_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """The comments on the call, oldest first; an agent does not see internal ones."""
    visible_call(session, user, call_id)
    items = comments.comments_on(session, call_id, user)
    return {"items": [comments.comment_json(c) for c in items]}


@router.post("/calls/{call_id}/comments", response_model=CommentRead, status_code=201)
def add_comment(
    call_id: uuid.UUID, body: CommentIn, session: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    """Comment on one criterion (``criterion_id``) or on the call as a whole (reviewers)."""
    call = visible_call(session, user, call_id)
    comment = comments.add_comment(
        session, call, user, body.body, criterion_id=body.criterion_id, internal=body.internal
    )
    return comments.comment_json(comment)


@router.patch("/calls/{call_id}/comments/{comment_id}", response_model=CommentRead)
def edit_comment(
    call_id: uuid.UUID,
    comment_id: uuid.UUID,
    body: CommentEditIn,
    session: SessionDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """Change a comment's words or who sees it (its author or an admin; audited)."""
    call = visible_call(session, user, call_id)
    comment = comments.edit_comment(
        session, call, comment_id, user, body=body.body, internal=body.internal
    )
    return comments.comment_json(comment)


@router.delete("/calls/{call_id}/comments/{comment_id}", status_code=204, response_class=Response)
def delete_comment(
    call_id: uuid.UUID, comment_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    """Delete a comment (its author or an admin); the audit log keeps its words."""
    call = visible_call(session, user, call_id)
    comments.delete_comment(session, call, comment_id, user)
    return Response(status_code=204)


# ------------------------------------------------------------------------------ agreement
@router.get("/analytics/agreement", response_model=AgreementReportRead)
def agreement(
    session: SessionDep,
    user: Reviewer,
    rubric: Annotated[str | None, Query(max_length=200, pattern=NoNul)] = None,
) -> dict[str, Any]:
    """Per rubric version and criterion, over every verdict a human overrode or confirmed:
    accuracy, Cohen's kappa (pass/fail/na), confusion counts ``confusion[ai][human]`` and the
    ``untrusted`` flag (under the bar with at least ``min_reviews`` reviewed verdicts)."""
    return agreement_report(session, review_policy(), rubric=rubric)


# -------------------------------------------------------------------------------- disputes
class DisputeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, pattern=NoNul)
    verdict: Verdict | None = Field(
        None, description="the verdict you believe is right (default: the opposite one)"
    )


class ResolveIn(BaseModel):
    outcome: Literal["accept", "reject", "change"]
    reason: str = Field(min_length=1, max_length=2000, pattern=NoNul)
    verdict: Verdict | None = Field(None, description="the new verdict (outcome 'change')")


@router.post(
    "/calls/{call_id}/criteria/{criterion_id}/disputes",
    response_model=DisputeRead,
    status_code=201,
)
def open_dispute(
    call_id: uuid.UUID,
    criterion_id: CriterionId,
    body: DisputeIn,
    session: SessionDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """An agent disputes a verdict on their own call, with a reason."""
    call = visible_call(session, user, call_id)
    dispute = disputes.open_dispute(
        session, call, criterion_id, reason=body.reason, requested_verdict=body.verdict, by=user
    )
    return disputes.dispute_json(dispute)


@router.get("/disputes", response_model=list[DisputeRead])
def list_disputes(
    session: SessionDep, user: CurrentUser, status: DisputeStatus | None = None
) -> list[dict[str, Any]]:
    """Agents: the disputes on their calls and their outcomes; reviewers: those they may see."""
    return [disputes.dispute_json(d) for d in disputes.list_disputes(session, user, status=status)]


@router.get("/disputes/{dispute_id}", response_model=DisputeRead)
def get_dispute(dispute_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return disputes.dispute_json(disputes.get_dispute(session, user, dispute_id))


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeRead)
def resolve_dispute(
    dispute_id: uuid.UUID, body: ResolveIn, session: SessionDep, user: Reviewer
) -> dict[str, Any]:
    """Accept (the verdict becomes the one asked for), reject (it stands, with a reason) or
    change it to a third verdict. Verdict changes recompute the score; all is audited."""
    dispute = disputes.get_dispute(session, user, dispute_id)
    disputes.resolve_dispute(
        session, dispute, outcome=body.outcome, reason=body.reason, verdict=body.verdict, by=user
    )
    return disputes.dispute_json(dispute)


# ----------------------------------------------------------------------------- calibration
class CalibrationIn(BaseModel):
    call_id: uuid.UUID
    participants: list[uuid.UUID] = Field(min_length=2, max_length=50)
    title: str = Field("", max_length=200, pattern=NoNul)


class AnswersIn(BaseModel):
    answers: dict[str, Verdict] = Field(max_length=200)
    notes: dict[str, Annotated[str, Field(max_length=2000, pattern=NoNul)]] = Field(
        default_factory=dict, max_length=200
    )


class CloseIn(BaseModel):
    final: dict[str, Verdict] = Field(
        default_factory=dict,
        max_length=200,
        description="the lead's final answers; other criteria take the strict majority",
    )


@router.post("/calibrations", response_model=CalibrationSessionRead, status_code=201)
def create_calibration(
    body: CalibrationIn, session: SessionDep, user: CalibrationLead
) -> dict[str, Any]:
    """Open a blind calibration session on a scored call for several analysts."""
    call = visible_call(session, user, body.call_id)
    cal = calibration.create_session(
        session, call, participant_ids=body.participants, title=body.title, by=user
    )
    return calibration.session_json(session, cal, user)


@router.get("/calibrations", response_model=list[CalibrationSummaryRead])
def list_calibrations(session: SessionDep, user: Reviewer) -> list[dict[str, Any]]:
    """Sessions you lead or take part in (admins: all)."""
    return [
        {
            "id": str(c.id),
            "call_id": str(c.call_id),
            "title": c.title,
            "status": c.status.value,
            "created_at": c.created_at.isoformat(),
            "participants": len(c.participants),
            "submitted": sum(p.submitted_at is not None for p in c.participants),
        }
        for c in calibration.list_sessions(session, user)
    ]


@router.get("/calibrations/{session_id}", response_model=CalibrationSessionRead)
def get_calibration(session_id: uuid.UUID, session: SessionDep, user: Reviewer) -> dict[str, Any]:
    """Blind until you submit: your own answers only and no AI verdicts. Closed sessions
    carry ``results``: spread per criterion and each analyst's distance."""
    cal = calibration.get_session(session, user, session_id)
    return calibration.session_json(session, cal, user)


@router.put("/calibrations/{session_id}/answers", response_model=CalibrationSessionRead)
def submit_answers(
    session_id: uuid.UUID, body: AnswersIn, session: SessionDep, user: Reviewer
) -> dict[str, Any]:
    """Your verdict for every criterion, once."""
    cal = calibration.get_session(session, user, session_id)
    calibration.submit_answers(session, cal, answers=dict(body.answers), notes=body.notes, by=user)
    return calibration.session_json(session, cal, user)


@router.post("/calibrations/{session_id}/close", response_model=CalibrationSessionRead)
def close_calibration(
    session_id: uuid.UUID, session: SessionDep, user: Reviewer, body: CloseIn | None = None
) -> dict[str, Any]:
    """The lead closes the session: agreed answers (final or majority) and the results."""
    cal = calibration.get_session(session, user, session_id)
    calibration.close_session(session, cal, final=dict(body.final) if body else {}, by=user)
    return calibration.session_json(session, cal, user)
