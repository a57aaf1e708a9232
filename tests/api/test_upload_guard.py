"""Unauthenticated disk filling: an upload is refused on its token and its declared
size before any of its body is read, and a body without a declared size stops at the limit;
error messages never name the server's temporary files."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.world import World

GIB = 1 << 30
BOUNDARY = "----guard"


def _multipart_head(agent_id: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="agent_id"\r\n\r\n{agent_id}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\nRIFF"
    ).encode()


def _asgi_upload(
    w: World, *, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, dict[str, str], bytes, int]:
    """POST /api/v1/calls straight through ASGI with a body fed chunk by chunk: (status,
    headers, body, bytes the app read)."""
    app = w.client.app
    read = 0
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/calls",
        "raw_path": b"/api/v1/calls",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
        "app": app,
    }

    async def call() -> None:
        await app(scope, receive, send)  # type: ignore[arg-type]

    w.client.portal.call(call)  # type: ignore[union-attr]
    return out["status"], out["headers"], out["body"], read


def _endless(agent_id: str) -> Iterator[bytes]:
    """4 MB of a file part, 256 KB at a time (never finished: a client still sending)."""
    yield _multipart_head(agent_id)
    for _ in range(16):
        yield b"\0" * (256 * 1024)


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the multipart parser would spool a file part (the process's temp dir)."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _on_disk(w: World, spool: Path) -> list[Path]:
    incoming = w.svc.storage.root / ".incoming"
    files = [p for p in spool.rglob("*") if p.is_file()]
    return files + ([p for p in incoming.rglob("*") if p.is_file()] if incoming.exists() else [])


def _headers(declared: int | None, **extra: str) -> dict[str, str]:
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **extra}
    if declared is not None:
        headers["content-length"] = str(declared)
    return headers


@pytest.mark.parametrize("declared", [GIB, None])
def test_no_token_is_refused_before_the_body_is_read(world: World, spool: Path, declared):
    t0 = time.perf_counter()
    status, headers, body, read = _asgi_upload(
        world, headers=_headers(declared), chunks=_endless(str(world.id("agent_a")))
    )
    assert status == 401
    assert body == b'{"detail":"not authenticated: send \'Authorization: Bearer <token>\'"}'
    assert headers["www-authenticate"] == "Bearer"
    assert read == 0
    assert time.perf_counter() - t0 < 2.0
    assert _on_disk(world, spool) == []


def test_a_bad_token_is_refused_before_the_body_is_read(world: World, spool: Path):
    status, _, body, read = _asgi_upload(
        world,
        headers=_headers(GIB, authorization="Bearer not-a-token"),
        chunks=_endless(str(world.id("agent_a"))),
    )
    assert (status, body, read) == (401, b'{"detail":"invalid token"}', 0)
    assert _on_disk(world, spool) == []


def test_a_declared_size_over_the_limit_is_refused_unread(world: World, spool: Path):
    # The world's limit is 1 MB.
    status, headers, body, read = _asgi_upload(
        world,
        headers=_headers(GIB, authorization=f"Bearer {world.tokens['qa']}"),
        chunks=_endless(str(world.id("agent_a"))),
    )
    assert (status, body, read) == (413, b'{"detail":"upload exceeds the limit of 1 MB"}', 0)
    assert headers["connection"] == "close"
    assert _on_disk(world, spool) == []


def test_a_chunked_body_stops_at_the_limit(world: World, spool: Path):
    status, _, body, read = _asgi_upload(
        world,
        headers=_headers(None, authorization=f"Bearer {world.tokens['qa']}"),
        chunks=_endless(str(world.id("agent_a"))),
    )
    assert (status, body) == (413, b'{"detail":"upload exceeds the limit of 1 MB"}')
    assert (1 << 20) < read <= (1 << 20) + 64 * 1024 + 256 * 1024 + 512
    assert _on_disk(world, spool) == []
    with world.svc.session_factory() as s:
        from sqlalchemy import func, select

        from models.calls import Call

        assert s.scalar(select(func.count()).select_from(Call)) == 0


def test_an_empty_upload_names_no_server_file(world: World):
    res = world.client.post(
        "/api/v1/calls",
        files={"file": ("call.wav", b"")},
        data={"agent_id": str(world.id("agent_a"))},
        headers=world.headers("qa"),
    )
    assert res.status_code == 422
    assert res.json() == {"detail": "the uploaded file is empty"}
    text = world.client.post(
        "/api/v1/calls",
        files={"file": ("notes.wav", b"eggs\nmilk\n")},
        data={"agent_id": str(world.id("agent_a"))},
        headers=world.headers("qa"),
    )
    assert text.status_code == 415
    assert text.json()["detail"].startswith("the uploaded file is neither audio")
    assert "tmp" not in text.json()["detail"]
