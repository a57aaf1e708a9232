"""Recovery without a human, embedded mode: calls nobody works on are handed out again by the
reaper (not only inside a waiting batch), a call that keeps taking the process down is given
up instead of running first on every restart, and an upload never waits for a down broker."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from domains.calls.service import get_call
from domains.kit.services import Services, build_services
from models.calls import Call, CallStatus
from pipeline.dispatch import CeleryDispatcher
from pipeline.embedded import EmbeddedRunner
from pipeline.reaper import reap
from pipeline.steps import pending_call_ids, requeue_interrupted
from tests.conftest import make_settings
from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.pipeline_calls import submit


def _submit(svc: Services, tmp_path: Path, name: str) -> uuid.UUID:
    path = tmp_path / name
    path.write_text(f"{GOOD_CALL}\nCustomer: Thanks, this was call {name}.\n")  # distinct files
    return submit(svc, path, agent="Dana").call_id


def _set(svc: Services, call_id: uuid.UUID, **values: object) -> None:
    with svc.session_factory() as s:
        s.execute(update(Call).where(Call.id == call_id).values(**values))
        s.commit()


def _status(svc: Services, call_id: uuid.UUID) -> CallStatus:
    with svc.session_factory() as s:
        return get_call(s, call_id).status


def test_reaper_hands_out_stale_claims_and_unsent_calls(svc: Services, tmp_path: Path) -> None:
    long_ago = datetime.now(UTC) - timedelta(seconds=svc.settings.claim_lease_s + 5)
    # A worker died mid-transcription (its lease ran out), and an upload whose message was
    # never sent (the broker was down): both sit with nobody working on them.
    dead = _submit(svc, tmp_path, "dead.txt")
    _set(svc, dead, status=CallStatus.transcribing, attempts=1, updated_at=long_ago)
    unsent = _submit(svc, tmp_path, "unsent.txt")
    _set(svc, unsent, updated_at=long_ago)
    fresh = _submit(svc, tmp_path, "fresh.txt")
    runner = EmbeddedRunner(svc)
    try:
        reaped = reap(svc, runner)
        assert (reaped.stale_claims, reaped.unsent) == (1, 1)
        runner.wait(timeout=120)
        assert _status(svc, dead) == CallStatus.scored
        assert _status(svc, unsent) == CallStatus.scored
        assert _status(svc, fresh) == CallStatus.queued  # waited less than a lease: left alone
        with svc.session_factory() as s:
            # The stale claim was taken over (counted), then scoring claimed it once more.
            assert get_call(s, dead).attempts == 3
    finally:
        runner.shutdown()


def test_reaper_gives_up_a_call_claimed_too_often(svc: Services, tmp_path: Path) -> None:
    long_ago = datetime.now(UTC) - timedelta(seconds=svc.settings.claim_lease_s + 5)
    crasher = _submit(svc, tmp_path, "crasher.txt")
    _set(
        svc,
        crasher,
        status=CallStatus.transcribing,
        attempts=svc.settings.max_claims,
        updated_at=long_ago,
    )
    runner = EmbeddedRunner(svc)
    try:
        reap(svc, runner)
        runner.wait(timeout=60)
    finally:
        runner.shutdown()
    with svc.session_factory() as s:
        call = get_call(s, crasher)
        assert call.status == CallStatus.failed
        assert call.error is not None and call.error.startswith("gave up after 5 attempts")


def test_restart_gives_up_a_call_that_keeps_taking_the_process_down(
    svc: Services, tmp_path: Path
) -> None:
    crasher = _submit(svc, tmp_path, "crasher.txt")
    _set(svc, crasher, status=CallStatus.transcribing, attempts=svc.settings.max_claims)
    interrupted = _submit(svc, tmp_path, "interrupted.txt")
    _set(svc, interrupted, status=CallStatus.transcribing, attempts=1)
    never_tried = _submit(svc, tmp_path, "new.txt")
    requeue_interrupted(svc)
    with svc.session_factory() as s:
        gone = get_call(s, crasher)
        assert gone.status == CallStatus.failed
        assert gone.error == (
            "gave up after 5 attempts: the service stopped (crash or out of memory) while "
            "running transcribe"
        )
    assert _status(svc, interrupted) == CallStatus.queued
    # Interrupted calls wait behind those never tried.
    assert pending_call_ids(svc) == [never_tried, interrupted]


def test_housekeeping_runs_on_its_own_in_embedded_mode(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path}/h.db", tmp_path / "storage", reap_interval_s=0.2, claim_lease_s=1
    )
    svc = build_services(settings)
    runner = EmbeddedRunner(svc)
    try:
        runner.resume()
        stuck = _submit(svc, tmp_path, "stuck.txt")  # never enqueued, as if the send was lost
        deadline = time.monotonic() + 120
        while _status(svc, stuck) != CallStatus.scored and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _status(svc, stuck) == CallStatus.scored
    finally:
        runner.shutdown()
        svc.close()


def test_enqueue_with_the_broker_down_returns_at_once(svc: Services, tmp_path: Path) -> None:
    """The call stays committed and queued for the reaper; the upload does not wait out
    publish retries (it used to block 47 s)."""
    down = make_settings(
        str(svc.settings.database_url),
        tmp_path / "storage",
        broker_url="redis://127.0.0.1:9/0",  # nothing listens on the discard port
    )
    call_id = _submit(svc, tmp_path, "queued.txt")
    dispatcher = CeleryDispatcher(build_services(down))
    t0 = time.monotonic()
    dispatcher.enqueue(call_id)
    assert time.monotonic() - t0 < 15
    assert _status(svc, call_id) == CallStatus.queued


def test_a_step_past_its_time_limit_fails_with_a_clear_reason(
    svc: Services, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Celery's soft time limit raises inside the step; the call says which limit it hit and
    keeps its upload for a retry."""
    from celery.exceptions import SoftTimeLimitExceeded

    from pipeline import steps

    def too_slow(*_args: object) -> None:
        raise SoftTimeLimitExceeded()

    call_id = _submit(svc, tmp_path, "slow.txt")
    monkeypatch.setattr(steps, "load_transcript_file", too_slow)
    assert steps.process_call(svc, call_id) == CallStatus.failed
    with svc.session_factory() as s:
        call = get_call(s, call_id)
        assert call.error == (
            f"transcribe took longer than the limit of {svc.settings.task_soft_time_limit_s} s "
            "for one call (CALLREVIEW_TASK_SOFT_TIME_LIMIT_S); split the recording or raise "
            "the limit"
        )
        assert svc.storage.path(call.storage_key).exists()


