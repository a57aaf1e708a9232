"""The embedded worker pool: the same steps as the Celery workers, in this process."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from domains.kit.services import Services
from pipeline.reaper import Housekeeper
from pipeline.steps import pending_call_ids, process_call, requeue_interrupted

log = logging.getLogger(__name__)


class EmbeddedRunner:
    def __init__(self, svc: Services, *, workers: int = 1) -> None:
        self.svc = svc
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="call")
        self._futures: dict[uuid.UUID, Future[object]] = {}
        self._housekeeper = Housekeeper(svc, self)

    def enqueue(
        self, call_id: uuid.UUID, *, batch_id: uuid.UUID | None = None, step: str | None = None
    ) -> None:
        """Call only after the commit that created the call's row. ``step`` is ignored: the
        pool runs every remaining step of the call."""
        running = self._futures.get(call_id)
        if running is not None and not running.done():
            return
        self._futures[call_id] = self._pool.submit(self._run, call_id, batch_id)

    def _run(self, call_id: uuid.UUID, batch_id: uuid.UUID | None = None) -> object:
        from domains.batches.service import announce_if_finished, is_skipped

        try:
            if batch_id is not None and is_skipped(self.svc, batch_id, call_id):
                return None  # its batch was cancelled before the call started
            status = process_call(self.svc, call_id)
            if batch_id is not None:
                with self.svc.unit_of_work() as session:
                    announce_if_finished(session, batch_id)
            return status
        except Exception:
            log.exception("embedded worker crashed on call %s", call_id)
            raise

    def resume(self) -> int:
        """Start-up: put interrupted calls back, enqueue everything pending, and start the
        housekeeping thread (the reaper and retention, every ``reap_interval_s``)."""
        requeue_interrupted(self.svc)
        ids = pending_call_ids(self.svc)
        for call_id in ids:
            self.enqueue(call_id)
        self._housekeeper.start()
        return len(ids)

    def queue_sizes(self) -> dict[str, int] | None:
        return None  # the pool's queue is in memory: nothing for a batch to reconcile

    def wait(self, timeout: float | None = None) -> None:
        for fut in list(self._futures.values()):
            fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self._housekeeper.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
