"""How often does `callreview review` give the verdict a generated call was built to earn?

Renders scenarios from tests/support/scenarios.py (default: 12 random holdout scenarios, each as a
two-channel and as a mono call = 24 calls), runs `callreview review DIR --format json` once over
them, and prints per criterion: accuracy, balanced accuracy (mean recall over the expected classes
present) and the confusion counts, separately for stereo and mono; then every wrong verdict with
the script lines that decide it and what the transcript made of them.

    .venv/bin/python -m bench.accuracy [--n 24] [--seed 0] [--pool holdout|fixture]
    .venv/bin/python -m bench.accuracy --pool varied --split dev [--layout stereo|mono] [--text]

``--pool varied`` (tests/support/scenarios_varied.py) takes realistic, disfluent calls over nine
domains
with hard cases per criterion, spoken by piper, festival and espeak voices and sent through
telephone lines (8 kHz); it needs the `bench` extra (`pip install -e '.[bench]'`) and Debian's
festival festvox-us-slt-hts. ``--split dev`` is for development; ``--split unseen`` uses
templates no dev call uses: measure generalisation there, never tune on it. ``--text`` reviews
the same calls as transcript files (script times, no ASR), and also prints accuracy per hard
case (the scenario's tag).

Exits non-zero only on errors (no JSON, a call that failed), never on low accuracy.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    GENERATED,
    RENDER_CACHE,
    BenchError,
    cli_command,
    fresh_dir,
    link_into,
    machine_line,
    match_results,
    run_review,
)
from tests.support.scenarios import (
    CRITERIA,
    Scenario,
    event_times,
    fixture_scenarios,
    holdout_scenarios,
    render_scenario,
)
from tests.support.scenarios_varied import (
    VariedScenario,
    render_varied,
    varied_scenarios,
    write_transcript,
)
from tests.support.synth import RenderedCall, Turn

CLASSES = ("pass", "fail", "na")
MISSING = "missing"  # the result had no verdict for this criterion


@dataclass
class Call:
    scenario: Scenario
    layout: str  # "stereo" | "mono" | "text"
    rendered: RenderedCall
    path: Path  # the file the CLI reviewed
    result: dict[str, Any] | None = None

    def verdicts(self) -> dict[str, str]:
        assert self.result is not None
        criteria = self.result.get("evaluation", {}).get("criteria", [])
        return {c["id"]: c["verdict"] for c in criteria}


def build_calls(
    pool: str,
    n: int,
    seed: int,
    run_dir: Path,
    *,
    layouts: tuple[str, ...] = ("stereo", "mono"),
    split: str = "dev",
) -> list[Call]:
    scenarios: list[Scenario]
    if pool == "fixture":
        scenarios = list(fixture_scenarios().values())
    elif pool == "varied":
        scenarios = list(varied_scenarios(split, math.ceil(n / len(layouts)), seed))  # type: ignore[arg-type]
    else:
        scenarios = holdout_scenarios(math.ceil(n / len(layouts)), seed)
    calls = []
    # The same scenarios in every layout, so stereo and mono differ only in the channels.
    for layout in layouts:
        for s in scenarios:
            if layout == "text":
                rendered = write_transcript(s, run_dir / f"{s.name}-text.json")
                calls.append(Call(s, layout, rendered, rendered.path))
                continue
            if isinstance(s, VariedScenario):
                rendered, _ = render_varied(s, RENDER_CACHE, layout=layout)  # type: ignore[arg-type]
            else:
                rendered, _ = render_scenario(s, RENDER_CACHE, stereo=layout == "stereo")
            path = link_into(rendered.path, run_dir / f"{s.name}-{layout}.wav")
            calls.append(Call(s, layout, rendered, path))
    return calls


def confusion_and_scores(
    calls: list[Call], criterion: str
) -> tuple[Counter[tuple[str, str]], float, float]:
    pairs: Counter[tuple[str, str]] = Counter()
    for c in calls:
        pairs[(c.scenario.expected[criterion], c.verdicts().get(criterion, MISSING))] += 1
    total = sum(pairs.values())
    right = sum(v for (e, p), v in pairs.items() if e == p)
    recalls = []
    for cls in CLASSES:
        n_cls = sum(v for (e, _), v in pairs.items() if e == cls)
        if n_cls:
            recalls.append(pairs[(cls, cls)] / n_cls)
    accuracy = right / total if total else math.nan
    balanced = sum(recalls) / len(recalls) if recalls else math.nan
    return pairs, accuracy, balanced


def print_table(title: str, calls: list[Call]) -> None:
    print(f"\n## {title}: {len(calls)} calls")
    if not calls:
        return
    print(f"{'criterion':<22} {'n':>3} {'acc':>6} {'bal.acc':>8}   confusion expected→predicted")
    right = total = 0
    for criterion in CRITERIA:
        pairs, acc, bal = confusion_and_scores(calls, criterion)
        right += sum(v for (e, p), v in pairs.items() if e == p)
        total += sum(pairs.values())
        confusion = "  ".join(
            f"{e}→{p} {v}" for (e, p), v in sorted(pairs.items(), key=lambda kv: kv[0])
        )
        print(f"{criterion:<22} {sum(pairs.values()):>3} {acc:>6.2f} {bal:>8.2f}   {confusion}")
    print(f"{'overall':<22} {total:>3} {right / total:>6.1%}   ({right} of {total} verdicts right)")


def print_by_tag(calls: list[Call]) -> None:
    """Accuracy per hard case: the varied pool tags how each criterion was realised."""
    rows: Counter[tuple[str, str, str]] = Counter()
    right: Counter[tuple[str, str, str]] = Counter()
    for c in calls:
        if not isinstance(c.scenario, VariedScenario):
            return
        got = c.verdicts()
        for criterion, tag in c.scenario.tags.items():
            key: tuple[str, str, str] = (criterion, c.scenario.expected[criterion], tag)
            rows[key] += 1
            right[key] += got.get(criterion, MISSING) == key[1]
    print("\n## By hard case (criterion, expected verdict, how it was realised)")
    for row in sorted(rows):
        criterion, expected, tag = row
        print(f"{criterion:<22} {expected:<5} {tag:<34} {right[row]:>3}/{rows[row]:<3}")


def _segments_between(result: dict[str, Any], start: float, end: float) -> list[str]:
    lines = []
    for seg in result.get("transcript", {}).get("segments", []):
        if seg["end"] >= start and seg["start"] <= end:
            lines.append(f"[{seg['start']:6.1f}–{seg['end']:6.1f} {seg['speaker']}] {seg['text']}")
    return lines


def print_wrong(calls: list[Call]) -> int:
    wrong = 0
    print("\n## Wrong verdicts")
    for c in calls:
        assert c.result is not None
        criteria = {x["id"]: x for x in c.result.get("evaluation", {}).get("criteria", [])}
        times = event_times(c.scenario, c.rendered)
        for criterion in CRITERIA:
            expected = c.scenario.expected[criterion]
            got = criteria.get(criterion, {}).get("verdict", MISSING)
            if got == expected:
                continue
            wrong += 1
            verdict = criteria.get(criterion, {})
            print(
                f"\n{c.path.name}  {criterion}: expected {expected}, got {got}"
                f" (confidence {verdict.get('confidence', '?')})"
            )
            print(f"  rationale: {verdict.get('rationale', '')}")
            for ev in verdict.get("evidence", []):
                print(
                    f"  evidence:  [{ev['start']:6.1f}–{ev['end']:6.1f} {ev.get('speaker', '')}]"
                    f" {ev.get('text', '')}"
                )
            # The script lines that decide this criterion, then everything the transcript
            # has over the same stretch (once, even when one segment spans several lines).
            heard: list[str] = []
            for index in c.scenario.cues.get(criterion, ()):
                event = c.scenario.events[index]
                start, end = times[index]
                if isinstance(event, Turn):
                    print(f"  script:    [{start:6.1f}–{end:6.1f} {event.speaker}] {event.text}")
                else:
                    kind = type(event).__name__.lower()
                    print(f"  script:    [{start:6.1f}–{end:6.1f}] {kind} {end - start:.1f} s")
                for line in _segments_between(c.result, start - 0.5, end + 0.5):
                    if line not in heard:
                        heard.append(line)
            if c.scenario.cues.get(criterion):
                for line in heard or ["(nothing)"]:
                    print(f"  heard:     {line}")
    if not wrong:
        print("none")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--n", type=int, default=24, help="holdout calls (half stereo, half mono)")
    parser.add_argument("--seed", type=int, default=0, help="which holdout scenarios")
    parser.add_argument("--pool", choices=("holdout", "fixture", "varied"), default="holdout")
    parser.add_argument(
        "--split",
        choices=("dev", "unseen"),
        default="dev",
        help="varied pool only: dev (tune here) or unseen (measure only)",
    )
    parser.add_argument(
        "--layout", choices=("stereo", "mono"), help="one layout only (default: both)"
    )
    parser.add_argument(
        "--text",
        action="store_true",
        help="varied pool only: review transcript files with script times instead of audio",
    )
    parser.add_argument("--rubric", help="passed to `review --rubric`")
    parser.add_argument("--cli", help="command instead of .venv/bin/callreview")
    parser.add_argument("--save", type=Path, help="write the raw review JSON here")
    parser.add_argument(
        "--results", type=Path, help="score this saved review JSON instead of running the CLI"
    )
    args = parser.parse_args(argv)
    if args.text and args.pool != "varied":
        parser.error("--text needs --pool varied")
    if args.text and args.layout:
        parser.error("--text and --layout exclude each other")
    layouts: tuple[str, ...] = (
        ("text",)
        if args.text
        else (args.layout,)
        if args.layout
        else (
            "stereo",
            "mono",
        )
    )

    if args.pool == "fixture":
        label = "fixture"
    elif args.pool == "varied":
        label = f"varied-{args.split}-s{args.seed}-n{args.n}-{'-'.join(layouts)}"
    else:
        label = f"holdout-s{args.seed}-n{args.n}"
    run_dir = fresh_dir(GENERATED / f"accuracy-{label}")
    started = time.perf_counter()
    calls = build_calls(args.pool, args.n, args.seed, run_dir, layouts=layouts, split=args.split)
    split = f", split {args.split}" if args.pool == "varied" else ""
    print(f"# accuracy bench — {args.pool} pool{split}, seed {args.seed}, {len(calls)} calls")
    print(f"machine: {machine_line()}")
    print(f"rendered in {time.perf_counter() - started:.1f} s into {run_dir}")

    try:
        if args.results:
            results = json.loads(args.results.read_text())
        else:
            extra = ["--rubric", args.rubric] if args.rubric else []
            cli = cli_command(args.cli)
            run = run_review([run_dir], cli=cli, extra_args=extra)
            results = run.results
            audio_s = sum(c.rendered.duration_s for c in calls)
            print(
                f"`{' '.join(cli)} review {run_dir.name} --format json`: {run.wall_s:.1f} s,"
                f" exit {run.returncode}, {run.wall_s / len(calls):.1f} s per call,"
                f" {audio_s / run.wall_s:.1f}× real time"
            )
            if args.save:
                args.save.write_text(json.dumps(results, indent=1))
        matched = match_results(results, [c.path for c in calls])
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    failed = []
    for c in calls:
        c.result = matched[c.path]
        if c.result.get("status") != "scored":
            failed.append(f"{c.path.name}: status {c.result.get('status')}")
    scored = [c for c in calls if c.result is not None and c.result.get("status") == "scored"]
    for layout in layouts:
        print_table(layout, [c for c in scored if c.layout == layout])
    if len(layouts) > 1:
        print_table("all", scored)
    print_by_tag(scored)
    print_wrong(scored)
    if failed:
        print("\nerror: calls not scored:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
