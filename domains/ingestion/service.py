"""Ingestion: each recording a source discovers becomes a normal call through the upload's own
intake (``submit_upload``: sniffed, decoded, stored by sha256, queued after the commit).

One object, one transaction: its ``IngestedObject`` row (unique by source + object id +
content hash), the call, the call's metadata, the source's position and the audit event commit
together, so a run that stops anywhere resumes without losing or doubling an object. An object
that fails is quarantined with its reason and the run goes on; an agent no mapping names is held
as unassigned (stored, not scored) until someone maps it — never guessed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import CallReviewError, Conflict, InvalidInput, NotFound, UploadTooLarge
from domains.audit import service as audit
from domains.calls.intake import submit_upload
from domains.ingestion.schemas import CallInfo, MappingIn, SourceIn
from domains.ingestion.sources import Discovered, SourceUnavailable, webhook
from domains.kit.services import Services
from domains.kit.sniff import sniff_file
from domains.kit.unit_of_work import enqueue_after_commit, on_commit
from models.accounts import Role, User
from models.ingestion import (
    AgentMapping,
    CallMetadata,
    IngestedObject,
    IngestSource,
    IngestStatus,
    Retention,
    SourceKind,
)

log = logging.getLogger(__name__)

DEFAULT_POLL_S = 60.0
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Outcome:
    # ingested | duplicate | unassigned | quarantined, or "seen": recorded before, unchanged
    status: str
    object_id: str
    call_id: uuid.UUID | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RunReport:
    source: str
    seen: int
    counts: dict[str, int]
    error: str | None
    position: str | None


# --- sources -----------------------------------------------------------------------------


def create_source(session: Session, data: SourceIn, *, actor_id: uuid.UUID | None) -> IngestSource:
    """A new source; a webhook without a secret gets a random one (shown once by the caller)."""
    from domains.ingestion.sources import bucket, folder

    if data.kind == "folder":
        folder.check_settings(data.settings)
    elif data.kind == "s3":
        bucket.check_settings(data.settings)
    if session.scalar(select(IngestSource.id).where(IngestSource.name == data.name)):
        raise Conflict(f"a source named {data.name!r} exists already")
    secret = data.hmac_secret
    if data.kind == "webhook" and secret is None:
        secret = secrets.token_urlsafe(32)
    source = IngestSource(
        name=data.name,
        kind=SourceKind(data.kind),
        settings=data.settings,
        enabled=data.enabled,
        retention=Retention(data.retention),
        hmac_secret=secret,
    )
    session.add(source)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="ingest.source_created",
        entity="ingest_source",
        entity_id=source.id,
        name=source.name,
        kind=source.kind.value,
        retention=source.retention.value,
    )
    return source


def get_source(session: Session, name: str) -> IngestSource:
    source = session.scalar(select(IngestSource).where(IngestSource.name == name))
    if source is None:
        raise NotFound(f"no ingestion source named {name!r}")
    return source


def status_counts(session: Session) -> dict[uuid.UUID, dict[str, int]]:
    rows = session.execute(
        select(IngestedObject.source_id, IngestedObject.status, func.count()).group_by(
            IngestedObject.source_id, IngestedObject.status
        )
    ).all()
    out: dict[uuid.UUID, dict[str, int]] = {}
    for source_id, status, n in rows:
        out.setdefault(source_id, {s.value: 0 for s in IngestStatus})[
            IngestStatus(status).value
        ] = n
    return out


def list_sources(session: Session) -> list[tuple[IngestSource, dict[str, int]]]:
    counts = status_counts(session)
    empty = {s.value: 0 for s in IngestStatus}
    sources = session.scalars(select(IngestSource).order_by(IngestSource.name))
    return [(src, counts.get(src.id, dict(empty))) for src in sources]


def held_objects(
    session: Session, *, source_id: uuid.UUID | None = None, limit: int = 200
) -> list[IngestedObject]:
    """The unassigned queue: objects stored and waiting for an agent mapping, oldest first."""
    query = select(IngestedObject).where(IngestedObject.status == IngestStatus.unassigned)
    if source_id is not None:
        query = query.where(IngestedObject.source_id == source_id)
    return list(session.scalars(query.order_by(IngestedObject.created_at).limit(limit)))


def recent_problems(session: Session, *, limit: int = 50) -> list[IngestedObject]:
    return list(
        session.scalars(
            select(IngestedObject)
            .where(IngestedObject.status == IngestStatus.quarantined)
            .order_by(IngestedObject.updated_at.desc())
            .limit(limit)
        )
    )


# --- agents ------------------------------------------------------------------------------


def resolve_agent(session: Session, source_id: uuid.UUID, info: CallInfo) -> uuid.UUID | None:
    """The agent the mapping table names for this source's reference (external id first, then
    e-mail, then name); None when it names none."""
    for kind, ref in info.agent_refs():
        agent_id = session.scalar(
            select(AgentMapping.agent_id).where(
                AgentMapping.source_id == source_id,
                AgentMapping.ref_kind == kind,
                AgentMapping.ref == ref,
            )
        )
        if agent_id is not None:
            return agent_id
    return None


def map_agent(
    svc: Services,
    session: Session,
    source: IngestSource,
    data: MappingIn,
    *,
    actor_id: uuid.UUID | None,
) -> int:
    """Record (or change) a mapping, then release the held objects it now names into calls.
    Returns how many were released."""
    agent = session.get(User, data.agent_id)
    if agent is None or agent.role != Role.agent:
        raise InvalidInput(f"{data.agent_id} is not an agent")
    ref = data.ref.strip() if data.ref_kind == "external_id" else data.ref.strip().lower()
    mapping = session.scalar(
        select(AgentMapping).where(
            AgentMapping.source_id == source.id,
            AgentMapping.ref_kind == data.ref_kind,
            AgentMapping.ref == ref,
        )
    )
    if mapping is None:
        mapping = AgentMapping(source_id=source.id, ref_kind=data.ref_kind, ref=ref)
        session.add(mapping)
    mapping.agent_id = agent.id
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="ingest.agent_mapped",
        entity="ingest_source",
        entity_id=source.id,
        ref_kind=data.ref_kind,
        ref=ref,
        agent_id=str(agent.id),
    )
    released = 0
    for row in held_objects(session, source_id=source.id, limit=10_000):
        info = CallInfo.from_json(row.details.get("info", {}))
        agent_id = resolve_agent(session, source.id, info)
        if agent_id is None or row.storage_key is None:
            continue
        try:
            with session.begin_nested(), open(svc.storage.path(row.storage_key), "rb") as stream:
                new_call = _to_call(
                    svc, session, source, row, stream, info, agent_id, actor_id=actor_id
                )
        except CallReviewError as exc:  # held, then refused by the intake: quarantined
            _set_quarantined(session, source, row, exc.message, actor_id=actor_id)
            continue
        if new_call is not None:
            enqueue_after_commit(session, new_call)
        released += 1
    return released


# --- one object --------------------------------------------------------------------------


def ingest_one(
    svc: Services, source_id: uuid.UUID, found: Discovered, *, actor_id: uuid.UUID | None = None
) -> Outcome:
    """Record one discovered object in its own transaction. Raises ``SourceUnavailable`` when
    its content cannot be read because the source is away (nothing is recorded)."""
    try:
        with _spooled(svc, found) as (path, sha):
            return _record(svc, source_id, found, path, sha, actor_id=actor_id)
    except (InvalidInput, UploadTooLarge) as exc:  # unreadable before it could be hashed
        return quarantine(svc, source_id, found, exc.message, actor_id=actor_id)


def quarantine(
    svc: Services,
    source_id: uuid.UUID,
    found: Discovered,
    reason: str,
    *,
    sha: str = "",
    actor_id: uuid.UUID | None = None,
) -> Outcome:
    """Record ``found`` as refused, with its reason, in a transaction of its own."""
    with svc.unit_of_work() as s:
        source = s.get(IngestSource, source_id)
        assert source is not None
        row = _claim(s, source, found, sha)
        if row is None:
            return Outcome("seen", found.object_id)
        _set_quarantined(s, source, row, reason, actor_id=actor_id)
        _advance(source, found)
        return Outcome(IngestStatus.quarantined.value, found.object_id, reason=reason)


@contextmanager
def _spooled(svc: Services, found: Discovered) -> Iterator[tuple[Path, str]]:
    """The object's content in a local temporary file, with its sha256, under the upload limit."""
    max_bytes = svc.settings.max_upload_mb * (1 << 20)
    tmp_dir = svc.storage.root / ".incoming"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            stream: BinaryIO = found.open()
            with stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadTooLarge(
                            f"{found.filename} exceeds the limit of {svc.settings.max_upload_mb} MB"
                        )
                    digest.update(chunk)
                    out.write(chunk)
        yield Path(name), digest.hexdigest()
    except OSError as exc:
        raise InvalidInput(f"{found.filename} could not be read: {exc}") from exc
    finally:
        if os.path.exists(name):
            os.unlink(name)


