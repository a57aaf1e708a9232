"""gzip for text: pages, JSON and static files go out compressed to a client that accepts it
and decode to the very bytes sent uncompressed; recordings (Range requests included), clips
and downloads go out exactly as stored, and a tiny answer is not worth compressing."""

from __future__ import annotations

import gzip

from fastapi.testclient import TestClient

from api.compression import MINIMUM_SIZE, compressible
from tests.support.factories import add_transcript, make_call
from tests.support.world import World

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def _raw(
    client: TestClient, url: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the body as it came over the wire (httpx would decode it)."""
    with client.stream("GET", url, headers=headers) as res:
        return res.status_code, dict(res.headers), b"".join(res.iter_raw())


def _call_with_transcript(w: World) -> str:
    call_id = make_call(w.svc, agent=w.users["agent_a"])
    lines = [
        ("agent" if i % 2 else "customer", i * 2.0, i * 2.0 + 1.5, f"line {i} of the call")
        for i in range(60)
    ]
    add_transcript(w.svc, call_id, lines)
    return str(call_id)


def _assert_gzip_of_identity(client: TestClient, url: str, headers: dict[str, str]) -> bytes:
    status, plain_headers, plain = _raw(client, url, headers | IDENTITY)
    assert status == 200
    assert "content-encoding" not in plain_headers
    status, zipped_headers, zipped = _raw(client, url, headers | GZIP)
    assert status == 200
    assert zipped_headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped_headers["vary"].lower()
    assert int(zipped_headers["content-length"]) == len(zipped) < len(plain)
    assert gzip.decompress(zipped) == plain
    assert zipped_headers["content-type"] == plain_headers["content-type"]
    return plain


def test_a_page_and_a_json_answer_are_gzipped_and_decode_to_the_same_body(world: World):
    call_id = _call_with_transcript(world)
    world.client.cookies.set("callreview_token", world.tokens["qa"])
    page = _assert_gzip_of_identity(world.client, f"/calls/{call_id}", {})
    assert b"line 59 of the call" in page
    world.client.cookies.clear()

    review = _assert_gzip_of_identity(world.client, f"/api/v1/calls/{call_id}", world.headers("qa"))
    assert b'"line 59 of the call"' in review


def test_a_compressed_static_file_carries_a_weak_etag_that_still_revalidates(world: World):
    c = world.client
    _assert_gzip_of_identity(c, "/static/app.js", {})
    _, plain, _ = _raw(c, "/static/app.js", IDENTITY)
    _, zipped, _ = _raw(c, "/static/app.js", GZIP)
    assert zipped["etag"] == f"W/{plain['etag']}"
    again = c.get("/static/app.js", headers=GZIP | {"If-None-Match": zipped["etag"]})
    assert again.status_code == 304


def test_the_recording_goes_out_as_stored_range_requests_included(world: World):
    call_id = _call_with_transcript(world)
    c, auth = world.client, world.headers("qa")
    stored = _raw(c, f"/api/v1/calls/{call_id}/audio", auth | IDENTITY)[2]
    assert len(stored) > MINIMUM_SIZE

    status, headers, body = _raw(c, f"/api/v1/calls/{call_id}/audio", auth | GZIP)
    assert (status, body) == (200, stored)
    assert "content-encoding" not in headers

    ranged = auth | GZIP | {"Range": "bytes=100-1123"}
    status, headers, body = _raw(c, f"/api/v1/calls/{call_id}/audio", ranged)
    assert status == 206
    assert headers["content-range"] == f"bytes 100-1123/{len(stored)}"
    assert "content-encoding" not in headers
    assert body == stored[100:1124]
    assert headers["content-length"] == "1024"


def test_clips_and_downloads_are_not_compressed(world: World):
    c, auth = world.client, world.headers("qa")
    for _ in range(8):
        _call_with_transcript(world)
    call_id = _call_with_transcript(world)

    status, headers, body = _raw(c, f"/api/v1/calls/{call_id}/clip?start=0&end=1", auth | GZIP)
    assert (status, headers["content-type"]) == (200, "audio/wav")
    assert len(body) > MINIMUM_SIZE and body.startswith(b"RIFF")
    assert "content-encoding" not in headers

    status, headers, body = _raw(c, "/api/v1/exports/evaluations.csv", auth | GZIP)
    assert status == 200 and headers["content-disposition"].startswith("attachment")
    assert len(body) > MINIMUM_SIZE and body.count(b"\n") > 9
    assert "content-encoding" not in headers


def test_a_tiny_answer_stays_uncompressed(world: World):
    status, headers, body = _raw(world.client, "/healthz", GZIP)
    assert status == 200
    assert len(body) < MINIMUM_SIZE
    assert "content-encoding" not in headers
    assert body.startswith(b"{")


def test_only_whole_text_answers_are_compressible():
    def start(status: int = 200, **headers: str) -> dict[str, object]:
        raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
        return {"type": "http.response.start", "status": status, "headers": raw}

    assert compressible(start(content_type="text/html; charset=utf-8"))
    assert compressible(start(content_type="application/json"))
    assert compressible(start(content_type="text/css; charset=utf-8"))
    assert compressible(start(content_type="text/javascript; charset=utf-8"))
    assert not compressible(start(content_type="audio/wav"))
    assert not compressible(start(content_type="application/octet-stream"))
    assert not compressible(start(content_type="text/csv"))
    assert not compressible(start(206, content_type="text/html", content_range="bytes 0-9/99"))
    assert not compressible(start(content_type="text/html", content_encoding="br"))
    # An attachment that happens to be JSON is still a download of the stored bytes.
    assert not compressible(
        start(content_type="application/json", content_disposition='attachment; filename="a"')
    )
