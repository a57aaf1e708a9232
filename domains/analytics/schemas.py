"""Agent progress and the supervisor dashboard (domains/analytics/service.py)."""

from __future__ import annotations

from pydantic import Field

from domains.coaching.schemas import AgentGoalRead
from domains.kit.schemas import Schema

# The calls list's query parameters that list the calls behind a number.
CallFilterParams = dict[str, str]


class WeekRead(Schema):
    week_start: str
    calls: int
    average_score: float | None


class CriterionWeekRead(Schema):
    week_start: str
    pass_rate: float | None
    passed: int
    applicable: int


class CriterionProgressRead(Schema):
    id: str
    section: str
    pass_rate: float | None = Field(description="pass / (pass + fail); N/A left out")
    passed: int
    applicable: int
    weeks: list[CriterionWeekRead]


class ScoreRead(Schema):
    call_id: str
    at: str
    score: float
    auto_failed: bool


class AgentProgressRead(Schema):
    agent_id: str
    agent: str
    team: str | None
    calls: int
    provisional_calls: int
    average_score: float | None
    weeks: list[WeekRead]
    scores: list[ScoreRead]
    criteria: list[CriterionProgressRead]
    goals: list[AgentGoalRead]


class ScoreBucketRead(Schema):
    min_score: float
    max_score: float
    label: str
    calls: int
    filters: CallFilterParams


class FailRateRead(Schema):
    id: str
    failed: int
    applicable: int
    fail_rate: float | None
    filters: CallFilterParams


class TrendingDownRead(Schema):
    agent_id: str
    agent: str
    recent_average: float
    previous_average: float
    change: float
    recent_calls: int
    filters: CallFilterParams


class CallRefRead(Schema):
    call_id: str
    agent: str
    filename: str
    score: float
    at: str


class CallsWithRecentRead(Schema):
    calls: int
    filters: CallFilterParams
    recent: list[CallRefRead]


class WaitingVerdictRead(Schema):
    call_id: str
    filename: str
    agent: str
    criterion: str
    verdict: str
    confidence: float


class NeedsReviewRead(Schema):
    verdicts: int
    calls: int
    filters: CallFilterParams
    recent: list[WaitingVerdictRead]


class NotScorableRefRead(Schema):
    call_id: str
    agent: str
    filename: str
    at: str
    reason: str | None


class NotScorableRead(Schema):
    calls: int
    filters: CallFilterParams
    recent: list[NotScorableRefRead]


class DashboardRead(Schema):
    filters: CallFilterParams
    final_filters: CallFilterParams
    scored_calls: int
    average_score: float | None
    low_confidence_threshold: float
    score_distribution: list[ScoreBucketRead]
    criteria: list[FailRateRead]
    agents_trending_down: list[TrendingDownRead]
    auto_failed: CallsWithRecentRead
    needs_review: NeedsReviewRead
    provisional: CallsWithRecentRead
    not_scorable: NotScorableRead
