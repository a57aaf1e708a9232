"""The pages in a real headless chromium: log in, upload a transcript and a generated call,
watch them get scored, seek the audio from a failed verdict's evidence, override a verdict,
and check that an agent sees only their own calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.factories import PASSWORD, make_call, tone_wav
from tests.support.synth import RenderedCall, Silence, Turn, cache_key, render_call
from tests.web.conftest import LiveServer

SCORED_TIMEOUT_MS = 120_000  # Whisper tiny.en on a loaded 2-core CPU, plus model loading
DEAD_AIR_EVENTS = [
    Turn("agent", "Thank you for calling Northwind Energy, my name is Priya, how can I help?"),
    Turn("customer", "Hi, I want to check the balance on my account please."),
    Silence(12.0),
    Turn("agent", "Your balance is forty two pounds. Is there anything else I can help with?"),
]


@pytest.fixture(scope="module")
def dead_air_call(generated_dir: Path) -> RenderedCall:
    path = generated_dir / f"web-dead-air-{cache_key(DEAD_AIR_EVENTS)}.wav"
    return render_call(DEAD_AIR_EVENTS, path)


def log_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/calls$"))


def play_and_mark(page: Any, past: float = 0.5) -> None:
    """Start the recording (muted) and mark the document, so a test can tell that the page was
    updated in place: the mark is gone if it reloads."""
    page.evaluate(
        "() => { const p = document.getElementById('player'); p.muted = true; p.play(); }"
    )
    page.wait_for_function(f"() => document.getElementById('player').currentTime > {past}")
    page.evaluate("() => { window.__sameDocument = true; }")


def wait_until_scored(page: Any, status: Any) -> None:
    """Wait for an upload's live status (an element with data-state) to end, and check it
    ended scored."""
    status.locator("[data-state], a").first.wait_for()
    page.wait_for_function(
        "el => el.dataset.state === 'scored' || el.dataset.state === 'failed'",
        arg=status.element_handle(),
        timeout=SCORED_TIMEOUT_MS,
    )
    assert status.get_attribute("data-state") == "scored", status.inner_text()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/login$"))


def test_review_workflow_in_a_real_browser(
    page: Any,
    live_server: LiveServer,
    dead_air_call: RenderedCall,
    tmp_path: Path,
    artifacts: Path,
):
    server = live_server
    transcript = tmp_path / "good-call.txt"
    transcript.write_text(GOOD_CALL)
    audio = tmp_path / "dead-air-call.wav"
    audio.write_bytes(dead_air_call.path.read_bytes())

    log_in(page, server, "quinn.analyst@example.com")
    assert page.locator("#calls-empty").is_visible()

    # Upload both files at once: each gets its own progress bar and live status.
    page.get_by_label("Agent").first.select_option(label="Alice Agent (A)")
    page.get_by_label("Recordings or transcripts").set_input_files([str(transcript), str(audio)])
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    page.get_by_role("button", name="Upload").click()
    uploads = page.locator("#upload-list li")
    assert uploads.count() == 2
    # New uploads join the list at once, without a reload; the agent stays chosen.
    page.locator("#calls-table tbody tr").nth(1).wait_for()
    assert (
        page.locator("#calls-table").is_visible() and not page.locator("#calls-empty").is_visible()
    )
    assert page.evaluate("() => window.__sameDocument === true")
    assert page.locator("#upload-form select[name=agent_id] option:checked").inner_text() == (
        "Alice Agent (A)"
    )
    for i in range(2):
        wait_until_scored(page, uploads.nth(i).locator(".upload-status"))
        assert uploads.nth(i).locator("progress").evaluate("p => p.value") == 1

    # The list shows both, scored; open the recording's review page.
    page.goto(f"{server.url}/calls")
    assert page.locator("#calls-table tbody tr[data-status=scored]").count() == 2
    page.get_by_role("link", name="dead-air-call.wav").click()
    page.wait_for_url(re.compile(r".*/calls/[0-9a-f-]{36}$"))
    player = page.locator("#player")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert player.evaluate("a => a.duration") == pytest.approx(dead_air_call.duration_s, abs=0.1)

    # Speakers are told apart in the transcript.
    assert page.locator("#transcript .seg.speaker-agent").count() >= 2
    assert page.locator("#transcript .seg.speaker-customer").count() >= 1

    # dead_air failed on the 12 s silence; its evidence seeks the player to the silence.
    dead_air = page.locator("#criterion-dead_air")
    assert dead_air.locator("[data-role=verdict]").inner_text() == "FAIL"
    evidence = dead_air.locator("button.evidence-link").first
    target = float(evidence.get_attribute("data-seek") or "nan")
    [(_, silence_start, _)] = [s for s in dead_air_call.spans if s[0] == "silence"]
    assert target == pytest.approx(silence_start, abs=1.5)
    evidence.click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {target}) < 0.5"
    )
    assert player.evaluate("a => a.currentTime") == pytest.approx(target, abs=0.5)
    # Playing highlights the segment under the playhead.
    first = page.locator("#transcript .seg").first
    first.locator("button.seek").click()
    assert "playing" in (first.get_attribute("class") or "")

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "review-page.png"))

    # The call never verified the caller (critical) so it is auto-failed at 0. A reviewer
    # overrides that verdict (the IVR verified them): the score changes without a reload.
    assert page.locator("#score-value").inner_text() == "0.0"
    assert page.locator("#auto-failed").is_visible()
    verification = page.locator("#criterion-identity_verification")
    assert verification.locator("[data-role=verdict]").inner_text() == "FAIL"
    verification.locator("details.override summary").click()
    form = verification.locator("form.override-form")
    form.get_by_label("PASS").check()
    form.get_by_label("Reason").fill("Verified by the IVR before the call was connected.")
    form.get_by_role("button", name="Save override").click()
    status = form.locator(".form-status")
    page.wait_for_function(
        "el => el.textContent.startsWith('Saved') || el.textContent.startsWith('Not saved')",
        arg=status.element_handle(),
    )
    assert status.inner_text().startswith("Saved"), status.inner_text()
    after = float(page.locator("#score-value").inner_text())
    assert after > 0.0
    assert not page.locator("#auto-failed").is_visible()
    assert verification.locator("[data-role=verdict]").inner_text() == "PASS"
    note = verification.locator("[data-role=override-note]").inner_text()
    assert "Verified by the IVR" in note
    call_id = page.url.rsplit("/", 1)[1]
    api = page.request.get(f"{server.url}/api/v1/calls/{call_id}").json()
    assert api["evaluation"]["score"] == after
    assert api["evaluation"]["source"] == "human"
    page.reload()
    assert float(page.locator("#score-value").inner_text()) == after
    log_out(page)


def test_an_agent_sees_only_their_own_calls(page: Any, live_server: LiveServer):
    server = live_server
    mine = make_call(server.svc, agent=server.users["agent_b"], filename="bob-own-call.wav")
    theirs = make_call(server.svc, agent=server.users["agent_a"], filename="alice-only.wav")

    log_in(page, server, "bob.agent@example.com")
    rows = page.locator("#calls-table tbody tr")
    assert rows.count() == 1
    assert page.get_by_role("link", name="bob-own-call.wav").is_visible()
    assert page.get_by_text("alice-only.wav").count() == 0
    assert page.locator("#upload-form").count() == 0  # agents do not upload
    page.goto(f"{server.url}/calls/{mine}")
    assert page.locator("form.override-form").count() == 0  # nor override
    response = page.goto(f"{server.url}/calls/{theirs}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    page.goto(f"{server.url}/agents/{server.users['agent_b'].id}/progress")
    assert page.locator("#score-trend").is_visible()


def test_confirm_and_dispute_keep_the_recording_playing(
    page: Any, live_server: LiveServer, dead_air_call: RenderedCall, artifacts: Path
) -> None:
    """Confirming a verdict updates the criterion, its note and the score in place: the
    recording neither stops nor jumps back to 0:00."""
    from datetime import UTC, datetime

    from tests.support.coaching_history import scored_call

    server = live_server
    call_id = scored_call(
        server.svc,
        agent=server.users["agent_b"],  # Alice's calls hold this recording already
        at=datetime.now(UTC),
        verdicts={"empathy": "fail"},
        audio=dead_air_call.path.read_bytes(),
        seconds=dead_air_call.duration_s,
    )
    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{call_id}")
    player = page.locator("#player")
    play_and_mark(page)

    item = page.locator("#criterion-empathy")
    before = float(player.evaluate("p => p.currentTime"))
    item.get_by_role("button", name="Confirm verdict").click()
    page.wait_for_function(
        "() => !document.querySelector('#criterion-empathy .confirm-form') &&"
        " !document.getElementById('override-note-empathy').hidden"
    )
    state = player.evaluate("p => ({paused: p.paused, t: p.currentTime})")
    assert page.evaluate("() => window.__sameDocument === true")
    assert state["paused"] is False and state["t"] >= before
    assert "reviewed by a human" in page.locator("#scorebox").inner_text()
    # the refreshed criterion still works: another criterion's confirm, then the first's
    # override form (bound before the refresh) saves in place too
    page.locator("#criterion-closing").get_by_role("button", name="Confirm verdict").click()
    page.wait_for_function("() => !document.querySelector('#criterion-closing .confirm-form')")
    assert player.evaluate("p => !p.paused") and page.evaluate("() => window.__sameDocument")
    page.screenshot(path=str(artifacts / "review-confirmed-in-place.png"))


def test_qa_reassigns_then_deletes_a_call_from_its_page(page: Any, live_server: LiveServer):
    server = live_server
    call = make_call(
        server.svc,
        agent=server.users["agent_a"],
        filename="wrong-agent.wav",
        audio=tone_wav(0.3, hz=333.0),
    )
    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{call}")
    page.get_by_text("Reassign to another agent").click()
    page.locator(".manage-call select[name=agent_id]").select_option(label="Bob Agent (B)")
    page.locator(".manage-call form[data-url] textarea[name=reason]").fill("Bob took this call")
    page.get_by_role("button", name="Reassign").click()
    page.locator("p.muted a", has_text="Bob Agent").wait_for()  # reloaded under Bob

    page.get_by_text("Delete this call").click()
    page.locator("#delete-call-form textarea[name=reason]").fill("a test recording")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete call").click()
    page.wait_for_url(re.compile(r".*/calls$"))
    assert "wrong-agent.wav" not in page.content()
    assert page.request.get(f"{server.url}/api/v1/calls/{call}").status == 404
    log_out(page)
