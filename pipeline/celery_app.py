"""The Celery app for the distributed mode: `celery -A pipeline.celery_app worker` or
`callreview worker`. Built from settings; the tasks live in ``pipeline.tasks``.

Reliability choices (see the README's "Distributed mode"):
- JSON only and no result backend: a call's status lives in the database, nowhere else.
- ``acks_late`` + ``task_reject_on_worker_lost``: a task is acknowledged after it ran, so a
  worker that dies mid-call gives the message back; the steps are idempotent, so a second
  delivery is harmless.
- prefetch 1: a worker holds only the call it is working on, never a backlog others could run.
- Redis ``visibility_timeout`` above the hard time limit, or a long call would be handed to a
  second worker while the first still runs it.
"""

from __future__ import annotations

from core.runtime import limit_threads

limit_threads()  # before numpy/CTranslate2 load in the worker: one thread per process

from celery import Celery  # noqa: E402
from celery.schedules import crontab  # noqa: E402
from kombu import Queue  # noqa: E402

from core.settings import Settings, get_settings  # noqa: E402

TRANSCRIBE_TASK = "callreview.transcribe_call"
SCORE_TASK = "callreview.score_call"
NIGHTLY_TASK = "callreview.nightly_batch"
RECONCILE_TASK = "callreview.reconcile_batches"
HOUSEKEEPING_TASK = "callreview.housekeeping"
INGEST_TASK = "callreview.poll_sources"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


def parse_cron(expr: str) -> crontab:
    """A five-field crontab line: minute hour day-of-month month day-of-week."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"nightly_batch_cron needs 5 fields, got {expr!r}")
    minute, hour, dom, month, dow = fields
    return crontab(minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow)


def make_celery(settings: Settings) -> Celery:
    app = Celery("callreview", broker=settings.broker_url or DEFAULT_BROKER)
    q_transcribe, q_score = settings.queue_transcribe, settings.queue_score
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_time_limit_s,
        task_time_limit=settings.task_time_limit_s,
        # Redis only (RabbitMQ uses its own consumer_timeout; see the README).
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout_s},
        task_queues=(Queue(q_transcribe), Queue(q_score)),
        task_default_queue=q_transcribe,
        task_routes={
            TRANSCRIBE_TASK: {"queue": q_transcribe},
            SCORE_TASK: {"queue": q_score},
            NIGHTLY_TASK: {"queue": q_score},
            RECONCILE_TASK: {"queue": q_score},
            HOUSEKEEPING_TASK: {"queue": q_score},
            INGEST_TASK: {"queue": q_score},
        },
        # Ride out a broker restart when publishing (about 40 s) instead of failing the call.
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 12,
            "interval_start": 0.5,
            "interval_step": 1.0,
            "interval_max": 5.0,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # The result lands in the database: a task already running when the broker connection
        # drops is allowed to finish rather than throwing away minutes of transcription.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_send_task_events=False,
        enable_utc=True,
        timezone=settings.nightly_batch_timezone,
        include=["pipeline.tasks"],
    )
    schedule: dict[str, dict[str, object]] = {
        # Re-enqueue batch items whose messages a broker restart lost.
        "reconcile-batches": {"task": RECONCILE_TASK, "schedule": 60.0},
    }
    if settings.reap_interval_s > 0:
        # Calls nobody works on (a killed worker, a message never sent) and retention.
        schedule["housekeeping"] = {
            "task": HOUSEKEEPING_TASK,
            "schedule": float(settings.reap_interval_s),
        }
    # Folder and bucket sources whose own poll interval has passed (each claimed once).
    schedule["ingest-sources"] = {"task": INGEST_TASK, "schedule": 30.0}
    if settings.nightly_batch_cron:
        schedule["nightly-batch"] = {
            "task": NIGHTLY_TASK,
            "schedule": parse_cron(settings.nightly_batch_cron),
        }
    app.conf.beat_schedule = schedule
    return app


app = make_celery(get_settings())
