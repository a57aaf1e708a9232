"""Per-criterion accuracy of the default rubric on QA-labelled real dialogue: balanced accuracy,
Cohen's kappa and % of verdicts right, per set and split.

    .venv/bin/python -m bench.real_dialogue [--split dev|test|all] [--asr] [--show-wrong]

Sets: the shared 20-call Harper Valley dev set, bench/data/hvb_qa_more (dev/test split fixed by
a hash of the id before labelling) and bench/data/abcd_qa. ``--split test`` is the unseen part:
measure on it, never tune on it. Exits 0 whatever the accuracy.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections import Counter
from collections.abc import Sequence

from bench.scoring_data import QA_CRITERIA, Labelled, abcd_qa, hvb_qa
from bench.scoring_real import kappa
from core.settings import get_settings
from domains.kit.services import build_adjudicator, consult_policy
from scoring import default_rubric, evaluate, get_embedder
from scoring.adjudicate import Adjudicator
from scoring.calibration import expected_calibration_error, reliability
from scoring.consult import DEFAULT_CONSULT, ConsultPolicy

Row = tuple[str, str, str, str, float]  # call, criterion, expected, got, confidence


def balanced_accuracy(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Mean recall over the expected classes present."""
    classes = sorted({e for e, _ in pairs})
    if not classes:
        return None
    recalls = [
        sum(1 for e, g in pairs if e == k and g == k) / sum(1 for e, _ in pairs if e == k)
        for k in classes
    ]
    return sum(recalls) / len(recalls)


def score_calls(
    calls: list[Labelled],
    adjudicator: Adjudicator | None = None,
    policy: ConsultPolicy = DEFAULT_CONSULT,
) -> list[Row]:
    rubric = default_rubric()
    emb = get_embedder()
    rows: list[Row] = []
    for call in calls:
        ev = evaluate(
            call.transcript, rubric, embedder=emb, adjudicator=adjudicator, consult_policy=policy
        )
        got = {c.id: c for c in ev.criteria}
        for cid, want in call.expected.items():
            if cid in got:
                rows.append((call.name, cid, want, got[cid].verdict, got[cid].confidence))
    return rows


def table(name: str, rows: list[Row], n_calls: int) -> str:
    out = [f"\n## {name} ({n_calls} calls, {len(rows)} verdicts)"]
    out.append("| criterion | n | balanced acc | kappa | % right | confusion exp>got |")
    out.append("|---|---|---|---|---|---|")
    for cid in QA_CRITERIA:
        pairs = [(e, g) for _, c, e, g, _ in rows if c == cid]
        if not pairs:
            continue
        bacc = balanced_accuracy(pairs)
        k = kappa(pairs)
        right = sum(e == g for e, g in pairs) / len(pairs)
        conf = " ".join(f"{e}>{g}:{n}" for (e, g), n in sorted(Counter(pairs).items()) if e != g)
        out.append(
            f"| {cid} | {len(pairs)} | {bacc:.2f} | {'—' if k is None else f'{k:.2f}'} | "
            f"{right:.0%} | {conf} |"
        )
    total = sum(e == g for _, _, e, g, _ in rows)
    out.append(f"overall {total}/{len(rows)} = {total / max(len(rows), 1):.1%} right")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--asr", action="store_true", help="the machine transcripts (hvb_qa_more)")
    ap.add_argument("--show-wrong", action="store_true")
    ap.add_argument(
        "--adjudicator",
        choices=("none", "local", "openai"),
        default="none",
        help="the stage-2 back end (openai: CALLREVIEW_LLM_BASE_URL / _MODEL)",
    )
    ap.add_argument("--reliability", type=float, help="trust in its answers (default: measured)")
    args = ap.parse_args()
    settings = get_settings().model_copy(update={"adjudicator": args.adjudicator})
    if args.reliability is not None:
        settings = settings.model_copy(update={"adjudicator_reliability": args.reliability})
    adjudicator = build_adjudicator(settings)
    policy = consult_policy(settings)
    print(f"adjudicator: {args.adjudicator} (reliability {policy.reliability})")
    print(f"machine: {platform.node()} · {platform.machine()} · Python {platform.python_version()}")
    split = None if args.split == "all" else args.split
    sets: list[tuple[str, list[Labelled]]] = []
    if args.split in ("dev", "all"):
        sets.append(("Harper Valley dev20 (shared)", hvb_qa("dev20")))
    sets.append((f"Harper Valley more ({args.split})", hvb_qa("more", split)))
    if args.asr:
        sets.append(
            (f"Harper Valley more, machine ASR ({args.split})", hvb_qa("more", split, asr=True))
        )
    sets.append((f"ABCD chats ({args.split})", abcd_qa(split)))
    every: list[Row] = []
    t0 = time.perf_counter()
    for name, calls in sets:
        t1 = time.perf_counter()
        rows = score_calls(calls, adjudicator, policy)
        print(f"\n{name}: {time.perf_counter() - t1:.1f} s for {len(calls)} calls")
        every += rows
        print(table(name, rows, len(calls)))
        if args.show_wrong:
            for call, cid, want, got, conf in rows:
                if want != got:
                    print(f"    {call} {cid}: expected {want}, got {got} ({conf:.2f})")
    print(table("All sets above", every, len({r[0] for r in every})))
    pairs = [(conf, want == got) for _, _, want, got, conf in every]
    print(f"\nexpected calibration error {expected_calibration_error(pairs):.3f} over {len(pairs)}")
    print("| confidence | n | mean confidence | accuracy |\n|---|---|---|---|")
    for b in reliability(pairs):
        print(f"| {b.low:.1f}–{b.high:.1f} | {b.n} | {b.mean_confidence:.2f} | {b.accuracy:.2f} |")
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
