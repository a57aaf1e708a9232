"""Requests are bounded in time: a client that stops sending its upload is cut off (408), a
handler that has not answered in time gets a 504 with a clear message, and a response that has
started (a recording streaming to a slow player) is never cut."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from api.app import create_app
from api.timeouts import RequestTimeout
from domains.auth.dependencies import issue_token
from tests.conftest import make_settings
from tests.support.factories import make_user

BOUNDARY = "----stall"


def _drive(
    app: Any, portal: Any, path: str, headers: dict[str, str], first: bytes
) -> tuple[int, bytes, float]:
    """POST ``path`` through ASGI: send ``first``, then nothing more (a stalled client)."""
    out: dict[str, Any] = {"body": b"", "status": None}
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": {}, "app": app,
    }  # fmt: skip

    async def call() -> None:
        await app(scope, receive, send)

    t0 = time.monotonic()
    portal.call(call)
    return out["status"], out["body"], time.monotonic() - t0


def test_a_stalled_upload_is_cut_off(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path / "storage", request_idle_timeout_s=0.5)
    app = create_app(settings)
    with TestClient(app) as client:
        svc = app.state.services
        from models.accounts import Role

        qa = make_user(svc, name="Quinn Stall", role=Role.qa_analyst)
        agent = make_user(svc, name="Alice Stall")
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="agent_id"\r\n\r\n{agent.id}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\nRIFF"
        ).encode()
        headers = {
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
            "content-length": "900000",
            "authorization": f"Bearer {issue_token(qa, settings)}",
        }
        status, body, took = _drive(app, client.portal, "/api/v1/calls", headers, head)
    assert status == 408, body
    assert body == b'{"detail": "no data from the client for 0.5 s"}'
    assert took < 10


def _toy(total_s: float) -> Any:
    async def slow(request: Request) -> JSONResponse:
        await asyncio.sleep(5)
        return JSONResponse({"late": True})

    async def streaming(request: Request) -> StreamingResponse:
        async def chunks() -> Any:
            for _ in range(3):
                await asyncio.sleep(0.4)
                yield b"x" * 10

        return StreamingResponse(chunks())

    inner = Starlette(routes=[Route("/slow", slow), Route("/stream", streaming)])
    return RequestTimeout(inner, total_s=total_s, idle_s=30)


def test_a_handler_that_does_not_answer_in_time_gets_504() -> None:
    with TestClient(_toy(total_s=0.5)) as client:
        t0 = time.monotonic()
        res = client.get("/slow")
        assert time.monotonic() - t0 < 3
    assert res.status_code == 504
    assert res.json() == {"detail": "the request took longer than 0.5 s"}


@pytest.mark.parametrize("path", ["/stream"])
def test_a_started_response_is_never_cut(path: str) -> None:
    with TestClient(_toy(total_s=0.5)) as client:
        res = client.get(path)  # 1.2 s of streaming, past the 0.5 s bound
    assert res.status_code == 200 and res.content == b"x" * 30
