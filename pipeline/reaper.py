"""Recovery without a human: calls that nobody is working on are handed out again.

Runs every ``reap_interval_s`` in both modes (a thread beside the embedded pool; Celery beat
in distributed mode), not only while a batch waits:

- a claim whose lease ran out (``transcribing``/``scoring`` not refreshed for
  ``claim_lease_s``: the worker was killed, or a database error stopped the step) is enqueued
  again; the step's claim takes it over, or gives it up after ``max_claims``;
- a call waiting (``queued``/``transcribed``) for longer than a lease with nothing in its
  queue (the message was never sent: the broker was down at upload, or lost its memory) is
  enqueued again. Steps are idempotent, so a message sent twice leaves one result.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from domains.kit.services import Services
from models.calls import Call, CallStatus

if TYPE_CHECKING:
    from domains.kit.jobs import Dispatcher

log = logging.getLogger(__name__)

_RUNNING = {CallStatus.transcribing: "transcribe", CallStatus.scoring: "score"}
_WAITING = {CallStatus.queued: "transcribe", CallStatus.transcribed: "score"}


@dataclass(frozen=True)
class Reaped:
    stale_claims: int
    unsent: int


def reap(svc: Services, dispatcher: Dispatcher, now: datetime | None = None) -> Reaped:
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=svc.settings.claim_lease_s)
    with svc.session_factory() as s:
        rows = s.execute(
            select(Call.id, Call.status)
            .where(Call.status.in_([*_RUNNING, *_WAITING]), Call.updated_at < cutoff)
            .order_by(Call.attempts, Call.created_at)
        ).all()
    stale = [cid for cid, status in rows if status in _RUNNING]
    waiting: dict[str, list[uuid.UUID]] = {}
    for cid, status in rows:
        if status in _WAITING:
            waiting.setdefault(_WAITING[status], []).append(cid)
    sizes = dispatcher.queue_sizes()
    unsent: list[uuid.UUID] = []
    for step, ids in waiting.items():
        # A queue that holds at least as many messages as calls wait for it is doing its job.
        if sizes is not None and sizes.get(step, 0) >= len(ids):
            continue
        unsent += ids
    for cid in stale:
        dispatcher.enqueue(cid)
    if unsent:
        with svc.unit_of_work() as s:
            # Waiting calls carry no lease: the clock restarts so each is re-sent once per lease.
            s.execute(
                update(Call)
                .where(Call.id.in_(unsent), Call.status.in_(list(_WAITING)))
                .values(updated_at=now)
                .execution_options(synchronize_session=False)
            )
        for cid in unsent:
            dispatcher.enqueue(cid)
    if stale or unsent:
        log.warning(
            "reaper: %d stale claims, %d unsent calls enqueued again", len(stale), len(unsent)
        )
    return Reaped(len(stale), len(unsent))


class Housekeeper:
    """The reaper, retention and ingestion polling, every ``reap_interval_s``, on a daemon
    thread: beside the embedded pool, and in every API process in distributed mode (so recovery
    does not depend on someone running Celery beat; several reapers at once are harmless)."""

    def __init__(self, svc: Services, dispatcher: Dispatcher) -> None:
        self.svc = svc
        self.dispatcher = dispatcher
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None or self.svc.settings.reap_interval_s <= 0:
            return
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        from domains.assignments.service import apply_rules
        from domains.calls.retention import purge_expired
        from domains.ingestion.service import poll_due, purge_expired_held

        while not self._stop.wait(self.svc.settings.reap_interval_s):
            try:
                reap(self.svc, self.dispatcher)
                purge_expired(self.svc)
                with self.svc.unit_of_work() as session:  # the sampling rules fill the queues
                    apply_rules(session)
                purge_expired_held(self.svc)
                poll_due(self.svc)  # folders and buckets whose poll interval has passed
            except Exception:  # the database or broker may be away a while: next round
                log.exception("housekeeping round failed")
