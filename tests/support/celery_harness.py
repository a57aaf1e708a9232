"""Real processes for the Celery tests: a private redis-server, a fresh PostgreSQL database,
`callreview worker` subprocesses, and short generated calls. Every process started here is
killed at teardown, also when a test fails."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from models.db import normalize_url
from models.migrate import upgrade
from tests.support.synth import Turn, cache_key, render_call

REPO = Path(__file__).resolve().parents[2]
CALLREVIEW = Path(sys.executable).parent / "callreview"

# Settings for the workers and the test process alike: short leases and a short visibility
# timeout so that recovery from a killed worker happens within the test's time.
FAST_RECOVERY = {
    "claim_lease_s": 4,
    "task_soft_time_limit_s": 25,
    "task_time_limit_s": 28,
    "broker_visibility_timeout_s": 30,
    "batch_stall_s": 5,
}


def wait_for(what: str, check: Callable[[], bool], timeout: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """Our own redis-server on its own port: the shared one is never touched."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log = log_dir / f"redis-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(f"redis on port {self.port}", self._answers, timeout=15)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


class PgDatabase:
    """A fresh database for one test module, migrated, dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.name = f"callreview_celery_{uuid.uuid4().hex[:10]}"
        self._admin = sa.create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
        base, _, _ = normalize_url(server_url).rpartition("/")
        self.url = f"{base}/{self.name}"

    def create(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        upgrade(self.url)

    def drop(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


class Worker:
    def __init__(self, name: str, env: dict[str, str], log_dir: Path, queues: str) -> None:
        self.name = name
        self.log = log_dir / f"worker-{name}.log"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    str(CALLREVIEW),
                    "worker",
                    "--queues",
                    queues,
                    "--concurrency",
                    "1",
                    "--name",
                    f"{name}@%h",
                    "--loglevel",
                    "info",
                ],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes the pool too
            )

    def wait_ready(self, timeout: float = 90) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.name} exited:\n{self.tail()}")
            return b" ready." in self.log.read_bytes()

        wait_for(f"worker {self.name} to be ready", ready, timeout)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill9(self) -> None:
        """Like a machine that vanishes: the main process and its pool, no goodbye."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def tail(self, n: int = 40) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


class WorkerPool:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.workers: dict[str, Worker] = {}
        self._n = 0

    def ensure(self, count: int, queues: str = "transcribe,score") -> list[Worker]:
        for name, w in list(self.workers.items()):
            if not w.alive():
                del self.workers[name]
        started = []
        while len(self.workers) < count:
            self._n += 1
            w = Worker(f"w{self._n}", self.env, self.log_dir, queues)
            self.workers[w.name] = w
            started.append(w)
        for w in started:
            w.wait_ready()
        return list(self.workers.values())

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.tail()}" for w in self.workers.values())

    def stop_all(self) -> None:
        for w in self.workers.values():
            w.kill9()
        self.workers.clear()


_SCRIPTS = [
    (
        "Thank you for calling Northwind Energy, this is Priya, how can I help?",
        "Hi, my bill is higher than usual this month.",
        "I can check that for you. Is there anything else I can help you with today?",
    ),
    (
        "Good morning, Acme Telecom, Omar speaking.",
        "My internet keeps dropping every evening.",
        "I have reset the line and booked an engineer for Tuesday. Have a lovely day.",
    ),
    (
        "Hello, you are through to Contoso Bank, my name is Lena.",
        "I would like to change the address on my account.",
        "That is updated now, you will get a letter to confirm it.",
    ),
    (
        "Thanks for calling Fabrikam support, Sam here.",
        "The app will not let me log in since the update.",
        "Please reinstall the app and the login will work again. Thank you for calling.",
    ),
]


def short_calls(cache: Path, n: int) -> list[Path]:
    """``n`` distinct two-channel calls of about 10-15 s (cached between runs)."""
    out = []
    for i in range(n):
        agent1, customer, agent2 = _SCRIPTS[i % len(_SCRIPTS)]
        tag = f"call number {i + 1}."
        events = [
            Turn("agent", agent1),
            Turn("customer", f"{customer} This is {tag}"),
            Turn("agent", agent2),
        ]
        path = cache / "celery" / f"short-{cache_key(events)}.wav"
        if not path.exists():
            render_call(events, path, stereo=True, sample_rate=16000)
        out.append(path)
    return out


def truncated_wav(path: Path) -> Path:
    # A WAV header that promises data which is not there.
    path.write_bytes(
        b"RIFF\x24\x80\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00"
        b"\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x80\x00\x00"
    )
    return path