def _record(
    svc: Services,
    source_id: uuid.UUID,
    found: Discovered,
    path: Path,
    sha: str,
    *,
    actor_id: uuid.UUID | None,
) -> Outcome:
    with svc.unit_of_work() as s:
        source = s.get(IngestSource, source_id)
        if source is None:
            raise NotFound(f"ingestion source {source_id} not found")
        row = _claim(s, source, found, sha)
        if row is None:
            return Outcome("seen", found.object_id)
        if found.problem is not None:
            _set_quarantined(s, source, row, found.problem, actor_id=actor_id)
            _advance(source, found)
            return Outcome(IngestStatus.quarantined.value, found.object_id, reason=found.problem)
        agent_id = resolve_agent(s, source.id, found.info)
        new_call = None
        try:
            with s.begin_nested():  # a refused file leaves nothing of the attempt behind
                if agent_id is None:
                    _hold(svc, s, source, row, path, found, actor_id=actor_id)
                else:
                    with open(path, "rb") as stream:
                        new_call = _to_call(
                            svc, s, source, row, stream, found.info, agent_id, actor_id=actor_id
                        )
        except CallReviewError as exc:
            _set_quarantined(s, source, row, exc.message, actor_id=actor_id)
            _advance(source, found)
            return Outcome(IngestStatus.quarantined.value, found.object_id, reason=exc.message)
        if new_call is not None:
            enqueue_after_commit(s, new_call)
        _advance(source, found)
        # Earlier failures to even read this object (a recording server that was down) are
        # settled now.
        s.execute(
            delete(IngestedObject).where(
                IngestedObject.source_id == source.id,
                IngestedObject.object_id == found.object_id,
                IngestedObject.content_sha256 == "",
                IngestedObject.status == IngestStatus.quarantined,
            )
        )
        if source.retention == Retention.delete and found.remove is not None:
            on_commit(s, found.remove)  # only once the call (or the held copy) is committed
        return Outcome(row.status.value, found.object_id, call_id=row.call_id)


