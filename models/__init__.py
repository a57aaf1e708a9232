"""SQLAlchemy 2 ORM, engine/session factory and Alembic migrations."""

# Every module that declares tables is imported here, so Base.metadata knows them all
# (migrations, `alembic check`, tests).
from models import batch as batch
from models import coaching as coaching
from models import review as review
from models.db import make_engine, make_session_factory, normalize_url
from models.orm import (
    AuditEvent,
    Base,
    Call,
    CallStatus,
    CriterionResultRow,
    EvaluationRow,
    FeedbackRow,
    MomentRow,
    RubricRow,
    TranscriptRow,
    User,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Call",
    "CallStatus",
    "CriterionResultRow",
    "EvaluationRow",
    "FeedbackRow",
    "MomentRow",
    "RubricRow",
    "TranscriptRow",
    "User",
    "make_engine",
    "make_session_factory",
    "normalize_url",
]
