"""The pipeline steps, each idempotent and keyed by call id.

A step claims its work with a conditional update (``… WHERE status = 'queued'``), computes
outside any transaction (transcription can take minutes), then writes its result under a
unique key (one transcript per call, one AI evaluation per call and rubric version). Running a
step twice, or two workers racing for one call, leaves one result. A step that fails marks the
call ``failed`` with a readable reason and the step's name; the upload is kept and ``retry``
resumes from that step.

A claim is a lease: while a step computes, a heartbeat refreshes ``calls.updated_at``, so a
claim that has not been refreshed for ``claim_lease_s`` belongs to a dead worker (``kill -9``,
a lost machine, a hard time limit) and the next delivery of the step takes it over. Transient
database errors are not the call's fault: they propagate (the Celery task retries them) instead
of marking the call failed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from core.errors import CallReviewError, Conflict
from domains.calls.redaction import drop_unreferenced, redact, store_transcript_copy
from domains.calls.service import get_call, retry  # noqa: F401  (re-exported for the runners)
from domains.kit.jobs import STEP_SCORE, STEP_TRANSCRIBE
from domains.kit.services import Services, consult_policy, llm_config
from domains.notifications.service import critical_fail_waits
from domains.reviews.confidence import calibration_for
from domains.reviews.publishing import add_consequences, consequences
from domains.reviews.serialize import (
    criterion_rows,
    scorability_to_json,
    segment_to_json,
    transcript_from_row,
)
from domains.rubrics.service import call_rubric_row, stored_rubric
from models.calls import Call, CallStatus, TranscriptRow
from models.reviews import EvaluationRow
from pipeline.exemplar_cache import prime_embedder
from scoring import evaluate, get_embedder
from scoring.scorable import Scorability, assess
from transcription import (
    TranscriptionOptions,
    load_transcript_file,
    probe_audio,
    transcribe_file,
)

log = logging.getLogger(__name__)

# Connection loss, a locked SQLite file, an exhausted pool: worth retrying, never the call's fault.
TRANSIENT_DB_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)


class StepFailed(Exception):
    """The step marked the call failed; the reason is on the call."""


def _claim(
    svc: Services, session: Session, call_id: uuid.UUID, frm: CallStatus, to: CallStatus, step: str
) -> bool:
    """Take the call from ``frm`` to ``to``, or take over a claim whose lease ran out.
    A call claimed ``max_claims`` times whose worker then died is given up with a reason
    instead of being handed out again (a recording that crashes the worker or outlives the
    hard time limit every time)."""
    now = datetime.now(UTC)
    stale = and_(
        Call.status == to, Call.updated_at < now - timedelta(seconds=svc.settings.claim_lease_s)
    )
    gave_up = session.execute(
        update(Call)
        .where(Call.id == call_id, stale, Call.attempts >= svc.settings.max_claims)
        .values(
            status=CallStatus.failed,
            failed_step=step,
            error=f"gave up after {svc.settings.max_claims} attempts: the worker stopped "
            f"(crash, out of memory or the {svc.settings.task_time_limit_s} s time limit) "
            f"while running {step}",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if gave_up.rowcount:  # type: ignore[attr-defined]
        log.warning("call %s given up at %s: %d claims", call_id, step, svc.settings.max_claims)
        return False
    res = session.execute(
        update(Call)
        .where(Call.id == call_id, or_(Call.status == frm, stale))
        .values(status=to, attempts=Call.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(res.rowcount)  # type: ignore[attr-defined]


@contextmanager
def _holding(svc: Services, call_id: uuid.UUID, status: CallStatus) -> Iterator[None]:
    """Refresh the claim's lease while the step computes, so only a dead worker's goes stale."""
    stop = threading.Event()
    interval = max(0.5, svc.settings.claim_lease_s / 3)

    def beat() -> None:
        while not stop.wait(interval):
            try:
                with svc.unit_of_work() as s:
                    s.execute(
                        update(Call)
                        .where(Call.id == call_id, Call.status == status)
                        .values(updated_at=datetime.now(UTC))
                        .execution_options(synchronize_session=False)
                    )
            except TRANSIENT_DB_ERRORS as exc:  # the next beat may get through
                log.warning("lease heartbeat for call %s failed: %s", call_id, exc)

    thread = threading.Thread(target=beat, name=f"lease-{call_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _set_status(svc: Services, call_id: uuid.UUID, status: CallStatus, **values: object) -> None:
    with svc.unit_of_work() as s:
        s.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(status=status, updated_at=datetime.now(UTC), **values)
            .execution_options(synchronize_session=False)
        )


def _fail(svc: Services, call_id: uuid.UUID, step: str, message: str) -> None:
    log.warning("call %s failed at %s: %s", call_id, step, message)
    _set_status(svc, call_id, CallStatus.failed, failed_step=step, error=message)


def _guarded(svc: Services, call_id: uuid.UUID, step: str, work: Callable[[], None]) -> None:
    try:
        work()
    except TRANSIENT_DB_ERRORS:
        raise  # not the call's fault: the caller retries; the lease frees the claim meanwhile
    except CallReviewError as exc:
        _fail(svc, call_id, step, exc.message)
        raise StepFailed(exc.message) from exc
    except SoftTimeLimitExceeded as exc:
        limit = svc.settings.task_soft_time_limit_s
        message = (
            f"{step} took longer than the limit of {limit} s for one call "
            "(CALLREVIEW_TASK_SOFT_TIME_LIMIT_S); split the recording or raise the limit"
        )
        _fail(svc, call_id, step, message)
        raise StepFailed(message) from exc
    except Exception as exc:
        # A bug, not bad input: keep the cause visible on the call and in the log.
        log.exception("unexpected error in %s for call %s", step, call_id)
        _fail(svc, call_id, step, f"internal error: {type(exc).__name__}: {exc}")
        raise StepFailed(str(exc)) from exc


def with_rubric_vocabulary(
    options: TranscriptionOptions, session: Session, rubric_name: str
) -> TranscriptionOptions:
    """The settings' vocabulary plus the names the call's rubric lists (hotwords)."""
    try:
        extra = stored_rubric(call_rubric_row(session, rubric_name)).vocabulary
    except CallReviewError:
        return options  # an unreadable rubric fails the call at scoring, with its reason
    words = tuple(dict.fromkeys([*options.vocabulary, *extra]))
    return options if words == options.vocabulary else replace(options, vocabulary=words)


def transcribe(svc: Services, call_id: uuid.UUID) -> None:
    with svc.unit_of_work() as s:  # the claim is committed before the (long) work starts
        call = get_call(s, call_id)
        if s.scalar(select(TranscriptRow.id).where(TranscriptRow.call_id == call_id)):
            return
        if not _claim(svc, s, call_id, CallStatus.queued, CallStatus.transcribing, STEP_TRANSCRIBE):
            return  # another worker holds a live claim, or it is not queued
        path = svc.storage.path(call.storage_key)
        kind = call.kind
        label = call.original_filename or path.name
        options = svc.transcription_options
        if kind != "transcript":
            options = with_rubric_vocabulary(options, s, call.rubric_name)

    def work() -> None:
        t0 = time.perf_counter()
        try:
            with _holding(svc, call_id, CallStatus.transcribing):
                if kind == "transcript":
                    transcript = load_transcript_file(path)
                    info = transcript.audio
                else:
                    info = probe_audio(path, limits=svc.audio_limits)
                    transcript = transcribe_file(path, options)
        except CallReviewError as exc:
            # Name the file as the user knows it, not by its storage key.
            raise type(exc)(exc.message.replace(path.name, label)) from exc
        # A recording with no speech keeps its (empty) transcript: scoring marks it not
        # scorable, which is what it is, rather than failed, which retrying would not fix.
        transcript, redacted_key = redact(svc, transcript, path, has_audio=kind == "audio")
        if kind == "transcript" and svc.settings.pii_redact:
            # An uploaded transcript is stored as its redacted form: the raw text's PII
            # must not outlive the call's processing.
            redacted_key = store_transcript_copy(svc, transcript)
        elapsed = time.perf_counter() - t0
        try:
            with svc.unit_of_work() as s:
                s.add(
                    TranscriptRow(
                        call_id=call_id,
                        engine=transcript.engine,
                        model=transcript.model,
                        language=transcript.language,
                        speaker_method=transcript.speaker_method,
                        segments=[segment_to_json(seg) for seg in transcript.segments],
                        processing_s=round(elapsed, 3),
                    )
                )
                call_row = get_call(s, call_id)
                if info is not None:
                    call_row.duration_s = info.duration_s
                    call_row.channels = info.channels
                    call_row.sample_rate = info.sample_rate
                else:
                    call_row.duration_s = transcript.duration_s
                call_row.status = CallStatus.transcribed
                original_key = call_row.storage_key
                if redacted_key is not None and kind == "transcript":
                    call_row.storage_key = redacted_key
                elif redacted_key is not None:
                    call_row.redacted_storage_key = redacted_key
                    if not svc.settings.keep_original_audio:
                        # Policy: only the muted copy stays (a retry then starts from it).
                        call_row.storage_key = redacted_key
        except IntegrityError:  # a racing worker wrote it first: one transcript stands
            return
        if redacted_key is not None and (
            kind == "transcript" or not svc.settings.keep_original_audio
        ):
            drop_unreferenced(svc, original_key)

    _guarded(svc, call_id, STEP_TRANSCRIBE, work)


def _has_ai_evaluation(session: Session, call_id: uuid.UUID, rubric_id: uuid.UUID) -> bool:
    return (
        session.scalar(
            select(EvaluationRow.id).where(
                EvaluationRow.call_id == call_id,
                EvaluationRow.rubric_id == rubric_id,
                EvaluationRow.source == "ai",
            )
        )
        is not None
    )


def score(svc: Services, call_id: uuid.UUID) -> None:
    def work() -> None:
        with svc.unit_of_work() as s:  # the claim is committed before the (long) work starts
            call = get_call(s, call_id)
            # The latest version of the call's rubric (a file: exactly its content).
            rubric_row = call_rubric_row(s, call.rubric_name)
            rubric = stored_rubric(rubric_row)
            rubric_id = rubric_row.id
            if _has_ai_evaluation(s, call_id, rubric_id):
                return
            row = s.scalar(select(TranscriptRow).where(TranscriptRow.call_id == call_id))
            if row is None:
                raise Conflict("the call has no transcript yet")
            transcript = transcript_from_row(row, call)
            score_anyway = call.score_anyway
            if not _claim(svc, s, call_id, CallStatus.transcribed, CallStatus.scoring, STEP_SCORE):
                return
        t0 = time.perf_counter()
        with _holding(svc, call_id, CallStatus.scoring):
            embedder = get_embedder(
                svc.settings.embedding_model,
                svc.settings.embedding_backend,
                svc.settings.models_dir,
            )
            # A reviewer's "score anyway" skips the check; its verdict stays on the call.
            scorability = None if score_anyway else assess(transcript, embedder=embedder)
            if scorability is not None and not scorability.scorable:
                _not_scorable(svc, call_id, scorability)
                return
            prime_embedder(embedder, rubric, svc.settings.cache_dir, svc.settings.embedding_model)
            evaluation = evaluate(
                transcript,
                rubric,
                embedder=embedder,
                llm=llm_config(svc.settings),
                review_threshold=svc.settings.review_confidence_threshold,
                critical_threshold=svc.settings.critical_confidence_threshold,
                adjudicator=svc.adjudicator,
                consult_policy=consult_policy(svc.settings),
                calibration=calibration_for(svc.settings.cache_dir, rubric.name),
            )
            moments, feedback = consequences(transcript, evaluation, rubric=rubric)
        elapsed = time.perf_counter() - t0
        try:
            with svc.unit_of_work() as s:
                s.execute(
                    update(EvaluationRow)
                    .where(EvaluationRow.call_id == call_id)
                    .values(is_current=False)
                    .execution_options(synchronize_session=False)
                )
                ev_row = EvaluationRow(
                    call_id=call_id,
                    rubric_id=rubric_id,
                    source="ai",
                    is_current=True,
                    score=evaluation.score,
                    auto_failed=evaluation.auto_failed,
                    provisional=evaluation.provisional,
                    provisional_reason=evaluation.provisional_reason or None,
                    provisional_criteria=list(evaluation.provisional_criteria) or None,
                    processing_s=round(elapsed, 4),
                    criteria=criterion_rows(evaluation.criteria),
                )
                s.add(ev_row)
                s.flush()
                add_consequences(
                    s, call_id=call_id, evaluation_id=ev_row.id, moments=moments, feedback=feedback
                )
                call_row = get_call(s, call_id)
                if scorability is not None:
                    call_row.scorability = scorability_to_json(scorability)
                call_row.status = CallStatus.scored
                call_row.scored_at = datetime.now(UTC)
                call_row.failed_step = None
                call_row.error = None
                if evaluation.provisional:  # an unsure critical fail: a human must decide
                    critical_fail_waits(s, call_row, list(evaluation.provisional_criteria))
        except IntegrityError:
            pass  # a racing worker scored it first: one evaluation stands

    _guarded(svc, call_id, STEP_SCORE, work)


def _not_scorable(svc: Services, call_id: uuid.UUID, scorability: Scorability) -> None:
    """The call ends here: its transcript is kept, nothing is scored (no averages move)."""
    log.info("call %s is not scorable: %s", call_id, scorability.detail)
    with svc.unit_of_work() as s:
        s.execute(
            update(Call)
            .where(Call.id == call_id, Call.status == CallStatus.scoring)
            .values(
                status=CallStatus.not_scorable,
                scorability=scorability_to_json(scorability),
                failed_step=None,
                error=None,
                updated_at=datetime.now(UTC),
            )
            .execution_options(synchronize_session=False)
        )


def process_call(
    svc: Services, call_id: uuid.UUID, on_step: Callable[[str], None] | None = None
) -> CallStatus:
    """Run every remaining step of one call; return its final status. ``on_step`` hears each
    step's name as it starts (a progress display for one long call)."""
    try:
        if on_step:
            on_step(STEP_TRANSCRIBE)
        transcribe(svc, call_id)
        with svc.session_factory() as s:
            ready = get_call(s, call_id).status in (CallStatus.transcribed, CallStatus.scoring)
        if ready:  # not a call given up, failed or still held by another worker
            if on_step:
                on_step(STEP_SCORE)
            score(svc, call_id)
    except StepFailed:
        pass
    with svc.session_factory() as s:
        return get_call(s, call_id).status


