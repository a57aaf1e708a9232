"""Grading a whole call with the keyboard, in a real chromium: play, speed, search the
transcript, move through the criteria, confirm and override, and the shortcut sheet. Counts
the keys and the time it takes (bench/RESULTS.md)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.coaching_history import scored_call
from tests.support.factories import add_transcript
from tests.web.conftest import LiveServer
from tests.web.test_browser import log_in

LINES = [
    ("agent", "Thank you for calling Northwind, this is Priya. How can I help?"),
    ("customer", "My bill doubled this month and nobody told me why."),
    ("agent", "I can see the new tariff started on the first; let me explain it."),
    ("customer", "Fine, but I want the old tariff back."),
    ("agent", "I have moved you back to the old tariff from today."),
    ("customer", "Thanks."),
]


def _call_with_transcript(server: LiveServer) -> str:
    call_id = scored_call(
        server.svc,
        agent=server.users["agent_b"],
        at=datetime.now(UTC),
        verdicts={"empathy": "fail", "hold_etiquette": "na"},
        seconds=40.0,
    )
    add_transcript(
        server.svc,
        call_id,
        [(who, i * 6.0, i * 6.0 + 4.5, text) for i, (who, text) in enumerate(LINES)],
    )
    return str(call_id)


def test_a_whole_call_graded_without_the_mouse(
    page: Any, live_server: LiveServer, artifacts: Path
) -> None:
    server = live_server
    call_id = _call_with_transcript(server)
    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{call_id}")
    page.locator("li.criterion").first.wait_for()
    criteria = page.locator("li.criterion")
    total = criteria.count()
    keys = 0

    def press(key: str) -> None:
        nonlocal keys
        keys += 1
        page.keyboard.press(key)

    started = time.perf_counter()
    page.locator("#player").evaluate("p => { p.muted = true; }")
    press(" ")
    page.wait_for_function("() => !document.getElementById('player').paused")
    press(">")
    assert page.locator("#player").evaluate("p => p.playbackRate") == 1.5
    assert page.locator('.speed-button[data-speed="1.5"]').get_attribute("aria-pressed") == "true"

    press("/")
    page.keyboard.type("tariff")
    keys += len("tariff")
    assert page.locator("#search-count").inner_text() == "1 of 3"
    press("Enter")
    assert page.locator("#search-count").inner_text() == "2 of 3"
    assert page.locator("#transcript .seg.match").count() == 3
    press("Escape")

    for i in range(total):
        press("n")
        current = page.locator("li.criterion.current")
        cid = current.get_attribute("data-criterion")
        assert cid == criteria.nth(i).get_attribute("data-criterion")
        if cid == "empathy":  # the AI failed it; the analyst passes it, with a reason
            press("1")
            page.keyboard.type("She acknowledged the bill shock at once.")
            keys += 1  # typing the reason counts once: it is the analyst's words, not navigation
            press("Control+Enter")
        else:
            press("c")
        page.wait_for_function(
            "id => !document.getElementById('override-note-' + id).hidden", arg=cid
        )
    elapsed = time.perf_counter() - started

    notes = page.locator("[data-role=override-note]:not([hidden])")
    assert notes.count() == total
    assert page.locator("#criterion-empathy [data-role=verdict]").inner_text() == "PASS"
    assert page.locator("li.criterion .confirm-form").count() == 0  # nothing left to confirm
    assert "reviewed by a human" in page.locator("#scorebox").inner_text()
    assert not page.locator("#player").evaluate("p => p.paused")  # it played throughout
    press("?")
    assert page.locator("#shortcuts").evaluate("d => d.open")
    press("Escape")
    assert not page.locator("#shortcuts").evaluate("d => d.open")
    page.screenshot(path=str(artifacts / "review-graded-by-keyboard.png"), full_page=True)
    (artifacts / "keyboard-grading.txt").write_text(
        f"criteria {total}; keys {keys}; seconds {elapsed:.1f} (headless chromium, local server)\n"
    )


def test_a_confirmation_carries_the_analysts_comment(page: Any, live_server: LiveServer) -> None:
    server = live_server
    call_id = _call_with_transcript(server)
    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{call_id}")
    item = page.locator("#criterion-greeting")
    item.get_by_label("Confirmation note on greeting").fill("Warm and quick; named the company.")
    item.get_by_role("button", name="Confirm verdict").click()
    page.wait_for_function("() => !document.getElementById('override-note-greeting').hidden")
    assert (
        "Warm and quick; named the company." in page.locator("#override-note-greeting").inner_text()
    )


def test_g_goes_on_to_the_next_call_to_grade(page: Any, live_server: LiveServer) -> None:
    import uuid
    from datetime import timedelta

    from models.assignments import Assignment

    server = live_server
    first, second = _call_with_transcript(server), _call_with_transcript(server)
    now = datetime.now(UTC)
    with server.svc.unit_of_work() as s:
        for n, call in enumerate((first, second)):
            s.add(
                Assignment(
                    call_id=uuid.UUID(call),
                    analyst_id=server.users["qa"].id,
                    due_at=now + timedelta(days=1 + n),
                )
            )
    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{first}")
    assert "1 more" in page.locator("#next-call").inner_text()
    page.keyboard.press("g")
    page.wait_for_url(f"{server.url}/calls/{second}")
    assert f"/calls/{first}" in page.locator("#next-call-link").get_attribute("href")
