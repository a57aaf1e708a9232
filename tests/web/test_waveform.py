"""The review page's waveform, in a real chromium: one lane per channel of a two-channel call,
loud where each side speaks; a click on it seeks the recording."""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tests.support.coaching_history import scored_call
from tests.web.conftest import LiveServer
from tests.web.test_browser import log_in


def _two_lane_wav(seconds: float = 10.0, rate: int = 8000) -> bytes:
    """The agent (left) speaks in the first half, the customer (right) in the second."""
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.5 * np.sin(2 * np.pi * 300 * t)
    half = t < seconds / 2
    frames = np.stack([np.where(half, tone, 0.0), np.where(half, 0.0, tone)], axis=1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((frames * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def test_the_waveform_has_a_lane_per_channel_and_seeks(
    page: Any, live_server: LiveServer, artifacts: Path
) -> None:
    server = live_server
    call_id = scored_call(
        server.svc,
        agent=server.users["agent_a"],
        at=datetime.now(UTC) - timedelta(hours=3),
        audio=_two_lane_wav(),
        seconds=10.0,
    )
    log_in(page, server, "quinn.analyst@example.com")
    peaks = page.evaluate(
        "id => fetch(`/api/v1/calls/${id}/peaks?buckets=10`).then(r => r.json())", str(call_id)
    )
    assert (peaks["duration_s"], peaks["buckets"], len(peaks["channels"])) == (10.0, 10, 2)
    agent, customer = peaks["channels"]
    # Loud where each one speaks, silent where not (the resampler rings for a few ms at the
    # switch, so the bucket on each side of it is only nearly silent).
    assert all(0.45 < p <= 0.51 for p in agent[:5]) and all(0.45 < p <= 0.51 for p in customer[5:])
    assert agent[5] < 0.1 and customer[4] < 0.1
    assert agent[6:] == [0, 0, 0, 0] and customer[:4] == [0, 0, 0, 0]

    page.goto(f"{server.url}/calls/{call_id}")
    canvas = page.locator("canvas#waveform.lanes-2")
    canvas.wait_for()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 7.5) < 0.3"
    )
    page.screenshot(path=str(artifacts / "review-waveform-1366.png"))
