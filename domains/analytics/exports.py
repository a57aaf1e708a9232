"""CSV export of evaluations: one row per call × criterion of each call's current evaluation,
with the calls list's scoping and filters."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from domains.auth.access import scope_calls
from domains.calls.filters import CallFilters, apply_filters, as_utc, current_evaluation_join
from domains.reviews.calibration import blind_call_ids
from models.accounts import User
from models.calls import Call
from models.reviews import CriterionResultRow, EvaluationRow
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
            )
        ]


def evaluations_csv(session: Session, user: User, filters: CallFilters) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(evaluation_rows(session, user, filters))
    return buf.getvalue()
