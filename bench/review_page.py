"""The review page of a 60-minute call in Debian chromium: page weight, time until it can be
used, and how smoothly its transcript (1,500 segments) scrolls and follows playback.

Starts the app in this process (uvicorn thread, SQLite file), stores one 60-minute call with
N transcript segments and a scored evaluation, logs in, and loads ``/calls/{id}`` R times, then
times the page's in-place refresh (review.js fetching the page HTML) R times. Each is done with
the browser's gzip and with ``Accept-Encoding: identity`` (what it was before compression), over
loopback and over an emulated link (``--mbps``, ``--rtt-ms``: a remote analyst's connection).

    .venv/bin/python -m bench.review_page [--segments 1500] [--runs 5] [--mbps 20 --rtt-ms 40]
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
from typing import TYPE_CHECKING

import uvicorn

from api.app import create_app
from domains.reviews.serialize import segment_to_json
from models.accounts import Role
from models.calls import TranscriptRow
from tests.conftest import make_settings
from tests.support.coaching_history import scored_call
from tests.support.factories import PASSWORD, make_user
from transcription.types import Segment

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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
    parser.add_argument("--mbps", type=float, default=20.0, help="emulated link: Mbit/s")
    parser.add_argument("--rtt-ms", type=float, default=40.0, help="emulated link: round trip")
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
    links = (None, (args.mbps, args.rtt_ms))
    configs = [(encoding, link) for encoding in ENCODINGS for link in links]
    review = f"{url}/calls/{call_id}"
    samples: dict[Config, dict[str, list[float]]] = {
        c: {"ready": [], "load": [], "refresh": []} for c in configs
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox"]
        )
        pages = {c: _signed_in_page(browser, url, *c) for c in configs}
        for page in pages.values():
            page.goto(review)  # warm-up: static files cached, scripts compiled
        # Round-robin, so a busy moment on a shared machine hits every configuration alike.
        for _ in range(args.runs):
            for c, page in pages.items():
                for name, value in _load_and_refresh(page, review).items():
                    samples[c][name].append(value)
        timings = {c: _weights(page) for c, page in pages.items()}
        main_page = pages[("gzip", None)]
        frames = _follow_playback(main_page)
        count = main_page.locator("#transcript .seg").count()
        browser.close()
    server.should_exit = True
    median = {c: {k: statistics.median(v) for k, v in samples[c].items()} for c in configs}
    timing, main_run = timings[("gzip", None)], median[("gzip", None)]
    print(f"review page, {count} transcript segments over 60 min, {args.runs} loads")
    print(
        f"  page weight (uncompressed, audio aside): {timing['all'] / 1024:.0f} KiB, "
        f"of which HTML {timing['html'] / 1024:.0f} KiB; "
        f"transferred gzip: HTML {timing['html_sent'] / 1024:.0f} KiB, "
        f"all {timing['all_sent'] / 1024:.0f} KiB"
    )
    print(f"  DOM interactive (navigation timing): {timing['dom']:.0f} ms")
    print(
        f"  DOMContentLoaded seen by the script: median {main_run['ready']:.0f} ms, "
        f"load median {main_run['load']:.0f} ms"
    )
    print(
        f"  following playback, per step (highlight + scroll + next frame): "
        f"p50 {frames['p50']:.1f} ms, p95 {frames['p95']:.1f} ms, max {frames['max']:.1f} ms "
        f"({frames['n']} steps)"
    )
    print(
        f"  medians of {args.runs} after a warm-up load, configurations taken in turn; "
        "'refresh' is review.js's in-place refresh (fetch of the page HTML + text)"
    )
    print("  encoding  link                     HTML sent  DOMContentLoaded  load     refresh")
    for (encoding, link), r in median.items():
        where = "loopback" if link is None else f"{link[0]:g} Mbit/s, {link[1]:g} ms RTT"
        sent = timings[(encoding, link)]["html_sent"]
        print(
            f"  {encoding:<9} {where:<24} {sent / 1024:>5.0f} KiB"
            f"  {r['ready']:>10.0f} ms  {r['load']:>5.0f} ms  {r['refresh']:>5.0f} ms"
        )


# What the browser asks for: its own Accept-Encoding (gzip, …), or none, as before compression.
ENCODINGS = {"gzip": None, "identity": {"Accept-Encoding": "identity"}}
# (encoding, None for loopback or an emulated link of (Mbit/s, round-trip ms))
Config = tuple[str, tuple[float, float] | None]


def _signed_in_page(
    browser: Browser, url: str, encoding: str, link: tuple[float, float] | None
) -> Page:
    """A page of its own context, signed in; over ``link`` by Chrome's DevTools throttling of
    the bytes received."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, extra_http_headers=ENCODINGS[encoding]
    )
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill("bench.analyst@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/calls")
    if link is not None:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": link[1],
                "downloadThroughput": link[0] * 1e6 / 8,
                "uploadThroughput": link[0] * 1e6 / 8,
            },
        )
    return page


def _load_and_refresh(page: Page, review: str) -> dict[str, float]:
    """One load of the review page and one in-place refresh, in ms."""
    t0 = time.perf_counter()
    page.goto(review, wait_until="domcontentloaded")
    ready = time.perf_counter() - t0
    page.wait_for_load_state("load")
    load = time.perf_counter() - t0
    # review.js's refreshConsequences: the page as the server renders it now, read as text.
    refresh: float = page.evaluate(
        """async () => {
             const t0 = performance.now();
             const res = await fetch(window.location.pathname, {headers: {Accept: 'text/html'}});
             await res.text();
             return performance.now() - t0;
           }"""
    )
    return {"ready": ready * 1000, "load": load * 1000, "refresh": refresh}


def _weights(page: Page) -> dict[str, float]:
    """Sizes (decoded and as sent) and navigation timing of the page's last load; the
    recording and the refresh's fetch of the page aside."""
    weights: dict[str, float] = page.evaluate(
        """() => { const n = performance.getEntriesByType('navigation')[0];
                   const r = performance.getEntriesByType('resource')
                     .filter(e => !e.name.includes('/audio') && e.name !== location.href);
                   const sum = (k) => r.reduce((a, e) => a + e[k], 0);
                   return {dom: n.domInteractive, load: n.loadEventEnd,
                           html: n.decodedBodySize, all: n.decodedBodySize + sum('decodedBodySize'),
                           html_sent: n.encodedBodySize,
                           all_sent: n.encodedBodySize + sum('encodedBodySize')}; }"""
    )
    return weights


def _follow_playback(page: Page) -> dict[str, float]:
    """Follow playback through the whole call: highlight and keep-in-view for every segment."""
    frames: dict[str, float] = page.evaluate(
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
    return frames


if __name__ == "__main__":
    main()
