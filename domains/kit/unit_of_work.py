"""One unit of work: services take a session, change rows and flush; they never commit. The
request dependency (``domains.kit.deps``) and the runners (``unit_of_work``) commit once.

Work for the pipeline found during a transaction (an upload, a retry, a batch) is recorded on
the session with ``enqueue_after_commit`` and handed to the dispatcher only after that
transaction commits: a worker never looks for a call that is not there yet, and a rollback
sends nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from domains.kit.jobs import Dispatcher
from domains.kit.mail import Mail, Mailer

log = logging.getLogger(__name__)
_JOBS = "callreview.jobs"
_CALLBACKS = "callreview.on_commit"
_MAIL = "callreview.mail"


@dataclass(frozen=True)
class Job:
    call_id: uuid.UUID
    batch_id: uuid.UUID | None = None
    step: str | None = None


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed once at the end, or rolled back on an exception."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def enqueue_after_commit(
    session: Session,
    call_id: uuid.UUID,
    *,
    batch_id: uuid.UUID | None = None,
    step: str | None = None,
) -> None:
    """Run ``call_id``'s next step once this session's transaction has committed."""
    session.info.setdefault(_JOBS, []).append(Job(call_id, batch_id, step))


def on_commit(session: Session, callback: Callable[[], object]) -> None:
    """Run ``callback`` once this session's transaction has committed (never on a rollback):
    for effects outside the database, such as deleting a file no row points at any more."""
    session.info.setdefault(_CALLBACKS, []).append(callback)


def mail_after_commit(session: Session, mail: Mail) -> None:
    """Send ``mail`` once this session's transaction has committed (never on a rollback)."""
    session.info.setdefault(_MAIL, []).append(mail)


def pending_jobs(session: Session) -> list[Job]:
    """The jobs recorded on ``session`` and not sent yet (for tests and diagnostics)."""
    return list(session.info.get(_JOBS, ()))


class JobRelay:
    """Sends each committed transaction's jobs to the dispatcher; drops a rolled-back one's.
    Installed once per session factory (``Services.attach_dispatcher``)."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.dispatcher: Dispatcher | None = None
        self.mailer: Mailer | None = None
        event.listen(factory, "after_commit", self._after_commit)
        event.listen(factory, "after_soft_rollback", self._after_rollback)

    def _after_commit(self, session: Session) -> None:
        if session.get_nested_transaction() is not None:
            # A savepoint was released (``begin_nested``; SQLAlchemy calls this hook for it
            # too): the outer transaction has not committed yet, so nothing leaves now.
            return
        mails = session.info.pop(_MAIL, [])
        if mails and self.mailer is not None:
            self.mailer.send(mails)
        for callback in session.info.pop(_CALLBACKS, []):
            try:
                callback()
            except Exception:  # the commit stands; a leftover file is only disk space
                log.exception("an after-commit action failed")
        jobs = session.info.pop(_JOBS, [])
        if not jobs:
            return
        if self.dispatcher is None:
            # No dispatcher in this process (a CLI import, a test): the calls stay queued and
            # the next runner's start-up (resume) or the reaper picks them up.
            log.info("%d job(s) committed with no dispatcher attached; left queued", len(jobs))
            return
        for job in jobs:
            self.dispatcher.enqueue(job.call_id, batch_id=job.batch_id, step=job.step)

    def _after_rollback(self, session: Session, previous_transaction: object) -> None:
        if not session.in_transaction():  # the outermost transaction: its work is gone
            session.info.pop(_JOBS, None)
            session.info.pop(_CALLBACKS, None)
            session.info.pop(_MAIL, None)
