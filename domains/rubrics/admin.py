"""Rubric management for the API and the CLI: import (a new version when the content changed),
list names, list a name's versions, show one version. Helpers never commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound, UploadTooLarge
from domains.audit.service import record
from domains.rubrics.service import (
    add_rubric_version,
    import_builtins,
    latest_rubric_row,
    rubric_fingerprint,
    stored_rubric,
)
from models.accounts import User
from models.reviews import EvaluationRow
from models.rubrics import RubricRow, RubricSource
from scoring.rubric import parse_rubric

MAX_RUBRIC_BYTES = 512 * 1024


@dataclass(frozen=True)
class Imported:
    name: str
    version: int
    created: bool  # false: the latest version already had this content
    rubric_id: uuid.UUID
    declared_version: int
    criteria: int


def import_rubric(
    session: Session, text: str, *, origin: str, by: User | None, source: str = "<rubric>"
) -> Imported:
    """Parse ``text`` (errors name the field and line) and store it as the next version of its
    name, unless the latest version has the same content. Audited. Does not commit."""
    if len(text.encode()) > MAX_RUBRIC_BYTES:
        raise UploadTooLarge(f"a rubric is at most {MAX_RUBRIC_BYTES // 1024} KiB")
    rubric = parse_rubric(text, source=source)
    _, digest = rubric_fingerprint(rubric)
    latest = latest_rubric_row(session, rubric.name)
    n_criteria = len(rubric.criteria)
    if latest is not None and latest.content_sha256 == digest:
        return Imported(rubric.name, latest.version, False, latest.id, rubric.version, n_criteria)
    try:
        row = add_rubric_version(
            session, rubric, text=text, origin=origin, by=by.id if by else None
        )
    except IntegrityError as exc:
        raise Conflict(
            f"rubric {rubric.name!r} was changed by someone else at the same time; try again"
        ) from exc
    record(
        session,
        actor_id=by.id if by else None,
        action="rubric.import" if latest is None else "rubric.edit",
        entity="rubric",
        entity_id=row.id,
        name=row.name,
        version=row.version,
        previous_version=latest.version if latest else None,
        declared_version=rubric.version,
        content_sha256=digest,
        origin=origin,
    )
    return Imported(row.name, row.version, True, row.id, rubric.version, n_criteria)


def _evaluation_counts(session: Session, rubric_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not rubric_ids:
        return {}
    rows = session.execute(
        select(EvaluationRow.rubric_id, func.count(func.distinct(EvaluationRow.call_id)))
        .where(EvaluationRow.rubric_id.in_(rubric_ids))
        .group_by(EvaluationRow.rubric_id)
    )
    return {rid: n for rid, n in rows}


def list_rubrics(session: Session) -> list[dict[str, Any]]:
    """Each rubric name with its latest version (built-ins imported on first sight)."""
    import_builtins(session)
    latest = (
        select(RubricRow.name, func.max(RubricRow.version).label("v"), func.count().label("n"))
        .group_by(RubricRow.name)
        .subquery()
    )
    rows = session.execute(
        select(RubricRow, latest.c.n)
        .join(latest, (RubricRow.name == latest.c.name) & (RubricRow.version == latest.c.v))
        .order_by(RubricRow.name)
    ).all()
    return [
        {
            "name": row.name,
            "title": row.title,
            "latest_version": row.version,
            "versions": n,
            "updated_at": row.created_at.isoformat(),
        }
        for row, n in rows
    ]


def _source(session: Session, row: RubricRow) -> RubricSource | None:
    return session.get(RubricSource, row.id)


def _summary(row: RubricRow, src: RubricSource | None, evaluated: int) -> dict[str, Any]:
    return {
        "name": row.name,
        "version": row.version,
        "title": row.title,
        "declared_version": src.declared_version if src else None,
        "origin": src.origin if src else None,
        "created_by": str(src.created_by) if src and src.created_by else None,
        "created_at": row.created_at.isoformat(),
        "content_sha256": row.content_sha256,
        "calls_scored": evaluated,
    }


def rubric_versions(session: Session, name: str) -> dict[str, Any]:
    rows = list(
        session.scalars(select(RubricRow).where(RubricRow.name == name).order_by(RubricRow.version))
    )
    if not rows:
        raise NotFound(f"rubric {name!r} not found")
    counts = _evaluation_counts(session, [r.id for r in rows])
    sources = {
        s.rubric_id: s
        for s in session.scalars(
            select(RubricSource).where(RubricSource.rubric_id.in_([r.id for r in rows]))
        )
    }
    return {
        "name": name,
        "latest_version": rows[-1].version,
        "versions": [_summary(r, sources.get(r.id), counts.get(r.id, 0)) for r in rows],
    }


def rubric_version(session: Session, name: str, version: int | None = None) -> dict[str, Any]:
    """One version (default: the latest): its document as imported and its parsed form."""
    if version is None:
        row = latest_rubric_row(session, name)
    else:
        row = session.scalar(
            select(RubricRow).where(RubricRow.name == name, RubricRow.version == version)
        )
    if row is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"{which}rubric {name!r} not found")
    src = _source(session, row)
    rubric = stored_rubric(row)
    return {
        **_summary(row, src, _evaluation_counts(session, [row.id]).get(row.id, 0)),
        "yaml": src.text if src else row.source_yaml,
        "criteria": [
            {
                "id": crit.id,
                "section": section.id,
                "question": crit.question,
                "guidance": crit.guidance,
                "points": crit.points * section.weight,
                "critical": crit.critical,
                "na_allowed": crit.na_allowed,
            }
            for section, crit in rubric.criteria
        ],
        "rubric": rubric.model_dump(mode="json"),
    }
