"""Enqueueing work, the one way the API, the CLI and the scheduler do it: to the in-process
pool when no broker is configured (embedded), to the Celery queues when one is.

Callers enqueue only after the commit that created the rows, and pass ids, never objects.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from kombu.exceptions import ChannelError
from kombu.exceptions import OperationalError as BrokerError

from domains.kit.jobs import STEP_SCORE, STEP_TRANSCRIBE, Dispatcher, step_for
from domains.kit.services import Services
from models.calls import Call

if TYPE_CHECKING:
    from celery import Celery

    from pipeline.reaper import Housekeeper

log = logging.getLogger(__name__)


class CeleryDispatcher:
    """Sends task messages by name, so the API needs the broker URL but not the worker code."""

    def __init__(self, svc: Services, app: Celery | None = None) -> None:
        from pipeline.celery_app import make_celery

        self.svc = svc
        self.app = app or make_celery(svc.settings)
        self._queues = {
            STEP_TRANSCRIBE: svc.settings.queue_transcribe,
            STEP_SCORE: svc.settings.queue_score,
        }
        self._housekeeper: Housekeeper | None = None

    def enqueue(
        self, call_id: uuid.UUID, *, batch_id: uuid.UUID | None = None, step: str | None = None
    ) -> None:
        from pipeline.celery_app import SCORE_TASK, TRANSCRIBE_TASK

        if step is None:
            with self.svc.session_factory() as s:
                call = s.get(Call, call_id)
                step = step_for(call.status) if call is not None else None
            if step is None:
                return
        name = TRANSCRIBE_TASK if step == STEP_TRANSCRIBE else SCORE_TASK
        args = [str(call_id), str(batch_id) if batch_id else None]
        try:
            # No publish retries here: an upload must not wait out a broker restart. The call
            # is committed and stays in its status; the reaper sends it once the broker is back.
            self.app.send_task(name, args=args, queue=self._queues[step], retry=False)
        except (BrokerError, OSError) as exc:
            log.error("could not enqueue call %s (%s): %s", call_id, step, exc)

    def resume(self) -> int:
        """API start-up: run the housekeeper here (the reaper sends calls that nobody works
        on again, without waiting for the broker's visibility timeout)."""
        from pipeline.reaper import Housekeeper

        if self._housekeeper is None:
            self._housekeeper = Housekeeper(self.svc, self)
            self._housekeeper.start()
        return 0

    def queue_sizes(self) -> dict[str, int] | None:
        """Messages waiting per step (not those a worker holds); {} while the broker is away."""
        sizes: dict[str, int] = {}
        try:
            with self.app.connection_for_write() as conn:
                for step, queue in self._queues.items():
                    # A fresh channel each: a failed passive declare closes its channel.
                    with conn.channel() as channel:
                        try:
                            ok = channel.queue_declare(queue=queue, passive=True)
                            sizes[step] = ok.message_count
                        except ChannelError:  # Redis: an empty queue does not exist
                            sizes[step] = 0
        except BrokerError as exc:
            log.warning("broker unreachable while reading queue sizes: %s", exc)
            return {}
        return sizes

    def shutdown(self) -> None:
        if self._housekeeper is not None:
            self._housekeeper.stop()
        self.app.close()


def make_dispatcher(svc: Services) -> Dispatcher:
    """Embedded when ``broker_url`` is unset, Celery when it is set; attached to ``svc`` so
    the jobs its transactions record are sent here once they commit."""
    dispatcher: Dispatcher
    if svc.settings.broker_url is None:
        from pipeline.embedded import EmbeddedRunner

        dispatcher = EmbeddedRunner(svc, workers=svc.settings.workers)
    else:
        dispatcher = CeleryDispatcher(svc)
    svc.attach_dispatcher(dispatcher)
    return dispatcher
