"""Notifications: who hears what (dispute opened and resolved, coaching delivered and
acknowledged), in the in-app inbox and by e-mail through a real SMTP server on loopback; a
transaction that fails tells nobody."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from domains.kit.mail import Mailer
from tests.domains.coaching.test_coaching_api import _draft, _history_a, _move, _ready_to_deliver
from tests.support.factories import make_call
from tests.support.world import World


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, n: int, timeout: float = 5.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mailing_world(world: World, smtp: tuple[Inbox, int]) -> tuple[World, Inbox]:
    inbox, port = smtp
    settings = world.svc.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "public_url": "https://qa.example"}
    )
    world.svc.relay.mailer = Mailer(settings)
    return world, inbox


def _subject(message: Any) -> str:
    return " ".join(str(message["Subject"]).split())  # long headers are folded


def _unread(w: World, who: str) -> tuple[int, list[str]]:
    body = w.client.get("/api/v1/notifications", headers=w.headers(who)).json()
    return body["unread"], [n["kind"] for n in body["items"]]


def test_a_dispute_tells_its_reviewers_and_its_outcome_tells_the_agent(mailing_world):
    w, mail = mailing_world
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"closing": "fail"})
    res = w.client.post(
        f"/api/v1/calls/{call}/criteria/closing/disputes",
        json={"reason": "I offered more help at the end"},
        headers=w.headers("agent_a"),
    )
    assert res.status_code == 201, res.text
    # the team's supervisor and the QA analysts; not the other team's agent, not the agent
    assert _unread(w, "supervisor") == (1, ["dispute.opened"])
    assert _unread(w, "qa") == (1, ["dispute.opened"])
    assert _unread(w, "agent_b") == (0, [])
    assert _unread(w, "agent_a") == (0, [])
    sent = mail.wait_for(2)
    assert sorted(m["To"] for m in sent) == [
        "quinn.analyst@example.com",
        "sam.supervisor@example.com",
    ]
    assert "Alice Agent disputed closing" in _subject(sent[0])
    assert "https://qa.example/disputes#dispute-" in sent[0].get_payload()

    # the same dispute again is refused (409): nobody hears of it, no mail goes
    again = w.client.post(
        f"/api/v1/calls/{call}/criteria/closing/disputes",
        json={"reason": "again"},
        headers=w.headers("agent_a"),
    )
    assert again.status_code == 409
    time.sleep(0.3)
    assert len(mail.messages) == 2 and _unread(w, "qa")[0] == 1

    dispute = res.json()["id"]
    done = w.client.post(
        f"/api/v1/disputes/{dispute}/resolve",
        json={"outcome": "accept", "reason": "Yes, you did."},
        headers=w.headers("supervisor"),
    )
    assert done.status_code == 200, done.text
    assert _unread(w, "agent_a") == (1, ["dispute.resolved"])
    assert mail.wait_for(3)[-1]["To"] == "alice.agent@example.com"
    assert "was accepted by Sam Supervisor (verdict now PASS)" in _subject(mail.messages[-1])

    # reading: one, then all; nobody reads another's
    items = w.client.get("/api/v1/notifications", headers=w.headers("qa")).json()["items"]
    other = w.client.post(
        f"/api/v1/notifications/{items[0]['id']}/read", headers=w.headers("agent_b")
    )
    assert other.status_code == 404
    mine = w.client.post(f"/api/v1/notifications/{items[0]['id']}/read", headers=w.headers("qa"))
    assert mine.json() == {"marked": 1}
    assert _unread(w, "qa")[0] == 0
    assert w.client.post("/api/v1/notifications/read", headers=w.headers("agent_a")).json() == {
        "marked": 1
    }
    page = w.client.get("/inbox", headers=w.headers("supervisor"))
    assert page.status_code == 200 and "Alice Agent disputed closing" in page.text


def test_coaching_delivered_and_acknowledged(mailing_world):
    w, mail = mailing_world
    _history_a(w)
    sid = _draft(w, "supervisor", "agent_a")["id"]
    _ready_to_deliver(w, sid)
    assert _move(w, sid, "ready").status_code == 200
    assert _move(w, sid, "delivered").status_code == 200
    assert _unread(w, "agent_a") == (1, ["coaching.delivered"])
    delivered = mail.wait_for(1)[-1]
    assert delivered["To"] == "alice.agent@example.com"
    assert f"https://qa.example/coaching/sessions/{sid}" in delivered.get_payload()
    res = _move(w, sid, "acknowledged", who="agent_a", agent_feedback="Thanks, it helps.")
    assert res.status_code == 200
    assert _unread(w, "supervisor") == (1, ["coaching.acknowledged"])
    assert (
        "Alice Agent acknowledged the coaching session: Thanks, it helps."
        in (mail.wait_for(2)[-1]["Subject"])
    )


def test_without_a_mail_server_the_inbox_still_fills(world: World):
    w = world
    assert w.svc.relay.mailer is None  # no CALLREVIEW_SMTP_HOST
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"closing": "fail"})
    w.client.post(
        f"/api/v1/calls/{call}/criteria/closing/disputes",
        json={"reason": "I offered more help"},
        headers=w.headers("agent_a"),
    )
    assert _unread(w, "qa") == (1, ["dispute.opened"])


def test_an_unsure_critical_fail_from_the_pipeline_tells_the_reviewers(
    db_url: str, tmp_path
) -> None:
    """The real score step on a call that changes an account without verifying the caller:
    with every critical fail counted as unsure, the call is provisional and QA hears of it."""
    from sqlalchemy import select

    from domains.kit.services import build_services
    from models.accounts import Role
    from models.notifications import Notification
    from pipeline.steps import process_call
    from tests.conftest import make_settings
    from tests.pipeline.test_pipeline import GOOD_CALL
    from tests.support.factories import make_user
    from tests.support.pipeline_calls import submit

    settings = make_settings(db_url, tmp_path / "storage", critical_confidence_threshold=1.0)
    svc = build_services(settings)
    try:
        qa = make_user(svc, name="Quinn Analyst", role=Role.qa_analyst)
        unverified = "\n".join(
            line
            for line in GOOD_CALL.splitlines()
            if "date of birth" not in line
            and "fourth of May" not in line
            and "verified" not in line
        )
        path = tmp_path / "unverified.txt"
        path.write_text(unverified + "\n")
        call_id = submit(svc, path, agent="Priya").call_id
        assert process_call(svc, call_id).value == "scored"
        with svc.session_factory() as s:
            told = s.scalars(select(Notification).where(Notification.user_id == qa.id)).all()
        assert [n.kind for n in told] == ["review.critical_waiting"]
        assert "identity verification" in told[0].text and told[0].link == f"/calls/{call_id}"
    finally:
        svc.close()
