"""When a verdict waits for a human: its confidence is under the review threshold, or its
criterion is untrusted for that rubric version (AI-vs-human agreement under the bar, measured
on enough human-checked verdicts), and no human has checked it yet (``reason`` is set by an
override or a confirmation). Computed in SQL from the reviews themselves, so the queue, the
calls list's ``needs_review`` filter and the dashboard always agree, and a new rubric version
(another ``rubric_id``) starts trusted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from core.settings import Settings, get_settings
from models.reviews import CriterionResultRow, EvaluationRow
from scoring.types import VERDICTS


@dataclass(frozen=True)
class ReviewPolicy:
    threshold: float = 0.6
    critical_threshold: float = 0.9
    metric: str = "kappa"  # kappa | accuracy
    bar: float = 0.6
    min_reviews: int = 10

    @classmethod
    def from_settings(cls, s: Settings) -> ReviewPolicy:
        return cls(
            threshold=s.review_confidence_threshold,
            critical_threshold=s.critical_confidence_threshold,
            metric=s.agreement_metric,
            bar=s.agreement_bar,
            min_reviews=s.agreement_min_reviews,
        )


def review_policy() -> ReviewPolicy:
    """Deployment-wide, like the rubric: every view of the queue reads the same settings."""
    return ReviewPolicy.from_settings(get_settings())


def reviewed_pairs() -> Select[uuid.UUID, str, str, str, uuid.UUID]:
    """One row per human-checked verdict: (rubric_id, criterion_id, AI verdict, human verdict,
    call_id). A verdict counts once a human overrode or confirmed it (its ``reason`` is set) in
    the human copy of the AI evaluation of the same call and rubric version."""
    human, ai = aliased(EvaluationRow), aliased(EvaluationRow)
    hc, ac = aliased(CriterionResultRow), aliased(CriterionResultRow)
    return (
        select(
            human.rubric_id.label("rubric_id"),
            hc.criterion_id.label("criterion_id"),
            ac.verdict.label("ai_verdict"),
            hc.verdict.label("human_verdict"),
            human.call_id.label("call_id"),
        )
        .join(hc, hc.evaluation_id == human.id)
        .join(
            ai,
            and_(ai.call_id == human.call_id, ai.rubric_id == human.rubric_id, ai.source == "ai"),
        )
        .join(ac, and_(ac.evaluation_id == ai.id, ac.criterion_id == hc.criterion_id))
        # A provisional human copy still waits for its decisive verdict: not counted yet.
        .where(human.source == "human", hc.reason.is_not(None), human.provisional.is_(False))
    )


def untrusted_criteria(policy: ReviewPolicy) -> Select[Any]:
    """(rubric_id, criterion_id) under the agreement bar with enough reviews.

    Cohen's kappa < bar is tested without dividing: with n pairs, A agreeing and
    S = sum over verdicts of ai_v * human_v, kappa = (A n - S) / (n^2 - S), so kappa < bar
    iff A n - S < bar (n^2 - S) (n^2 - S >= 0; when it is 0 both used one verdict and agree).
    """
    pairs = reviewed_pairs().subquery()
    n = func.count()
    agreed = func.sum(case((pairs.c.ai_verdict == pairs.c.human_verdict, 1), else_=0))
    bar = cast(literal(policy.bar), Float)
    if policy.metric == "accuracy":
        below = cast(agreed, Float) < bar * n
    else:
        chance = sum(
            (
                func.sum(case((pairs.c.ai_verdict == v, 1), else_=0))
                * func.sum(case((pairs.c.human_verdict == v, 1), else_=0))
                for v in VERDICTS
            ),
            start=literal(0),
        )
        below = cast(agreed * n - chance, Float) < bar * cast(n * n - chance, Float)
    return (
        select(pairs.c.rubric_id, pairs.c.criterion_id)
        .group_by(pairs.c.rubric_id, pairs.c.criterion_id)
        .having(and_(n >= policy.min_reviews, below))
    )


def untrusted_set(session: Session, policy: ReviewPolicy) -> set[tuple[uuid.UUID, str]]:
    return {(rid, cid) for rid, cid in session.execute(untrusted_criteria(policy))}


def waiting_clause(crit: Any, policy: ReviewPolicy) -> Any:
    """True for a criterion row (``crit``, from the enclosing query) that waits for a human."""
    untrusted = untrusted_criteria(policy).subquery()
    # Its own alias of the evaluation: only ``crit`` correlates, however deep this is nested.
    ev = aliased(EvaluationRow)
    flagged = exists().where(
        ev.id == crit.evaluation_id,
        untrusted.c.rubric_id == ev.rubric_id,
        untrusted.c.criterion_id == crit.criterion_id,
    )
    return and_(crit.reason.is_(None), or_(crit.confidence < policy.threshold, flagged))


def waits(
    row: CriterionResultRow,
    rubric_id: uuid.UUID,
    policy: ReviewPolicy,
    untrusted: set[tuple[uuid.UUID, str]],
) -> bool:
    """The same test in Python, for rows already loaded."""
    if row.reason is not None:
        return False
    return row.confidence < policy.threshold or (rubric_id, row.criterion_id) in untrusted
