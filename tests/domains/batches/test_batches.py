"""Batches in the embedded mode on SQLite and PostgreSQL: selection, progress, cancel, the
API routes. (The same functions under real Celery workers: test_celery_reliability.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from core.errors import InvalidInput, NotFound
from domains.auth.dependencies import issue_token
from domains.batches import service as batches
from domains.kit.services import Services
from models.accounts import Role
from models.calls import Call, CallStatus
from pipeline.embedded import EmbeddedRunner
from pipeline.steps import process_call
from tests.conftest import make_settings
from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.factories import make_user
from tests.support.pipeline_calls import cancel_batch, start_batch_with, submit


class Recorder:
    """A dispatcher that only records: lets a test look at a batch before anything runs."""

    def __init__(self) -> None:
        self.sent: list[tuple[uuid.UUID, uuid.UUID | None, str | None]] = []

    def enqueue(
        self, call_id: uuid.UUID, *, batch_id: uuid.UUID | None = None, step: str | None = None
    ) -> None:
        self.sent.append((call_id, batch_id, step))

    def resume(self) -> int:
        return 0

    def queue_sizes(self) -> dict[str, int] | None:
        return None

    def shutdown(self) -> None:
        pass


def _calls(svc: Services, tmp_path: Path, agent: str, n: int) -> list[uuid.UUID]:
    ids = []
    for i in range(n):
        path = tmp_path / f"{agent}-{i}.txt"
        path.write_text(GOOD_CALL + f"Customer: Reference {agent} {i}.\n")
        ids.append(submit(svc, path, agent=agent).call_id)
    return ids


def test_a_batch_runs_every_pending_call_and_reports_progress(svc: Services, tmp_path: Path):
    ids = _calls(svc, tmp_path, "Priya", 3)
    other = _calls(svc, tmp_path, "Omar", 1)
    runner = EmbeddedRunner(svc, workers=2)
    try:
        created = start_batch_with(svc, runner, batches.BatchFilters(agent="Priya"), trigger="cli")
        assert created.total == 3
        final = batches.wait(svc, runner, created.batch_id, timeout_s=120, poll_s=0.1)
    finally:
        runner.shutdown()
    assert (final.state, final.total, final.done, final.failed, final.skipped) == (
        "finished",
        3,
        3,
        0,
        0,
    )
    assert final.steps == {
        "queued": 0,
        "transcribing": 0,
        "transcribed": 0,
        "scoring": 0,
        "scored": 3,
        "not_scorable": 0,
        "failed": 0,
    }
    with svc.session_factory() as s:
        assert {s.get(Call, i).status for i in ids} == {CallStatus.scored}  # type: ignore[union-attr]
        assert s.get(Call, other[0]).status == CallStatus.queued  # type: ignore[union-attr]
    # Nothing pending for Priya any more: a second batch is empty and finished at once.
    again = start_batch_with(svc, Recorder(), batches.BatchFilters(agent="Priya"), trigger="cli")
    assert (again.total, again.state) == (0, "finished")


def test_selection_by_time_status_and_agent_sends_each_call_to_its_step(
    svc: Services, tmp_path: Path
):
    queued, transcribed, failed, old = _calls(svc, tmp_path, "Priya", 4)
    with svc.session_factory() as s:
        s.execute(update(Call).where(Call.id == transcribed).values(status=CallStatus.transcribed))
        s.execute(
            update(Call)
            .where(Call.id == failed)
            .values(status=CallStatus.failed, failed_step="transcribe", error="boom")
        )
        s.execute(
            update(Call)
            .where(Call.id == old)
            .values(created_at=datetime.now(UTC) - timedelta(days=3))
        )
        s.commit()
    since = datetime.now(UTC) - timedelta(days=1)
    rec = Recorder()
    created = start_batch_with(svc, rec, batches.BatchFilters(since=since), trigger="cli")
    assert created.total == 2
    assert sorted((c, step) for c, _, step in rec.sent) == sorted(
        [(queued, "transcribe"), (transcribed, "score")]
    )
    assert {b for _, b, _ in rec.sent} == {created.batch_id}

    rec = Recorder()
    retried = start_batch_with(svc, rec, batches.BatchFilters(statuses=("failed",)), trigger="cli")
    assert [(c, step) for c, _, step in rec.sent] == [(failed, "transcribe")]
    assert retried.steps["queued"] == 1  # reset by retry before it was enqueued
    with svc.session_factory() as s:
        call = s.get(Call, failed)
        assert call is not None and call.error is None

    with pytest.raises(InvalidInput):
        start_batch_with(svc, rec, batches.BatchFilters(statuses=("scored",)), trigger="cli")
    with pytest.raises(NotFound):
        start_batch_with(svc, rec, batches.BatchFilters(agent="Nobody"), trigger="cli")


def test_cancel_skips_the_calls_not_started(svc: Services, tmp_path: Path):
    ids = _calls(svc, tmp_path, "Priya", 3)
    process_call(svc, ids[0])  # already done before the cancel
    created = start_batch_with(
        svc, Recorder(), batches.BatchFilters(statuses=("queued",)), trigger="api"
    )
    assert created.total == 2
    cancelled = cancel_batch(svc, created.batch_id)
    assert (cancelled.state, cancelled.skipped, cancelled.done) == ("cancelled", 2, 0)
    # A message still in flight for a skipped item does nothing.
    runner = EmbeddedRunner(svc)
    try:
        runner.enqueue(ids[1], batch_id=created.batch_id)
        runner.wait(timeout=60)
    finally:
        runner.shutdown()
    with svc.session_factory() as s:
        assert s.get(Call, ids[1]).status == CallStatus.queued  # type: ignore[union-attr]


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Services]]:
    app = create_app(make_settings(db_url, tmp_path / "storage"))
    with TestClient(app) as c:
        yield c, app.state.services


def test_batch_routes_create_follow_and_cancel(client: tuple[TestClient, Services], tmp_path: Path):
    c, svc = client
    qa = make_user(svc, name="Quinn Analyst", role=Role.qa_analyst)
    agent = make_user(svc, name="Alice Agent", role=Role.agent, team="A")
    qa_h = {"Authorization": f"Bearer {issue_token(qa, svc.settings)}"}
    agent_h = {"Authorization": f"Bearer {issue_token(agent, svc.settings)}"}
    _calls(svc, tmp_path, "Priya", 2)

    assert c.post("/api/v1/batches", json={}, headers=agent_h).status_code == 403
    assert c.post("/api/v1/batches", json={}).status_code == 401
    res = c.post("/api/v1/batches", json={"agent": "Priya"}, headers=qa_h)
    assert res.status_code == 202, res.text
    body = res.json()
    assert body["total"] == 2 and body["filters"]["agent"] == "Priya"
    batch_id = body["batch_id"]
    c.app.state.runner.wait(timeout=120)  # type: ignore[attr-defined]
    got = c.get(f"/api/v1/batches/{batch_id}", headers=qa_h).json()
    assert (got["state"], got["total"], got["done"], got["failed"]) == ("finished", 2, 2, 0)
    assert got["steps"]["scored"] == 2

    cancelled = c.post(f"/api/v1/batches/{batch_id}/cancel", headers=qa_h).json()
    assert cancelled["cancelled_at"] is not None and cancelled["done"] == 2
    bad = c.post("/api/v1/batches", json={"status": ["scored"]}, headers=qa_h)
    assert bad.status_code == 422 and "status must be among" in bad.json()["detail"]
    missing = c.get(f"/api/v1/batches/{uuid.uuid4()}", headers=qa_h)
    assert missing.status_code == 404


def test_the_creator_hears_once_when_the_batch_finishes(svc: Services, tmp_path: Path):
    from sqlalchemy import select

    from models.accounts import Role
    from models.notifications import Notification
    from tests.support.factories import make_user

    lead = make_user(svc, name="Lena Lead", role=Role.qa_analyst)
    _calls(svc, tmp_path, "Priya", 3)
    runner = EmbeddedRunner(svc, workers=2)
    try:
        svc.attach_dispatcher(runner)
        created = batches.start_batch(
            svc, batches.BatchFilters(agent="Priya"), trigger="api", user=lead
        )
        final = batches.wait(svc, runner, created.batch_id, timeout_s=120, poll_s=0.1)
        runner.wait(timeout=60)
    finally:
        runner.shutdown()
    assert final.state == "finished"
    with svc.session_factory() as s:
        told = s.scalars(select(Notification).where(Notification.user_id == lead.id)).all()
        assert [(n.kind, n.text) for n in told] == [
            ("batch.finished", "Batch finished: 3 scored, 0 failed, 0 skipped of 3")
        ]
        # a late check changes nothing: it was announced once
        assert batches.announce_if_finished(s, created.batch_id) is False
