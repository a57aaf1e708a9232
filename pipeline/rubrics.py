"""Rubrics as the pipeline stores them: each (name, version) once, with its definition."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict
from models.orm import RubricRow
from scoring import Rubric, builtin_rubrics, resolve_rubric


@lru_cache(maxsize=32)
def _builtin(name: str) -> Rubric:
    return resolve_rubric(name)


def load_call_rubric(name_or_path: str) -> Rubric:
    """Built-in rubrics are parsed once per process; a file is read each time, so a fixed
    file takes effect on retry."""
    if name_or_path in builtin_rubrics():
        return _builtin(name_or_path)
    return resolve_rubric(name_or_path)


def rubric_fingerprint(rubric: Rubric) -> tuple[str, str]:
    body = json.dumps(rubric.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return body, hashlib.sha256(body.encode()).hexdigest()


def ensure_rubric_row(session: Session, rubric: Rubric) -> RubricRow:
    """Get or create the row for this rubric version, committing a new one at once so a
    racing worker finds it. The same name and version with other content is refused."""
    body, digest = rubric_fingerprint(rubric)
    query = select(RubricRow).where(
        RubricRow.name == rubric.name, RubricRow.version == rubric.version
    )
    row = session.scalar(query)
    if row is None:
        session.add(
            RubricRow(
                name=rubric.name,
                version=rubric.version,
                title=rubric.title,
                source_yaml=body,
                content_sha256=digest,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        row = session.scalar(query)
        assert row is not None
    if row.content_sha256 != digest:
        raise Conflict(
            f"rubric {rubric.name!r} version {rubric.version} is already stored with other "
            "content; give the edited rubric a new version"
        )
    return row
