"""Batches: select the calls to run, enqueue them after the commit, report and cancel.

A batch's progress is read from its calls' own status (one source of truth). Cancelling marks
the items not yet started as skipped; a task carrying the batch id checks that before it claims
the call. ``reconcile`` re-enqueues items whose messages were lost (a broker restarted without
persistence) or whose worker died; the steps are idempotent, so an extra message is harmless.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from domains.audit import service as audit
from domains.auth.access import scope_calls
from domains.calls.service import reset_failed
from domains.kit.jobs import Dispatcher, step_for
from domains.kit.services import Services
from domains.kit.unit_of_work import enqueue_after_commit
from domains.notifications.service import notify
from models.accounts import User
from models.batches import Batch, BatchItem
from models.calls import Call, CallStatus
from models.reviews import EvaluationRow
from models.rubrics import RubricRow

# What a batch may select. "pending" (the default) is every call that is neither done nor
# failed nor held by a live worker: queued, transcribed, and claims whose lease ran out.
# "outdated": scored by the AI with an older version of its rubric than the latest (a call a
# reviewer has judged keeps their verdicts and is left out).
SELECTABLE = ("pending", "queued", "transcribed", "failed", "outdated")
_NOT_STARTED = (CallStatus.queued, CallStatus.transcribed)


@dataclass(frozen=True)
class BatchFilters:
    since: datetime | None = None
    until: datetime | None = None
    statuses: tuple[str, ...] = ("pending",)
    agent: str | None = None  # a name or an id

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "statuses": list(self.statuses),
            "agent": self.agent,
        }


@dataclass(frozen=True)
class BatchProgress:
    batch_id: uuid.UUID
    state: str  # running | finished | cancelled
    total: int
    done: int
    failed: int
    skipped: int
    steps: dict[str, int]  # items by their call's status
    created_at: datetime
    cancelled_at: datetime | None
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state != "running"


def _stale_before(svc: Services) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=svc.settings.claim_lease_s)


def _outdated() -> Any:
    """A scored call whose current evaluation is the AI's, made with an older version of the
    call's rubric than the latest one stored."""
    latest = (
        select(RubricRow.id)
        .where(RubricRow.name == Call.rubric_name)
        .order_by(RubricRow.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    return and_(
        Call.status == CallStatus.scored,
        exists().where(
            EvaluationRow.call_id == Call.id,
            EvaluationRow.is_current.is_(True),
            EvaluationRow.source == "ai",
            EvaluationRow.rubric_id != latest,
        ),
    )


def _selection(svc: Services, session: Session, filters: BatchFilters, user: User | None) -> Any:
    unknown = sorted(set(filters.statuses) - set(SELECTABLE))
    if unknown or not filters.statuses:
        raise InvalidInput(
            f"status must be among {', '.join(SELECTABLE)}; got {', '.join(unknown) or 'none'}"
        )
    wanted: list[Any] = []
    for status in filters.statuses:
        if status == "outdated":
            wanted.append(_outdated())
        elif status == "pending":
            stale = Call.updated_at < _stale_before(svc)
            wanted += [
                Call.status.in_(_NOT_STARTED),
                and_(Call.status.in_([CallStatus.transcribing, CallStatus.scoring]), stale),
            ]
        else:
            wanted.append(Call.status == CallStatus(status))
    query = select(Call.id, Call.status).where(or_(*wanted)).order_by(Call.created_at)
    if filters.since is not None:
        query = query.where(Call.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(Call.created_at < filters.until)
    if filters.agent:
        query = query.where(Call.agent_id == _agent_id(session, filters.agent))
    if user is not None:
        query = scope_calls(query, user)  # a supervisor batches only their team's calls
    return query


def _agent_id(session: Session, agent: str) -> uuid.UUID:
    try:
        by_id = session.get(User, uuid.UUID(agent))
    except ValueError:
        by_id = None
    user = by_id or session.scalar(select(User).where(User.name == agent))
    if user is None:
        raise NotFound(f"agent {agent!r} not found")
    return user.id


def create_batch(
    svc: Services,
    session: Session,
    filters: BatchFilters,
    *,
    trigger: str,
    user: User | None = None,
) -> BatchProgress:
    """Select the matching calls and record the batch in ``session``; each call's next step
    is enqueued once that transaction commits (no worker ever sees an uncommitted batch)."""
    rows = list(session.execute(_selection(svc, session, filters, user)).all())
    for call_id, status in rows:
        if status == CallStatus.failed:
            reset_failed(session, call_id)  # back to the step that failed; the upload was kept
        elif status == CallStatus.scored:  # outdated: scored again with the latest version
            session.execute(
                update(Call)
                .where(Call.id == call_id)
                .values(status=CallStatus.transcribed)
                .execution_options(synchronize_session=False)
            )
    batch = Batch(
        trigger=trigger,
        created_by=user.id if user else None,
        filters=filters.as_json(),
        total=len(rows),
    )
    session.add(batch)
    session.flush()
    session.add_all(BatchItem(batch_id=batch.id, call_id=cid) for cid, _ in rows)
    audit.record(
        session,
        actor_id=user.id if user else None,
        action="batch.create",
        entity="batch",
        entity_id=batch.id,
        trigger=trigger,
        total=len(rows),
        filters=filters.as_json(),
    )
    session.flush()
    for call_id, status in session.execute(
        select(Call.id, Call.status)
        .join(BatchItem, BatchItem.call_id == Call.id)
        .where(BatchItem.batch_id == batch.id)
        .order_by(Call.created_at)
    ):
        step = step_for(status)
        if step is not None:
            enqueue_after_commit(session, call_id, batch_id=batch.id, step=step)
    return progress(session, batch.id)


def start_batch(
    svc: Services, filters: BatchFilters, *, trigger: str, user: User | None = None
) -> BatchProgress:
    """``create_batch`` in its own unit of work (the CLI, the nightly task): committed, then
    sent to the dispatcher attached to ``svc``."""
    with svc.unit_of_work() as session:
        return create_batch(svc, session, filters, trigger=trigger, user=user)


def _get_batch(session: Session, batch_id: uuid.UUID, user: User | None) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or (user is not None and not _may_see(user, batch)):
        raise NotFound(f"batch {batch_id} not found")
    return batch


def _may_see(user: User, batch: Batch) -> bool:
    from domains.auth.access import sees_everything

    return sees_everything(user) or batch.created_by == user.id


def progress(s: Session, batch_id: uuid.UUID, *, user: User | None = None) -> BatchProgress:
    batch = _get_batch(s, batch_id, user)
    skipped = (
        s.scalar(
            select(func.count())
            .select_from(BatchItem)
            .where(BatchItem.batch_id == batch_id, BatchItem.skipped.is_(True))
        )
        or 0
    )
    counts = {status.value: 0 for status in CallStatus}
    for status, n in s.execute(
        select(Call.status, func.count())
        .join(BatchItem, BatchItem.call_id == Call.id)
        .where(BatchItem.batch_id == batch_id, BatchItem.skipped.is_(False))
        .group_by(Call.status)
    ):
        counts[CallStatus(status).value] = n
    # A not-scorable call is finished too: its outcome is that nothing could be scored.
    done = counts[CallStatus.scored.value] + counts[CallStatus.not_scorable.value]
    failed = counts[CallStatus.failed.value]
    open_items = batch.total - done - failed - skipped
    if open_items > 0:
        state = "running"
    else:
        state = "cancelled" if batch.cancelled_at is not None else "finished"
    return BatchProgress(
        batch_id=batch.id,
        state=state,
        total=batch.total,
        done=done,
        failed=failed,
        skipped=skipped,
        steps=counts,
        created_at=batch.created_at,
        cancelled_at=batch.cancelled_at,
        filters=dict(batch.filters),
    )


def cancel(s: Session, batch_id: uuid.UUID, *, user: User | None = None) -> BatchProgress:
    """Items whose call has not started are skipped; calls mid-step finish that step."""
    batch = _get_batch(s, batch_id, user)
    if batch.cancelled_at is None:
        batch.cancelled_at = datetime.now(UTC)
        audit.record(
            s,
            actor_id=user.id if user else None,
            action="batch.cancel",
            entity="batch",
            entity_id=batch_id,
        )
    not_started = select(Call.id).where(Call.status.in_(_NOT_STARTED))
    s.execute(
        update(BatchItem)
        .where(BatchItem.batch_id == batch_id, BatchItem.call_id.in_(not_started))
        .values(skipped=True)
        .execution_options(synchronize_session=False)
    )
    s.flush()
    return progress(s, batch_id)


def is_skipped(svc: Services, batch_id: uuid.UUID, call_id: uuid.UUID) -> bool:
    with svc.session_factory() as s:
        return bool(
            s.scalar(
                select(BatchItem.skipped).where(
                    BatchItem.batch_id == batch_id, BatchItem.call_id == call_id
                )
            )
        )


def reconcile(svc: Services, dispatcher: Dispatcher, batch_id: uuid.UUID) -> int:
    """Enqueue again what no message will bring back: items whose worker died (stale lease)
    and, while their step's queue is empty, items waiting for a step (the broker lost the
    message). Returns how many were enqueued."""
    sizes = dispatcher.queue_sizes()
    if sizes is None:
        return 0  # embedded: the in-process pool holds its own queue
    stale = Call.updated_at < _stale_before(svc)
    wanted: list[Any] = [
        and_(Call.status.in_([CallStatus.transcribing, CallStatus.scoring]), stale)
    ]
    if sizes.get("transcribe", 1) == 0:
        wanted.append(Call.status == CallStatus.queued)
    if sizes.get("score", 1) == 0:
        wanted.append(Call.status == CallStatus.transcribed)
    with svc.session_factory() as s:
        batch = _get_batch(s, batch_id, None)
        if batch.cancelled_at is not None:
            return 0
        rows = list(
            s.execute(
                select(Call.id, Call.status)
                .join(BatchItem, BatchItem.call_id == Call.id)
                .where(BatchItem.batch_id == batch_id, BatchItem.skipped.is_(False))
                .where(or_(*wanted))
            )
        )
    for call_id, status in rows:
        step = step_for(status)
        if step is not None:
            dispatcher.enqueue(call_id, batch_id=batch_id, step=step)
    return len(rows)


def open_batch_ids(svc: Services, *, within_h: int = 48) -> list[uuid.UUID]:
    since = datetime.now(UTC) - timedelta(hours=within_h)
    with svc.session_factory() as s:
        ids = s.scalars(
            select(Batch.id).where(Batch.created_at >= since, Batch.cancelled_at.is_(None))
        )
        return [bid for bid in ids if progress(s, bid).state == "running"]


def wait(
    svc: Services,
    dispatcher: Dispatcher,
    batch_id: uuid.UUID,
    *,
    timeout_s: float | None = None,
    poll_s: float = 2.0,
    reconcile_every_s: float | None = 30.0,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> BatchProgress:
    """Poll until the batch is finished (or cancelled), reconciling now and then.
    Raises ``TimeoutError`` when ``timeout_s`` passes first."""
    start = last_reconcile = time.monotonic()
    while True:
        with svc.session_factory() as s:
            state = progress(s, batch_id)
        if on_progress is not None:
            on_progress(state)
        if state.finished:
            return state
        now = time.monotonic()
        if timeout_s is not None and now - start > timeout_s:
            raise TimeoutError(
                f"batch {batch_id} not finished after {timeout_s:.0f} s: "
                f"{state.done} done, {state.failed} failed of {state.total}; steps {state.steps}"
            )
        if reconcile_every_s is not None and now - last_reconcile >= reconcile_every_s:
            last_reconcile = now
            reconcile(svc, dispatcher, batch_id)
        time.sleep(poll_s)


def announce_if_finished(session: Session, batch_id: uuid.UUID) -> bool:
    """Tell the batch's creator it finished (done, failed and skipped counts), exactly once
    even when several workers finish its last calls at the same time."""
    state = progress(session, batch_id)
    if not state.finished:
        return False
    claimed = session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.announced_at.is_(None))
        .values(announced_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    batch = session.get(Batch, batch_id)
    creator = session.get(User, batch.created_by) if batch and batch.created_by else None
    if creator is not None:
        notify(
            session,
            [creator],
            kind="batch.finished",
            text=f"Batch {state.state}: {state.done} scored, {state.failed} failed, "
            f"{state.skipped} skipped of {state.total}",
            link="/calls",
        )
    return True
