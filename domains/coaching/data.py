"""An agent's scored calls as coaching's plain data: each call's *current* evaluation (a human
override counts), its criteria and their evidence, read in two queries. Provisional evaluations
and not-scorable calls are left out: drafts, goals and impact count final scores only."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.texts import texts_for
from coaching.types import Outcome, ScoredCall
from domains.calls.filters import as_utc, current_evaluation_join
from domains.rubrics.service import stored_rubric
from models.calls import Call, CallStatus, TranscriptRow
from models.reviews import CriterionResultRow, EvaluationRow
from models.rubrics import RubricRow
from scoring.rubric import CoachingText, default_rubric
from scoring.types import Evidence


def agent_calls(
    session: Session,
    agent_ids: Iterable[uuid.UUID],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[uuid.UUID, list[ScoredCall]]:
    """Scored calls per agent, oldest first, that came in within [since, until)."""
    ids = list(agent_ids)
    query = (
        select(Call, EvaluationRow)
        .join(EvaluationRow, current_evaluation_join())
        # A provisional score is not final: coaching waits for the human's verdict.
        .where(
            Call.status == CallStatus.scored,
            EvaluationRow.provisional.is_(False),
            Call.agent_id.in_(ids),
        )
        .order_by(Call.created_at, Call.id)
    )
    if since is not None:
        query = query.where(Call.created_at >= since)
    if until is not None:
        query = query.where(Call.created_at < until)
    pairs = list(session.execute(query).unique().tuples())
    rows: dict[uuid.UUID, list[CriterionResultRow]] = defaultdict(list)
    eval_ids = [ev.id for _, ev in pairs]
    for start in range(0, len(eval_ids), 500):  # keep IN lists a sane size
        for r in session.scalars(
            select(CriterionResultRow)
            .where(CriterionResultRow.evaluation_id.in_(eval_ids[start : start + 500]))
            .order_by(CriterionResultRow.evaluation_id, CriterionResultRow.position)
        ):
            rows[r.evaluation_id].append(r)
    out: dict[uuid.UUID, list[ScoredCall]] = {i: [] for i in ids}
    for call, ev in pairs:
        out[call.agent_id].append(
            ScoredCall(
                call_id=str(call.id),
                at=as_utc(call.created_at),
                score=ev.score,
                outcomes=tuple(_outcome(r) for r in rows[ev.id]),
                has_audio=call.kind == "audio",
            )
        )
    return out


def history(
    session: Session, agent_id: uuid.UUID, *, since: datetime | None, until: datetime | None
) -> list[ScoredCall]:
    return agent_calls(session, [agent_id], since=since, until=until)[agent_id]


def _outcome(r: CriterionResultRow) -> Outcome:
    evidence = tuple(
        Evidence(
            start=float(e.get("start", 0.0)),
            end=float(e.get("end", 0.0)),
            speaker=str(e.get("speaker", "unknown")),
            text=str(e.get("text", "")),
        )
        for e in r.evidence or []
        if isinstance(e, dict)
    )
    return Outcome(r.criterion_id, r.verdict, r.points, r.max_points, evidence, r.critical)


def coaching_texts(session: Session, call_ids: Iterable[str]) -> dict[str, CoachingText]:
    """The coaching texts of the rubrics these calls were judged with (the built-in default
    first, so its criteria keep their words when a call's rubric has none of its own)."""
    ids = [uuid.UUID(c) for c in set(call_ids)]
    rows = (
        session.scalars(
            select(RubricRow)
            .join(EvaluationRow, EvaluationRow.rubric_id == RubricRow.id)
            .where(EvaluationRow.call_id.in_(ids))
            .order_by(RubricRow.version)
            .distinct()
        ).all()
        if ids
        else []
    )
    return texts_for(default_rubric(), *(stored_rubric(r) for r in rows))


def transcript_texts(session: Session, call_ids: Iterable[str]) -> list[str]:
    """The transcripts' text, for checking an LLM's quotes against what was really said."""
    ids = [uuid.UUID(c) for c in set(call_ids)]
    if not ids:
        return []
    texts = []
    for segments in session.scalars(
        select(TranscriptRow.segments).where(TranscriptRow.call_id.in_(ids))
    ):
        texts.append(" ".join(str(s.get("text", "")) for s in segments or []))
    return texts
