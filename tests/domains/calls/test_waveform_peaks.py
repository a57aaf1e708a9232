"""Waveform peaks outlive a restart: computed once, saved in the storage's peaks folder, read
back without decoding when the process has forgotten them; a damaged file is recomputed and
replaced; a redacted copy has peaks of its own; the peaks go with the recording."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from domains.calls import peaks_files, waveform
from models.calls import Call
from tests.support.factories import make_call, tone_wav
from tests.support.world import World

BUCKETS = 20


def _peaks(w: World, call_id: uuid.UUID, buckets: int = BUCKETS) -> dict[str, Any]:
    res = w.client.get(
        f"/api/v1/calls/{call_id}/peaks", params={"buckets": buckets}, headers=w.headers("qa")
    )
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def _key(w: World, call_id: uuid.UUID) -> str:
    with w.svc.session_factory() as s:
        call = s.get(Call, call_id)
        assert call is not None
        return call.redacted_storage_key or call.storage_key


def _saved(w: World, call_id: uuid.UUID, buckets: int = BUCKETS) -> Path:
    return peaks_files.path_for(w.svc.storage, _key(w, call_id), buckets)


def _restart() -> None:
    """What a new process knows: nothing in memory."""
    waveform._peaks_of.cache_clear()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every recording the waveform decodes, by path."""
    seen: list[str] = []
    real = waveform.decode_audio

    def counted(path: str, **kwargs: Any) -> Any:
        seen.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(waveform, "decode_audio", counted)
    return seen


def test_after_a_restart_the_peaks_come_from_disk_without_decoding(
    world: World, decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = make_call(world.svc, agent=world.users["agent_a"], audio=tone_wav(2.0))
    first = _peaks(world, call_id)
    assert (first["duration_s"], first["buckets"], len(first["channels"])) == (2.0, BUCKETS, 1)
    assert all(0.2 < p < 0.3 for p in first["channels"][0])  # the tone's amplitude, 8000/32768
    assert len(decodes) == 1
    saved = json.loads(_saved(world, call_id).read_text())
    size = world.svc.storage.path(_key(world, call_id)).stat().st_size
    assert saved == {"format": 1, "source_bytes": size, "peaks": first}

    _restart()

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded again after a restart")

    monkeypatch.setattr(waveform, "decode_audio", no_decoding)
    assert _peaks(world, call_id) == first


@pytest.mark.parametrize(
    "damage",
    [
        b"",  # a save torn by a crash
        b'{"format": 1, "source_bytes": ',
        b"\xff\xfe not utf-8",
        b"[1, 2, 3]",
        b'{"format": 0, "source_bytes": 0, "peaks": {}}',  # an older format
        b'{"format": 1, "source_bytes": 1, "peaks": {}}',  # another recording's
        b'{"format": 1, "source_bytes": SIZE, "peaks": {"duration_s": "long"}}',
        b'{"format": 1, "source_bytes": SIZE, "peaks": '
        b'{"duration_s": 2.0, "buckets": 20, "channels": [[0.5]]}}',
    ],
)
def test_a_damaged_peaks_file_is_ignored_and_rewritten(
    world: World, decodes: list[str], damage: bytes
) -> None:
    call_id = make_call(world.svc, agent=world.users["agent_a"], audio=tone_wav(2.0))
    first = _peaks(world, call_id)
    saved = _saved(world, call_id)
    good = saved.read_bytes()
    size = world.svc.storage.path(_key(world, call_id)).stat().st_size
    saved.write_bytes(damage.replace(b"SIZE", str(size).encode()))
    _restart()

    assert _peaks(world, call_id) == first
    assert len(decodes) == 2  # decoded again, not served from the damaged file
    assert saved.read_bytes() == good
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no temporary file left


def test_a_failed_save_still_serves_the_peaks(
    world: World, decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = make_call(world.svc, agent=world.users["agent_a"], audio=tone_wav(2.0))

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(peaks_files.os, "replace", disk_full)
    assert _peaks(world, call_id)["buckets"] == BUCKETS
    saved = _saved(world, call_id)
    assert not saved.exists()
    assert list(saved.parent.iterdir()) == []  # the temporary file went too


def test_a_redacted_copy_has_its_own_peaks(world: World, decodes: list[str]) -> None:
    call_id = make_call(world.svc, agent=world.users["agent_a"], audio=tone_wav(2.0))
    original = _peaks(world, call_id)
    original_file = _saved(world, call_id)
    muted = world.svc.storage.put_stream(io.BytesIO(tone_wav(2.0, hz=0.0)), suffix=".wav")
    with world.svc.unit_of_work() as s:
        call = s.get(Call, call_id)
        assert call is not None
        call.redacted_storage_key = muted.key

    redacted = _peaks(world, call_id)
    assert redacted["channels"] == [[0.0] * BUCKETS]
    assert redacted["channels"] != original["channels"]
    assert len(decodes) == 2
    assert _saved(world, call_id) != original_file
    assert json.loads(_saved(world, call_id).read_text())["peaks"] == redacted
    assert json.loads(original_file.read_text())["peaks"] == original


def test_deleting_the_call_removes_its_peaks(world: World) -> None:
    w = world
    audio = tone_wav(2.0)
    call_id = make_call(w.svc, agent=w.users["agent_a"], audio=audio)
    twin = make_call(w.svc, agent=w.users["agent_b"], audio=audio)  # the same recording
    assert _key(w, call_id) == _key(w, twin)
    _peaks(w, call_id)
    _peaks(w, call_id, buckets=600)
    files = [_saved(w, call_id), _saved(w, call_id, 600)]
    assert all(f.is_file() for f in files)

    def delete(cid: uuid.UUID) -> None:
        res = w.client.delete(
            f"/api/v1/calls/{cid}", params={"reason": "wrong upload"}, headers=w.headers("qa")
        )
        assert res.status_code == 204, res.text

    key = _key(w, twin)
    delete(call_id)
    assert all(f.is_file() for f in files)  # the twin still plays that recording
    delete(twin)
    assert not w.svc.storage.path(key).exists()
    assert not any(f.exists() for f in files)
    assert list(files[0].parent.iterdir()) == []
