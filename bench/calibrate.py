"""Fit the shipped confidence calibration of the default rubric on labelled development calls,
and measure it: reliability table and expected calibration error (ECE) on a held-out part of
the same labels (30% of calls, by a hash of the call's name), before and after.

    .venv/bin/python -m bench.calibrate [--varied 200] [--generated 4] [--write]

Development sets only: the Harper Valley dev20 and hvb_qa_more dev split (human and machine
transcripts), the ABCD dev chats, the varied generated pool's dev split, and the older holdout
scenarios. ``--write`` refits on all of them and writes
scoring/rubrics/contact-center-default.calibration.json.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import time

from bench.scoring_data import (
    Labelled,
    abcd_qa,
    generated_calls,
    hvb_qa,
    varied_calls,
)
from scoring import calibration as cal
from scoring import default_rubric, evaluate, get_embedder

HELD_OUT_SHARE = 0.3


def held_out(name: str) -> bool:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 100 < HELD_OUT_SHARE * 100


def rows_of(calls: list[Labelled]) -> list[tuple[str, cal.Labelled]]:
    rubric = default_rubric()
    emb = get_embedder()
    out = []
    for call in calls:
        ev = evaluate(call.transcript, rubric, embedder=emb, calibration=None)
        for c in ev.criteria:
            want = call.expected.get(c.id)
            if want is None:
                continue
            out.append(
                (
                    call.name,
                    cal.Labelled(c.id, c.verdict, c.method, c.verdict == want, c.confidence),
                )
            )
    return out


def report(title: str, pairs: list[tuple[float, bool]]) -> None:
    print(f"\n### {title}: {len(pairs)} verdicts, ECE {cal.expected_calibration_error(pairs):.3f}")
    print("| confidence | n | mean confidence | accuracy |")
    print("|---|---|---|---|")
    for b in cal.reliability(pairs):
        print(f"| {b.low:.1f}–{b.high:.1f} | {b.n} | {b.mean_confidence:.2f} | {b.accuracy:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--varied", type=int, default=200)
    ap.add_argument("--generated", type=int, default=4, help="seeds of 48 older scenarios")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    print(f"machine: {platform.node()} · {platform.machine()} · Python {platform.python_version()}")
    t0 = time.perf_counter()
    sets = {
        "hvb dev20": hvb_qa("dev20"),
        "hvb more dev": hvb_qa("more", "dev"),
        "hvb more dev (machine ASR)": [
            Labelled(c.name + "-asr", c.transcript, c.expected)
            for c in hvb_qa("more", "dev", asr=True)
        ],
        "abcd dev": abcd_qa("dev"),
        "varied dev (text)": varied_calls("dev", args.varied) if args.varied else [],
        "older holdout scenarios (text)": [
            c for seed in range(args.generated) for c in generated_calls(48, seed)
        ],
    }
    rows: list[tuple[str, cal.Labelled]] = []
    for name, calls in sets.items():
        got = rows_of(calls)
        rows += got
        right = sum(r.correct for _, r in got)
        print(f"{name}: {len(calls)} calls, {right}/{len(got)} verdicts right")
    fit_rows = [r for n, r in rows if not held_out(n)]
    test_rows = [r for n, r in rows if held_out(n)]
    fitted = cal.fit(fit_rows, "contact-center-default", source="bench.calibrate (70%)")
    report(
        "held-out 30%, the evaluators' own confidence",
        [(r.confidence, r.correct) for r in test_rows],
    )
    report(
        "held-out 30%, calibrated on the other 70%",
        [(fitted.probability(r.criterion, r.verdict, r.method), r.correct) for r in test_rows],
    )
    if args.write:
        full = cal.fit([r for _, r in rows], "contact-center-default", source="bench.calibrate")
        path = cal.builtin_path("contact-center-default")
        path.write_text(full.to_json() + "\n")
        print(f"\nwrote {path} ({full.size} labelled verdicts)")
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
