"""The review page of a 60-minute call in Debian chromium: page weight, time until it can be
used, and how smoothly its transcript (1,500 segments) scrolls and follows playback.

Starts the app in this process (uvicorn thread, SQLite file), stores one 60-minute call with
N transcript segments and a scored evaluation, logs in, and loads ``/calls/{id}`` R times.

    .venv/bin/python -m bench.review_page [--segments 1500] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from api.app import create_app
from domains.reviews.serialize import segment_to_json
from models.accounts import Role
from models.calls import TranscriptRow
from tests.conftest import make_settings
from tests.support.coaching_history import scored_call
from tests.support.factories import PASSWORD, make_user
from transcription.types import Segment

LINES = [
    ("agent", "Let me check that for you, it will take a moment while the account loads."),
    ("customer", "Sure, I was charged twice on the fourth and again on the eleventh this month."),
]


def _serve(root: Path) -> tuple[str, object, uvicorn.Server]:
    app = create_app(make_settings(f"sqlite:///{root / 'bench.db'}", root / "storage"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", app, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--segments", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="review-page-"))
    url, app, server = _serve(root)
    svc = app.state.services  # type: ignore[attr-defined]
    qa = make_user(svc, name="Bench Analyst", role=Role.qa_analyst)
    agent = make_user(svc, name="Bench Agent", role=Role.agent, team="A")
    del qa
    step = 3600.0 / args.segments
    call_id = scored_call(
        svc, agent=agent, at=datetime.now(UTC), verdicts={"empathy": "fail"}, seconds=5.0
    )
    with svc.unit_of_work() as s:
        s.add(
            TranscriptRow(
                call_id=call_id,
                engine="bench",
                model="none",
                segments=[
                    segment_to_json(
                        Segment(i * step, i * step + step * 0.8, *LINES[i % 2])  # type: ignore[arg-type]
                    )
                    for i in range(args.segments)
                ],
            )
        )
    loads: list[float] = []
    ready: list[float] = []
    weight = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{url}/login")
        page.get_by_label("E-mail").fill("bench.analyst@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/calls")
        for _ in range(args.runs):
            t0 = time.perf_counter()
            page.goto(f"{url}/calls/{call_id}", wait_until="domcontentloaded")
            ready.append(time.perf_counter() - t0)
            page.wait_for_load_state("load")
            loads.append(time.perf_counter() - t0)
        timing = page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0];
                       const r = performance.getEntriesByType('resource')
                         .filter(e => !e.name.includes('/audio'));
                       const rest = r.reduce((a, e) => a + e.decodedBodySize, 0);
                       return {dom: n.domInteractive, load: n.loadEventEnd,
                               html: n.decodedBodySize, all: n.decodedBodySize + rest}; }"""
        )
        weight = timing["all"]
        # Follow playback through the whole call: highlight and keep-in-view for every segment.
        frames = page.evaluate(
            """async (n) => {
                 const segs = document.querySelectorAll('#transcript .seg');
                 const times = [];
                 for (let i = 0; i < segs.length; i += Math.max(1, Math.floor(segs.length / n))) {
                   const t0 = performance.now();
                   highlightAt(Number(segs[i].dataset.start) + 0.01, true);
                   await new Promise(requestAnimationFrame);
                   times.push(performance.now() - t0);
                 }
                 times.sort((a, b) => a - b);
                 return {n: times.length, p50: times[Math.floor(times.length / 2)],
                         p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1]};
               }""",
            200,
        )
        count = page.locator("#transcript .seg").count()
        browser.close()
    server.should_exit = True
    print(f"review page, {count} transcript segments over 60 min, {args.runs} loads")
    print(
        f"  page weight (uncompressed, audio aside): {weight / 1024:.0f} KiB, "
        f"of which HTML {timing['html'] / 1024:.0f} KiB"
    )
    print(f"  DOM interactive (navigation timing): {timing['dom']:.0f} ms")
    print(
        f"  DOMContentLoaded seen by the script: median {statistics.median(ready) * 1000:.0f} ms, "
        f"load median {statistics.median(loads) * 1000:.0f} ms"
    )
    print(
        f"  following playback, per step (highlight + scroll + next frame): "
        f"p50 {frames['p50']:.1f} ms, p95 {frames['p95']:.1f} ms, max {frames['max']:.1f} ms "
        f"({frames['n']} steps)"
    )


if __name__ == "__main__":
    main()
