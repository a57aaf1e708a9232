"""The domain services in their own unit of work, as the CLI and the runners call them: tests
that drive the pipeline directly use these instead of repeating ``with svc.unit_of_work()``."""

from __future__ import annotations

import uuid
from pathlib import Path

from domains.batches import service as batches
from domains.calls.intake import Submitted, submit_file
from domains.calls.service import retry
from domains.kit.jobs import Dispatcher
from domains.kit.services import Services


def submit(svc: Services, path: Path, *, agent: str, rubric: str | None = None) -> Submitted:
    """Store ``path`` as a call of ``agent`` and commit (nothing is enqueued)."""
    with svc.unit_of_work() as session:
        return submit_file(svc, session, path, agent=agent, rubric=rubric)


def retry_call(svc: Services, call_id: uuid.UUID) -> None:
    """Put a failed call back at its failed step and commit."""
    with svc.unit_of_work() as session:
        retry(session, call_id)


def start_batch_with(
    svc: Services, dispatcher: Dispatcher, filters: batches.BatchFilters, **kwargs: object
) -> batches.BatchProgress:
    """A committed batch whose jobs go to ``dispatcher``."""
    svc.attach_dispatcher(dispatcher)
    return batches.start_batch(svc, filters, **kwargs)  # type: ignore[arg-type]


def cancel_batch(svc: Services, batch_id: uuid.UUID) -> batches.BatchProgress:
    with svc.unit_of_work() as session:
        return batches.cancel(session, batch_id)
