"""The calls pages: the list with its filters and the review page of one call."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domains.accounts.users import visible_users
from domains.assignments.service import next_to_grade
from domains.auth.access import visible_call
from domains.auth.dependencies import CurrentUser
from domains.calls import listing
from domains.calls.filters import SORTS
from domains.calls.params import filters_from_form
from domains.coaching.service import open_drafts
from domains.kit.deps import SessionDep
from domains.kit.templating import REVIEWER_ROLES, render_page
from domains.reviews.calibration import ensure_not_blind
from domains.reviews.comments import COMMENTERS, comments_by_criterion
from domains.reviews.disputes import latest_by_criterion
from domains.reviews.overrides import rubric_of
from domains.reviews.service import current_evaluation, load_review
from models.accounts import Role

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/calls")
def calls_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    filters = filters_from_form(request.query_params)
    try:
        page_no = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page_no = 1
    sort = request.query_params.get("sort") or "newest"
    if sort not in SORTS:
        sort = "newest"
    page = listing.list_calls(
        session, user, filters, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, sort=sort
    )
    params = filters.query_params() | ({"sort": sort} if sort != "newest" else {})
    agents = [u for u in visible_users(session, user) if u.role == Role.agent]
    return render_page(
        request,
        "calls.html",
        user,
        page=page,
        page_no=page_no,
        pages=max(1, -(-page.total // PAGE_SIZE)),
        filters=params,
        query=urlencode(params),
        agents=agents,
        statuses=[
            "queued",
            "transcribing",
            "transcribed",
            "scoring",
            "scored",
            "not_scorable",
            "failed",
        ],
    )


def _sections(session: SessionDep, review: dict[str, Any], call_id: uuid.UUID) -> list[Any]:
    """Verdicts grouped by rubric section, with the section titles and N/A permission of the
    evaluation's own rubric version."""
    evaluation = current_evaluation(session, call_id)
    if evaluation is None or review["evaluation"] is None:
        return []
    rubric = rubric_of(evaluation.rubric)
    by_id = {c["id"]: c for c in review["evaluation"]["criteria"]}
    sections = []
    for section in rubric.sections:
        criteria = []
        for crit in section.criteria:
            shown = by_id.get(crit.id)
            if shown is not None:
                criteria.append({**shown, "question": crit.question, "na_allowed": crit.na_allowed})
        if criteria:
            sections.append({"id": section.id, "title": section.title, "criteria": criteria})
    return sections


@router.get("/calls/{call_id}")
def review_page(
    request: Request, call_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    call = visible_call(session, user, call_id)
    ensure_not_blind(session, user, call_id)
    review = load_review(session, call_id)
    can_dispute = user.role == Role.agent and call.agent_id == user.id
    return render_page(
        request,
        "review.html",
        user,
        call=call,
        review=review,
        sections=_sections(session, review, call_id),
        has_audio=call.kind == "audio",
        can_override=user.role in REVIEWER_ROLES,
        comments=comments_by_criterion(session, call_id, user),
        next_call=next_to_grade(session, user, call_id) if user.role in REVIEWER_ROLES else None,
        can_comment=user.role in COMMENTERS,
        can_dispute=can_dispute and review["status"] == "scored",
        disputes=latest_by_criterion(session, call_id) if can_dispute else {},
        coaching_drafts=open_drafts(session, user, call.agent_id),
        # QA and admins fix a wrong agent or erase a call here (both audited)
        can_manage=user.role in (Role.admin, Role.qa_analyst),
        agents=[u for u in visible_users(session, user) if u.role == Role.agent],
    )
