"""Human overrides of AI verdicts.

The AI evaluation is never edited. The first override copies it into a human evaluation
(``source="human"``) that becomes the call's current one; later overrides edit that copy. The
points come from the evaluation's own rubric version, so an override means the same thing
whatever rubric is the default today; the score, whether it is provisional, and the moments and
feedback are then published again from the human verdicts (domains/reviews/publishing.py).
Helpers here never commit: the route commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from domains.assignments.service import mark_graded
from domains.audit.service import record
from domains.reviews.policy import review_policy
from domains.reviews.publishing import republish_human
from domains.reviews.serialize import copy_criterion_row
from domains.reviews.service import current_evaluation
from models.accounts import User
from models.calls import Call, CallStatus
from models.reviews import EvaluationRow
from models.rubrics import RubricRow
from scoring.engine import criterion_points
from scoring.rubric import Criterion, Rubric
from scoring.types import VERDICTS, Verdict

MAX_REASON_CHARS = 2000
HUMAN_CONFIDENCE = 1.0  # a reviewer's verdict needs no second look


@dataclass(frozen=True)
class OverrideResult:
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
    provisional: bool = False


def rubric_of(row: RubricRow) -> Rubric:
    """The rubric exactly as it was when the evaluation was made (stored as JSON)."""
    return Rubric.model_validate_json(row.source_yaml)


def rubric_criterion(rubric: Rubric, criterion_id: str) -> tuple[Criterion, float]:
    """The criterion and its weighted points."""
    for section, crit in rubric.criteria:
        if crit.id == criterion_id:
            return crit, crit.points * section.weight
    raise NotFound(f"criterion {criterion_id!r} is not in rubric {rubric.name} v{rubric.version}")


def _human_copy(session: Session, ai: EvaluationRow, by: User) -> EvaluationRow:
    copy = EvaluationRow(
        call_id=ai.call_id,
        rubric_id=ai.rubric_id,
        source="human",
        is_current=True,
        score=ai.score,
        auto_failed=ai.auto_failed,
        provisional=ai.provisional,
        provisional_reason=ai.provisional_reason,
        provisional_criteria=list(ai.provisional_criteria or []) or None,
        created_by=by.id,
        criteria=[copy_criterion_row(c) for c in ai.criteria],
    )
    session.execute(
        update(EvaluationRow)
        .where(EvaluationRow.call_id == ai.call_id)
        .values(is_current=False)
        .execution_options(synchronize_session=False)
    )
    session.add(copy)
    return copy


def validate_override(verdict: str, reason: str, crit: Criterion) -> str:
    if verdict not in VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if verdict == "na" and not crit.na_allowed:
        raise InvalidInput(f"criterion {crit.id!r} does not allow N/A")
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput("a reason is required for an override")
    if len(cleaned) > MAX_REASON_CHARS:
        raise InvalidInput(f"the reason is longer than {MAX_REASON_CHARS} characters")
    return cleaned


def override_verdict(
    session: Session,
    call: Call,
    criterion_id: str,
    *,
    verdict: str,
    reason: str,
    by: User,
    action: str = "criterion.override",
) -> OverrideResult:
    """Set one criterion's verdict by hand and recompute the score. Does not commit.
    ``action`` names the audit event (a confirmation or a dispute's outcome go this way too)."""
    # Serialise overrides of one call (PostgreSQL) so two first overrides make one copy.
    session.execute(select(Call.id).where(Call.id == call.id).with_for_update())
    if call.status != CallStatus.scored:
        raise Conflict(
            f"call {call.id} is {call.status.value}; only scored calls can be overridden"
        )
    current = current_evaluation(session, call.id)
    if current is None:
        raise Conflict(f"call {call.id} has no evaluation to override")
    rubric = rubric_of(current.rubric)
    crit, max_points = rubric_criterion(rubric, criterion_id)
    cleaned = validate_override(verdict, reason, crit)
    previous_score = current.score
    ai = current if current.source == "ai" else ai_evaluation(session, current)
    evaluation = current if current.source == "human" else _human_copy(session, current, by)
    row = next((c for c in evaluation.criteria if c.criterion_id == criterion_id), None)
    if row is None:
        raise NotFound(f"criterion {criterion_id!r} was not evaluated on call {call.id}")
    previous_verdict = row.verdict
    row.verdict = verdict
    row.reason = cleaned
    row.confidence = HUMAN_CONFIDENCE
    row.needs_review = False
    # A human verdict on a scale criterion takes the scale's top or bottom level.
    row.scale_value = None
    row.points, row.max_points = criterion_points(rubric, criterion_id, cast(Verdict, verdict))
    policy = review_policy()
    published = republish_human(
        session,
        call,
        evaluation,
        ai,
        review_threshold=policy.threshold,
        critical_threshold=policy.critical_threshold,
    )
    record(
        session,
        actor_id=by.id,
        action=action,
        entity="call",
        entity_id=call.id,
        criterion=criterion_id,
        verdict_before=previous_verdict,
        verdict_after=verdict,
        reason=cleaned,
        score_before=previous_score,
        score_after=evaluation.score,
        provisional_after=published.provisional,
        evaluation_id=str(evaluation.id),
    )
    mark_graded(session, call.id, by)  # a verdict on an assigned call is its grading
    return OverrideResult(
        call_id=call.id,
        criterion_id=criterion_id,
        verdict=verdict,
        previous_verdict=previous_verdict,
        reason=cleaned,
        points=row.points,
        max_points=max_points,
        score=evaluation.score,
        auto_failed=evaluation.auto_failed,
        previous_score=previous_score,
        evaluation_id=evaluation.id,
        provisional=published.provisional,
    )


def ai_evaluation(session: Session, evaluation: EvaluationRow) -> EvaluationRow | None:
    """The AI evaluation a human one was copied from."""
    return session.scalar(
        select(EvaluationRow).where(
            EvaluationRow.call_id == evaluation.call_id,
            EvaluationRow.rubric_id == evaluation.rubric_id,
            EvaluationRow.source == "ai",
        )
    )
