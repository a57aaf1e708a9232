"""AI-vs-human agreement per criterion and rubric version, over every verdict a human
overrode or confirmed: accuracy, Cohen's kappa over pass/fail/na, the confusion counts, and
whether the criterion is untrusted under the settings' bar (domains/reviews/policy.py)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domains.reviews.policy import ReviewPolicy, reviewed_pairs, untrusted_set
from domains.rubrics.service import stored_rubric
from models.rubrics import RubricRow
from scoring.types import VERDICTS


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Kappa of (ai, human) verdict pairs; None when it is undefined (no pairs, or both sides
    used a single identical verdict, so chance agreement is 1)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == h for a, h in pairs) / n
    ai, human = Counter(a for a, _ in pairs), Counter(h for _, h in pairs)
    chance = sum(ai[v] * human[v] for v in VERDICTS) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def _criterion_order(row: RubricRow) -> list[str]:
    return [crit.id for _, crit in stored_rubric(row).criteria]


def agreement_report(
    session: Session, policy: ReviewPolicy, *, rubric: str | None = None
) -> dict[str, Any]:
    by_key: dict[tuple[uuid.UUID, str], list[tuple[str, str]]] = defaultdict(list)
    calls: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for rubric_id, criterion_id, ai_verdict, human_verdict, call_id in session.execute(
        reviewed_pairs()
    ):
        by_key[(rubric_id, criterion_id)].append((ai_verdict, human_verdict))
        calls[rubric_id].add(call_id)
    untrusted = untrusted_set(session, policy)
    rubric_ids = {rid for rid, _ in by_key}
    query = select(RubricRow).where(RubricRow.id.in_(rubric_ids))
    if rubric is not None:
        query = query.where(RubricRow.name == rubric)
    rubrics = sorted(session.scalars(query), key=lambda r: (r.name, r.version))
    out = []
    for row in rubrics:
        order = _criterion_order(row)
        criteria = []
        for cid in sorted({c for rid, c in by_key if rid == row.id}, key=_position(order)):
            pairs = by_key[(row.id, cid)]
            agreed = sum(a == h for a, h in pairs)
            kappa = cohen_kappa(pairs)
            confusion = Counter(pairs)
            criteria.append(
                {
                    "id": cid,
                    "reviewed": len(pairs),
                    "agreed": agreed,
                    "accuracy": round(agreed / len(pairs), 4),
                    "kappa": None if kappa is None else round(kappa, 4),
                    # confusion[ai verdict][human verdict] = verdicts
                    "confusion": {a: {h: confusion[(a, h)] for h in VERDICTS} for a in VERDICTS},
                    "untrusted": (row.id, cid) in untrusted,
                }
            )
        out.append(
            {
                "rubric": row.name,
                "version": row.version,
                "reviewed_calls": len(calls[row.id]),
                "criteria": criteria,
            }
        )
    return {
        "metric": policy.metric,
        "bar": policy.bar,
        "min_reviews": policy.min_reviews,
        "rubrics": out,
    }


def _position(order: list[str]) -> Any:
    index = {cid: i for i, cid in enumerate(order)}
    return lambda cid: (index.get(cid, len(index)), cid)
