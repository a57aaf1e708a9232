"""A real server (uvicorn, in a thread, on a free port, with a temporary SQLite file and the
embedded worker) and Debian's chromium driven by Playwright. Never a downloaded browser.

Without chromium the browser tests skip locally; with CALLREVIEW_REQUIRE_SERVICES=1 (CI) they
fail instead.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from domains.kit.services import Services
from models.accounts import Role, User
from tests.conftest import REPO, make_settings, skip_or_fail
from tests.support.factories import make_user

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"


@dataclass
class LiveServer:
    url: str
    svc: Services
    users: dict[str, User] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("web")
    settings = make_settings(f"sqlite:///{root / 'web.db'}", root / "storage")
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    svc: Services = app.state.services
    live = LiveServer(url=f"http://127.0.0.1:{port}", svc=svc)
    for key, name, role, team in (
        ("qa", "Quinn Analyst", Role.qa_analyst, None),
        ("agent_a", "Alice Agent", Role.agent, "A"),
        ("agent_b", "Bob Agent", Role.agent, "B"),
    ):
        live.users[key] = make_user(svc, name=name, role=role, team=team)
    yield live
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        skip_or_fail("Debian's chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
