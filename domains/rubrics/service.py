"""Rubrics as the pipeline stores them: versions of a name in the database.

A rubric name has versions 1, 2, … (``rubrics`` rows); new calls are scored with the latest
version of their rubric, and an evaluation stays tied to the version it was scored with. The
stored version number is assigned here (max + 1), whatever number the YAML itself carries: two
people editing "version: 3" of a document cannot collide. Built-in rubrics are imported the
first time they are used, and again when a release ships different content for them unless the
team has edited them since; a rubric
named by file path (``callreview review --rubric my.yaml``) is scored with exactly that file's
content, stored as a version of its name.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import RubricError
from models.rubrics import RubricRow, RubricSource
from scoring import Rubric, builtin_rubrics, resolve_rubric
from scoring.rubric import parse_rubric


@lru_cache(maxsize=32)
def _builtin(name: str) -> Rubric:
    return resolve_rubric(name)


def load_call_rubric(name_or_path: str) -> Rubric:
    """The rubric as shipped (built-in name) or as written in a file, without the database.
    Built-in rubrics are parsed once per process; a file is read each time, so a fixed file
    takes effect on retry."""
    if name_or_path in builtin_rubrics():
        return _builtin(name_or_path)
    return resolve_rubric(name_or_path)


def rubric_fingerprint(rubric: Rubric) -> tuple[str, str]:
    """The canonical JSON of a rubric and the digest of its content. The version number is
    left out of the digest: the same content under another number is not a new version."""
    data = rubric.model_dump(mode="json")
    if not data.get("vocabulary"):  # added later: rubrics without one keep their digest
        data.pop("vocabulary", None)
    body = json.dumps(data, sort_keys=True, ensure_ascii=False)
    data.pop("version", None)
    content = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return body, hashlib.sha256(content.encode()).hexdigest()


@lru_cache(maxsize=64)
def _parse_stored(row_id: uuid.UUID, body: str) -> Rubric:
    return Rubric.model_validate_json(body)


def stored_rubric(row: RubricRow) -> Rubric:
    """The rubric exactly as stored for this version (its ``version`` is the stored number)."""
    return _parse_stored(row.id, row.source_yaml)


def latest_rubric_row(session: Session, name: str) -> RubricRow | None:
    return session.scalar(
        select(RubricRow).where(RubricRow.name == name).order_by(RubricRow.version.desc()).limit(1)
    )


def rubric_row_with_content(session: Session, name: str, digest: str) -> RubricRow | None:
    """The newest stored version of ``name`` with this content, if any."""
    return session.scalar(
        select(RubricRow)
        .where(RubricRow.name == name, RubricRow.content_sha256 == digest)
        .order_by(RubricRow.version.desc())
        .limit(1)
    )


def add_rubric_version(
    session: Session,
    rubric: Rubric,
    *,
    text: str,
    origin: str,
    by: uuid.UUID | None = None,
    version: int | None = None,
) -> RubricRow:
    """Store ``rubric`` as ``version`` (default: max + 1) of its name. Flushes, never commits;
    a racing writer of the same name makes the flush fail on the (name, version) key."""
    version = version or next_version(session, rubric.name)
    numbered = rubric.model_copy(update={"version": version})
    body, digest = rubric_fingerprint(numbered)
    row = RubricRow(
        name=rubric.name,
        version=version,
        title=rubric.title,
        source_yaml=body,
        content_sha256=digest,
    )
    session.add(row)
    session.flush()
    session.add(
        RubricSource(
            rubric_id=row.id,
            text=text,
            declared_version=rubric.version,
            origin=origin,
            created_by=by,
        )
    )
    session.flush()
    return row


def next_version(session: Session, name: str) -> int:
    top = session.scalar(select(func.max(RubricRow.version)).where(RubricRow.name == name))
    return (top or 0) + 1


def ensure_rubric_row(
    session: Session, rubric: Rubric, *, text: str | None = None, origin: str = "builtin"
) -> RubricRow:
    """The stored version of ``rubric.name`` with this content, storing it as a new version
    when none has it. A racing worker that stored it first wins: the insert is a savepoint,
    so losing the race costs only that row, and the winner's row is returned."""
    _, digest = rubric_fingerprint(rubric)
    row = rubric_row_with_content(session, rubric.name, digest)
    if row is not None:
        return row
    source = text if text is not None else json.dumps(rubric.model_dump(mode="json"), indent=2)
    # Read the number before the savepoint: on SQLite a transaction that reads and then
    # writes cannot wait for a concurrent writer (it fails at once as "database is locked").
    version = next_version(session, rubric.name)
    try:
        with session.begin_nested():
            row = add_rubric_version(session, rubric, text=source, origin=origin, version=version)
    except IntegrityError:
        row = rubric_row_with_content(session, rubric.name, digest)
        if row is None:
            raise
    return row


def _looks_like_path(name_or_path: str) -> bool:
    return name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path or "\\" in name_or_path


def _builtin_text(name: str) -> str:
    return builtin_rubrics()[name].read_text(encoding="utf-8")


def _sync_builtin(session: Session, name: str) -> None:
    """Store the shipped rubric as the next version when the name is new here, or when a
    release changed it and nobody has edited the name since (the latest version came from
    the package); a team's own edits are never replaced by a release."""
    latest = latest_rubric_row(session, name)
    if latest is not None:
        source = session.get(RubricSource, latest.id)
        if source is not None and source.origin != "builtin":
            return
        if latest.content_sha256 == rubric_fingerprint(_builtin(name))[1]:
            return
    ensure_rubric_row(session, _builtin(name), text=_builtin_text(name))


def import_builtins(session: Session) -> None:
    """Built-in rubrics not stored yet (or changed by a release) become stored versions."""
    for name in builtin_rubrics():
        _sync_builtin(session, name)


def call_rubric_row(session: Session, name_or_path: str) -> RubricRow:
    """The rubric version a call is scored with now: the exact content of a rubric file, or
    the latest stored version of a rubric name (a built-in one is imported on first use)."""
    if _looks_like_path(name_or_path):
        path = Path(name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RubricError(f"cannot read rubric {path}: {exc.strerror or exc}") from None
        return ensure_rubric_row(
            session, parse_rubric(text, source=str(path)), text=text, origin="file"
        )
    if name_or_path in builtin_rubrics():
        _sync_builtin(session, name_or_path)
    row = latest_rubric_row(session, name_or_path)
    if row is None:
        known = ", ".join(builtin_rubrics())
        raise RubricError(
            f"no rubric named {name_or_path!r} (built in: {known}; others are added with "
            "`callreview rubric import`) and no such file"
        )
    return row


def check_rubric_name(session: Session, name_or_path: str) -> None:
    """Refuse a rubric that is neither stored, built in, nor a valid rubric file."""
    if _looks_like_path(name_or_path):
        load_call_rubric(name_or_path)
    elif name_or_path not in builtin_rubrics() and latest_rubric_row(session, name_or_path) is None:
        known = ", ".join(builtin_rubrics())
        raise RubricError(f"no rubric named {name_or_path!r} (built in: {known}) and no such file")
