"""Requests per second and latency of the API under load, on loopback.

Starts the real service (`callreview serve`, uvicorn, one process) on a fresh database filled
with N scored calls, then drives it from this process with an asyncio HTTP client at a fixed
concurrency: `GET /api/v1/calls` (a page of 50, newest first, as the calls page asks) and
`POST /api/v1/calls` uploads of small, distinct transcript files (202, queued). Client and
server share this machine's cores, so read the numbers as a floor.

    .venv/bin/python -m bench.api_load [--calls 1000] [--seconds 15] [--concurrency 8]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.runtime import limit_threads  # noqa: E402

limit_threads()

from core.settings import Settings  # noqa: E402
from domains.accounts.users import create_user  # noqa: E402
from domains.kit.services import build_services  # noqa: E402
from models.calls import CallStatus  # noqa: E402
from models.db import normalize_url  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from tests.support.factories import make_call, make_user, tone_wav  # noqa: E402

PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_pg_database(server_url: str) -> str:
    name = f"callreview_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return normalize_url(server_url).rpartition("/")[0] + f"/{name}"


def seed(settings: Settings, n_calls: int) -> None:
    upgrade(settings.database_url)  # migrations are an explicit step
    svc = build_services(settings)
    try:
        agents = [make_user(svc, name=f"agent-{k}", team="a") for k in range(20)]
        for i in range(n_calls):
            make_call(
                svc,
                agent=agents[i % len(agents)],
                status=CallStatus.scored,
                filename=f"c{i}.wav",
                audio=tone_wav(0.2, hz=100.0 + i),  # distinct recordings, not duplicates
            )
        with svc.unit_of_work() as s:
            create_user(
                s, email="qa@bench.example", name="QA", role="qa_analyst", password=PASSWORD
            )
    finally:
        svc.close()


async def drive(
    client: httpx.AsyncClient, make_request, seconds: float, concurrency: int
) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            res = await make_request(client, next(counter))
            latencies.append(time.perf_counter() - t0)
            if res.status_code >= 400:
                errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, len(latencies)


def report(name: str, latencies: list[float], errors: int, seconds: float) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:28} {len(latencies) / seconds:8.1f} req/s   p50 {q[49] * 1000:7.1f} ms   "
        f"p99 {q[98] * 1000:7.1f} ms   errors {errors}"
    )


async def run(base: str, seconds: float, concurrency: int, agent_id: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        res = await client.post(
            "/api/v1/auth/token", data={"username": "qa@bench.example", "password": PASSWORD}
        )
        client.headers["Authorization"] = f"Bearer {res.json()['access_token']}"
        total = (await client.get("/api/v1/calls", params={"limit": 1})).json()["total"]
        print(f"calls in the database: {total}")

        async def list_calls(c: httpx.AsyncClient, _i: int) -> httpx.Response:
            return await c.get("/api/v1/calls", params={"limit": 50})

        async def upload(c: httpx.AsyncClient, i: int) -> httpx.Response:
            body = f"Agent: Thank you for calling, this is load test {i} {uuid.uuid4()}.\n"
            body += "Customer: Hello.\n"
            return await c.post(
                "/api/v1/calls",
                files={"file": (f"load-{i}.txt", body.encode())},
                data={"agent_id": agent_id},
            )

        for name, make in (("GET /api/v1/calls", list_calls), ("POST /api/v1/calls", upload)):
            await drive(client, make, 2.0, concurrency)  # warm up
            lat, err, _n = await drive(client, make, seconds, concurrency)
            report(name, lat, err, seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--database-url", default="", help="a PostgreSQL server URL (default SQLite)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="callreview-load-"))
    url = fresh_pg_database(args.database_url) if args.database_url else f"sqlite:///{tmp}/db"
    env = {
        **os.environ,
        "CALLREVIEW_DATABASE_URL": url,
        "CALLREVIEW_STORAGE_DIR": str(tmp / "storage"),
        "CALLREVIEW_SEED_DEMO": "false",
        # The server refuses the placeholder secret outside development.
        "CALLREVIEW_ENVIRONMENT": "test",
        "CALLREVIEW_SECRET_KEY": secrets.token_urlsafe(48),
        "CALLREVIEW_MAX_UPLOAD_MB": "5",
    }
    settings = Settings(
        database_url=url, storage_dir=tmp / "storage", environment="test", seed_demo=False
    )
    t0 = time.perf_counter()
    seed(settings, args.calls)
    backend = url.split(":")[0]
    print(f"seeded {args.calls} scored calls in {time.perf_counter() - t0:.1f} s ({backend})")
    svc = build_services(settings, migrate=False)
    with svc.session_factory() as s:
        from models.accounts import User

        agent_id = str(s.scalar(sa.select(User.id).where(User.name == "agent-0")))
    svc.close()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit("the service did not start")
        print(
            f"machine: {platform.node()} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}"
            f" · concurrency {args.concurrency} · {args.seconds:.0f} s per route"
        )
        asyncio.run(run(base, args.seconds, args.concurrency, agent_id))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
