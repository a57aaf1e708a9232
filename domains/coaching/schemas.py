"""A coaching session as the API shows it (ARCHITECTURE.md "Coaching"), its list summary and
the coach's inbox. Built by ``domains.coaching.service.session_read`` / ``summary``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coaching.goals import Metric, Status
from domains.kit.schemas import MISSING, Schema

SessionStatus = Literal["draft", "ready", "delivered", "acknowledged", "closed"]


class PeriodRead(Schema):
    since: str | None
    until: str | None


class FocusClipRead(Schema):
    """A span of one call that shows the point being made."""

    call_id: str
    start: float
    end: float
    text: str
    audio: bool | MISSING = MISSING
    clip_url: str | None = Field(description="the WAV clip (null for a transcript-only call)")


class FocusRead(Schema):
    criterion: str
    pass_rate: float | None
    trend: float | None
    points_lost: float | MISSING = MISSING
    passed: int | MISSING = MISSING
    applicable: int | MISSING = MISSING
    evidence: list[FocusClipRead]


class GoalRead(Schema):
    """A goal with its progress, measured from the calls after delivery (never typed in)."""

    metric: Metric
    criterion: str | None = None
    baseline: float
    target: float
    due: str
    current: float | None
    measured_calls: int
    progress: float | None
    status: Status


class TaskRead(Schema):
    text: str
    due: str | None = None
    done: bool = False
    criterion: str | None = None


class TrainingRead(Schema):
    module_id: str
    key: str | None = None
    title: str | None = None
    url: str | None = None
    criterion: str | None = None
    due: str | None = None
    completed_at: str | None = None


class ActionRead(Schema):
    owner: Literal["coach", "agent"]
    text: str


class WordingRead(Schema):
    """Who worded the feedback: the template, or the LLM polish when it passed the check."""

    source: str | MISSING = MISSING
    rejected: str | MISSING | None = MISSING


class FollowUpGoalRead(Schema):
    metric: Metric
    criterion: str | None = None
    baseline: float
    target: float
    due: str
    current: float | None
    measured_calls: int
    progress: float | None
    status: Status


class FollowUpRead(Schema):
    """What a follow-up draft opens with: the agent's view and the goals' progress since."""

    previous_id: str
    delivered_at: str
    agent_feedback: str | None
    goals: list[FollowUpGoalRead]


class AttachmentRead(Schema):
    """A clip of a call (``call_id``, ``start``, ``end``) or an uploaded file (``filename``,
    ``content_type``, ``size_bytes``); ``url`` plays or downloads it."""

    id: str
    kind: Literal["clip", "file"]
    note: str | None
    call_id: str | MISSING = MISSING
    start: float | MISSING | None = MISSING
    end: float | MISSING | None = MISSING
    filename: str | MISSING | None = MISSING
    content_type: str | MISSING | None = MISSING
    size_bytes: int | MISSING | None = MISSING
    url: str


class ReviewerCommentRead(Schema):
    call_id: str
    filename: str | None
    criterion_id: str | None = Field(description="empty: a comment on the whole call")
    author: str
    body: str
    created_at: str


class CoachingSessionRead(Schema):
    id: str
    agent_id: str
    agent: str
    coach_id: str | None
    coach: str | None
    status: SessionStatus
    period: PeriodRead
    calls: int
    average_score: float | None
    focus: list[FocusRead]
    strengths: list[str]
    recognition: list[str]
    feedback: str
    wording: WordingRead
    goals: list[GoalRead]
    tasks: list[TaskRead]
    training: list[TrainingRead]
    action_plan: list[ActionRead]
    next_meeting_at: str | None
    agent_feedback: str | None
    previous_id: str | None
    follow_up: FollowUpRead | None
    attachments: list[AttachmentRead]
    reviewer_comments: list[ReviewerCommentRead] = Field(
        description="what reviewers wrote on the agent's calls of the period, newest first "
        "(never their reviewers-only comments)"
    )
    created_at: str | None
    updated_at: str | None
    ready_at: str | None
    delivered_at: str | None
    acknowledged_at: str | None
    closed_at: str | None
    allowed_transitions: list[SessionStatus]
    private_notes: str | MISSING = Field(
        MISSING, description="coach side only: absent when an agent reads the session"
    )


class CoachingSummaryRead(Schema):
    id: str
    agent_id: str
    agent: str | None
    coach_id: str | None
    status: SessionStatus
    focus: list[str] = Field(description="the focus criteria")
    calls: int
    created_at: str
    delivered_at: str | None
    next_meeting_at: str | None
    overdue: bool
    previous_id: str | None


class CoachingInboxRead(Schema):
    drafts: list[CoachingSummaryRead]
    ready: list[CoachingSummaryRead]
    awaiting_acknowledgement: list[CoachingSummaryRead]
    follow_ups_due: list[CoachingSummaryRead]


# ---------------------------------------------------------------------------------- impact
class PassCountsRead(Schema):
    pass_rate: float | None
    passed: int
    applicable: int


class BeforeAfterRead(Schema):
    before: PassCountsRead
    after: PassCountsRead
    change: float | None


class ImpactRead(Schema):
    """Coached criteria's pass rate 28 days before vs after delivery, next to the same
    agents' uncoached criteria (the control); ``effect`` is the difference of the changes."""

    sessions: int
    coached: BeforeAfterRead
    uncoached: BeforeAfterRead
    effect: float | None


class SessionImpactRead(ImpactRead):
    session_id: str
    agent_id: str
    agent: str
    coach_id: str | None
    coach: str | None
    team: str | None
    delivered_at: str
    coached_criteria: list[str]


class GroupImpactRead(ImpactRead):
    id: str | None
    name: str


class ImpactReportRead(Schema):
    sessions: list[SessionImpactRead]
    agents: list[GroupImpactRead]
    coaches: list[GroupImpactRead]
    teams: list[GroupImpactRead]
    overall: ImpactRead


class AgentGoalRead(GoalRead):
    """A delivered session's goal, measured, on the agent's progress page."""

    session_id: str
    delivered_at: str
    session_status: SessionStatus


# ------------------------------------------------------------------------ training modules
class ModuleContentRead(Schema):
    filename: str | None
    content_type: str | None
    url: str


class TrainingModuleRead(Schema):
    id: str
    key: str
    title: str
    description: str
    url: str | None
    criteria: list[str]
    duration_min: int | None
    source: str
    active: bool
    content: ModuleContentRead | None


class ImportedModulesRead(Schema):
    modules: int = Field(description="how many modules were added or replaced")