def requeue_interrupted(svc: Services) -> int:
    """Embedded mode start-up: calls left mid-step by a stopped process go back to the queue,
    except one already claimed ``max_claims`` times: it took the process down each time, so it
    is given up with a reason instead of crashing every restart."""
    with svc.unit_of_work() as s:
        n = 0
        for status, step in (
            (CallStatus.transcribing, STEP_TRANSCRIBE),
            (CallStatus.scoring, STEP_SCORE),
        ):
            s.execute(
                update(Call)
                .where(Call.status == status, Call.attempts >= svc.settings.max_claims)
                .values(
                    status=CallStatus.failed,
                    failed_step=step,
                    error=f"gave up after {svc.settings.max_claims} attempts: the service "
                    f"stopped (crash or out of memory) while running {step}",
                )
                .execution_options(synchronize_session=False)
            )
        for frm, to in (
            (CallStatus.transcribing, CallStatus.queued),
            (CallStatus.scoring, CallStatus.transcribed),
        ):
            res = s.execute(
                update(Call)
                .where(Call.status == frm)
                .values(status=to)
                .execution_options(synchronize_session=False)
            )
            n += res.rowcount  # type: ignore[attr-defined]
    return n


def pending_call_ids(svc: Services) -> list[uuid.UUID]:
    with svc.session_factory() as s:
        return list(
            s.scalars(
                select(Call.id)
                .where(Call.status.in_([CallStatus.queued, CallStatus.transcribed]))
                # A call that was interrupted before waits behind the ones never tried.
                .order_by(Call.attempts, Call.created_at)
            )
        )
