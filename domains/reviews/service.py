"""Reading a call's review back from the database."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domains.calls.service import get_call
from domains.reviews.schemas import ReviewResult
from domains.reviews.serialize import ShownEvaluation, review_result
from domains.rubrics.service import stored_rubric
from models.calls import TranscriptRow
from models.reviews import EvaluationRow, FeedbackRow, MomentRow


def current_evaluation(session: Session, call_id: uuid.UUID) -> EvaluationRow | None:
    return session.scalar(
        select(EvaluationRow)
        .where(EvaluationRow.call_id == call_id, EvaluationRow.is_current.is_(True))
        .order_by(EvaluationRow.created_at.desc())
        .limit(1)
    )


def read_review(session: Session, call_id: uuid.UUID) -> ReviewResult:
    """The review result of one call (ARCHITECTURE.md "The review result")."""
    call = get_call(session, call_id)
    transcript = session.scalar(select(TranscriptRow).where(TranscriptRow.call_id == call_id))
    evaluation = current_evaluation(session, call_id)
    if evaluation is None:
        return review_result(call, transcript, None, [], None)
    ai = (
        evaluation
        if evaluation.source == "ai"
        else session.scalar(
            select(EvaluationRow).where(
                EvaluationRow.call_id == call_id,
                EvaluationRow.rubric_id == evaluation.rubric_id,
                EvaluationRow.source == "ai",
            )
        )
    )
    # Moments and feedback follow the current evaluation (a human one publishes its own,
    # domains/reviews/publishing.py); a human evaluation made before that shows the AI's.
    source_id = evaluation.id
    if not _has_feedback(session, evaluation.id) and ai is not None:
        source_id = ai.id
    moments = list(session.scalars(select(MomentRow).where(MomentRow.evaluation_id == source_id)))
    feedback = session.scalar(select(FeedbackRow).where(FeedbackRow.evaluation_id == source_id))
    # Each verdict with its question and guidance as worded in the evaluation's own rubric
    # version, so an old call reads as it was scored.
    wording = {
        crit.id: (crit.question, crit.guidance)
        for _, crit in stored_rubric(evaluation.rubric).criteria
    }
    shown = ShownEvaluation(
        row=evaluation, wording=wording, ai=ai if evaluation.source == "human" else None
    )
    return review_result(call, transcript, shown, moments, feedback)


def load_review(session: Session, call_id: uuid.UUID) -> dict[str, Any]:
    """The review result as JSON-ready data (the pages and the CLI's ``--format json``)."""
    return read_review(session, call_id).to_json()


def _has_feedback(session: Session, evaluation_id: uuid.UUID) -> bool:
    found = session.scalar(select(FeedbackRow.id).where(FeedbackRow.evaluation_id == evaluation_id))
    return found is not None
