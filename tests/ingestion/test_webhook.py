"""The signed webhook through a real app on SQLite and PostgreSQL, fetching recordings from a
real HTTP server on loopback: Twilio's and Amazon Connect's shapes, bad signatures, replays."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from domains.auth.dependencies import issue_token
from domains.ingestion.sources.webhook import SIGNATURE_HEADER, sign
from domains.kit.services import Services
from models.accounts import Role
from models.calls import Call, CallStatus
from models.ingestion import CallMetadata
from tests.conftest import make_settings
from tests.ingestion.conftest import audit_actions, count_calls, objects
from tests.support.factories import make_user, tone_wav


def _free_port() -> int:
    """A port nobody listens on (each test process its own: parallel runs never collide)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORT = _free_port()
SECRET = "s3cret-0123456789-abcdef"


class Recordings:
    """A recording server: paths → bodies, a request log, and a switch that makes it fail."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.down = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                body = outer.files.get(self.path)
                code = 503 if outer.down else (200 if body is not None else 404)
                self.send_response(code)
                self.send_header("Content-Length", str(len(body or b"")) if code == 200 else "0")
                self.end_headers()
                if code == 200 and body is not None:
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{PORT}{path}"


@pytest.fixture
def recordings() -> Iterator[Recordings]:
    server = Recordings()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def app_client(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Services, str]]:
    app = create_app(make_settings(db_url, tmp_path / "storage", reap_interval_s=0))
    with TestClient(app) as client:
        svc: Services = app.state.services
        svc.attach_dispatcher(None)  # calls stay queued: no Whisper in these tests
        admin = make_user(svc, name="Ada Admin", role=Role.admin)
        token = issue_token(admin, svc.settings)
        yield client, svc, token


def _source(client: TestClient, token: str, **settings: Any) -> None:
    res = client.post(
        "/api/v1/ingestion/sources",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "name": "phones",
            "kind": "webhook",
            "hmac_secret": SECRET,
            "settings": {"fetch_hosts": [f"127.0.0.1:{PORT}"], **settings},
        },
    )
    assert res.status_code == 201, res.text
    assert res.json()["hmac_secret"] == SECRET and res.json()["signed"] is True


def _map(client: TestClient, token: str, kind: str, ref: str, agent_id: object) -> int:
    res = client.post(
        "/api/v1/ingestion/sources/phones/mappings",
        headers={"Authorization": f"Bearer {token}"},
        json={"ref_kind": kind, "ref": ref, "agent_id": str(agent_id)},
    )
    assert res.status_code == 200, res.text
    return int(res.json()["released"])


def _post(client: TestClient, body: bytes, content_type: str, secret: str = SECRET) -> Any:
    return client.post(
        "/api/v1/ingest/phones",
        content=body,
        headers={"Content-Type": content_type, SIGNATURE_HEADER: sign(secret, body)},
    )


def _twilio(recordings: Recordings, sid: str = "RE0001", **extra: str) -> bytes:
    return urlencode(
        {
            "AccountSid": "AC123",
            "CallSid": "CA777",
            "RecordingSid": sid,
            "RecordingUrl": recordings.url(f"/Recordings/{sid}"),
            "RecordingStatus": "completed",
            "RecordingDuration": "1",
            "RecordingChannels": "1",
            "RecordingStartTime": "Wed, 19 Feb 2025 06:01:22 +0000",
            **extra,
        }
    ).encode()


FORM = "application/x-www-form-urlencoded"


def test_a_twilio_callback_retried_three_times_is_one_call(
    app_client: tuple[TestClient, Services, str], recordings: Recordings
) -> None:
    client, svc, token = app_client
    recordings.files["/Recordings/RE0001"] = tone_wav(0.5)
    _source(client, token)
    agent = make_user(svc, name="Priya")
    _map(client, token, "email", "priya@example.com", agent.id)
    body = _twilio(recordings, agent_email="priya@example.com")

    first = _post(client, body, FORM)
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "ingested"
    call_id = first.json()["call_id"]
    for _ in range(3):
        again = _post(client, body, FORM)
        assert again.status_code == 200, again.text
        assert again.json() == {
            "status": "duplicate",
            "object_id": "RE0001",
            "call_id": call_id,
            "reason": None,
        }
    assert count_calls(svc) == 1
    assert recordings.requests == ["/Recordings/RE0001"]  # replays are answered from the record
    assert audit_actions(svc).count("ingest.replayed") == 3
    with svc.session_factory() as s:
        call = s.scalars(select(Call)).one()
        meta = s.get(CallMetadata, call.id)
    assert (call.agent_id, call.status) == (agent.id, CallStatus.queued)
    assert meta is not None and meta.external_id == "RE0001"
    assert meta.extra == {
        "CallSid": "CA777",
        "AccountSid": "AC123",
        "RecordingDuration": "1",
        "RecordingChannels": "1",
    }
    assert (
        meta.started_at is not None and meta.started_at.isoformat() == "2025-02-19T06:01:22+00:00"
    )


def test_a_bad_or_missing_signature_is_401_and_records_nothing(
    app_client: tuple[TestClient, Services, str], recordings: Recordings
) -> None:
    client, svc, token = app_client
    recordings.files["/Recordings/RE0001"] = tone_wav(0.5)
    _source(client, token)
    body = _twilio(recordings)
    wrong = _post(client, body, FORM, secret="not-the-secret-at-all")
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": f"bad or missing {SIGNATURE_HEADER}"}
    unsigned = client.post("/api/v1/ingest/phones", content=body, headers={"Content-Type": FORM})
    assert unsigned.status_code == 401
    tampered = body.replace(b"RE0001", b"RE0002")
    res = client.post(
        "/api/v1/ingest/phones",
        content=tampered,
        headers={"Content-Type": FORM, SIGNATURE_HEADER: sign(SECRET, body)},
    )
    assert res.status_code == 401
    assert recordings.requests == [] and objects(svc) == [] and count_calls(svc) == 0


def test_an_amazon_connect_record_maps_agent_queue_and_direction(
    app_client: tuple[TestClient, Services, str], recordings: Recordings
) -> None:
    client, svc, token = app_client
    recordings.files["/connect-bucket/connect/inst/CallRecordings/2025/02/19/c-1.wav"] = tone_wav(
        0.5
    )
    _source(client, token, recording_base_url=f"http://127.0.0.1:{PORT}")
    ctr = {
        "ContactId": "c-1",
        "Channel": "VOICE",
        "InitiationMethod": "OUTBOUND",
        "InitiationTimestamp": "2025-02-19T06:01:22Z",
        "Agent": {"Username": "chris.l", "ARN": "arn:aws:connect:…/agent/1"},
        "Queue": {"Name": "Billing"},
        "CustomerEndpoint": {"Address": "+15550100", "Type": "TELEPHONE_NUMBER"},
        "Attributes": {"ticket_url": "https://desk.example.com/t/9"},
        "Recording": {
            "Location": "connect-bucket/connect/inst/CallRecordings/2025/02/19/c-1.wav",
            "Type": "AUDIO",
            "Status": "AVAILABLE",
        },
    }
    body = json.dumps(ctr).encode()

    # No mapping for chris.l yet: held, not guessed.
    held = _post(client, body, "application/json")
    assert held.status_code == 202 and held.json()["status"] == "unassigned"
    assert count_calls(svc) == 0
    page = client.get("/admin/sources", headers={"Authorization": f"Bearer {token}"})
    assert (
        page.status_code == 200
        and "no agent mapping for external_id &#39;chris.l&#39;" in page.text
    )

    chris = make_user(svc, name="Chris Lee")
    assert _map(client, token, "external_id", "chris.l", chris.id) == 1
    replay = _post(client, body, "application/json")
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    with svc.session_factory() as s:
        call = s.scalars(select(Call)).one()
        meta = s.get(CallMetadata, call.id)
    assert call.agent_id == chris.id
    assert meta is not None
    assert (meta.queue, meta.direction, meta.customer_ref, meta.ticket_url) == (
        "Billing",
        "outbound",
        "+15550100",
        "https://desk.example.com/t/9",
    )
    assert replay.json()["call_id"] == str(call.id)


def test_a_recording_server_that_is_down_gives_502_and_the_retry_succeeds(
    app_client: tuple[TestClient, Services, str], recordings: Recordings
) -> None:
    client, svc, token = app_client
    recordings.files["/Recordings/RE0001"] = tone_wav(0.5)
    _source(client, token)
    body = _twilio(recordings, agent_id="7")
    agent = make_user(svc, name="Priya")
    _map(client, token, "external_id", "7", agent.id)
    recordings.down = True
    failed = _post(client, body, FORM)
    assert failed.status_code == 502
    assert failed.json()["detail"].startswith("recording server answered 503")
    assert [(o, st) for o, st, _ in objects(svc)] == [("RE0001", "quarantined")]
    recordings.down = False
    ok = _post(client, body, FORM)
    assert ok.status_code == 202 and ok.json()["status"] == "ingested"
    # the failed attempt is settled by the success: one object, one call
    assert [(o, st) for o, st, _ in objects(svc)] == [("RE0001", "ingested")]
    assert count_calls(svc) == 1


def test_refused_deliveries_say_why(
    app_client: tuple[TestClient, Services, str], recordings: Recordings
) -> None:
    client, svc, token = app_client
    recordings.files["/Recordings/RE0009"] = b"this is not audio"
    _source(client, token)
    make_user(svc, name="Priya")
    # a host outside fetch_hosts is never fetched
    outside = json.dumps(
        {"object_id": "x-1", "recording_url": "http://169.254.169.254/latest", "agent_id": "7"}
    ).encode()
    res = _post(client, outside, "application/json")
    assert res.status_code == 422
    assert (
        res.json()["detail"] == "recording host 169.254.169.254 is not in this source's fetch_hosts"
    )
    # not audio: quarantined with the intake's reason
    agent = make_user(svc, name="Nina")
    _map(client, token, "external_id", "7", agent.id)
    res = _post(client, _twilio(recordings, sid="RE0009", agent_id="7"), FORM)
    assert res.status_code == 422 and res.json()["status"] == "quarantined"
    assert "neither audio" in res.json()["detail"]
    # malformed bodies are 422 and record nothing
    res = _post(client, b"{not json", "application/json")
    assert res.status_code == 422
    # a callback for a recording still in progress is acknowledged only
    res = _post(client, _twilio(recordings, sid="RE0010", RecordingStatus="in-progress"), FORM)
    assert res.status_code == 200 and res.json()["status"] == "ignored"
    assert count_calls(svc) == 0
    assert sorted((o, st) for o, st, _ in objects(svc)) == [
        ("RE0009", "quarantined"),
        ("x-1", "quarantined"),
    ]
