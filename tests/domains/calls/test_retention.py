"""Privacy and retention: a call deleted with everything derived from it (audited), calls
purged when the retention period ends, uploaded transcripts stored only in redacted form,
a re-upload that cannot bring back a removed original, and an audit trail of uploads,
listening and exports."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from domains.calls.retention import purge_expired
from models.audit import AuditEvent
from models.calls import Call
from models.reviews import EvaluationRow
from tests.domains.calls.test_redaction import CALL_WITH_PII
from tests.support.factories import make_call
from tests.support.world import World


def _count(w: World, model: type, **where: object) -> int:
    with w.svc.session_factory() as s:
        q = select(func.count()).select_from(model)
        for key, value in where.items():
            q = q.where(getattr(model, key) == value)
        return s.scalar(q) or 0


def _events(w: World, action: str) -> list[AuditEvent]:
    with w.svc.session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _stored_files(w: World) -> list[str]:
    root = w.svc.storage.root
    return sorted(p.name for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts)


def test_delete_call_removes_everything_derived_and_is_audited(world: World) -> None:
    w = world
    call_id = make_call(w.svc, agent=w.users["agent_a"])
    keep = make_call(w.svc, agent=w.users["agent_b"], audio=b"RIFF-other")
    with w.svc.session_factory() as s:
        key = s.get(Call, call_id).storage_key  # type: ignore[union-attr]
    assert w.svc.storage.path(key).exists()
    url = f"/api/v1/calls/{call_id}"
    assert (
        w.client.delete(url, params={"reason": "x"}, headers=w.headers("agent_a")).status_code
        == 403
    )
    assert (
        w.client.delete(url, params={"reason": "x"}, headers=w.headers("supervisor")).status_code
        == 403
    )
    assert w.client.delete(url, headers=w.headers("qa")).status_code == 422  # a reason is required
    res = w.client.delete(
        url, params={"reason": "customer erasure request"}, headers=w.headers("qa")
    )
    assert res.status_code == 204, res.text
    assert _count(w, Call, id=call_id) == 0
    assert _count(w, EvaluationRow, call_id=call_id) == 0
    assert not w.svc.storage.path(key).exists()
    assert _count(w, Call, id=keep) == 1 and _count(w, EvaluationRow, call_id=keep) == 1
    [event] = _events(w, "call.deleted")
    assert (event.entity_id, event.actor_id) == (str(call_id), w.id("qa"))
    assert event.details["reason"] == "customer erasure request"
    assert w.client.get(url, headers=w.headers("qa")).status_code == 404
    again = w.client.delete(url, params={"reason": "again"}, headers=w.headers("admin"))
    assert again.status_code == 404


def test_retention_purges_old_calls_only(world: World) -> None:
    w = world
    now = datetime.now(UTC)
    old = make_call(w.svc, agent=w.users["agent_a"], created_at=now - timedelta(days=40))
    recent = make_call(
        w.svc, agent=w.users["agent_a"], created_at=now - timedelta(days=5), audio=b"RIFF-new"
    )
    assert purge_expired(w.svc) == 0  # no retention period set: nothing goes
    w.svc.settings.retention_days = 30
    assert purge_expired(w.svc, now=now) == 1
    assert _count(w, Call, id=old) == 0 and _count(w, Call, id=recent) == 1
    [event] = _events(w, "call.purged")
    assert event.actor_id is None and event.entity_id == str(old)
    assert event.details["reason"] == "retention period of 30 days ended"


def _wait_scored(w: World, call_id: str, timeout: float = 120) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        res = w.client.get(f"/api/v1/calls/{call_id}", headers=w.headers("qa"))
        if res.json()["status"] in ("scored", "failed"):
            return dict(res.json())
        time.sleep(0.3)
    raise AssertionError(f"call {call_id} not scored in {timeout} s")


def test_uploaded_transcript_is_kept_only_redacted_and_a_reupload_does_not_restore_it(
    world: World,
) -> None:
    w = world
    form = {"agent_id": str(w.id("agent_a"))}
    files = {"file": ("pii.txt", CALL_WITH_PII.encode())}
    res = w.client.post("/api/v1/calls", files=files, data=form, headers=w.headers("qa"))
    assert res.status_code == 202, res.text
    call_id = res.json()["call_id"]
    review = _wait_scored(w, call_id)
    assert review["status"] == "scored"
    stored = _stored_files(w)
    assert [name.rsplit(".", 1)[1] for name in stored] == ["json"]  # the raw .txt is gone
    text = "".join(w.svc.storage.path(p).read_text() for p in _keys(w))
    assert "4111" not in text and "jane.doe" not in text and "[CARD]" in text
    again = w.client.post("/api/v1/calls", files=files, data=form, headers=w.headers("qa"))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert _stored_files(w) == stored
    actions = [e.action for e in _events(w, "call.uploaded") + _events(w, "call.uploaded_again")]
    assert sorted(actions) == ["call.uploaded", "call.uploaded_again"]


def _keys(w: World) -> list[str]:
    with w.svc.session_factory() as s:
        return [c.storage_key for c in s.scalars(select(Call))]


def test_listening_and_exports_are_audited(world: World) -> None:
    w = world
    call_id = make_call(w.svc, agent=w.users["agent_a"])
    base = f"/api/v1/calls/{call_id}"
    assert w.client.get(f"{base}/audio", headers=w.headers("supervisor")).status_code == 200
    seek = {**w.headers("supervisor"), "Range": "bytes=400-"}
    assert w.client.get(f"{base}/audio", headers=seek).status_code == 206
    clip = w.client.get(f"{base}/clip", params={"start": 0, "end": 0.5}, headers=w.headers("qa"))
    assert clip.status_code == 200
    export = w.client.get("/api/v1/exports/evaluations.csv", headers=w.headers("qa"))
    assert export.status_code == 200
    [played] = _events(w, "call.audio_played")  # a seek is not a new listen
    assert (played.actor_id, played.entity_id) == (w.id("supervisor"), str(call_id))
    [clipped] = _events(w, "call.clip_played")
    assert clipped.details == {"start": 0.0, "end": 0.5}
    [exported] = _events(w, "export.evaluations_csv")
    assert exported.actor_id == w.id("qa") and exported.details["rows"] > 0
    assert uuid.UUID(played.entity_id) == call_id
