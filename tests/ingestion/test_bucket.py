"""The bucket source against a real S3 server on loopback (moto's server mode): polled by
prefix from the stored position, resuming there after the endpoint went away mid-poll."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from domains.ingestion import service as ingest
from domains.ingestion.sources.bucket import make_client
from domains.kit.services import Services
from tests.ingestion.conftest import add_source, count_calls, map_agent, objects
from tests.support.factories import make_user, tone_wav


def _free_port() -> int:
    """A port nobody listens on (each test process its own: parallel runs never collide)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORT = _free_port()


@pytest.fixture
def s3() -> Iterator[dict[str, Any]]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
    server.start()
    settings = {
        "endpoint_url": f"http://127.0.0.1:{PORT}",
        "bucket": "recordings",
        "prefix": "connect/",
        "access_key_id": "testing",
        "secret_access_key": "testing",
        "page_size": 2,
    }
    client = make_client(settings)
    client.create_bucket(Bucket="recordings")
    yield {"settings": settings, "client": client, "server": server}
    server.stop()


def _put(client: Any, key: str, body: bytes) -> None:
    client.put_object(Bucket="recordings", Key=key, Body=body)


def test_a_bucket_is_polled_by_prefix_with_sidecars_and_the_position_stored(
    svc: Services, s3: dict[str, Any]
) -> None:
    client = s3["client"]
    _put(client, "connect/2025/01/a_AGENT_ChrisL_DT_2025-02-19T06-01-22_.wav", tone_wav(0.5))
    _put(client, "connect/2025/01/b.wav", tone_wav(0.5))
    _put(client, "connect/2025/01/b.wav.json", b'{"agent_id": "u-9", "queue": "support"}')
    _put(client, "elsewhere/c.wav", tone_wav(0.5))  # outside the prefix
    chris, nine = make_user(svc, name="Chris"), make_user(svc, name="Nina")
    add_source(svc, name="connect", kind="s3", settings=s3["settings"], retention="delete")
    map_agent(svc, "connect", "name", "ChrisL", chris.id)
    map_agent(svc, "connect", "external_id", "u-9", nine.id)

    report = ingest.run_source(svc, "connect")
    assert (report.seen, report.counts, report.error) == (2, {"ingested": 2}, None)
    assert report.position == "connect/2025/01/b.wav"
    # retention: delete — the originals and the sidecar are gone, the other prefix is not
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="recordings").get("Contents", [])]
    assert keys == ["elsewhere/c.wav"]

    _put(client, "connect/2025/02/d.wav", tone_wav(0.5))
    _put(client, "connect/2025/02/d.wav.json", b'{"agent_id": "u-9"}')
    again = ingest.run_source(svc, "connect")
    assert (again.seen, again.counts) == (1, {"ingested": 1})
    assert count_calls(svc) == 3


def test_a_source_that_goes_down_mid_poll_resumes_from_its_position(
    svc: Services, s3: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = s3["client"]
    for i in range(7):
        _put(client, f"connect/call-{i:02d}.wav", tone_wav(0.5))
        _put(client, f"connect/call-{i:02d}.wav.json", b'{"agent_email": "nina@example.com"}')
    nina = make_user(svc, name="Nina")
    add_source(svc, name="connect", kind="s3", settings=s3["settings"])
    map_agent(svc, "connect", "email", "nina@example.com", nina.id)

    real = ingest.ingest_one
    done: list[str] = []
    stopped: list[bool] = []

    def ingest_then_fail_after_three(*args: Any, **kwargs: Any) -> ingest.Outcome:
        outcome = real(*args, **kwargs)
        done.append(outcome.object_id)
        if len(done) == 3 and not stopped:
            s3["server"].stop()  # the endpoint goes away in the middle of the listing
            stopped.append(True)
        return outcome

    monkeypatch.setattr(ingest, "ingest_one", ingest_then_fail_after_three)
    first = ingest.run_source(svc, "connect")
    assert first.counts == {"ingested": 3}
    assert first.error is not None and first.error.startswith("bucket recordings:")
    assert first.position == "connect/call-02.wav"
    with svc.session_factory() as s:
        assert ingest.get_source(s, "connect").last_error == first.error

    s3["server"].start()
    done.clear()
    second = ingest.run_source(svc, "connect")
    assert (second.seen, second.counts, second.error) == (4, {"ingested": 4}, None)
    assert done == [f"connect/call-{i:02d}.wav" for i in range(3, 7)]
    assert count_calls(svc) == 7
    assert len(objects(svc)) == 7
