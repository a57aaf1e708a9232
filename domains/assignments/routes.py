"""Work assignment: sampling rules (QA leads: admins and QA analysts), applying them now, and
each reviewer's own queue of calls to grade."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domains.assignments import service
from domains.auth.dependencies import Reviewer, require_roles
from domains.kit.deps import SessionDep
from models.accounts import Role, User

router = APIRouter(tags=["assignments"])
QaLead = Annotated[User, require_roles(Role.admin, Role.qa_analyst)]


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    kind: Literal["per_agent_per_week", "score_below", "auto_fails", "low_confidence", "disputes"]
    analyst_id: uuid.UUID
    value: float | None = Field(None, ge=0, le=100, description="score_below: the score")
    per_week: int | None = Field(None, ge=1, le=100, description="calls per agent per week")
    due_days: int = Field(2, ge=0, le=60)


class RuleRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    analyst_id: uuid.UUID
    value: float | None
    per_week: int | None
    due_days: int
    enabled: bool


class RuleSwitch(BaseModel):
    enabled: bool


class AppliedRead(BaseModel):
    assigned: int


class QueueItemRead(BaseModel):
    call_id: uuid.UUID
    filename: str | None
    agent: str
    rule: str | None
    due_at: datetime
    done_at: datetime | None
    overdue: bool


class QueueRead(BaseModel):
    open: int
    overdue: int
    done_this_week: int
    items: list[QueueItemRead]


def _rule(r: object) -> RuleRead:
    return RuleRead.model_validate(r, from_attributes=True)


@router.post("/sampling-rules", response_model=RuleRead, status_code=201)
def create_rule(body: RuleIn, session: SessionDep, user: QaLead) -> RuleRead:
    """A rule that fills an analyst's queue (per agent per week, under a score, auto-fails,
    low-confidence verdicts, open disputes). Audited."""
    return _rule(service.create_rule(session, by=user, **body.model_dump()))


@router.get("/sampling-rules", response_model=list[RuleRead])
def list_rules(session: SessionDep, user: QaLead) -> list[RuleRead]:
    return [_rule(r) for r in service.list_rules(session)]


@router.patch("/sampling-rules/{rule_id}", response_model=RuleRead)
def switch_rule(
    rule_id: uuid.UUID, body: RuleSwitch, session: SessionDep, user: QaLead
) -> RuleRead:
    return _rule(service.set_enabled(session, rule_id, body.enabled, by=user))


@router.post("/assignments/run", response_model=AppliedRead)
def run_rules(session: SessionDep, user: QaLead) -> AppliedRead:
    """Apply every enabled rule now (the housekeeper also does, every few minutes)."""
    return AppliedRead(assigned=service.apply_rules(session))


@router.get("/assignments/mine", response_model=QueueRead)
def my_queue(session: SessionDep, user: Reviewer) -> QueueRead:
    """Your calls to grade: open ones first by due date, and this week's done ones."""
    q = service.my_queue(session, user)
    return QueueRead(
        open=q["open"],
        overdue=q["overdue"],
        done_this_week=q["done_this_week"],
        items=[QueueItemRead(**asdict(i)) for i in q["items"]],
    )
