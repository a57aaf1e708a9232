"""Ingestion speed: N small recordings (0.5 s, 8 kHz, each distinct, with a sidecar naming a
mapped agent) brought in from a watched folder and from an S3 bucket (moto's server on
loopback), next to the upload intake alone on the same files and the review's own cost.

    .venv/bin/python -m bench.ingest --n 1000

Each run gets a fresh SQLite database and storage; calls are left queued (no Whisper): what is
timed is discovery, hashing, the intake (sniff, decode check, content-addressed store), the
rows, the audit events and one commit per object."""

from __future__ import annotations

import argparse
import io
import json
import logging
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from core.runtime import limit_threads
from core.settings import Settings

# The review's own cost per call, measured by `bench.speed` (RESULTS.md, "Speed: review vs bare
# faster-whisper", 8 × ~60 s two-channel calls, tiny.en int8, one core): 2.4 s per call.
REVIEW_S_PER_CALL = 2.4


def tone(i: int) -> bytes:
    t = np.arange(4000) / 8000
    pcm = (np.sin(2 * np.pi * (200.0 + i * 0.5) * t) * 8000).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def fresh_services(work: Path) -> object:
    from domains.kit.services import build_services

    settings = Settings(  # type: ignore[call-arg]
        database_url=f"sqlite:///{work / 'bench.db'}",
        storage_dir=work / "storage",
        environment="test",
        seed_demo=False,
        reap_interval_s=0,
    )
    return build_services(settings, migrate=True)


def setup_source(svc: object, kind: str, settings: dict[str, object]) -> None:
    from domains.ingestion import service as ingest
    from domains.ingestion.schemas import MappingIn, SourceIn
    from models.accounts import Role, User

    with svc.unit_of_work() as s:  # type: ignore[attr-defined]
        agent = User(name="Bench Agent", role=Role.agent, email="agent@example.com")
        s.add(agent)
        s.flush()
        src = ingest.create_source(
            s, SourceIn(name="bench", kind=kind, settings=settings), actor_id=None
        )  # type: ignore[arg-type]
        ingest.map_agent(
            svc,
            s,
            src,
            MappingIn(ref_kind="external_id", ref="A-1", agent_id=agent.id),
            actor_id=None,
        )  # type: ignore[arg-type]


def run_folder(n: int, root: Path) -> float:
    from domains.ingestion import service as ingest

    drop = root / "drop"
    drop.mkdir()
    for i in range(n):
        (drop / f"call-{i:05d}.wav").write_bytes(tone(i))
        (drop / f"call-{i:05d}.wav.json").write_text(json.dumps({"agent_id": "A-1", "queue": "q"}))
    svc = fresh_services(root / "folder")
    setup_source(svc, "folder", {"path": str(drop), "settle_s": 0})
    start = time.perf_counter()
    report = ingest.run_source(svc, "bench")  # type: ignore[arg-type]
    wall = time.perf_counter() - start
    assert report.counts == {"ingested": n}, report
    svc.close()  # type: ignore[attr-defined]
    return wall


def run_bucket(n: int, root: Path, port: int) -> float:
    from moto.server import ThreadedMotoServer

    from domains.ingestion import service as ingest
    from domains.ingestion.sources.bucket import make_client

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        settings = {
            "endpoint_url": f"http://127.0.0.1:{port}",
            "bucket": "bench",
            "access_key_id": "bench",
            "secret_access_key": "bench",
        }
        client = make_client(settings)
        client.create_bucket(Bucket="bench")
        for i in range(n):
            client.put_object(Bucket="bench", Key=f"calls/call-{i:05d}.wav", Body=tone(i))
            client.put_object(
                Bucket="bench", Key=f"calls/call-{i:05d}.wav.json", Body=b'{"agent_id": "A-1"}'
            )
        svc = fresh_services(root / "bucket")
        setup_source(svc, "s3", settings)
        start = time.perf_counter()
        report = ingest.run_source(svc, "bench")  # type: ignore[arg-type]
        wall = time.perf_counter() - start
        assert report.counts == {"ingested": n}, report
        svc.close()  # type: ignore[attr-defined]
        return wall
    finally:
        server.stop()


def run_intake_only(n: int, root: Path) -> float:
    """The upload's intake alone on the same files (one transaction each): the floor."""
    from domains.calls.intake import submit_upload
    from models.accounts import Role, User

    svc = fresh_services(root / "intake")
    with svc.unit_of_work() as s:  # type: ignore[attr-defined]
        agent = User(name="Bench Agent", role=Role.agent)
        s.add(agent)
        s.flush()
        agent_id = agent.id
    blobs = [tone(i) for i in range(n)]
    start = time.perf_counter()
    for i, blob in enumerate(blobs):
        with svc.unit_of_work() as s:  # type: ignore[attr-defined]
            submit_upload(svc, s, io.BytesIO(blob), filename=f"call-{i}.wav", agent_id=agent_id)  # type: ignore[arg-type]
    wall = time.perf_counter() - start
    svc.close()  # type: ignore[attr-defined]
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="objects per source")
    parser.add_argument("--port", type=int, default=8712, help="the S3 server's loopback port")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    limit_threads()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    rows: dict[str, list[float]] = {"intake only": [], "folder": [], "bucket (moto)": []}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            rows["intake only"].append(run_intake_only(args.n, root))
            rows["folder"].append(run_folder(args.n, root))
            rows["bucket (moto)"].append(run_bucket(args.n, root, args.port))
    review = f"per object vs a review ({REVIEW_S_PER_CALL} s)"
    print(f"| source | objects | wall s | objects/s | ms per object | {review} |")
    print("|---|---|---|---|---|---|")
    for name, walls in rows.items():
        wall = statistics.median(walls)
        per = wall / args.n
        print(
            f"| {name} | {args.n} | {wall:.1f} | {args.n / wall:.0f} | {per * 1000:.1f} | "
            f"{per / REVIEW_S_PER_CALL * 100:.1f}% |"
        )


if __name__ == "__main__":
    main()
