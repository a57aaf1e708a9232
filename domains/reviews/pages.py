"""Pages of the review workflow: agreement, disputes, calibration sessions, rubrics. They read
through the same services as the API; their forms post to the JSON API (static/reviews.js)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from domains.accounts.users import visible_users
from domains.auth.dependencies import CurrentUser, Reviewer, require_roles
from domains.kit.deps import SessionDep
from domains.kit.templating import REVIEWER_ROLES, render_page
from domains.reviews import calibration, disputes
from domains.reviews.agreement import agreement_report
from domains.reviews.policy import review_policy
from domains.rubrics import admin as rubric_admin
from models.accounts import Role
from models.calls import Call, TranscriptRow
from models.reviews import DisputeStatus

router = APIRouter(include_in_schema=False)


@router.get("/analytics/agreement")
def agreement_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    report = agreement_report(session, review_policy(), rubric=request.query_params.get("rubric"))
    return render_page(request, "agreement.html", user, report=report)


@router.get("/disputes")
def disputes_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    raw = request.query_params.get("status") or ""
    status = DisputeStatus(raw) if raw in DisputeStatus.__members__ else None
    items = []
    for d in disputes.list_disputes(session, user, status=status):
        item = disputes.dispute_json(d)
        # offer only the verdicts the criterion's rubric version allows (no N/A it then refuses)
        item["verdict_choices"] = disputes.verdict_choices(session, d)
        items.append(item)
    return render_page(
        request,
        "disputes.html",
        user,
        items=items,
        status=status.value if status else "",
        statuses=[s.value for s in DisputeStatus],
        can_resolve=user.role in REVIEWER_ROLES,
    )


@router.get("/calibrations")
def calibrations_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    sessions = calibration.list_sessions(session, user)
    analysts = [u for u in visible_users(session, user) if u.role != Role.agent]
    return render_page(
        request,
        "calibrations.html",
        user,
        sessions=sessions,
        analysts=analysts,
        can_create=user.role in calibration.LEADS,
        call_id=request.query_params.get("call_id", ""),
    )


@router.get("/calibrations/{session_id}")
def calibration_page(
    request: Request, session_id: uuid.UUID, session: SessionDep, user: Reviewer
) -> Response:
    cal = calibration.get_session(session, user, session_id)
    data = calibration.session_json(session, cal, user)
    me = next((p for p in data["participants"] if p["user_id"] == str(user.id)), None)
    call = session.get(Call, cal.call_id)
    transcript = session.scalar(select(TranscriptRow).where(TranscriptRow.call_id == cal.call_id))
    return render_page(
        request,
        "calibration.html",
        user,
        cal=data,
        me=me,
        # the call to judge, beside the form: its recording and its words, never its verdicts
        has_audio=call is not None and call.kind == "audio",
        segments=transcript.segments if transcript is not None else [],
        is_lead=user.role == Role.admin or cal.lead_id == user.id,
    )


RubricManager = require_roles(Role.admin, Role.qa_analyst)


@router.get("/rubrics", dependencies=[RubricManager])
def rubrics_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    items = rubric_admin.list_rubrics(session)
    return render_page(request, "rubrics.html", user, items=items)


@router.get("/rubrics/{name}", dependencies=[RubricManager])
def rubric_page(request: Request, name: str, session: SessionDep, user: CurrentUser) -> Response:
    raw = request.query_params.get("version")
    version = int(raw) if raw and raw.isdigit() else None
    return render_page(
        request,
        "rubric_version.html",
        user,
        versions=rubric_admin.rubric_versions(session, name),
        shown=rubric_admin.rubric_version(session, name, version),
    )
