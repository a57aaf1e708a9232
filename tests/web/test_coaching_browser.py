"""Coaching in a real headless chromium: a supervisor builds a draft, edits it, plays an
evidence clip cut from a generated recording, delivers; the agent acknowledges with their view."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from models.accounts import Role
from tests.support.coaching_history import scored_call
from tests.support.factories import make_user
from tests.support.synth import RenderedCall, Turn, cache_key, render_call
from tests.web.conftest import LiveServer
from tests.web.test_browser import log_in, log_out

UPSET_CALL = [
    Turn("agent", "Thank you for calling Northwind Energy, my name is Priya."),
    Turn("customer", "This is the third time I have called about my bill and I am fed up."),
    Turn("agent", "Okay, what is your account number?"),
]


@pytest.fixture(scope="module")
def upset_call(generated_dir: Path) -> RenderedCall:
    return render_call(UPSET_CALL, generated_dir / f"coaching-upset-{cache_key(UPSET_CALL)}.wav")


def _deliver(page: Any) -> None:
    """Mark the open session ready, then deliver it, waiting for each move."""
    for button, status in (("Mark ready", "ready"), ("Deliver", "delivered")):
        page.get_by_role("button", name=button).click()
        page.wait_for_function(
            "s => document.querySelector('#session-status').textContent === s", arg=status
        )


def test_supervisor_delivers_and_agent_acknowledges(
    page: Any, live_server: LiveServer, upset_call: RenderedCall, artifacts: Path
) -> None:
    server = live_server
    make_user(server.svc, name="Sam Supervisor", role=Role.supervisor, team="A")
    alice = server.users["agent_a"]
    complaint = upset_call.turns[1]
    now = datetime.now(UTC)
    for i in range(6):  # empathy fails on the recorded call and two more; passes on three
        scored_call(
            server.svc,
            agent=alice,
            at=now - timedelta(days=1 + i * 3),
            verdicts={"empathy": "fail" if i < 3 else "pass"},
            audio=upset_call.path.read_bytes() if i == 0 else None,
            seconds=upset_call.duration_s if i == 0 else 2.0,
            evidence={"empathy": (complaint.start, complaint.end, complaint.text)}
            if i == 0
            else None,
        )

    log_in(page, server, "sam.supervisor@example.com")
    page.get_by_role("link", name="Coaching").click()
    page.locator("#new-draft select[name=agent_id]").select_option(label="Alice Agent (A)")
    page.get_by_role("button", name="Build draft").click()
    page.wait_for_url(re.compile(r".*/coaching/sessions/[0-9a-f-]+$"))
    assert page.locator("#session-status").inner_text() == "draft"
    focus = page.locator("article.focus").first
    assert focus.get_attribute("data-criterion") == "empathy"
    first_clip = focus.locator("li.clip").first
    assert float(first_clip.get_attribute("data-start")) == complaint.start

    # Play the evidence: the clip is cut from the recording and really plays.
    first_clip.get_by_role("button", name="Play clip").click()
    page.wait_for_function(
        "a => a.currentTime > 0 || !a.paused", arg=first_clip.locator("audio").element_handle()
    )

    # Edit: a sentence of praise, a task, a private note; save.
    page.get_by_label(re.compile("Feedback for the agent")).fill(
        page.get_by_label(re.compile("Feedback for the agent")).input_value()
        + "\n\nThanks for staying calm on a hard week."
    )
    page.get_by_role("button", name="Add task").click()
    page.get_by_label("Task").last.fill("Shadow Jo on two billing calls.")
    page.locator("#private-notes").fill("Check in about the overtime.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved").wait_for()

    _deliver(page)
    page.screenshot(path=str(artifacts / "coaching-delivered.png"), full_page=True)
    log_out(page)

    log_in(page, server, "alice.agent@example.com")
    page.get_by_role("link", name="Coaching").click()
    page.get_by_role("link", name="Open").first.click()
    assert "Thanks for staying calm on a hard week." in page.content()
    assert "Check in about the overtime." not in page.content()
    page.get_by_label(re.compile("What gets in the way")).fill(
        "Billing calls come in back to back."
    )
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_function(
        "() => document.querySelector('#session-status').textContent === 'acknowledged'"
    )
    assert page.locator("#agent-view").inner_text() == "Billing calls come in back to back."
    page.screenshot(path=str(artifacts / "coaching-acknowledged.png"), full_page=True)


# A PNG's first bytes: attachments are typed from their content, never their name.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _in_view(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            """s => { const r = document.querySelector(s).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= window.innerHeight; }""",
            selector,
        )
    )


def test_coaching_edits_are_never_lost_or_changed_silently(
    page: Any, live_server: LiveServer, artifacts: Path
) -> None:
    """An unsaved edit survives attaching a file; a refused goal is shown beside the goal and
    the Save button, in view; once delivered, the agent's copy changes only as an amendment
    with a reason (audited)."""
    from sqlalchemy import select

    from models.audit import AuditEvent
    from models.coaching import CoachingSession

    server = live_server
    make_user(server.svc, name="Tess Lead", role=Role.supervisor, team="B")
    bob = server.users["agent_b"]
    now = datetime.now(UTC)
    for i in range(6):
        scored_call(
            server.svc,
            agent=bob,
            at=now - timedelta(days=1 + i * 3),
            verdicts={"empathy": "fail" if i < 3 else "pass"},
        )
    log_in(page, server, "tess.lead@example.com")
    page.get_by_role("link", name="Coaching").click()
    page.locator("#new-draft select[name=agent_id]").select_option(label="Bob Agent (B)")
    page.get_by_role("button", name="Build draft").click()
    page.wait_for_url(re.compile(r".*/coaching/sessions/[0-9a-f-]+$"))
    session_id = page.url.rsplit("/", 1)[1]

    # 1. An edit, not saved, then an attachment (which reloads the page): the edit stays.
    feedback = page.locator("#feedback")
    feedback.fill(feedback.input_value() + "\n\nYour follow-up notes were spot on.")
    assert page.locator("#save-status").inner_text() == "Unsaved changes"
    page.locator("#add-file input[name=file]").set_input_files(
        {"name": "plan.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Upload").click()
    page.locator("#attachments a", has_text="plan.png").wait_for()
    assert page.locator("#feedback").input_value().endswith("Your follow-up notes were spot on.")

    # 2. A goal the server refuses: the message in words, beside that goal and the button.
    page.get_by_role("button", name="Add goal").click()
    goal = page.locator('ul[data-list="goals"] > li.row').last
    goal.get_by_label("Metric").select_option("criterion_pass_rate")
    goal.get_by_label("Criterion").select_option("empathy")  # picked, not typed
    goal.get_by_label("Target").fill("99")  # percent, as people say it
    goal.get_by_label("Goal due").fill((now + timedelta(days=30)).date().isoformat())
    page.get_by_role("button", name="Save").click()
    beside = page.locator('ul[data-list="goals"] > li.row:last-of-type + p.field-error')
    beside.wait_for()
    assert re.match(r"Goal \d+: a target of 99% from a baseline of 50%", beside.inner_text()), (
        beside.inner_text()
    )
    assert page.locator("#save-error").inner_text() == beside.inner_text()
    assert goal.get_by_label("Target").get_attribute("aria-invalid") == "true"
    assert _in_view(page, "p.field-error")
    page.screenshot(path=str(artifacts / "coaching-goal-error.png"))
    goal.get_by_label("Target").fill("65")  # a fair step from 50%
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved", exact=True).wait_for()
    assert page.locator("p.field-error").count() == 0
    with server.svc.session_factory() as s:
        saved = s.get(CoachingSession, uuid.UUID(session_id))
        assert saved is not None
        assert [(g["criterion"], g["target"]) for g in saved.goals][-1] == ("empathy", 0.65)

    # 3. Delivered: what the agent saw is read-only; changing it takes a reason.
    _deliver(page)
    delivered_text = page.locator("#feedback").input_value()
    assert page.locator("#feedback").get_attribute("readonly") is not None
    page.locator("#feedback").press("End")
    page.keyboard.type(" and more")
    assert page.locator("#feedback").input_value() == delivered_text
    page.get_by_role("button", name="Amend").click()  # no reason yet: refused, said why
    assert "Say why you amend" in page.locator("#save-error").inner_text()
    page.locator("#amend-reason").fill("The refund was on time; the earlier note said late.")
    page.get_by_role("button", name="Amend").click()
    page.locator("#feedback").fill("Corrected feedback: thank you for the on-time refund.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Amended", exact=True).wait_for()
    page.screenshot(path=str(artifacts / "coaching-amended.png"), full_page=True)
    with server.svc.session_factory() as s:
        cs = s.get(CoachingSession, uuid.UUID(session_id))
        assert cs is not None and cs.feedback == (
            "Corrected feedback: thank you for the on-time refund."
        )
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "coaching.amended", AuditEvent.entity_id == session_id
            )
        ).all()
        assert [e.details["reason"] for e in events] == [
            "The refund was on time; the earlier note said late."
        ]


def test_a_clip_is_added_to_coaching_from_the_call_page(
    page: Any, live_server: LiveServer, artifacts: Path
) -> None:
    from sqlalchemy import select

    from domains.coaching.service import create_draft
    from models.accounts import User
    from models.coaching import CoachingAttachment

    server = live_server
    cara = make_user(server.svc, name="Cara Agent", role=Role.agent, team="A")
    now = datetime.now(UTC)
    calls = [
        scored_call(
            server.svc,
            agent=cara,
            at=now - timedelta(days=2 + i),
            verdicts={"closing": "fail"},
            evidence={"closing": (11.0, 14.0, "Okay bye.")},
            seconds=20.0,
        )
        for i in range(3)
    ]
    with server.svc.unit_of_work() as s:
        qa = s.get(User, server.users["qa"].id)
        agent = s.get(User, cara.id)
        assert qa is not None and agent is not None
        draft_id = create_draft(s, agent=agent, by=qa).id

    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{calls[0]}")
    assert page.locator("#coaching-target option").count() == 1
    item = page.locator("#criterion-closing")
    item.get_by_role("button", name="Add to coaching").first.click()
    page.get_by_text("added to the coaching session").wait_for()
    assert item.get_by_role("button", name="Added to coaching").count() == 1
    with server.svc.session_factory() as s:
        clips = s.scalars(
            select(CoachingAttachment).where(CoachingAttachment.session_id == draft_id)
        ).all()
        assert [(str(c.call_id), c.start, c.end) for c in clips if c.kind == "clip"][-1] == (
            str(calls[0]),
            11.0,
            14.0,
        )
    log_out(page)
