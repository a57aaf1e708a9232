"""Running ingestion: the `callreview ingest` commands as a user runs them (a real process, a
real SQLite file), polling on each source's interval with one claim per round, and the Celery
beat entry."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domains.ingestion import service as ingest
from domains.kit.services import Services
from pipeline.celery_app import INGEST_TASK, make_celery
from tests.api.test_cli import run_cli
from tests.conftest import SHARED_DATA, make_settings
from tests.ingestion.conftest import add_source, count_calls
from tests.support.factories import tone_wav

SAMPLE = (
    SHARED_DATA
    / "audio_aws_pca_samples"
    / "Auto0_GUID_000_AGENT_ChrisL_DT_2025-02-19T06-01-22_Mono.wav"
)


def test_the_cli_adds_a_source_maps_an_agent_runs_it_and_reports(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLE, drop / SAMPLE.name)
    (drop / "broken.wav").write_bytes(tone_wav(0.5))
    (drop / "broken.wav.json").write_text("[1, 2")
    settings = json.dumps({"path": str(drop), "settle_s": 0})

    assert run_cli("db", "upgrade", cwd=tmp_path).returncode == 0
    created = run_cli(
        "users", "create", "--email", "chris@example.com", "--name", "Chris Lee", "--role",
        "agent", "--password", "a long enough password", cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    added = run_cli(
        "ingest", "add", "nightly", "--kind", "folder", "--settings", settings, cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "source nightly (folder) added"

    first = run_cli("ingest", "run", "nightly", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "nightly: 2 seen; 1 quarantined, 1 unassigned"

    mapped = run_cli(
        "ingest", "map", "nightly", "name", "ChrisL", "chris@example.com", cwd=tmp_path
    )
    assert mapped.returncode == 0, mapped.stderr
    assert mapped.stdout.strip() == "name 'ChrisL' → Chris Lee; 1 held call(s) released"

    status = run_cli("ingest", "status", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    [row] = json.loads(status.stdout)
    assert (row["name"], row["kind"], row["counts"], row["last_error"]) == (
        "nightly",
        "folder",
        {"ingested": 1, "duplicate": 0, "unassigned": 0, "quarantined": 1},
        None,
    )

    missing = run_cli("ingest", "run", "nope", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no ingestion source named 'nope'"


def test_polling_runs_each_source_once_per_interval(svc: Services, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "one.wav").write_bytes(tone_wav(0.5))
    add_source(
        svc, name="every-minute", kind="folder",
        settings={"path": str(drop), "settle_s": 0, "poll_interval_s": 60},
    )  # fmt: skip
    add_source(
        svc, name="off", kind="folder", enabled=False, settings={"path": str(drop), "settle_s": 0}
    )
    now = datetime.now(UTC)
    assert [r.source for r in ingest.poll_due(svc, now)] == ["every-minute"]
    assert ingest.poll_due(svc, now + timedelta(seconds=30)) == []  # not due yet
    (drop / "two.wav").write_bytes(tone_wav(0.5))
    [later] = ingest.poll_due(svc, now + timedelta(seconds=61))
    assert (later.source, later.counts) == ("every-minute", {"unassigned": 1})
    assert count_calls(svc) == 0  # both held: no mapping names an agent


def test_celery_beat_polls_the_sources(tmp_path: Path) -> None:
    app = make_celery(make_settings("sqlite://", tmp_path))
    entry = app.conf.beat_schedule["ingest-sources"]
    assert (entry["task"], entry["schedule"]) == (INGEST_TASK, 30.0)
    assert app.conf.task_routes[INGEST_TASK] == {"queue": "score"}


def test_the_embedded_runner_polls_a_folder_on_its_own(tmp_path: Path) -> None:
    import time

    from domains.kit.services import build_services
    from pipeline.embedded import EmbeddedRunner
    from tests.ingestion.conftest import objects

    drop = tmp_path / "drop"
    drop.mkdir()
    settings = make_settings(
        f"sqlite:///{tmp_path}/h.db", tmp_path / "storage", reap_interval_s=0.2
    )
    svc = build_services(settings)
    runner = EmbeddedRunner(svc)
    try:
        add_source(
            svc, name="drop", kind="folder",
            settings={"path": str(drop), "settle_s": 0, "poll_interval_s": 0},
        )  # fmt: skip
        runner.resume()
        (drop / "arrived.wav").write_bytes(tone_wav(0.5))  # no mapping: held, never scored
        deadline = time.monotonic() + 30
        while not objects(svc) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [(o, st) for o, st, _ in objects(svc)] == [("arrived.wav", "unassigned")]
    finally:
        runner.shutdown()
        svc.close()
