"""CSV export of evaluations: one row per call × criterion of each call's current evaluation,
with the calls list's scoping and filters."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from domains.auth.access import scope_calls
from domains.calls.filters import CallFilters, apply_filters, as_utc, current_evaluation_join
from domains.reviews.calibration import blind_call_ids
from domains.reviews.comments import COMMENTERS
from models.accounts import User
from models.calls import Call
from models.reviews import CriterionResultRow, EvaluationRow, ReviewComment
from models.rubrics import RubricRow

COLUMNS = (
    "call_id",
    "agent_id",
    "agent",
    "team",
    "filename",
    "created_at",
    "status",
    "rubric",
    "rubric_version",
    "evaluation_source",
    "score",
    "auto_failed",
    "section",
    "criterion",
    "verdict",
    "confidence",
    "points",
    "max_points",
    "critical",
    "override_reason",
    "provisional",
    "comments",
    "overall_comment",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Text as a spreadsheet should show it: a leading =, +, - or @ would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def evaluation_rows(session: Session, user: User, filters: CallFilters) -> Iterator[list[str]]:
    query = (
        select(Call, EvaluationRow, RubricRow, CriterionResultRow)
        .join(EvaluationRow, current_evaluation_join())
        .join(RubricRow, RubricRow.id == EvaluationRow.rubric_id)
        .join(CriterionResultRow, CriterionResultRow.evaluation_id == EvaluationRow.id)
    )
    # A call scored blind in calibration stays out until the analyst has submitted.
    query = query.where(Call.id.not_in(blind_call_ids(user)))
    query = apply_filters(scope_calls(query, user), filters).order_by(
        Call.created_at, Call.id, CriterionResultRow.position
    )
    threads = _comment_threads(session, user, query)
    for call, ev, rubric, crit in session.execute(query).unique():
        yield [
            _cell(v)
            for v in (
                str(call.id),
                str(call.agent_id),
                call.agent.name,
                call.agent.team,
                call.original_filename,
                as_utc(call.created_at).isoformat(),
                call.status.value,
                rubric.name,
                rubric.version,
                ev.source,
                f"{ev.score:.1f}",
                ev.auto_failed,
                crit.section,
                crit.criterion_id,
                crit.verdict,
                f"{crit.confidence:.2f}",
                f"{crit.points:g}",
                f"{crit.max_points:g}",
                crit.critical,
                crit.reason,
                ev.provisional,
                threads.get((call.id, crit.criterion_id), ""),
                threads.get((call.id, None), ""),
            )
        ]


def _comment_threads(
    session: Session, user: User, rows: Select[Call, EvaluationRow, RubricRow, CriterionResultRow]
) -> dict[tuple[uuid.UUID, str | None], str]:
    """Each (call, criterion) thread the user may read as one cell, "Author: words" joined by
    " | "; criterion None is the call's overall comment."""
    call_ids = rows.with_only_columns(Call.id).order_by(None).distinct().scalar_subquery()
    query = select(ReviewComment).where(ReviewComment.call_id.in_(call_ids))
    if user.role not in COMMENTERS:
        query = query.where(ReviewComment.internal.is_(False))
    threads: dict[tuple[uuid.UUID, str | None], list[str]] = {}
    for c in session.scalars(query.order_by(ReviewComment.created_at, ReviewComment.id)):
        threads.setdefault((c.call_id, c.criterion_id), []).append(f"{c.author.name}: {c.body}")
    return {key: " | ".join(parts) for key, parts in threads.items()}


def evaluations_csv(session: Session, user: User, filters: CallFilters) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(evaluation_rows(session, user, filters))
    return buf.getvalue()
