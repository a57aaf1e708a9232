"""Ingestion fixtures: sources over a real folder and real databases; calls stay queued (no
dispatcher is attached), so no test here runs Whisper."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from domains.ingestion import service as ingest
from domains.ingestion.schemas import MappingIn, SourceIn
from domains.kit.services import Services
from models.audit import AuditEvent
from models.calls import Call
from models.ingestion import IngestedObject


def add_source(svc: Services, **fields: object) -> uuid.UUID:
    with svc.unit_of_work() as s:
        return ingest.create_source(s, SourceIn(**fields), actor_id=None).id  # type: ignore[arg-type]


def map_agent(svc: Services, source: str, kind: str, ref: str, agent_id: uuid.UUID) -> int:
    with svc.unit_of_work() as s:
        src = ingest.get_source(s, source)
        data = MappingIn(ref_kind=kind, ref=ref, agent_id=agent_id)  # type: ignore[arg-type]
        return ingest.map_agent(svc, s, src, data, actor_id=None)


def count_calls(svc: Services) -> int:
    with svc.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(Call)) or 0)


def objects(svc: Services) -> list[tuple[str, str, str | None]]:
    """(object id, status, reason) of every ingested object, by object id."""
    with svc.session_factory() as s:
        rows = s.execute(
            select(IngestedObject.object_id, IngestedObject.status, IngestedObject.reason).order_by(
                IngestedObject.object_id
            )
        ).all()
    return [(o, st.value, r) for o, st, r in rows]


def audit_actions(svc: Services, prefix: str = "ingest.") -> list[str]:
    with svc.session_factory() as s:
        rows = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.at)
        )
        return list(rows)
