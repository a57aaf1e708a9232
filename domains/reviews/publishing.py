"""What an evaluation publishes: the score the publication rule allows (scoring/publication.py),
and the moments and per-call feedback that follow its verdicts.

The score step publishes the AI evaluation. Every human verdict (an override, a confirmation, a
dispute's outcome) publishes the human copy again, with its own moments and feedback, so a
reviewer's verdict replaces the AI's everywhere it shows: a verdict QA passed leaves the
failed-criterion moments and "to improve", one QA failed joins them, and a confirmed unsure
critical fail publishes its 0. Helpers never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from coaching.feedback import Feedback, call_feedback
from coaching.texts import texts_for
from domains.calls.redaction import pii_moments
from domains.reviews.serialize import evaluation_from_row, feedback_to_json, transcript_from_row
from domains.rubrics.service import stored_rubric
from models.calls import Call, TranscriptRow
from models.reviews import EvaluationRow, FeedbackRow, MomentRow
from scoring import Rubric, find_moments
from scoring.publication import Publication, follow_reviewers, human_effective, publish
from scoring.types import Evaluation, Moment
from transcription.types import Transcript


def consequences(
    transcript: Transcript,
    evaluation: Evaluation,
    *,
    rubric: Rubric | None = None,
    reviewed: Collection[str] = (),
) -> tuple[list[Moment], Feedback]:
    """Moments and per-call feedback of ``evaluation`` (``reviewed``: criteria a human judged),
    with the thresholds and cue sets of the rubric it was judged with."""
    found = find_moments(transcript, evaluation, rubric)
    moments = follow_reviewers(found, evaluation, reviewed=reviewed)
    texts = texts_for(rubric) if rubric is not None else None
    return [*moments, *pii_moments(transcript)], call_feedback(transcript, evaluation, texts)


def add_consequences(
    session: Session,
    *,
    call_id: uuid.UUID,
    evaluation_id: uuid.UUID,
    moments: Sequence[Moment],
    feedback: Feedback,
) -> None:
    """Store an evaluation's moments and feedback, replacing any it had."""
    session.execute(delete(MomentRow).where(MomentRow.evaluation_id == evaluation_id))
    session.execute(delete(FeedbackRow).where(FeedbackRow.evaluation_id == evaluation_id))
    for m in moments:
        session.add(
            MomentRow(
                call_id=call_id,
                evaluation_id=evaluation_id,
                type=m.type,
                start=round(m.start, 3),
                end=round(m.end, 3),
                severity=m.severity,
                description=m.description,
                criterion=m.criterion,
            )
        )
    fb = feedback_to_json(feedback)
    session.add(
        FeedbackRow(
            evaluation_id=evaluation_id,
            strengths=fb["strengths"],
            improvements=fb["improvements"],
        )
    )


def apply_publication(row: EvaluationRow, published: Publication) -> None:
    row.score = published.score
    row.auto_failed = published.auto_failed
    row.provisional = published.provisional
    row.provisional_reason = published.reason or None
    row.provisional_criteria = list(published.held) or None


def republish_human(
    session: Session,
    call: Call,
    human: EvaluationRow,
    ai: EvaluationRow | None,
    *,
    review_threshold: float | None,
    critical_threshold: float | None = None,
) -> Publication:
    """Re-apply publication to a human evaluation whose verdicts changed, and rebuild its
    moments and feedback from the human-effective verdicts. Does not commit."""
    session.flush()  # the human copy gets its id; its criterion rows are current
    reasons = {c.criterion_id: c.reason for c in human.criteria}
    ai_verdicts = {c.criterion_id: c.verdict for c in ai.criteria} if ai is not None else {}
    evaluation = human_effective(
        evaluation_from_row(human), ai_verdicts=ai_verdicts, reasons=reasons
    )
    published = publish(
        evaluation.criteria,
        review_threshold=review_threshold,
        critical_threshold=critical_threshold,
    )
    apply_publication(human, published)
    row = session.scalar(select(TranscriptRow).where(TranscriptRow.call_id == call.id))
    if row is not None:
        reviewed = {cid for cid, reason in reasons.items() if reason}
        moments, feedback = consequences(
            transcript_from_row(row, call),
            evaluation,
            rubric=stored_rubric(human.rubric),
            reviewed=reviewed,
        )
        add_consequences(
            session, call_id=call.id, evaluation_id=human.id, moments=moments, feedback=feedback
        )
    session.flush()
    return published
