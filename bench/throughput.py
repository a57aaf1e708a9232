"""Throughput of the same batch three ways, in one run: the embedded runner, one Celery worker,
two Celery workers (one process each). Prints audio-minutes per wall-minute and the Celery
overhead per call: wall time per call beyond the steps' own processing time.

    .venv/bin/python -m bench.throughput [--calls 6] [--minutes 1.0]

Needs PostgreSQL (CALLREVIEW_TEST_DATABASE_URL or the local server) and `redis-server`; a
private redis-server and a scratch database are started and removed.
"""

from __future__ import annotations

from core.runtime import limit_threads
from tests.support.pipeline_calls import start_batch_with, submit

limit_threads()  # before numpy loads: the embedded runner computes in this process

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import wave  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlalchemy import func, select  # noqa: E402

from core.settings import Settings  # noqa: E402
from domains.batches import service as batches  # noqa: E402
from domains.kit.jobs import Dispatcher  # noqa: E402
from domains.kit.services import Services, build_services  # noqa: E402
from models.calls import TranscriptRow  # noqa: E402
from models.reviews import EvaluationRow  # noqa: E402
from pipeline.dispatch import CeleryDispatcher  # noqa: E402
from pipeline.embedded import EmbeddedRunner  # noqa: E402
from tests.support.celery_harness import PgDatabase, RedisServer, Worker  # noqa: E402
from tests.support.synth import Turn, cache_key, render_call  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / "_generated" / "throughput"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"

_LINES = [
    ("agent", "Thank you for calling Northwind Energy, my name is Priya, how can I help you?"),
    ("customer", "Hi, my bill doubled this month and I am really upset about it."),
    ("agent", "I am so sorry about that, I understand how frustrating a surprise bill is."),
    ("agent", "Before I look at the account, can you confirm your date of birth please?"),
    ("customer", "Sure, it is the fourth of May nineteen eighty."),
    ("agent", "Thank you, that is verified. I can see an estimated reading was used."),
    ("customer", "So what happens now, do I still have to pay the whole amount?"),
    ("agent", "No, I have corrected it to your actual reading, so the bill drops back down."),
    ("customer", "Oh good, that is a relief, thank you."),
    ("agent", "Is there anything else I can help you with today?"),
]


def render_calls(n: int, minutes: float) -> list[Path]:
    out = []
    for i in range(n):
        events: list[Turn] = []
        estimate = 0.0
        k = 0
        while estimate < minutes * 60:
            speaker, text = _LINES[k % len(_LINES)]
            text = f"{text} Call {i + 1}." if k == 1 else text
            events.append(Turn(speaker, text))  # type: ignore[arg-type]
            estimate += 0.6 + len(text) / 14.0  # espeak at 165 wpm: about 14 chars/s
            k += 1
        path = CACHE / f"call-{cache_key(events)}.wav"
        if not path.exists():
            render_call(events, path, stereo=True, sample_rate=16000)
        out.append(path)
    return out


def audio_seconds(paths: list[Path]) -> float:
    total = 0.0
    for p in paths:
        with wave.open(str(p)) as w:
            total += w.getnframes() / w.getframerate()
    return total


def processing_s(svc: Services, ids: list[uuid.UUID]) -> float:
    """The steps' own compute time (transcription + scoring), as they recorded it."""
    with svc.session_factory() as s:
        tr = s.scalar(
            select(func.sum(TranscriptRow.processing_s)).where(TranscriptRow.call_id.in_(ids))
        )
        ev = s.scalar(
            select(func.sum(EvaluationRow.processing_s)).where(EvaluationRow.call_id.in_(ids))
        )
    return float(tr or 0) + float(ev or 0)


def run_batch(svc: Services, dispatcher: Dispatcher, paths: list[Path], label: str) -> dict:
    ids = [submit(svc, p, agent=label).call_id for p in paths]
    t0 = time.perf_counter()
    created = start_batch_with(svc, dispatcher, batches.BatchFilters(agent=label), trigger="cli")
    final = batches.wait(
        svc, dispatcher, created.batch_id, timeout_s=1800, poll_s=0.1, reconcile_every_s=None
    )
    wall = time.perf_counter() - t0
    assert final.done == len(paths), final
    return {"wall_s": wall, "processing_s": processing_s(svc, ids), "n": len(ids)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=6)
    ap.add_argument("--minutes", type=float, default=1.0)
    args = ap.parse_args()
    paths = render_calls(args.calls, args.minutes)
    audio_min = audio_seconds(paths) / 60
    print(f"{len(paths)} two-channel calls, {audio_min:.1f} audio-minutes in all", flush=True)

    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    db = PgDatabase(os.environ.get("CALLREVIEW_TEST_DATABASE_URL", PG_DEFAULT))
    db.create()
    redis = RedisServer(work)
    redis.start()
    settings = Settings(
        database_url=db.url,
        storage_dir=work / "storage",
        broker_url=redis.url,
        environment="test",
        seed_demo=False,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLREVIEW_")}
    env |= {
        "CALLREVIEW_DATABASE_URL": db.url,
        "CALLREVIEW_BROKER_URL": redis.url,
        "CALLREVIEW_STORAGE_DIR": str(settings.storage_dir),
        "CALLREVIEW_ENVIRONMENT": "test",
    }
    svc = build_services(settings, migrate=False)
    workers: list[Worker] = []
    results: dict[str, dict] = {}
    try:
        runner = EmbeddedRunner(svc, workers=1)
        # Warm this process's models first, as the workers warm theirs before "ready".
        run_batch(svc, runner, paths[:1], "warm-up")
        results["embedded (1 thread pool)"] = run_batch(svc, runner, paths, "embedded")
        runner.shutdown()
        celery = CeleryDispatcher(svc)
        workers.append(Worker("bench1", env, work, "transcribe,score"))
        workers[0].wait_ready()
        results["celery, 1 worker"] = run_batch(svc, celery, paths, "celery-1")
        workers.append(Worker("bench2", env, work, "transcribe,score"))
        workers[1].wait_ready()
        results["celery, 2 workers"] = run_batch(svc, celery, paths, "celery-2")
    finally:
        for w in workers:
            w.kill9()
        svc.close()
        redis.stop()
        db.drop()

    print(f"{'mode':26} {'wall s':>7} {'audio-min/wall-min':>19} {'overhead/call s':>16}")
    for mode, r in results.items():
        per_call_overhead = (r["wall_s"] - r["processing_s"]) / r["n"]
        if mode.endswith("2 workers"):
            per_call_overhead = (2 * r["wall_s"] - r["processing_s"]) / r["n"]
        print(
            f"{mode:26} {r['wall_s']:7.1f} {audio_min / (r['wall_s'] / 60):19.2f}"
            f" {per_call_overhead:16.2f}"
        )
    emb, one = results["embedded (1 thread pool)"], results["celery, 1 worker"]
    per_call = one["processing_s"] / one["n"]
    overhead = (one["wall_s"] - one["processing_s"]) / one["n"]
    print(
        f"one worker: {per_call:.2f} s of processing per call, {overhead:.2f} s more wall time"
        f" per call (queue hops, DB claims, progress polling) = {100 * overhead / per_call:.1f}%"
    )
    rtf = emb["processing_s"] / (audio_min * 60)
    print(f"processing time per audio time, one process: {rtf:.3f} ({1 / rtf:.1f}x real time)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
