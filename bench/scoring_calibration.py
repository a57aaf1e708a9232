"""Reliability table: does a verdict's confidence match how often such verdicts are right?

    .venv/bin/python -m bench.scoring_calibration [--generated 96] [--seed 1]

Pools every labelled verdict of the default rubric over generated holdout scenarios (as text)
and the real text sets (ABCD identity checks, Harper Valley resolution on reference and machine
transcripts), bins them by confidence and prints observed accuracy per bin, the expected
calibration error, and what the review threshold would send to review.
"""

from __future__ import annotations

import argparse
import itertools

from bench.scoring_data import abcd_calls, generated_calls, hvb_calls
from bench.scoring_real import run_set
from scoring.confidence import DEFAULT_REVIEW_THRESHOLD

BINS = (0.0, 0.6, 0.7, 0.8, 0.9, 1.01)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generated", type=int, default=96)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rows = run_set("generated", generated_calls(args.generated, args.seed), show=False)
    rows += run_set("abcd", abcd_calls(), show=False)
    rows += run_set("hvb", hvb_calls(), show=False)
    rows += run_set("hvb-asr", hvb_calls("transcript"), show=False)
    print(f"## Reliability ({len(rows)} labelled verdicts)")
    print("| confidence | n | mean confidence | observed accuracy |")
    print("|---|---|---|---|")
    ece = 0.0
    for lo, hi in itertools.pairwise(BINS):
        sel = [(g == e, c) for _, e, g, c in rows if lo <= c < hi]
        if not sel:
            print(f"| {lo:.1f}–{min(hi, 1.0):.1f} | 0 | - | - |")
            continue
        acc = sum(ok for ok, _ in sel) / len(sel)
        mean = sum(c for _, c in sel) / len(sel)
        ece += len(sel) / len(rows) * abs(acc - mean)
        print(f"| {lo:.1f}–{min(hi, 1.0):.1f} | {len(sel)} | {mean:.2f} | {acc:.1%} |")
    low = [(g == e) for _, e, g, c in rows if c < DEFAULT_REVIEW_THRESHOLD]
    high = [(g == e) for _, e, g, c in rows if c >= DEFAULT_REVIEW_THRESHOLD]
    print(f"expected calibration error {ece:.3f}")
    print(
        f"review threshold {DEFAULT_REVIEW_THRESHOLD}: {len(low)} verdicts to review "
        f"({sum(low)} right), {len(high)} counted ({sum(high) / max(len(high), 1):.1%} right)"
    )


if __name__ == "__main__":
    main()
