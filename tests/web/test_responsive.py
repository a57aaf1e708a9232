"""Every page at 390 px (a phone) and 1366 px: nothing wider than the screen; a screenshot of
each in test-artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.coaching_history import scored_call
from tests.web.conftest import LiveServer
from tests.web.test_browser import log_in


@pytest.fixture(scope="module")
def pages(live_server: LiveServer) -> list[tuple[str, str]]:
    server = live_server
    call = scored_call(
        server.svc,
        agent=server.users["agent_a"],
        at=datetime.now(UTC),
        verdicts={"empathy": "fail", "closing": "fail"},
        seconds=30.0,
    )
    return [
        ("calls", "/calls"),
        ("review", f"/calls/{call}"),
        ("dashboard", "/dashboard"),
        ("progress", f"/agents/{server.users['agent_a'].id}/progress"),
        ("coaching", "/coaching"),
        ("disputes", "/disputes"),
        ("agreement", "/analytics/agreement"),
        ("calibrations", "/calibrations"),
        ("queue", "/queue"),
        ("inbox", "/inbox"),
        ("rubrics", "/rubrics"),
        ("rubric-version", "/rubrics/contact-center-default"),
    ]


@pytest.mark.parametrize("width", [390, 1366])
def test_no_page_is_wider_than_the_screen(
    browser: Any,
    live_server: LiveServer,
    pages: list[tuple[str, str]],
    artifacts: Path,
    width: int,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 900})
    page = context.new_page()
    try:
        log_in(page, live_server, "quinn.analyst@example.com")
        wide = {}
        for name, path in pages:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(artifacts / f"page-{name}-{width}.png"), full_page=True)
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll > width:
                wide[name] = scroll
        assert wide == {}
    finally:
        context.close()
