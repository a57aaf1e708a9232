"""PII recall per entity type on spoken-form exchanges, and what gets redacted in real
dialogue where nobody reads out a number.

- the development exchanges (tests/support/pii_conversations.py EXCHANGES: the rules were built on
  them) and the unseen ones (UNSEEN: written after the rules, measured once);
- real Harper Valley Bank dialogues (../shared/data/hvb_qa_dev, bench/data/hvb_qa_more; human
  transcripts of role-played calls, no card data in them): every span found, per type, so a
  reader can judge which are false alarms (amounts read as digits, etc.).

    .venv/bin/python -m bench.pii_recall [--show]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from tests.support.pii_conversations import EXCHANGES, UNSEEN, tally
from transcription import load_transcript_file
from transcription.pii import PII_TYPES, find_pii

REPO = Path(__file__).resolve().parents[1]
REAL = [REPO.parent / "shared/data/hvb_qa_dev/calls", REPO / "bench/data/hvb_qa_more/calls"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="print every span found in real calls")
    args = ap.parse_args()
    for name, exchanges in (("development", EXCHANGES), ("unseen", UNSEEN)):
        t = tally(exchanges)
        cells = [f"{k} {t.found.get(k, 0)}/{t.total[k]}" for k in PII_TYPES if t.total.get(k)]
        fa = sum(t.false_alarms.values())
        print(f"{name:12s} {len(exchanges)} exchanges: {', '.join(cells)}; false alarms {fa}")
        for miss in t.misses:
            print(f"    {miss}")
    counts: Counter[str] = Counter()
    calls = 0
    for folder in REAL:
        for path in sorted(folder.glob("*.txt")):
            calls += 1
            transcript = load_transcript_file(path)
            for sp in find_pii(transcript):
                counts[sp.type] += 1
                if args.show:
                    print(f"    {path.stem} {sp.type:7s} {sp.text!r}")
    print(f"real dialogue, {calls} calls: {dict(counts) or 'nothing'} redacted")


if __name__ == "__main__":
    main()
