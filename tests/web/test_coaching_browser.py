"""Coaching in a real headless chromium: a supervisor builds a draft, edits it, plays an
evidence clip cut from a generated recording, delivers; the agent acknowledges with their view."""

from __future__ import annotations

import re
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

    page.get_by_role("button", name="Mark ready").click()
    page.wait_for_function(
        "() => document.querySelector('#session-status').textContent === 'ready'"
    )
    page.get_by_role("button", name="Deliver").click()
    page.wait_for_function(
        "() => document.querySelector('#session-status').textContent === 'delivered'"
    )
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
