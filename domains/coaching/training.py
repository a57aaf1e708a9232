"""The training catalog in the database: the shipped YAML's modules (added once, by key, never
overwriting edits) plus modules managed through the API, some with uploaded content."""

from __future__ import annotations

import uuid
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from coaching.training import TrainingModule, default_catalog, is_safe_link, parse_catalog
from core.errors import Conflict, InvalidInput, NotFound
from domains.audit import service as audit
from domains.coaching.files import store_upload
from domains.kit.services import Services
from models.accounts import User
from models.coaching import TrainingModuleRow


def _upsert(session: Session, modules: list[TrainingModule], *, source: str, replace: bool) -> int:
    existing = {m.key: m for m in session.scalars(select(TrainingModuleRow))}
    changed = 0
    for m in modules:
        row = existing.get(m.key)
        if row is not None and not replace:
            continue
        if row is None:
            row = TrainingModuleRow(key=m.key, source=source)
            session.add(row)
        row.title, row.url, row.description = m.title, m.url, m.description
        row.criteria, row.duration_min, row.active = list(m.criteria), m.duration_min, True
        changed += 1
    session.flush()
    return changed


def ensure_catalog(session: Session) -> None:
    """The shipped catalog's modules exist (a module edited or retired stays as it is)."""
    _upsert(session, default_catalog(), source="catalog", replace=False)


def import_catalog(session: Session, text: str, *, by: User) -> int:
    """Add or replace modules from a YAML catalog; returns how many."""
    n = _upsert(session, parse_catalog(text), source="catalog", replace=True)
    audit.record(
        session,
        actor_id=by.id,
        action="training.catalog_imported",
        entity="training_module",
        entity_id="*",
        modules=n,
    )
    return n


def list_modules(session: Session, *, include_retired: bool = False) -> list[TrainingModuleRow]:
    ensure_catalog(session)
    query = select(TrainingModuleRow).order_by(TrainingModuleRow.title)
    if not include_retired:
        query = query.where(TrainingModuleRow.active.is_(True))
    return list(session.scalars(query))


def as_modules(rows: list[TrainingModuleRow]) -> list[TrainingModule]:
    return [
        TrainingModule(r.key, r.title, tuple(r.criteria), r.url, r.description, r.duration_min)
        for r in rows
    ]


def get_module(session: Session, module_id: uuid.UUID) -> TrainingModuleRow:
    row = session.get(TrainingModuleRow, module_id)
    if row is None:
        raise NotFound(f"training module {module_id} not found")
    return row


def module_by_ref(session: Session, ref: str) -> TrainingModuleRow:
    """A module by id or by key (drafts and the editor may use either)."""
    try:
        row = session.get(TrainingModuleRow, uuid.UUID(ref))
    except ValueError:
        row = session.scalar(select(TrainingModuleRow).where(TrainingModuleRow.key == ref))
    if row is None or not row.active:
        raise InvalidInput(f"training module {ref!r} does not exist or is retired")
    return row


def _check_link(data: dict[str, Any]) -> None:
    url = data.get("url")
    if url is not None and not is_safe_link(url):
        raise InvalidInput(
            f"url (module {data.get('key', '')!r}): only http(s) links or paths on this site"
        )


def create_module(session: Session, data: dict[str, Any], *, by: User) -> TrainingModuleRow:
    _check_link(data)
    taken = session.scalar(select(TrainingModuleRow.id).where(TrainingModuleRow.key == data["key"]))
    if taken is not None:
        raise Conflict(f"a training module with key {data['key']!r} already exists")
    row = TrainingModuleRow(source="api", **data)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="training.module_created",
        entity="training_module",
        entity_id=row.id,
        key=row.key,
    )
    return row


def update_module(
    session: Session, row: TrainingModuleRow, data: dict[str, Any], *, by: User
) -> TrainingModuleRow:
    _check_link({"key": row.key, **data})
    for key, value in data.items():
        setattr(row, key, value)
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="training.module_updated",
        entity="training_module",
        entity_id=row.id,
        fields=sorted(data),
    )
    return row


def set_content(
    svc: Services,
    session: Session,
    row: TrainingModuleRow,
    stream: BinaryIO,
    *,
    filename: str,
    by: User,
) -> TrainingModuleRow:
    media, key, _size = store_upload(svc, stream, filename)
    row.content_key, row.content_type = key, media.content_type
    row.content_filename = filename.rsplit("/", 1)[-1][:300] or "content"
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="training.content_uploaded",
        entity="training_module",
        entity_id=row.id,
        content_type=media.content_type,
    )
    return row


def module_json(row: TrainingModuleRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "key": row.key,
        "title": row.title,
        "description": row.description,
        "url": row.url,
        "criteria": list(row.criteria),
        "duration_min": row.duration_min,
        "source": row.source,
        "active": row.active,
        "content": (
            {
                "filename": row.content_filename,
                "content_type": row.content_type,
                "url": f"/api/v1/coaching/training-modules/{row.id}/content",
            }
            if row.content_key
            else None
        ),
    }
