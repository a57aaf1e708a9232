"""Reading a call's review back from the database."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.orm import EvaluationRow, FeedbackRow, MomentRow, TranscriptRow
from pipeline.rubrics import stored_rubric
from pipeline.serialize import review_result
from pipeline.steps import get_call


def current_evaluation(session: Session, call_id: uuid.UUID) -> EvaluationRow | None:
    return session.scalar(
        select(EvaluationRow)
        .where(EvaluationRow.call_id == call_id, EvaluationRow.is_current.is_(True))
        .order_by(EvaluationRow.created_at.desc())
        .limit(1)
    )


def load_review(session: Session, call_id: uuid.UUID) -> dict[str, Any]:
    call = get_call(session, call_id)
    transcript = session.scalar(select(TranscriptRow).where(TranscriptRow.call_id == call_id))
    evaluation = current_evaluation(session, call_id)
    moments: list[MomentRow] = []
    feedback = None
    ai: EvaluationRow | None = None
    if evaluation is not None:
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
        # pipeline/publishing.py); a human evaluation made before that shows the AI's.
        source_id = evaluation.id
        if not _has_feedback(session, evaluation.id) and ai is not None:
            source_id = ai.id
        moments = list(
            session.scalars(select(MomentRow).where(MomentRow.evaluation_id == source_id))
        )
        feedback = session.scalar(select(FeedbackRow).where(FeedbackRow.evaluation_id == source_id))
    result = review_result(call, transcript, evaluation, moments, feedback)
    if evaluation is not None:
        _show_questions(result["evaluation"], evaluation)
    if evaluation is not None and evaluation.source == "human":
        _show_overrides(result["evaluation"], evaluation, ai)
    return result


def _has_feedback(session: Session, evaluation_id: uuid.UUID) -> bool:
    found = session.scalar(select(FeedbackRow.id).where(FeedbackRow.evaluation_id == evaluation_id))
    return found is not None


def _show_overrides(shown: dict[str, Any], human: EvaluationRow, ai: EvaluationRow | None) -> None:
    """A human evaluation says what changed: each override's reason, the AI's verdict, score.
    Where a reviewer changed the verdict, the AI's rationale argued for the other one: it is
    shown as superseded."""
    reasons = {c.criterion_id: c.reason for c in human.criteria}
    ai_verdicts = {c.criterion_id: c.verdict for c in ai.criteria} if ai else {}
    for crit in shown["criteria"]:
        crit["override_reason"] = reasons.get(crit["id"])
        crit["ai_verdict"] = ai_verdicts.get(crit["id"])
        crit["rationale_superseded"] = bool(
            reasons.get(crit["id"])
            and ai_verdicts.get(crit["id"], crit["verdict"]) != crit["verdict"]
        )
    shown["ai_score"] = round(ai.score, 1) if ai else None


def _show_questions(shown: dict[str, Any], evaluation: EvaluationRow) -> None:
    """Each verdict with its question and guidance as worded in the evaluation's own rubric
    version, so an old call reads as it was scored."""
    criteria = {crit.id: crit for _, crit in stored_rubric(evaluation.rubric).criteria}
    for crit in shown["criteria"]:
        known = criteria.get(crit["id"])
        crit["question"] = known.question if known else ""
        crit["guidance"] = known.guidance if known else ""
