"""A watched folder on a real disk into real SQLite and PostgreSQL: metadata from the file
name (the AWS sample's convention), a manifest and sidecars; idempotency; quarantine; the
unassigned queue; retention."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from domains.ingestion import service as ingest
from domains.kit.services import Services
from domains.kit.unit_of_work import pending_jobs
from models.calls import Call, CallStatus
from models.ingestion import CallMetadata
from tests.conftest import SHARED_DATA
from tests.ingestion.conftest import add_source, audit_actions, count_calls, map_agent, objects
from tests.support.factories import make_user, tone_wav

SAMPLE = (
    SHARED_DATA
    / "audio_aws_pca_samples"
    / "Auto0_GUID_000_AGENT_ChrisL_DT_2025-02-19T06-01-22_Mono.wav"
)


def _folder_source(svc: Services, folder: Path, **settings: object) -> None:
    add_source(
        svc,
        name="nightly",
        kind="folder",
        settings={"path": str(folder), "settle_s": 0, **settings},
    )


def test_the_aws_sample_name_gives_agent_and_time_and_the_second_poll_adds_nothing(
    svc: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    chris = make_user(svc, name="Chris Lee")
    _folder_source(svc, folder)
    map_agent(svc, "nightly", "name", "ChrisL", chris.id)

    first = ingest.run_source(svc, "nightly")
    assert (first.seen, first.counts, first.error) == (1, {"ingested": 1}, None)
    second = ingest.run_source(svc, "nightly")
    assert (second.seen, second.counts) == (0, {})

    with svc.session_factory() as s:
        call = s.scalars(select(Call)).one()
        meta = s.get(CallMetadata, call.id)
    assert (call.agent_id, call.status, call.original_filename) == (
        chris.id,
        CallStatus.queued,
        SAMPLE.name,
    )
    assert meta is not None
    assert meta.started_at == datetime(2025, 2, 19, 6, 1, 22, tzinfo=UTC)
    assert meta.external_id == SAMPLE.name
    assert audit_actions(svc) == [
        "ingest.source_created",
        "ingest.agent_mapped",
        "ingest.ingested",
        "ingest.run",
        "ingest.run",
    ]


def test_sidecar_and_manifest_fill_the_metadata_and_the_same_content_twice_is_one_call(
    svc: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    audio = tone_wav(0.5)
    (folder / "a.wav").write_bytes(audio)
    (folder / "copy-of-a.wav").write_bytes(audio)  # the same recording under another name
    (folder / "a.wav.json").write_text(
        json.dumps(
            {
                "agent_email": "Priya@Example.com",
                "started_at": "2025-03-01T09:30:00+01:00",
                "queue": "billing",
                "direction": "inbound",
                "customer_ref": "CUST-42",
                "ticket_url": "https://desk.example.com/tickets/42",
                "crm_case": "7",
            }
        )
    )
    (folder / "manifest.csv").write_text(
        "file,agent_email,queue\ncopy-of-a.wav,priya@example.com,sales\n"
    )
    priya = make_user(svc, name="Priya")
    _folder_source(svc, folder)
    map_agent(svc, "nightly", "email", "priya@example.com", priya.id)

    report = ingest.run_source(svc, "nightly")
    assert report.counts == {"ingested": 1, "duplicate": 1}
    assert count_calls(svc) == 1
    with svc.session_factory() as s:
        call = s.scalars(select(Call)).one()
        meta = s.get(CallMetadata, call.id)
    assert meta is not None
    assert (meta.queue, meta.direction, meta.customer_ref, meta.ticket_url) == (
        "billing",
        "inbound",
        "CUST-42",
        "https://desk.example.com/tickets/42",
    )
    assert meta.started_at == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert meta.extra == {"crm_case": "7"}
    assert [(o, st) for o, st, _ in objects(svc)] == [
        ("a.wav", "ingested"),
        ("copy-of-a.wav", "duplicate"),
    ]


def test_a_malformed_sidecar_is_quarantined_and_the_rest_still_come_in(
    svc: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "bad.wav").write_bytes(tone_wav(0.5))
    (folder / "bad.wav.json").write_text('{"agent_name": "Priya", "started_at": ')
    (folder / "late.wav").write_bytes(tone_wav(0.5))
    (folder / "late.json").write_text('{"agent_name": "Priya", "direction": "sideways"}')
    (folder / "good.wav").write_bytes(tone_wav(0.5))
    (folder / "noise.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")  # not decodable
    priya = make_user(svc, name="Priya")
    _folder_source(svc, folder, patterns=[r"^(?P<agent_name>[a-z]+)\.wav$"])
    map_agent(svc, "nightly", "name", "priya", priya.id)
    map_agent(svc, "nightly", "name", "good", priya.id)
    map_agent(svc, "nightly", "name", "noise", priya.id)

    report = ingest.run_source(svc, "nightly")
    assert report.counts == {"quarantined": 3, "ingested": 1}
    rows = objects(svc)
    assert [(o, st) for o, st, _ in rows] == [
        ("bad.wav", "quarantined"),
        ("good.wav", "ingested"),
        ("late.wav", "quarantined"),
        ("noise.wav", "quarantined"),
    ]
    reasons = {o: r for o, _, r in rows}
    assert reasons["bad.wav"] is not None and reasons["bad.wav"].startswith(
        "sidecar bad.wav.json is not valid JSON"
    )
    assert (
        reasons["late.wav"]
        == "sidecar late.json: direction must be inbound or outbound, not 'sideways'"
    )
    assert reasons["noise.wav"] is not None and "cannot be decoded" in reasons["noise.wav"]
    assert count_calls(svc) == 1
    assert audit_actions(svc).count("ingest.quarantined") == 3

    # The sidecar is fixed: the next poll takes the object again, and only it.
    (folder / "bad.wav.json").write_text('{"agent_name": "Priya"}')
    again = ingest.run_source(svc, "nightly")
    assert again.counts == {"ingested": 1}
    assert count_calls(svc) == 2


def test_an_unknown_agent_is_held_unassigned_until_a_mapping_names_it(
    svc: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    # An agent named like the file's reference exists, but nothing maps it: no guessing.
    make_user(svc, name="ChrisL")
    _folder_source(svc, folder)

    report = ingest.run_source(svc, "nightly")
    assert report.counts == {"unassigned": 1}
    assert count_calls(svc) == 0
    with svc.session_factory() as s:
        held = ingest.held_objects(s)
        assert [(h.object_id, h.reason) for h in held] == [
            (SAMPLE.name, "no agent mapping for name 'chrisl'")
        ]
        assert held[0].storage_key is not None and svc.storage.exists(held[0].storage_key)

    chris = make_user(svc, name="Chris Lee")
    assert map_agent(svc, "nightly", "name", "ChrisL", chris.id) == 1
    with svc.session_factory() as s:
        call = s.scalars(select(Call)).one()
        assert call.agent_id == chris.id and call.status == CallStatus.queued
        assert ingest.held_objects(s) == []
    assert "ingest.released" in audit_actions(svc)


def test_retention_delete_removes_the_original_only_after_the_commit(
    svc: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "keep-me.wav").write_bytes(b"not audio at all")
    (folder / "take-me.wav").write_bytes(tone_wav(0.5))
    (folder / "take-me.wav.json").write_text('{"agent_id": "A-7"}')
    agent = make_user(svc, name="Priya")
    add_source(
        svc,
        name="nightly",
        kind="folder",
        retention="delete",
        settings={"path": str(folder), "settle_s": 0},
    )
    map_agent(svc, "nightly", "external_id", "A-7", agent.id)
    report = ingest.run_source(svc, "nightly")
    assert report.counts == {"ingested": 1, "quarantined": 1}
    # The refused file stays to be looked at; the ingested one and its sidecar are gone.
    assert sorted(p.name for p in folder.iterdir()) == ["keep-me.wav"]


def test_a_missing_folder_is_an_error_on_the_source_not_a_crash(
    svc: Services, tmp_path: Path
) -> None:
    _folder_source(svc, tmp_path / "not-mounted")
    report = ingest.run_source(svc, "nightly")
    assert report.error == f"folder {tmp_path / 'not-mounted'} is not there (unmounted?)"
    with svc.session_factory() as s:
        assert ingest.get_source(s, "nightly").last_error == report.error


def test_queued_calls_are_sent_only_after_the_commit(svc: Services, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "x.wav").write_bytes(tone_wav(0.5))
    (folder / "x.json").write_text('{"agent_id": "A-1"}')
    agent = make_user(svc, name="Priya")
    _folder_source(svc, folder)
    map_agent(svc, "nightly", "external_id", "A-1", agent.id)
    sent: list[object] = []

    class Recorder:
        def enqueue(self, call_id: object, **_: object) -> None:
            with svc.session_factory() as s:  # the row must be visible to a worker already
                assert s.get(Call, call_id) is not None
            sent.append(call_id)

    svc.attach_dispatcher(Recorder())  # type: ignore[arg-type]
    ingest.run_source(svc, "nightly")
    with svc.session_factory() as s:
        assert sent == [s.scalars(select(Call.id)).one()]
        assert pending_jobs(s) == []


def test_a_held_recording_past_the_retention_period_loses_its_file(
    db_url: str, tmp_path: Path
) -> None:
    from datetime import timedelta

    from domains.kit.services import build_services
    from tests.conftest import make_settings

    svc = build_services(make_settings(db_url, tmp_path / "storage", retention_days=30))
    try:
        folder = tmp_path / "drop"
        folder.mkdir()
        (folder / "nobody.wav").write_bytes(tone_wav(0.5))
        _folder_source(svc, folder)
        assert ingest.run_source(svc, "nightly").counts == {"unassigned": 1}
        with svc.session_factory() as s:
            [held] = ingest.held_objects(s)
            key = held.storage_key
        assert key is not None and svc.storage.exists(key)
        assert ingest.purge_expired_held(svc, datetime.now(UTC) + timedelta(days=29)) == 0
        assert ingest.purge_expired_held(svc, datetime.now(UTC) + timedelta(days=31)) == 1
        assert not svc.storage.exists(key)
        assert objects(svc) == [
            (
                "nobody.wav",
                "quarantined",
                "the retention period (30 days) ended before an agent was mapped",
            )
        ]
    finally:
        svc.close()
