"""The calls list's filters, shared by the list, the CSV export and the dashboard's links, so a
number on the dashboard and the calls behind it always come from the same query."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from domains.auth.access import SelectT
from domains.reviews.policy import review_policy, waiting_clause
from models.accounts import User
from models.calls import Call, CallStatus
from models.reviews import CriterionResultRow, EvaluationRow


@dataclass(frozen=True)
class CallFilters:
    agent_id: uuid.UUID | None = None
    team: str | None = None
    status: CallStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_score: float | None = None
    max_score: float | None = None
    auto_failed: bool | None = None
    failed_criterion: str | None = None
    needs_review: bool | None = None
    # The current evaluation is provisional (an unsure critical fail waits for a human).
    provisional: bool | None = None
    # Words in the file name or the agent's name (case-insensitive).
    q: str | None = None

    def query_params(self) -> dict[str, str]:
        """The filters as query-string parameters (links from the dashboard and pages)."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value is None:
                continue
            if isinstance(value, bool):
                out[key] = "true" if value else "false"
            elif isinstance(value, datetime):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        return out


def as_utc(at: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every stored time is UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def current_evaluation_join() -> Any:
    """ON clause pairing a call with its current evaluation (at most one per call)."""
    return and_(EvaluationRow.call_id == Call.id, EvaluationRow.is_current.is_(True))


def _waiting_for_review() -> Any:
    """A verdict of the current evaluation waits for a human (domains/reviews/policy.py)."""
    # An alias, so the subquery stays its own even when the outer query joins criterion rows.
    crit = aliased(CriterionResultRow)
    return exists().where(
        crit.evaluation_id == EvaluationRow.id, waiting_clause(crit, review_policy())
    )


def apply_filters(query: SelectT, filters: CallFilters) -> SelectT:
    """Filter a query over ``Call`` that already outer-joins the current ``EvaluationRow``."""
    f = filters
    if f.agent_id is not None:
        query = query.where(Call.agent_id == f.agent_id)
    if f.team is not None:
        team_agent = aliased(User)
        team_agents = select(team_agent.id).where(team_agent.team == f.team)
        query = query.where(Call.agent_id.in_(team_agents))
    if f.status is not None:
        query = query.where(Call.status == f.status)
    if f.since is not None:
        query = query.where(Call.created_at >= f.since)
    if f.until is not None:
        query = query.where(Call.created_at < f.until)
    if f.min_score is not None:
        query = query.where(EvaluationRow.score >= f.min_score)
    if f.max_score is not None:
        query = query.where(EvaluationRow.score <= f.max_score)
    if f.auto_failed is not None:
        query = query.where(EvaluationRow.auto_failed.is_(f.auto_failed))
    if f.failed_criterion is not None:
        crit = aliased(CriterionResultRow)
        query = query.where(
            exists().where(
                crit.evaluation_id == EvaluationRow.id,
                crit.criterion_id == f.failed_criterion,
                crit.verdict == "fail",
            )
        )
    if f.needs_review is not None:
        waiting = _waiting_for_review()
        query = query.where(waiting if f.needs_review else ~waiting)
    if f.provisional is not None:
        query = query.where(EvaluationRow.provisional.is_(f.provisional))
    if f.q:
        named = aliased(User)
        for word in f.q.split()[:5]:
            like = f"%{_escape_like(word.lower())}%"
            by_agent = select(named.id).where(func.lower(named.name).like(like, escape="\\"))
            query = query.where(
                or_(
                    func.lower(Call.original_filename).like(like, escape="\\"),
                    Call.agent_id.in_(by_agent),
                )
            )
    return query


def _escape_like(text: str) -> str:
    """A search word is matched as typed: % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The calls list's orders (`sort`), each with a tie-break so pages never overlap.
SORTS = {
    "newest": (Call.created_at.desc(), Call.id),
    "oldest": (Call.created_at.asc(), Call.id),
    "score_low": (EvaluationRow.score.asc().nulls_last(), Call.created_at.desc(), Call.id),
    "score_high": (EvaluationRow.score.desc().nulls_last(), Call.created_at.desc(), Call.id),
    "longest": (Call.duration_s.desc().nulls_last(), Call.created_at.desc(), Call.id),
    "agent": (
        select(User.name).where(User.id == Call.agent_id).scalar_subquery(),
        Call.created_at.desc(),
        Call.id,
    ),
}


def calls_with_current_evaluation() -> Select[Call, EvaluationRow]:
    return select(Call, EvaluationRow).outerjoin(EvaluationRow, current_evaluation_join())
