"""The chaos run: the whole distributed service on real processes — a private PostgreSQL
server, a private redis-server, the API (`callreview serve`, with its housekeeper) and two
`callreview worker` processes — while a seeded schedule of faults hits it: the API or a worker
killed with SIGKILL at a random moment, Redis restarted (it keeps nothing: queued messages are
lost), PostgreSQL stopped in immediate mode (a crash) and started again. Calls are uploaded
over HTTP the whole time, by a client that retries until the upload is accepted, as a real one
would. At the end every accepted call must be ``scored`` or ``failed`` with a reason, exactly
once (one transcript, one AI evaluation).

Used by tests/pipeline/test_chaos.py (a few rounds) and bench/chaos.py (many, with figures).
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from core.settings import Settings
from domains.auth.dependencies import issue_token
from domains.kit.services import build_services
from models.accounts import Role
from models.calls import Call, CallStatus, TranscriptRow
from models.migrate import upgrade
from models.reviews import EvaluationRow
from tests.support.celery_harness import (
    CALLREVIEW,
    FAST_RECOVERY,
    REPO,
    RedisServer,
    WorkerPool,
    free_port,
    wait_for,
)
from tests.support.factories import make_user

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/bin"))
SECRET = secrets.token_urlsafe(48)
FAULTS = ("kill_api", "kill_worker", "restart_redis", "restart_postgres", "none")

_CALL = """\
Agent: Thank you for calling Northwind Energy, this is Priya, how can I help?
Customer: Hi, my bill is higher than usual this month, reference {n}.
Agent: I can check that. Your bill went up because the discount ended; I applied it again.
Agent: Is there anything else I can help you with today?
Customer: No, thank you.
Agent: Thank you for calling, have a lovely day.
"""


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PgServer:
    """A PostgreSQL server of our own (its own data folder and port): crashing it touches no
    other test's database."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="callreview-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts,
                 "-l", str(self.dir / "log"), "-w", "-t", "60", "start"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip

    def crash(self) -> None:
        """Stop in immediate mode: no checkpoint, clients cut off, as in a crash."""
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )

    def remove(self) -> None:
        self.crash()
        shutil.rmtree(self.dir, ignore_errors=True)


class ApiServer:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.port = free_port()
        self.log = log_dir / "api.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(CALLREVIEW), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"the API exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
            return False

        wait_for("the API to answer", up, timeout=90, every=0.3)

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)


@dataclass
class ChaosReport:
    rounds: int
    faults: dict[str, int] = field(default_factory=dict)
    accepted: int = 0
    upload_retries: int = 0
    scored: int = 0
    failed: int = 0
    failed_without_reason: int = 0
    stuck: int = 0
    lost: int = 0
    duplicated: int = 0
    seconds: float = 0.0
    settle_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.stuck or self.lost or self.duplicated or self.failed_without_reason)


