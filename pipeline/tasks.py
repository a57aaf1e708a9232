"""Celery tasks: thin wrappers around the pipeline steps. Ids in, nothing out; the status of a
call lives in the database.

A step either claims the call (conditional update) or finds it held, done, or failed. When it
is held by a live worker this delivery may be a duplicate, or the redelivery of a task whose
worker just died with the lease still fresh: it checks back once the lease could have run out,
so a claim is never left behind by a dead worker.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Task
from celery.signals import celeryd_after_setup, worker_process_init, worker_process_shutdown
from kombu.exceptions import OperationalError as BrokerError

from core.settings import get_settings
from domains.batches import service as batches
from domains.kit.services import Services, build_services
from models.calls import CallStatus
from pipeline import steps
from pipeline.celery_app import (
    HOUSEKEEPING_TASK,
    INGEST_TASK,
    NIGHTLY_TASK,
    RECONCILE_TASK,
    SCORE_TASK,
    TRANSCRIBE_TASK,
    app,
)

log = logging.getLogger(__name__)

TRANSIENT = (*steps.TRANSIENT_DB_ERRORS, BrokerError)
_RETRY = {
    "bind": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 12,
}

_services: Services | None = None
_consumes: set[str] = set()


def worker_services() -> Services:
    """One engine and session factory per worker process, built after the fork."""
    global _services
    if _services is None:
        _services = build_services(get_settings(), migrate=False)
    return _services


@celeryd_after_setup.connect
def _remember_queues(sender: str, instance: Any, **_: Any) -> None:
    # Runs in the parent before the pool forks: the children inherit which models to warm.
    _consumes.update(instance.app.amqp.queues.consume_from or {})


@worker_process_init.connect
def _warm_models(**_: Any) -> None:
    """Load each model once per process, before the first call (never per call)."""
    svc = worker_services()
    settings = svc.settings
    if not _consumes or settings.queue_transcribe in _consumes:
        from transcription.engines import get_engine

        get_engine(svc.transcription_options)
    if not _consumes or settings.queue_score in _consumes:
        from scoring import get_embedder

        # The first start on a machine also builds the ONNX graph (~25 s, once).
        get_embedder(
            settings.embedding_model, settings.embedding_backend, settings.models_dir
        ).encode(["warm up"])


@worker_process_shutdown.connect
def _close(**_: Any) -> None:
    if _services is not None:
        _services.close()


def _status(svc: Services, call_id: uuid.UUID) -> CallStatus:
    with svc.session_factory() as s:
        return steps.get_call(s, call_id).status


def _check_back(task: Task, call_id: str, batch_id: str | None) -> None:
    countdown = worker_services().settings.claim_lease_s + 1
    task.apply_async((call_id, batch_id), countdown=countdown)


@app.task(name=TRANSCRIBE_TASK, **_RETRY)
def transcribe_call(self: Task, call_id: str, batch_id: str | None = None) -> None:
    svc = worker_services()
    cid = uuid.UUID(call_id)
    if batch_id and batches.is_skipped(svc, uuid.UUID(batch_id), cid):
        return
    try:
        steps.transcribe(svc, cid)
    except steps.StepFailed:
        _announce(svc, batch_id)  # the call is marked failed with the reason: maybe the last
        return
    status = _status(svc, cid)
    if status == CallStatus.transcribed:
        # After the commit that wrote the transcript: scoring runs on its own queue.
        score_call.apply_async((call_id, batch_id))
    elif status == CallStatus.transcribing:
        _check_back(self, call_id, batch_id)


@app.task(name=SCORE_TASK, **_RETRY)
def score_call(self: Task, call_id: str, batch_id: str | None = None) -> None:
    svc = worker_services()
    cid = uuid.UUID(call_id)
    if batch_id and batches.is_skipped(svc, uuid.UUID(batch_id), cid):
        return
    try:
        steps.score(svc, cid)
    except steps.StepFailed:
        _announce(svc, batch_id)
        return
    if _status(svc, cid) == CallStatus.scoring:
        _check_back(self, call_id, batch_id)
    else:
        _announce(svc, batch_id)


def _announce(svc: Services, batch_id: str | None) -> None:
    """The batch's creator hears once when its last call has ended."""
    if batch_id:
        with svc.unit_of_work() as session:
            batches.announce_if_finished(session, uuid.UUID(batch_id))


@app.task(name=NIGHTLY_TASK, **_RETRY)
def nightly_batch(self: Task) -> str:
    """Celery beat's nightly run: every pending call of the look-back window."""
    from datetime import UTC, datetime, timedelta

    from pipeline.dispatch import CeleryDispatcher

    svc = worker_services()
    since = datetime.now(UTC) - timedelta(hours=svc.settings.nightly_batch_lookback_h)
    svc.attach_dispatcher(CeleryDispatcher(svc, app))
    created = batches.start_batch(svc, batches.BatchFilters(since=since), trigger="schedule")
    log.info("nightly batch %s: %d calls", created.batch_id, created.total)
    return str(created.batch_id)


@app.task(name=RECONCILE_TASK, **_RETRY)
def reconcile_batches(self: Task) -> int:
    from pipeline.dispatch import CeleryDispatcher

    svc = worker_services()
    dispatcher = CeleryDispatcher(svc, app)
    return sum(batches.reconcile(svc, dispatcher, bid) for bid in batches.open_batch_ids(svc))


@app.task(name=HOUSEKEEPING_TASK, **_RETRY)
def housekeeping(self: Task) -> int:
    """Celery beat's recovery round: the reaper, retention, and the sampling rules."""
    from domains.assignments.service import apply_rules
    from domains.calls.retention import purge_expired
    from domains.ingestion.service import purge_expired_held
    from pipeline.dispatch import CeleryDispatcher
    from pipeline.reaper import reap

    svc = worker_services()
    reaped = reap(svc, CeleryDispatcher(svc, app))
    purged = purge_expired(svc) + purge_expired_held(svc)
    with svc.unit_of_work() as session:
        apply_rules(session)
    return reaped.stale_claims + reaped.unsent + purged


@app.task(name=INGEST_TASK, **_RETRY)
def poll_sources(self: Task) -> int:
    """Celery beat's ingestion round: every folder and bucket source that is due; the new calls
    are enqueued after each object's commit."""
    from domains.ingestion.service import poll_due
    from pipeline.dispatch import CeleryDispatcher

    svc = worker_services()
    if svc.relay.dispatcher is None:
        svc.attach_dispatcher(CeleryDispatcher(svc, app))
    return sum(report.seen for report in poll_due(svc))