def test_a_database_error_mid_step_in_embedded_mode_is_recovered(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A transient database error is not the call's fault: the step gives up its turn and the
    call stays ``transcribing`` — it used to stay there for good in embedded mode. The lease
    runs out and the housekeeper hands it out again."""
    from sqlalchemy.exc import OperationalError

    from pipeline import steps

    settings = make_settings(
        f"sqlite:///{tmp_path}/t.db", tmp_path / "storage", reap_interval_s=0.2, claim_lease_s=1
    )
    svc = build_services(settings)
    real = steps.load_transcript_file
    failures = [OperationalError("SELECT 1", {}, Exception("server closed the connection"))]

    def flaky(path: Path) -> object:
        if failures:
            raise failures.pop()
        return real(path)

    monkeypatch.setattr(steps, "load_transcript_file", flaky)
    runner = EmbeddedRunner(svc)
    try:
        runner.resume()
        call_id = _submit(svc, tmp_path, "flaky.txt")
        runner.enqueue(call_id)
        deadline = time.monotonic() + 60
        while _status(svc, call_id) != CallStatus.scored and time.monotonic() < deadline:
            time.sleep(0.2)
        assert failures == []  # the error did happen
        assert _status(svc, call_id) == CallStatus.scored
    finally:
        runner.shutdown()
        svc.close()
