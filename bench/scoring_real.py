"""Per-criterion accuracy and Cohen's kappa of the default rubric on labelled TEXT calls, and
scoring cost against call length.

    .venv/bin/python -m bench.scoring_real [--generated 48] [--seed 0] [--cost]

Sets: ABCD chats (identity_verification vs the agent's identity-checking actions), Harper
Valley Bank calls (resolution vs what the agent logged), reference and machine transcripts, and
generated holdout scenarios as text. Exits 0 whatever the accuracy.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections import Counter
from collections.abc import Sequence

from bench.scoring_data import Labelled, abcd_calls, generated_calls, hvb_calls
from scoring import default_rubric, evaluate, find_moments, get_embedder
from scoring.types import Evaluation


def kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of (expected, got); None when chance agreement is 1 (one class only)."""
    n = len(pairs)
    if not n:
        return None
    po = sum(e == g for e, g in pairs) / n
    ce, cg = Counter(e for e, _ in pairs), Counter(g for _, g in pairs)
    pe = sum(ce[k] * cg[k] for k in ce) / (n * n)
    return None if pe >= 1 else (po - pe) / (1 - pe)


def run_set(
    name: str, calls: list[Labelled], show: bool = True
) -> list[tuple[str, str, str, float]]:
    """(criterion, expected, got, confidence) for every labelled verdict."""
    rubric = default_rubric()
    emb = get_embedder()
    rows: list[tuple[str, str, str, float]] = []
    wrong: list[str] = []
    for call in calls:
        ev = evaluate(call.transcript, rubric, embedder=emb)
        got = {c.id: c for c in ev.criteria}
        for cid, want in call.expected.items():
            c = got[cid]
            rows.append((cid, want, c.verdict, c.confidence))
            if c.verdict != want:
                wrong.append(
                    f"    {call.name} {cid}: expected {want}, got {c.verdict} "
                    f"({c.confidence:.2f}) {c.rationale[:110]}"
                )
    if show:
        print(f"\n## {name} ({len(calls)} calls)")
        print("| criterion | n | accuracy | kappa | confusion exp>got |")
        print("|---|---|---|---|---|")
        for cid in dict.fromkeys(r[0] for r in rows):
            pairs = [(e, g) for c, e, g, _ in rows if c == cid]
            acc = sum(e == g for e, g in pairs) / len(pairs)
            k = kappa(pairs)
            conf = " ".join(f"{e}>{g}:{n}" for (e, g), n in sorted(Counter(pairs).items()))
            ks = "n/a (one class)" if k is None else f"{k:.2f}"
            print(f"| {cid} | {len(pairs)} | {acc:.0%} | {ks} | {conf} |")
        total = sum(e == g for _, e, g, _ in rows)
        print(f"overall {total}/{len(rows)} = {total / len(rows):.1%}")
        for w in wrong:
            print(w)
    return rows


def cost() -> None:
    """Median seconds of evaluate + find_moments for calls built from 1..20 minutes of turns."""
    rubric = default_rubric()
    emb = get_embedder()
    base = generated_calls(40, seed=7)
    evaluate(base[0].transcript, rubric, embedder=emb)  # warm
    print("\n## Scoring cost vs call length (evaluate + find_moments, embedder loaded)")
    print("| call length | turns | median s (3 runs) | s per audio minute |")
    print("|---|---|---|---|")
    for minutes in (1, 2, 5, 10, 20):
        segs = []
        offset = 0.0
        i = 0
        while offset < minutes * 60:
            t = base[i % len(base)].transcript
            # distinct text per copy, so the per-call embedding cache cannot reuse clauses
            for s in t.segments:
                tag = f" part {i}."
                words = tuple(
                    type(w)(
                        w.start + offset,
                        w.end + offset,
                        w.word + (tag if k == len(s.words) - 1 else ""),
                    )
                    for k, w in enumerate(s.words)
                )
                segs.append(
                    type(s)(s.start + offset, s.end + offset, s.speaker, s.text + tag, words)
                )
            offset += t.duration_s
            i += 1
        segs = [s for s in segs if s.end <= minutes * 60]
        tr = type(base[0].transcript)("text", "", tuple(segs), None)
        runs = []
        for _ in range(3):
            # a fresh text cache, exemplars embedded again (as once per worker process)
            cache = getattr(emb, "_cache", None)
            if cache is not None:
                cache.clear()
            evaluate(base[1].transcript, rubric, embedder=emb)
            t0 = time.perf_counter()
            ev: Evaluation = evaluate(tr, rubric, embedder=emb)
            find_moments(tr, ev)
            runs.append(time.perf_counter() - t0)
        med = sorted(runs)[1]
        print(f"| {minutes} min | {len(segs)} | {med:.2f} | {med / minutes:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generated", type=int, default=48)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cost", action="store_true")
    args = ap.parse_args()
    print(f"machine: {platform.node()} · {platform.machine()} · Python {platform.python_version()}")
    run_set("ABCD chats: identity_verification vs verify-identity/validate-purchase", abcd_calls())
    run_set(
        "ABCD chats: identity_verification vs verify-identity only (strict)",
        abcd_calls(strict=True),
    )
    run_set("Harper Valley: resolution vs the agent's log (human transcript)", hvb_calls())
    run_set("Harper Valley: resolution vs the agent's log (Gridspace ASR)", hvb_calls("transcript"))
    if args.generated:
        run_set(
            f"Generated holdout scenarios as text (seed {args.seed})",
            generated_calls(args.generated, args.seed),
        )
    if args.cost:
        cost()


if __name__ == "__main__":
    main()