class Chaos:
    def __init__(self, work: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.work = work
        self.pg = PgServer()
        self.pg.start()
        engine = sa.create_engine(
            self.pg.url.replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE callreview"))
        engine.dispose()
        self.db_url = self.pg.url.rsplit("/", 1)[0] + "/callreview"
        upgrade(self.db_url)
        self.redis = RedisServer(work)
        self.redis.start()
        knobs: dict[str, object] = {**FAST_RECOVERY, "reap_interval_s": 1.0}
        self.settings = Settings(
            database_url=self.db_url,
            storage_dir=work / "storage",
            broker_url=self.redis.url,
            environment="test",
            secret_key=SECRET,  # type: ignore[arg-type]
            seed_demo=False,
            **knobs,  # type: ignore[arg-type]
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLREVIEW_")}
        env.update(
            {
                "CALLREVIEW_DATABASE_URL": self.db_url,
                "CALLREVIEW_BROKER_URL": self.redis.url,
                "CALLREVIEW_STORAGE_DIR": str(self.settings.storage_dir),
                "CALLREVIEW_ENVIRONMENT": "test",
                "CALLREVIEW_SECRET_KEY": SECRET,
                "CALLREVIEW_SEED_DEMO": "false",
                **{f"CALLREVIEW_{k.upper()}": str(v) for k, v in knobs.items()},
            }
        )
        svc = build_services(self.settings, migrate=False)
        try:
            qa = make_user(svc, name="Chaos Analyst", role=Role.qa_analyst)
            self.agent_id = make_user(svc, name="Chaos Agent").id
            self.token = issue_token(qa, self.settings)
        finally:
            svc.close()
        self.api = ApiServer(env, work)
        self.api.start()
        self.workers = WorkerPool(env, work)
        self.workers.ensure(2)
        self.client = httpx.Client(timeout=30)
        self.call_ids: set[uuid.UUID] = set()
        self._n = 0

    def close(self) -> None:
        self.client.close()
        self.api.kill9()
        self.workers.stop_all()
        self.redis.stop()
        self.pg.remove()

    def upload(self, report: ChaosReport, deadline_s: float = 180) -> None:
        """One new call, retried until the service accepts it (a client's behaviour)."""
        self._n += 1
        body = _CALL.format(n=self._n).encode()
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                res = self.client.post(
                    f"{self.api.base}/api/v1/calls",
                    files={"file": (f"call-{self._n}.txt", body)},
                    data={"agent_id": str(self.agent_id)},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
                if res.status_code in (200, 202):
                    self.call_ids.add(uuid.UUID(res.json()["call_id"]))
                    report.accepted += 1
                    return
                if res.status_code < 500 and res.status_code != 429:
                    raise AssertionError(f"upload refused: {res.status_code} {res.text}")
            except httpx.HTTPError:
                pass
            report.upload_retries += 1
            if time.monotonic() > deadline:
                raise AssertionError("the service accepted no upload for 3 minutes")
            time.sleep(0.5)

    def fault(self, report: ChaosReport) -> None:
        kind = self.rng.choice(FAULTS)
        report.faults[kind] = report.faults.get(kind, 0) + 1
        time.sleep(self.rng.uniform(0.0, 2.0))  # a random point in whatever is running
        if kind == "kill_api":
            self.api.kill9()
            time.sleep(self.rng.uniform(0.5, 2.0))
            self.api.start()
        elif kind == "kill_worker":
            victim = self.rng.choice(list(self.workers.workers.values()))
            victim.kill9()
            time.sleep(self.rng.uniform(0.5, 2.0))
            self.workers.ensure(2)
        elif kind == "restart_redis":
            self.redis.stop()
            time.sleep(self.rng.uniform(0.5, 2.0))
            self.redis.start()
        elif kind == "restart_postgres":
            self.pg.crash()
            time.sleep(self.rng.uniform(0.5, 2.0))
            self.pg.start()

    def settle(self, report: ChaosReport, timeout: float) -> None:
        engine = sa.create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            final = {CallStatus.scored, CallStatus.failed, CallStatus.not_scorable}

            def statuses() -> dict[uuid.UUID, tuple[CallStatus, str | None]]:
                with engine.connect() as conn:
                    rows = conn.execute(
                        sa.select(Call.id, Call.status, Call.error).where(
                            Call.id.in_(self.call_ids)
                        )
                    ).all()
                return {r[0]: (CallStatus(r[1]), r[2]) for r in rows}

            t0 = time.monotonic()
            with contextlib.suppress(AssertionError):
                wait_for(
                    "every call to end",
                    lambda: all(st in final for st, _ in statuses().values()),
                    timeout=timeout,
                    every=1.0,
                )
            report.settle_s = round(time.monotonic() - t0, 1)
            seen = statuses()
            report.lost = len(self.call_ids - set(seen))
            for cid, (status, error) in seen.items():
                if status == CallStatus.scored:
                    report.scored += 1
                elif status == CallStatus.failed:
                    report.failed += 1
                    if not error:
                        report.failed_without_reason += 1
                    report.problems.append(f"{cid} failed: {error}")
                elif status not in final:
                    report.stuck += 1
                    report.problems.append(f"{cid} stuck in {status.value}")
            with engine.connect() as conn:
                for model in (TranscriptRow, EvaluationRow):
                    query = (
                        sa.select(model.call_id, sa.func.count())
                        .where(model.call_id.in_(self.call_ids))
                        .group_by(model.call_id)
                        .having(sa.func.count() > 1)
                    )
                    if model is EvaluationRow:
                        query = query.where(EvaluationRow.source == "ai")
                    report.duplicated += len(conn.execute(query).all())
        finally:
            engine.dispose()


@contextlib.contextmanager
def chaos(work: Path, seed: int) -> Iterator[Chaos]:
    c = Chaos(work, seed)
    try:
        yield c
    finally:
        c.close()


def run(work: Path, *, rounds: int, calls_per_round: int, seed: int) -> ChaosReport:
    report = ChaosReport(rounds=rounds)
    t0 = time.monotonic()
    with chaos(work, seed) as c:
        for _ in range(rounds):
            # Uploads run while the fault happens: it can land mid-request, mid-commit or
            # mid-step, wherever the schedule puts it.
            errors: list[BaseException] = []

            def uploads(errors: list[BaseException]) -> None:
                try:
                    for _ in range(calls_per_round):
                        c.upload(report)
                except BaseException as exc:  # surfaced after the join
                    errors.append(exc)

            sender = threading.Thread(target=uploads, args=(errors,))
            sender.start()
            c.fault(report)
            sender.join(timeout=600)
            if errors:
                raise errors[0]
        report.seconds = round(time.monotonic() - t0, 1)
        c.settle(report, timeout=c.settings.claim_lease_s + 180)
        if not report.ok:
            report.problems.append(f"api log:\n{c.api.log.read_text()[-3000:]}")
            report.problems.append(c.workers.logs())
    return report
