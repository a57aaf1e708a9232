"""The distributed mode under failure, on real processes: a private redis-server, a fresh
PostgreSQL database, two `callreview worker` processes. Nothing is mocked and nothing runs
eagerly; every wait is bounded and fails loudly with the workers' logs."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.settings import Settings
from domains.batches import service as batches
from domains.kit.jobs import STEP_SCORE, STEP_TRANSCRIBE
from domains.kit.services import Services, build_services
from models.calls import Call, CallStatus, TranscriptRow
from models.reviews import EvaluationRow
from pipeline.dispatch import CeleryDispatcher
from tests.conftest import skip_or_fail
from tests.support.celery_harness import (
    FAST_RECOVERY,
    PgDatabase,
    RedisServer,
    WorkerPool,
    short_calls,
    truncated_wav,
    wait_for,
)
from tests.support.pipeline_calls import start_batch_with, submit

pytestmark = [pytest.mark.services, pytest.mark.slow]


class Cluster:
    def __init__(self, svc: Services, redis: RedisServer, workers: WorkerPool) -> None:
        self.svc = svc
        self.redis = redis
        self.workers = workers
        self.dispatcher = CeleryDispatcher(svc)

    def submit(self, paths: list[Path], agent: str) -> list[uuid.UUID]:
        return [submit(self.svc, p, agent=agent).call_id for p in paths]

    def batch(self, agent: str) -> uuid.UUID:
        created = start_batch_with(
            self.svc, self.dispatcher, batches.BatchFilters(agent=agent), trigger="cli"
        )
        return created.batch_id

    def wait_batch(
        self, batch_id: uuid.UUID, *, timeout: float, reconcile_every_s: float | None
    ) -> batches.BatchProgress:
        try:
            return batches.wait(
                self.svc,
                self.dispatcher,
                batch_id,
                timeout_s=timeout,
                poll_s=0.5,
                reconcile_every_s=reconcile_every_s,
            )
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n{self.workers.logs()}") from exc

    def statuses(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, CallStatus]:
        with self.svc.session_factory() as s:
            return dict(s.execute(select(Call.id, Call.status).where(Call.id.in_(ids))).all())

    def count_in(self, ids: list[uuid.UUID], status: CallStatus) -> int:
        return sum(1 for st in self.statuses(ids).values() if st == status)

    def results_per_call(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
        """(transcripts, AI evaluations) for each call."""
        with self.svc.session_factory() as s:
            tr = dict(
                s.execute(
                    select(TranscriptRow.call_id, func.count())
                    .where(TranscriptRow.call_id.in_(ids))
                    .group_by(TranscriptRow.call_id)
                ).all()
            )
            ev = dict(
                s.execute(
                    select(EvaluationRow.call_id, func.count())
                    .where(EvaluationRow.call_id.in_(ids), EvaluationRow.source == "ai")
                    .group_by(EvaluationRow.call_id)
                ).all()
            )
        return {cid: (tr.get(cid, 0), ev.get(cid, 0)) for cid in ids}

    def settle(self, timeout: float = 30) -> None:
        """Wait until no message is left anywhere (duplicates and check-backs included)."""
        lease = self.svc.settings.claim_lease_s

        def quiet() -> bool:
            sizes = self.dispatcher.queue_sizes() or {}
            return sizes.get(STEP_TRANSCRIBE) == 0 and sizes.get(STEP_SCORE) == 0

        wait_for("the queues to drain", quiet, timeout)
        time.sleep(lease + 2)  # a check-back scheduled just before runs and finds nothing
        wait_for("the queues to drain", quiet, timeout)


@contextmanager
def _cluster(
    pg_server_url: str | None, work: Path, overrides: dict[str, object]
) -> Iterator[Cluster]:
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed")
    if pg_server_url is None:
        skip_or_fail("PostgreSQL is not reachable")
    assert pg_server_url is not None
    db = PgDatabase(pg_server_url)
    db.create()
    redis = RedisServer(work)
    redis.start()
    knobs = {**FAST_RECOVERY, **overrides}
    settings = Settings(
        database_url=db.url,
        storage_dir=work / "storage",
        broker_url=redis.url,
        environment="test",
        seed_demo=False,
        **knobs,  # type: ignore[arg-type]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLREVIEW_")}
    env.update(
        {
            "CALLREVIEW_DATABASE_URL": db.url,
            "CALLREVIEW_BROKER_URL": redis.url,
            "CALLREVIEW_STORAGE_DIR": str(settings.storage_dir),
            "CALLREVIEW_ENVIRONMENT": "test",
            **{f"CALLREVIEW_{k.upper()}": str(v) for k, v in knobs.items()},
        }
    )
    svc = build_services(settings, migrate=False)
    workers = WorkerPool(env, work)
    try:
        yield Cluster(svc, redis, workers)
    finally:
        workers.stop_all()
        svc.close()
        redis.stop()
        db.drop()


@pytest.fixture(scope="module")
def cluster(
    pg_server_url: str | None, generated_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    # No housekeeping here: these tests show what the broker, the leases and batches do alone.
    with _cluster(pg_server_url, tmp_path_factory.mktemp("celery"), {"reap_interval_s": 0}) as c:
        yield c


@pytest.fixture(scope="module")
def audio(generated_dir: Path) -> list[Path]:
    return short_calls(generated_dir, 8)


def test_kill9_worker_mid_transcription_loses_nothing(cluster: Cluster, audio: list[Path]):
    first, _second = cluster.workers.ensure(2)
    ids = cluster.submit(audio, agent="kill-nine")
    batch_id = cluster.batch("kill-nine")
    # Two calls transcribing with one process per worker: each worker holds one.
    wait_for(
        "both workers to be transcribing",
        lambda: cluster.count_in(ids, CallStatus.transcribing) == 2,
        timeout=60,
        every=0.05,
    )
    first.kill9()
    # No reconciling here: the broker's redelivery and the lease takeover alone must do it.
    final = cluster.wait_batch(batch_id, timeout=200, reconcile_every_s=None)
    assert (final.total, final.done, final.failed) == (8, 8, 0)
    assert set(cluster.statuses(ids).values()) == {CallStatus.scored}
    assert set(cluster.results_per_call(ids).values()) == {(1, 1)}
    with cluster.svc.session_factory() as s:
        attempts = s.scalars(select(Call.attempts).where(Call.id.in_(ids))).all()
    assert max(attempts) == 3  # the killed call: claimed, taken over, then scored


def test_corrupt_file_fails_with_its_reason_and_the_rest_completes(
    cluster: Cluster, audio: list[Path], tmp_path: Path
):
    cluster.workers.ensure(2)
    bad = truncated_wav(tmp_path / "broken-recording.wav")
    ids = cluster.submit([*audio[:3], bad], agent="corrupt")
    batch_id = cluster.batch("corrupt")
    final = cluster.wait_batch(batch_id, timeout=120, reconcile_every_s=None)
    assert (final.total, final.done, final.failed, final.state) == (4, 3, 1, "finished")
    with cluster.svc.session_factory() as s:
        broken = s.get(Call, ids[3])
        assert broken is not None
        assert broken.status == CallStatus.failed
        assert broken.failed_step == "transcribe"
        assert "broken-recording.wav" in (broken.error or "")
    results = cluster.results_per_call(ids)
    assert [results[i] for i in ids] == [(1, 1), (1, 1), (1, 1), (0, 0)]


def test_same_call_enqueued_three_times_at_once(cluster: Cluster, audio: list[Path]):
    cluster.workers.ensure(2)
    [call_id] = cluster.submit(audio[:1], agent="three-times")
    senders = [
        threading.Thread(
            target=cluster.dispatcher.enqueue, args=(call_id,), kwargs={"step": STEP_TRANSCRIBE}
        )
        for _ in range(3)
    ]
    for t in senders:
        t.start()
    for t in senders:
        t.join(timeout=30)
    wait_for(
        "the call to be scored",
        lambda: cluster.count_in([call_id], CallStatus.scored) == 1,
        timeout=90,
    )
    cluster.settle()
    assert cluster.results_per_call([call_id]) == {call_id: (1, 1)}
    with cluster.svc.session_factory() as s:
        call = s.get(Call, call_id)
        assert call is not None
        assert (call.status, call.attempts) == (CallStatus.scored, 2)  # one claim per step


def test_redis_restarted_mid_batch_the_batch_still_completes(cluster: Cluster, audio: list[Path]):
    cluster.workers.ensure(2)
    ids = cluster.submit(audio[:6], agent="redis-restart")
    batch_id = cluster.batch("redis-restart")
    wait_for(
        "the first call to be scored",
        lambda: cluster.count_in(ids, CallStatus.scored) >= 1,
        timeout=90,
    )
    # This redis keeps nothing on disk: the queued messages are gone with it.
    cluster.redis.stop()
    time.sleep(3)
    cluster.redis.start()
    final = cluster.wait_batch(batch_id, timeout=200, reconcile_every_s=3)
    assert (final.total, final.done, final.failed) == (6, 6, 0)
    assert set(cluster.results_per_call(ids).values()) == {(1, 1)}


def test_sigterm_finishes_or_hands_back_its_task(cluster: Cluster, audio: list[Path]):
    first, _second = cluster.workers.ensure(2)
    ids = cluster.submit(audio[:4], agent="sigterm")
    batch_id = cluster.batch("sigterm")
    wait_for(
        "both workers to be transcribing",
        lambda: cluster.count_in(ids, CallStatus.transcribing) == 2,
        timeout=60,
        every=0.05,
    )
    first.proc.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task, then exit
    try:
        rc = first.proc.wait(timeout=60)
    except Exception as exc:
        raise AssertionError(f"worker did not stop on SIGTERM:\n{first.tail()}") from exc
    assert rc == 0, first.tail()
    final = cluster.wait_batch(batch_id, timeout=150, reconcile_every_s=None)
    assert (final.total, final.done, final.failed) == (4, 4, 0)
    assert set(cluster.results_per_call(ids).values()) == {(1, 1)}
    with cluster.svc.session_factory() as s:
        attempts = s.scalars(select(Call.attempts).where(Call.id.in_(ids))).all()
    assert sorted(attempts) == [2, 2, 2, 2]  # nothing was abandoned mid-step


def test_kill9_with_no_batch_waiting_is_recovered_by_the_reaper(
    pg_server_url: str | None, audio: list[Path], tmp_path: Path
) -> None:
    """The broker would hand the killed worker's message back only after its visibility
    timeout (an hour here, two by default); the API's housekeeper re-sends the call once its
    lease runs out, with no batch waiting and no one running beat."""
    overrides = {"broker_visibility_timeout_s": 3600, "reap_interval_s": 1.0}
    with _cluster(pg_server_url, tmp_path, overrides) as c:
        first, _second = c.workers.ensure(2)
        ids = c.submit(audio[:4], agent="reaped")
        for call_id in ids:
            c.dispatcher.enqueue(call_id)  # as the upload route does; no batch
        wait_for(
            "both workers to be transcribing",
            lambda: c.count_in(ids, CallStatus.transcribing) == 2,
            timeout=60,
            every=0.05,
        )
        first.kill9()
        c.dispatcher.resume()  # the API process's housekeeper
        try:
            wait_for(
                "every call to be scored",
                lambda: c.count_in(ids, CallStatus.scored) == len(ids),
                timeout=c.svc.settings.claim_lease_s + 120,
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{c.statuses(ids)}\n{c.workers.logs()}") from exc
        finally:
            c.dispatcher.shutdown()
        assert set(c.results_per_call(ids).values()) == {(1, 1)}  # nothing evaluated twice
