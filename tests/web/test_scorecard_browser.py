"""The scorecard in a real chromium: the compact view, comments per criterion and on the whole
call added with the keyboard while the recording plays, what the agent then reads, and an
override that rewrites the agent's view of their call."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.domains.reviews.test_human_verdicts import CALL
from tests.support.coaching_history import scored_call
from tests.support.factories import tone_wav
from tests.web.conftest import LiveServer
from tests.web.test_browser import log_in, log_out, play_and_mark, wait_until_scored


def _verdicts_height(page: Any) -> float:
    return float(
        page.locator("section.verdicts").evaluate("el => el.getBoundingClientRect().height")
    )


def _scored(server: LiveServer, agent: str, seconds: float, hz: float) -> Any:
    """A scored call (empathy failed) with a tone of ``seconds`` as its recording."""
    return scored_call(
        server.svc,
        agent=server.users[agent],
        at=datetime.now(UTC),
        verdicts={"empathy": "fail"},
        audio=tone_wav(seconds, hz=hz),
        seconds=seconds,
    )


def test_the_compact_scorecard_puts_a_criterion_on_a_line(
    page: Any, live_server: LiveServer, artifacts: Path
) -> None:
    server = live_server
    call_id = _scored(server, "agent_b", 6.0, hz=220.0)
    log_in(page, server, "quinn.analyst@example.com")
    page.evaluate("() => localStorage.removeItem('callreview.scorecard')")
    page.goto(f"{server.url}/calls/{call_id}")
    criteria = page.locator("li.criterion")
    total = criteria.count()
    assert total == 8
    full = _verdicts_height(page)

    page.get_by_role("button", name="Compact scorecard").click()
    compact = _verdicts_height(page)
    assert page.locator("#compact-toggle").get_attribute("aria-pressed") == "true"
    # every criterion still shows its verdict, points and confidence; its rationale does not
    for i in range(total):
        head = criteria.nth(i).locator(".crit-head")
        assert head.is_visible()
        assert re.search(r"(PASS|FAIL|NA).*pts.*confidence \d+%", head.inner_text(), re.S)
        assert not criteria.nth(i).locator("[data-role=rationale]").is_visible()
    assert compact < full / 2, (compact, full)
    page.screenshot(path=str(artifacts / "review-compact-scorecard.png"), full_page=True)

    # n opens the current criterion in full; clicking another's line opens that one too
    page.locator("body").press("n")
    first = criteria.first
    assert first.locator("[data-role=rationale]").is_visible()
    criteria.nth(3).locator(".crit-head strong").click()
    assert criteria.nth(3).locator("[data-role=rationale]").is_visible()
    assert not criteria.nth(5).locator("[data-role=rationale]").is_visible()

    # the choice is remembered; v switches back
    page.reload()
    assert page.locator("section.verdicts.compact").count() == 1
    page.locator("body").press("v")
    assert page.locator("section.verdicts.compact").count() == 0
    assert _verdicts_height(page) == full
    print(f"\nscorecard of {total} criteria: full {full:.0f} px, compact {compact:.0f} px")


def test_comments_are_added_in_place_and_the_agent_reads_them(
    page: Any, live_server: LiveServer, artifacts: Path
) -> None:
    server = live_server
    call_id = _scored(server, "agent_a", 20.0, hz=180.0)
    log_in(page, server, "quinn.analyst@example.com")
    page.goto(f"{server.url}/calls/{call_id}")
    player = page.locator("#player")
    play_and_mark(page, past=0.3)

    # With the keyboard: to the empathy criterion, m, type, Ctrl+Enter.
    for _ in range(8):
        page.keyboard.press("n")
        if page.locator("li.criterion.current").get_attribute("data-criterion") == "empathy":
            break
    before = float(player.evaluate("p => p.currentTime"))
    page.keyboard.press("m")
    page.keyboard.type("You fixed the bill; say you understand her worry first.")
    page.keyboard.press("Control+Enter")
    thread = page.locator("#comments-empathy .comment")
    thread.first.wait_for()
    assert "say you understand her worry first" in thread.first.inner_text()
    assert page.locator("#head-empathy [data-role=comment-count]").inner_text() == "1 comment"

    # The overall comment, and an internal note for the other reviewers.
    overall = page.locator("#comments-overall")
    overall.locator(".comment-form textarea").fill("A calm, accurate call. Work on the warmth.")
    overall.get_by_role("button", name="Add comment").click()
    page.locator("#comments-overall .comment").first.wait_for()
    overall = page.locator("#comments-overall")
    overall.locator(".comment-form textarea").fill("Coach this one together with Sam.")
    overall.locator(".comment-form input[name=internal]").check()
    overall.get_by_role("button", name="Add comment").click()
    page.locator("#comments-overall .comment.internal").wait_for()

    state = player.evaluate("p => ({paused: p.paused, t: p.currentTime})")
    assert page.evaluate("() => window.__sameDocument === true")
    assert state["paused"] is False and state["t"] > before

    # A refused comment says why beside its button, and nothing is lost.
    closing = page.locator("#criterion-closing")
    closing.locator("details.comment-add summary").click()
    page.locator("#criterion-closing .comment-form textarea").evaluate(
        "box => box.removeAttribute('maxlength')"  # as a script or an old browser might send
    )
    closing.locator(".comment-form textarea").fill("y" * 4001)
    closing.get_by_role("button", name="Add comment").click()
    status = closing.locator(".comment-form [role=status]")
    status.filter(has_text="Not saved").wait_for()
    assert "a comment is at most 4000 characters (this one is 4001)" in status.inner_text()
    assert closing.locator(".comment-form textarea").input_value() == "y" * 4001
    page.screenshot(path=str(artifacts / "review-comments.png"))

    # Alice reads the comments that are for her, beside the verdicts; not the internal note.
    log_out(page)
    log_in(page, server, "alice.agent@example.com")
    page.goto(f"{server.url}/calls/{call_id}")
    assert "say you understand her worry first" in page.locator("#criterion-empathy").inner_text()
    assert "Work on the warmth" in page.locator(".overall-comments").inner_text()
    assert "together with Sam" not in page.content()
    assert page.locator("textarea[name=body]").count() == 0


def _upload_transcript(page: Any, server: LiveServer, path: Path) -> str:
    page.get_by_label("Agent").first.select_option(label="Alice Agent (A)")
    page.get_by_label("Recordings or transcripts").set_input_files([str(path)])
    page.get_by_role("button", name="Upload").click()
    wait_until_scored(page, page.locator("#upload-list li .upload-status").first)
    page.goto(f"{server.url}/calls")
    page.get_by_role("link", name=path.name).first.click()
    page.wait_for_url(re.compile(r".*/calls/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def test_an_override_rewrites_what_the_agent_reads(
    page: Any, live_server: LiveServer, tmp_path: Path, artifacts: Path
) -> None:
    """QA passes a verdict the AI failed on the page: the agent's view of the call then says
    pass, shows the AI's reasoning as superseded with the reviewer's reason, and no longer
    asks them to improve it or marks the moment against them."""
    server = live_server
    transcript = tmp_path / "doubled-bill.txt"
    transcript.write_text(CALL)
    log_in(page, server, "quinn.analyst@example.com")
    call_id = _upload_transcript(page, server, transcript)

    prof = page.locator("#criterion-professional_language")
    assert prof.locator("[data-role=verdict]").inner_text() == "FAIL"
    assert "professional language" in page.locator("#feedback-block").inner_text().lower()
    assert page.locator("#auto-failed").is_visible()

    prof.locator("details.override summary").click()
    prof.locator("input[name=verdict][value=pass]").check()
    prof.locator("textarea[name=reason]").fill("She quoted the customer back; no rudeness.")
    prof.get_by_role("button", name="Save override").click()
    prof.locator(".form-status", has_text="Saved.").wait_for()
    # the feedback and moments follow in place once the page's parts are redrawn
    page.wait_for_function(
        "() => !document.getElementById('feedback-block').innerText.toLowerCase()"
        ".includes('professional language')"
    )
    assert page.locator("#auto-failed").is_hidden()
    log_out(page)

    log_in(page, server, "alice.agent@example.com")
    page.goto(f"{server.url}/calls/{call_id}")
    prof = page.locator("#criterion-professional_language")
    assert prof.locator("[data-role=verdict]").inner_text() == "PASS"
    assert "superseded" in prof.locator("[data-role=rationale]").inner_text()
    assert prof.locator("[data-role=rationale] s").count() == 1  # the AI's words, struck out
    note = prof.locator("[data-role=override-note]").inner_text()
    assert "AI said FAIL" in note and "quoted the customer back" in note
    feedback = page.locator("#feedback-block").inner_text().lower()
    assert (
        "to improve" in feedback and "professional language" not in feedback.split("to improve")[1]
    )
    moments = page.locator("#moments-block").inner_text().lower()
    assert "professional language not met" not in moments
    assert page.locator("#auto-failed").is_hidden()
    assert page.locator("#score-value").inner_text() == "72.2"
    assert "reviewed by a human" in page.locator("#score-source").inner_text()
    page.screenshot(path=str(artifacts / "agent-view-after-override.png"), full_page=True)
