"""Bad input gets a clear 4xx and changes nothing: oversize and mislabelled uploads, corrupt
audio, unknown ids, malformed JSON, SQL-ish and path-traversal strings in filters and names."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from models.audit import AuditEvent
from models.calls import Call
from models.reviews import EvaluationRow
from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.factories import make_call, tone_wav
from tests.support.world import World

SQLISH = "'; DROP TABLE calls; --"
TRAVERSAL = "../../../../etc/passwd"


def _counts(w: World) -> tuple[int, int, int]:
    with w.svc.session_factory() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Call, EvaluationRow, AuditEvent)
        )


def test_bad_uploads(world: World):
    w = world
    agent = str(w.id("agent_a"))
    corrupt = b"RIFF\x24\x80\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 200
    cases = [
        ("big.wav", b"RIFF" + b"\0" * (1 << 20) + b"x" * 10, 413, "limit of 1 MB"),
        ("empty.wav", b"", 422, "is empty"),
        ("corrupt.wav", corrupt, 422, "cannot be decoded"),
        ("notes.wav", b"eggs\nmilk\n", 415, "neither audio"),
        ("call.exe", b"MZ\x90\x00" + b"\0" * 100, 415, "neither audio"),
        (TRAVERSAL, b"root:x:0:0:root:/root:/bin/bash\n", 415, "neither audio"),
    ]
    before = _counts(w)
    for name, data, status, words in cases:
        res = w.client.post(
            "/api/v1/calls",
            files={"file": (name, data)},
            data={"agent_id": agent},
            headers=w.headers("qa"),
        )
        assert res.status_code == status, (name, res.text)
        assert words in res.json()["detail"], res.text
    for form, status in (
        ({"agent_id": "not-a-uuid"}, 422),
        ({"agent_id": str(uuid.uuid4())}, 404),
        ({"agent_id": SQLISH}, 422),
        ({}, 422),
    ):
        res = w.client.post(
            "/api/v1/calls",
            files={"file": ("c.txt", GOOD_CALL.encode())},
            data=form,
            headers=w.headers("qa"),
        )
        assert res.status_code == status, (form, res.text)
    no_file = w.client.post("/api/v1/calls", data={"agent_id": agent}, headers=w.headers("qa"))
    assert no_file.status_code == 422 and "file" in no_file.json()["detail"]
    assert _counts(w) == before
    # Nothing was written outside the storage root either.
    assert not list(w.svc.storage.root.rglob("passwd"))


def test_a_path_traversal_filename_is_only_a_label(world: World):
    w = world
    res = w.client.post(
        "/api/v1/calls",
        files={"file": (TRAVERSAL + ".wav", tone_wav(seconds=0.5))},
        data={"agent_id": str(w.id("agent_a"))},
        headers=w.headers("qa"),
    )
    assert res.status_code == 202, res.text
    call_id = res.json()["call_id"]
    with w.svc.session_factory() as s:
        call = s.get(Call, uuid.UUID(call_id))
        assert call is not None
        assert call.original_filename == "passwd.wav"
        assert ".." not in call.storage_key and call.storage_key.endswith(".wav")
    w.client.app.state.runner.wait(timeout=120)  # type: ignore[attr-defined]


def test_bad_filters_and_unknown_ids(world: World):
    w = world
    make_call(w.svc, agent=w.users["agent_a"])
    before = _counts(w)
    bad = [
        ("/api/v1/calls", {"status": SQLISH}, "status"),
        ("/api/v1/calls", {"agent_id": SQLISH}, "agent_id"),
        ("/api/v1/calls", {"min_score": SQLISH}, "min_score"),
        ("/api/v1/calls", {"min_score": "101"}, "min_score"),
        ("/api/v1/calls", {"min_score": "80", "max_score": "20"}, "min_score"),
        ("/api/v1/calls", {"since": SQLISH}, "since"),
        ("/api/v1/calls", {"since": "2026-03-02", "until": "2026-01-01"}, "since"),
        ("/api/v1/calls", {"auto_failed": "perhaps"}, "auto_failed"),
        ("/api/v1/calls", {"failed_criterion": TRAVERSAL}, "failed_criterion"),
        ("/api/v1/calls", {"failed_criterion": SQLISH}, "failed_criterion"),
        ("/api/v1/calls", {"limit": "0"}, "limit"),
        ("/api/v1/calls", {"limit": "100000"}, "limit"),
        ("/api/v1/calls", {"offset": "-1"}, "offset"),
        ("/api/v1/calls", {"offset": "99999999999999999999"}, "offset"),
        ("/api/v1/exports/evaluations.csv", {"status": SQLISH}, "status"),
        ("/api/v1/dashboard", {"until": TRAVERSAL}, "until"),
        ("/api/v1/audit", {"actor_id": SQLISH}, "actor_id"),
        ("/api/v1/users", {"role": SQLISH}, "role"),
    ]
    for url, params, words in bad:
        res = w.client.get(url, params=params, headers=w.headers("admin"))
        assert res.status_code == 422, (url, params, res.text)
        assert words in res.json()["detail"], (url, params, res.text)
    # Strings that are valid but match nothing are just that: no rows, not an error.
    for params in ({"team": SQLISH}, {"team": TRAVERSAL}):
        res = w.client.get("/api/v1/calls", params=params, headers=w.headers("admin"))
        assert res.status_code == 200 and res.json()["total"] == 0
    audit = w.client.get("/api/v1/audit", params={"entity_id": SQLISH}, headers=w.headers("admin"))
    assert audit.json()["total"] == 0

    missing = uuid.uuid4()
    for method, url in (
        ("GET", f"/api/v1/calls/{missing}"),
        ("GET", f"/api/v1/calls/{missing}/audio"),
        ("GET", f"/api/v1/calls/{missing}/clip?start=0&end=1"),
        ("POST", f"/api/v1/calls/{missing}/retry"),
        ("GET", f"/api/v1/agents/{missing}/progress"),
    ):
        res = w.client.request(method, url, headers=w.headers("admin"))
        assert res.status_code == 404, (url, res.text)
        assert "not found" in res.json()["detail"]
    res = w.client.put(
        f"/api/v1/calls/{missing}/criteria/greeting",
        json={"verdict": "fail", "reason": "x"},
        headers=w.headers("admin"),
    )
    assert res.status_code == 404
    assert w.client.get(f"/api/v1/calls/{TRAVERSAL}", headers=w.headers("admin")).status_code in (
        404,
        422,
    )
    assert _counts(w) == before


def test_audio_longer_than_the_limit_is_refused_by_its_decoded_length(world: World, tmp_path):
    """A FLAC whose header claims 1 s but holds 3 minutes: refused on what it decodes to, with
    the name the user sent (never the server's temporary file), and nothing is stored."""
    from tests.transcription.test_audio_bounds import _lying_flac

    w = world
    w.svc.settings.max_audio_minutes = 2.0
    path = _lying_flac(tmp_path / "bomb.flac", seconds=180, claimed_samples=16000)
    before = _counts(w)
    res = w.client.post(
        "/api/v1/calls",
        files={"file": ("monday-call.flac", path.read_bytes())},
        data={"agent_id": str(w.id("agent_a"))},
        headers=w.headers("qa"),
    )
    assert res.status_code == 413, res.text
    limit = "'monday-call.flac' is longer than the limit of 2 minutes of audio"
    assert res.json()["detail"] == limit
    assert _counts(w)[:2] == before[:2]
    assert list(w.svc.storage.root.rglob("*.flac")) == []
