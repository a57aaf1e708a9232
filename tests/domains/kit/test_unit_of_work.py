"""One unit of work: one commit per request or runner step, jobs sent only after it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from domains.kit.deps import SessionDep
from domains.kit.services import Services
from domains.kit.unit_of_work import enqueue_after_commit, on_commit, unit_of_work
from models.accounts import Role, User


class SeeingDispatcher:
    """Records each job with whether a fresh session could already read the call's row: a
    worker must never be handed a call that is not committed yet."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.sent: list[tuple[uuid.UUID, str | None, bool]] = []

    def enqueue(
        self, call_id: uuid.UUID, *, batch_id: uuid.UUID | None = None, step: str | None = None
    ) -> None:
        with self.svc.session_factory() as s:
            visible = s.get(User, call_id) is not None
        self.sent.append((call_id, step, visible))

    def resume(self) -> int:
        return 0

    def queue_sizes(self) -> dict[str, int] | None:
        return None

    def shutdown(self) -> None:
        pass


def _user(name: str) -> User:
    return User(name=name, role=Role.agent)


def _count(svc: Services) -> int:
    with svc.session_factory() as s:
        return s.scalar(select(func.count()).select_from(User)) or 0


def test_jobs_are_sent_after_the_commit_and_see_the_row(svc: Services):
    seen = SeeingDispatcher(svc)
    svc.attach_dispatcher(seen)
    with unit_of_work(svc.session_factory) as s:
        user = _user("Ada")
        s.add(user)
        s.flush()
        enqueue_after_commit(s, user.id, step="transcribe")
        assert seen.sent == []  # nothing leaves before the commit
    assert seen.sent == [(user.id, "transcribe", True)]


def test_a_rolled_back_unit_sends_nothing_and_keeps_nothing(svc: Services):
    seen = SeeingDispatcher(svc)
    svc.attach_dispatcher(seen)
    with pytest.raises(RuntimeError), unit_of_work(svc.session_factory) as s:
        user = _user("Bo")
        s.add(user)
        s.flush()
        enqueue_after_commit(s, user.id)
        raise RuntimeError("the service refused")
    assert seen.sent == []
    assert _count(svc) == 0
    with unit_of_work(svc.session_factory) as s:  # the next unit starts clean
        s.add(_user("Cy"))
    assert seen.sent == []
    assert _count(svc) == 1


def test_a_savepoint_that_loses_a_race_keeps_the_outer_work(svc: Services):
    from sqlalchemy.exc import IntegrityError

    seen = SeeingDispatcher(svc)
    svc.attach_dispatcher(seen)
    with unit_of_work(svc.session_factory) as s:
        s.add(_user("Di"))
    with unit_of_work(svc.session_factory) as s:
        first = _user("Ed")
        s.add(first)
        s.flush()
        enqueue_after_commit(s, first.id)
        with pytest.raises(IntegrityError), s.begin_nested():
            s.add(_user("Di"))  # a twin of a committed name
    assert [job[0] for job in seen.sent] == [first.id]
    assert _count(svc) == 2


def test_after_commit_actions_run_once_committed_never_on_rollback(svc: Services):
    ran: list[str] = []
    with pytest.raises(RuntimeError), unit_of_work(svc.session_factory) as s:
        on_commit(s, lambda: ran.append("rolled back"))
        raise RuntimeError
    with unit_of_work(svc.session_factory) as s:
        s.add(_user("Fay"))
        on_commit(s, lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]


def test_jobs_without_a_dispatcher_stay_queued(svc: Services):
    svc.attach_dispatcher(None)
    with unit_of_work(svc.session_factory) as s:
        user = _user("Gil")
        s.add(user)
        s.flush()
        enqueue_after_commit(s, user.id)
    seen = SeeingDispatcher(svc)
    svc.attach_dispatcher(seen)
    with unit_of_work(svc.session_factory) as s:
        s.add(_user("Hal"))
    assert seen.sent == []  # the earlier job was not kept for a later commit
    assert _count(svc) == 2


def test_a_request_whose_commit_fails_answers_500_not_200(svc: Services, tmp_path: Path):
    """The request's session commits before the response is sent (scope="function"): a
    commit that fails is the request's error, never a 200 for work that was not saved."""
    app = FastAPI()
    app.state.services = svc

    @app.post("/twin")
    def add_twin(session: SessionDep) -> dict[str, str]:
        session.add(_user("Ivy"))  # flushed only by the commit, where it collides
        return {"saved": "yes"}

    with unit_of_work(svc.session_factory) as s:
        s.add(_user("Ivy"))
    client = TestClient(app, raise_server_exceptions=False)
    assert client.post("/twin").status_code == 500
    assert _count(svc) == 1

    @app.post("/new")
    def add_new(session: SessionDep) -> dict[str, str]:
        session.add(_user("Jo"))
        return {"saved": "yes"}

    res = client.post("/new")
    assert (res.status_code, res.json()) == (200, {"saved": "yes"})
    assert _count(svc) == 2


def test_a_released_savepoint_sends_nothing_before_the_real_commit(svc: Services):
    """SQLAlchemy calls after_commit when a savepoint is released too: a job recorded before
    it must still wait for the outer commit (the row is not visible to a worker yet)."""
    seen = SeeingDispatcher(svc)
    svc.attach_dispatcher(seen)
    with unit_of_work(svc.session_factory) as s:
        user = _user("Kit")
        s.add(user)
        s.flush()
        enqueue_after_commit(s, user.id)
        with s.begin_nested():
            s.add(_user("Lou"))
        assert seen.sent == []
    assert seen.sent == [(user.id, None, True)]
