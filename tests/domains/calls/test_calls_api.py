"""The calls API through a real app (lifespan, embedded worker) on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import time
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from domains.accounts.users import create_user
from domains.calls.intake import ensure_agent
from models.calls import Call
from tests.conftest import make_settings
from tests.pipeline.test_pipeline import GOOD_CALL

PASSWORD = "correct horse battery"


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, tmp_path / "storage", max_upload_mb=1))
    with TestClient(app) as c:
        svc = app.state.services
        with svc.unit_of_work() as s:
            create_user(
                s, email="qa@example.com", name="Quinn", role="qa_analyst", password=PASSWORD
            )
        c.headers["Authorization"] = f"Bearer {login(c, 'qa@example.com')}"
        yield c


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    res = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert res.status_code == 200, res.text
    assert res.json()["token_type"] == "bearer"
    return str(res.json()["access_token"])


def _agent_id(client: TestClient, name: str = "Priya") -> str:
    svc = client.app.state.services  # type: ignore[attr-defined]
    with svc.unit_of_work() as s:
        return str(ensure_agent(s, name).id)


def _call_count(client: TestClient) -> int:
    svc = client.app.state.services  # type: ignore[attr-defined]
    with svc.session_factory() as s:
        return s.scalar(select(func.count()).select_from(Call)) or 0


def _wait_scored(client: TestClient, call_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/calls/{call_id}").json()
        if body["status"] in ("scored", "failed", "not_scorable"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"call {call_id} was not processed within {timeout} s")


def _upload(client: TestClient, name: str, data: bytes, agent_id: str) -> Any:
    return client.post("/api/v1/calls", files={"file": (name, data)}, data={"agent_id": agent_id})


def test_health(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_upload_is_scored_and_listed(client: TestClient):
    agent_id = _agent_id(client)
    res = _upload(client, "call.txt", GOOD_CALL.encode(), agent_id)
    assert res.status_code == 202, res.text
    call_id = res.json()["call_id"]
    body = _wait_scored(client, call_id)
    assert body["status"] == "scored"
    assert body["call_id"] == call_id
    assert body["evaluation"]["score"] == 100.0
    assert body["filename"] == "call.txt"
    page = client.get("/api/v1/calls", params={"agent_id": agent_id, "status": "scored"}).json()
    assert page["total"] == 1
    assert page["items"][0]["call_id"] == call_id
    other = client.get("/api/v1/calls", params={"agent_id": str(uuid.uuid4())}).json()
    assert other["total"] == 0

    again = _upload(client, "renamed.txt", GOOD_CALL.encode(), agent_id)
    assert again.status_code == 200
    assert again.json() == {"call_id": call_id, "status": "scored", "duplicate": True}
    assert _call_count(client) == 1


def test_bad_uploads_get_clear_4xx_and_change_nothing(client: TestClient):
    agent_id = _agent_id(client)
    cases = [
        ("empty.wav", b"", 422, "empty"),
        ("list.wav", b"eggs\nmilk\nbread\n", 415, "neither audio"),
        ("big.wav", b"RIFF" + b"\0" * (1 << 20) + b"x" * 1000, 413, "limit of 1 MB"),
        ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", 415, "neither audio"),
    ]
    for name, data, status, words in cases:
        res = _upload(client, name, data, agent_id)
        assert res.status_code == status, (name, res.text)
        assert words in res.json()["detail"]
    res = _upload(client, "call.txt", GOOD_CALL.encode(), str(uuid.uuid4()))
    assert res.status_code == 404
    assert _call_count(client) == 0


def test_unknown_ids_and_bad_filters(client: TestClient):
    missing = uuid.uuid4()
    res = client.get(f"/api/v1/calls/{missing}")
    assert res.status_code == 404
    assert res.json() == {"detail": f"call {missing} not found"}
    assert client.get("/api/v1/calls/not-a-uuid").status_code == 422
    res = client.get("/api/v1/calls", params={"status": "'; DROP TABLE calls; --"})
    assert res.status_code == 422
    assert "status" in res.json()["detail"]
    assert client.post(f"/api/v1/calls/{missing}/retry").status_code == 404


def _tone_wav(seconds: float = 2.0, rate: int = 16000) -> bytes:
    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    pcm = (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def test_audio_range_clip_of_a_not_scorable_call_and_score_anyway(client: TestClient):
    """A tone has no speech: the call is not scorable with the reason, keeps its audio, serves
    Range requests and clips, is refused a retry (nothing failed), and a reviewer can have it
    scored anyway (audited)."""
    agent_id = _agent_id(client)
    data = _tone_wav()
    call_id = _upload(client, "tone.wav", data, agent_id).json()["call_id"]
    body = _wait_scored(client, call_id)
    assert body["status"] == "not_scorable"
    assert body["scorable"] is False
    assert body["scorability"]["reason"] == "no_speech"
    assert body["evaluation"] is None and body["transcript"]["segments"] == []

    full = client.get(f"/api/v1/calls/{call_id}/audio")
    assert full.status_code == 200 and full.content == data
    part = client.get(f"/api/v1/calls/{call_id}/audio", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.content == data[:100]

    clip = client.get(f"/api/v1/calls/{call_id}/clip", params={"start": 0.5, "end": 1.5})
    assert clip.status_code == 200
    with wave.open(io.BytesIO(clip.content)) as w:
        assert w.getframerate() == 16000
        assert w.getnframes() == 16000
    bad = client.get(f"/api/v1/calls/{call_id}/clip", params={"start": 2, "end": 1})
    assert bad.status_code == 422

    assert client.post(f"/api/v1/calls/{call_id}/retry").status_code == 409
    res = client.post(f"/api/v1/calls/{call_id}/score-anyway", json={"reason": "  "})
    assert res.status_code == 422  # a reason is required
    res = client.post(
        f"/api/v1/calls/{call_id}/score-anyway", json={"reason": "a customer is on the line"}
    )
    assert res.status_code == 202, res.text
    scored = _wait_scored(client, call_id)
    assert scored["status"] == "scored"
    assert scored["scorable"] is False  # the check's verdict stays, for the record
    assert scored["scorability"]["score_anyway"] is True
    assert scored["evaluation"] is not None
    again = client.post(f"/api/v1/calls/{call_id}/score-anyway", json={"reason": "again"})
    assert again.status_code == 409
    svc = client.app.state.services  # type: ignore[attr-defined]
    with svc.session_factory() as s:
        from models.audit import AuditEvent

        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "call.score_anyway"))
        assert event.entity_id == call_id
        assert event.details["reason"] == "a customer is on the line"
        assert event.details["scorability"]["reason"] == "no_speech"