def _claim(s: Session, source: IngestSource, found: Discovered, sha: str) -> IngestedObject | None:
    """This object's row, new or quarantined before (tried again); None when it was recorded
    already (a re-poll, a retried delivery) or a twin run has just claimed it."""
    row = s.scalar(
        select(IngestedObject).where(
            IngestedObject.source_id == source.id,
            IngestedObject.object_id == found.object_id,
            IngestedObject.content_sha256 == sha,
        )
    )
    if row is not None:
        return row if row.status == IngestStatus.quarantined else None
    row = IngestedObject(
        source_id=source.id,
        object_id=found.object_id[:1024],
        content_sha256=sha,
        status=IngestStatus.quarantined,  # until the work below says otherwise
        filename=found.filename[:300],
        details={"info": found.info.to_json()},
    )
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:
        return None
    return row


def _to_call(
    svc: Services,
    s: Session,
    source: IngestSource,
    row: IngestedObject,
    stream: BinaryIO,
    info: CallInfo,
    agent_id: uuid.UUID,
    *,
    actor_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """The object as a call through the upload's intake; returns the call id when the call is
    new (to enqueue once the caller is out of its savepoint: SQLAlchemy's after_commit also
    fires when a savepoint is released, which would send the job before the real commit)."""
    submitted = submit_upload(
        svc,
        s,
        stream,
        filename=row.filename,
        agent_id=agent_id,
        rubric=source.settings.get("rubric") or None,
    )
    if s.get(CallMetadata, submitted.call_id) is None:
        s.add(
            CallMetadata(
                call_id=submitted.call_id,
                source_id=source.id,
                external_id=row.object_id,
                started_at=info.started_at,
                queue=info.queue,
                direction=info.direction,
                customer_ref=info.customer_ref,
                ticket_url=info.ticket_url,
                extra=info.extra,
            )
        )
    was_held = row.status == IngestStatus.unassigned
    row.status = IngestStatus.ingested if submitted.created else IngestStatus.duplicate
    row.call_id = submitted.call_id
    row.reason = None
    s.flush()
    _audit(
        s,
        source,
        row,
        "ingest.released" if was_held else f"ingest.{row.status.value}",
        actor_id=actor_id,
        agent_id=str(agent_id),
    )
    return submitted.call_id if submitted.created else None


def _hold(
    svc: Services,
    s: Session,
    source: IngestSource,
    row: IngestedObject,
    path: Path,
    found: Discovered,
    *,
    actor_id: uuid.UUID | None,
) -> None:
    sniffed = sniff_file(path, label=f"'{found.filename}'")
    stored = svc.storage.put_file(path, suffix=sniffed.suffix)
    row.status = IngestStatus.unassigned
    row.storage_key = stored.key
    refs = found.info.agent_refs()
    row.reason = (
        "no agent mapping for " + ", ".join(f"{k} {v!r}" for k, v in refs)
        if refs
        else "the source named no agent"
    )
    s.flush()
    _audit(s, source, row, "ingest.unassigned", actor_id=actor_id, reason=row.reason)


def _set_quarantined(
    s: Session,
    source: IngestSource,
    row: IngestedObject,
    reason: str,
    *,
    actor_id: uuid.UUID | None,
) -> None:
    row.status = IngestStatus.quarantined
    row.reason = reason[:2000]
    row.updated_at = datetime.now(UTC)  # a retry that fails again still counts as seen now
    s.flush()
    _audit(s, source, row, "ingest.quarantined", actor_id=actor_id, reason=row.reason)


def _advance(source: IngestSource, found: Discovered) -> None:
    if found.position is not None:
        source.position = found.position


def _audit(
    s: Session,
    source: IngestSource,
    row: IngestedObject,
    action: str,
    *,
    actor_id: uuid.UUID | None,
    **details: Any,
) -> None:
    audit.record(
        s,
        actor_id=actor_id,
        action=action,
        entity="ingested_object",
        entity_id=row.id,
        source=source.name,
        object_id=row.object_id,
        call_id=str(row.call_id) if row.call_id else None,
        **details,
    )


# --- runs --------------------------------------------------------------------------------


def run_source(svc: Services, name: str, *, actor_id: uuid.UUID | None = None) -> RunReport:
    """Poll one folder or bucket source now: every object it has that is not recorded yet."""
    with svc.session_factory() as s:
        src = get_source(s, name)
        if src.kind == SourceKind.webhook:
            raise InvalidInput(f"{name} is a webhook source: it is delivered to, not polled")
        source_id, kind, settings, position = src.id, src.kind, dict(src.settings), src.position
        seen: dict[str, datetime] = {}
        if kind == SourceKind.folder:
            seen = {
                object_id: at
                for object_id, at in s.execute(
                    select(IngestedObject.object_id, func.max(IngestedObject.updated_at))
                    .where(IngestedObject.source_id == source_id)
                    .group_by(IngestedObject.object_id)
                ).all()
            }
    counts: Counter[str] = Counter()
    total, error = 0, None
    try:
        for found in _open_source(kind, settings, position, seen).discover():
            total += 1
            try:
                outcome = ingest_one(svc, source_id, found, actor_id=actor_id)
            except SourceUnavailable:
                raise
            except Exception as exc:  # a bug on one object must not stop the night's others
                log.exception("ingesting %s from %s failed", found.object_id, name)
                outcome = quarantine(
                    svc, source_id, found, f"internal error: {type(exc).__name__}: {exc}"
                )
            counts[outcome.status] += 1
    except SourceUnavailable as exc:
        error = exc.message
        log.warning("ingestion source %s: %s", name, error)
    with svc.unit_of_work() as s:
        ran = s.get(IngestSource, source_id)
        assert ran is not None
        ran.last_run_at = datetime.now(UTC)
        ran.last_error = error
        audit.record(
            s,
            actor_id=actor_id,
            action="ingest.run",
            entity="ingest_source",
            entity_id=source_id,
            name=name,
            seen=total,
            error=error,
            **{k: v for k, v in counts.items()},
        )
        position = ran.position
    return RunReport(name, total, dict(counts), error, position)


def _open_source(
    kind: SourceKind, settings: dict[str, Any], position: str | None, seen: dict[str, datetime]
) -> Any:
    if kind == SourceKind.folder:
        from domains.ingestion.sources.folder import FolderSource

        return FolderSource(settings, seen=seen)
    from domains.ingestion.sources.bucket import BucketSource

    return BucketSource(settings, position=position)


def poll_due(svc: Services, now: datetime | None = None) -> list[RunReport]:
    """Run every enabled folder and bucket source whose interval (settings.poll_interval_s,
    default 60 s) has passed. A source is claimed by a conditional update of its last run, so
    two runners (the embedded housekeeper, Celery beat) never poll it at once."""
    now = now or datetime.now(UTC)
    with svc.session_factory() as s:
        candidates = s.execute(
            select(
                IngestSource.id, IngestSource.name, IngestSource.settings, IngestSource.last_run_at
            )
            .where(
                IngestSource.enabled.is_(True),
                IngestSource.kind.in_([SourceKind.folder, SourceKind.s3]),
            )
            .order_by(IngestSource.name)
        ).all()
    reports = []
    for source_id, name, settings, last in candidates:
        interval = float((settings or {}).get("poll_interval_s", DEFAULT_POLL_S))
        if last is not None and now - last < timedelta(seconds=interval):
            continue
        with svc.unit_of_work() as s:
            guard = (
                IngestSource.last_run_at.is_(None)
                if last is None
                else IngestSource.last_run_at == last
            )
            claimed = s.execute(  # type: ignore[attr-defined]
                update(IngestSource)
                .where(IngestSource.id == source_id, guard)
                .values(last_run_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
        if claimed:
            reports.append(run_source(svc, name))
    return reports


# --- webhook deliveries ------------------------------------------------------------------


def receive_delivery(
    svc: Services, name: str, body: bytes, *, content_type: str, signature: str | None
) -> Outcome:
    """A signed delivery: verified, parsed, answered from the record when it is a replay, else
    its recording is fetched and ingested like any other object. A recording server that is
    down is recorded (quarantined, ``SourceUnavailable`` raised: 502) and tried again when the
    sender retries."""
    with svc.session_factory() as s:
        source = get_source(s, name)
        if source.kind != SourceKind.webhook:
            raise InvalidInput(f"{name} is a {source.kind.value} source, not a webhook")
        webhook.verify(source.hmac_secret, body, signature)
        if not source.enabled:
            raise Conflict(f"source {name} is disabled")
        source_id, settings = source.id, dict(source.settings)
    delivery = webhook.parse_delivery(content_type, body)
    if delivery.ignored is not None:
        return Outcome("ignored", delivery.object_id, reason=delivery.ignored)
    with svc.session_factory() as s:
        before = s.execute(
            select(IngestedObject.status, IngestedObject.call_id)
            .where(
                IngestedObject.source_id == source_id,
                IngestedObject.object_id == delivery.object_id,
                IngestedObject.status != IngestStatus.quarantined,
            )
            .limit(1)
        ).first()
    if before is not None:
        with svc.unit_of_work() as s:
            audit.record(
                s,
                actor_id=None,
                action="ingest.replayed",
                entity="ingest_source",
                entity_id=source_id,
                object_id=delivery.object_id,
                call_id=str(before.call_id) if before.call_id else None,
            )
        return Outcome("duplicate", delivery.object_id, call_id=before.call_id)
    max_bytes = svc.settings.max_upload_mb * (1 << 20)
    url = delivery.recording_url or ""
    name_in_url = PurePosixPath(url.split("?", 1)[0]).name
    found = Discovered(
        object_id=delivery.object_id,
        filename=name_in_url or delivery.object_id,
        open=lambda: webhook.fetch(
            webhook.recording_url(url, settings), settings, max_bytes=max_bytes
        ),
        info=delivery.info,
    )
    try:
        return ingest_one(svc, source_id, found)
    except SourceUnavailable as exc:
        quarantine(svc, source_id, found, exc.message)
        raise


# --- retention ---------------------------------------------------------------------------


def purge_expired_held(svc: Services, now: datetime | None = None) -> int:
    """The global retention period (``retention_days``, the one calls are purged by) applies to
    held recordings too: one still unassigned when it ends loses its stored file and is
    quarantined with that reason (audited). Returns how many."""
    from domains.calls.redaction import drop_unreferenced

    days = svc.settings.retention_days
    if days is None:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    with svc.unit_of_work() as s:
        rows = list(
            s.scalars(
                select(IngestedObject)
                .where(
                    IngestedObject.status == IngestStatus.unassigned,
                    IngestedObject.created_at < cutoff,
                )
                .limit(500)
            )
        )
        for row in rows:
            source = s.get(IngestSource, row.source_id)
            assert source is not None
            if row.storage_key is not None:
                on_commit(s, partial(drop_unreferenced, svc, row.storage_key))
            row.storage_key = None
            _set_quarantined(
                s,
                source,
                row,
                f"the retention period ({days} days) ended before an agent was mapped",
                actor_id=None,
            )
    return len(rows)
