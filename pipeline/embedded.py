"""The embedded worker pool: the same steps as the Celery workers, in this process."""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from pipeline.services import Services
from pipeline.steps import pending_call_ids, process_call, requeue_interrupted

log = logging.getLogger(__name__)


class EmbeddedRunner:
    def __init__(self, svc: Services, *, workers: int = 1) -> None:
        self.svc = svc
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="call")
        self._futures: dict[uuid.UUID, Future[object]] = {}
        self._stop = threading.Event()
        self._housekeeper: threading.Thread | None = None

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
        from pipeline.batches import is_skipped

        try:
            if batch_id is not None and is_skipped(self.svc, batch_id, call_id):
                return None  # its batch was cancelled before the call started
            return process_call(self.svc, call_id)
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
        if self._housekeeper is None and self.svc.settings.reap_interval_s > 0:
            self._housekeeper = threading.Thread(
                target=self._housekeeping, name="housekeeping", daemon=True
            )
            self._housekeeper.start()
        return len(ids)

    def _housekeeping(self) -> None:
        from pipeline.reaper import reap
        from pipeline.retention import purge_expired

        while not self._stop.wait(self.svc.settings.reap_interval_s):
            try:
                reap(self.svc, self)
                purge_expired(self.svc)
            except Exception:  # the database may be away for a while: try again next round
                log.exception("housekeeping round failed")

    def queue_sizes(self) -> dict[str, int] | None:
        return None  # the pool's queue is in memory: nothing for a batch to reconcile

    def wait(self, timeout: float | None = None) -> None:
        for fut in list(self._futures.values()):
            fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
