"""Who said each word of a mono call? Speaker attribution measured against the rendered turns.

Renders ``--n`` holdout scenarios (tests/scenarios.py) as mono calls (cached in
bench/_generated/cache), transcribes each with ``transcription.transcribe_file`` (real tiny.en)
and scores every transcript word against the turn it was spoken in (the rendered turn whose
span holds the word's midpoint; a midpoint in a pause goes to the nearest turn):

- **words right**: share of words whose segment carries the true speaker (``unknown`` = wrong);
- **unknown**: share of words in ``unknown`` segments (also counted in the wrong ones);
- **voices**: the same with agent/customer swapped where that is better, i.e. whether the two
  voices were told apart at all, whatever the roles were called;
- **purity**: share of segments whose words all come from one true speaker; **spans**: segments
  with more than one word from the minority speaker (a turn glued across a speaker change);
- confidence of right and wrong words (``speaker_confidence`` of their segment);
- **attr s**: seconds spent outside the ASR engine (guards, cutting, attribution).

    .venv/bin/python -m bench.mono_speakers [--n 16] [--seed 0] [--reuse-asr] [--json FILE]

``--reuse-asr`` keeps the raw Whisper output of each file under bench/_generated/mono_speakers
and reuses it on the next run, so work on attribution reruns in seconds; without it Whisper runs
every time. Exits 0 whatever the accuracy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import GENERATED, RENDER_CACHE, machine_line
from tests.scenarios import holdout_scenarios, render_scenario
from tests.synth import RenderedTurn
from transcription import Transcript, transcribe_file
from transcription import transcribe as transcribe_module
from transcription.engines import AsrEngine, AsrSegment
from transcription.options import TranscriptionOptions

ASR_CACHE = GENERATED / "mono_speakers"


class TimedEngine:
    """Wraps the real engine: times it and, with ``--reuse-asr``, replays its earlier output."""

    def __init__(self, inner: AsrEngine, reuse: bool) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_name = inner.model_name
        self.reuse = reuse
        self.seconds = 0.0

    def transcribe(self, samples: np.ndarray) -> list[AsrSegment]:
        key = hashlib.sha256(np.ascontiguousarray(samples).tobytes()).hexdigest()[:20]
        cached = ASR_CACHE / f"{self.name}-{self.model_name}-{key}.pkl"
        if self.reuse and cached.exists():
            found: list[AsrSegment] = pickle.loads(cached.read_bytes())
            return found
        started = time.perf_counter()
        found = self.inner.transcribe(samples)
        self.seconds += time.perf_counter() - started
        if self.reuse:
            ASR_CACHE.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pickle.dumps(found))
        return found


@dataclass
class CallScore:
    name: str
    voices: str
    words: int = 0
    right: int = 0
    unknown: int = 0
    swapped_right: int = 0
    in_pauses: int = 0
    segments: int = 0
    pure: int = 0
    spanning: int = 0
    conf_right: list[float] = field(default_factory=list)
    conf_wrong: list[float] = field(default_factory=list)
    attribution_s: float = 0.0
    asr_s: float = 0.0

    @property
    def accuracy(self) -> float:
        return self.right / max(1, self.words)

    @property
    def voice_accuracy(self) -> float:
        return max(self.right, self.swapped_right) / max(1, self.words)


def true_speaker(turns: list[RenderedTurn], t: float) -> tuple[str, bool]:
    """The speaker of the turn holding time ``t``; else of the nearest turn (True = in a pause)."""
    for turn in turns:
        if turn.start <= t <= turn.end:
            return turn.speaker, False
    nearest = min(turns, key=lambda u: min(abs(t - u.start), abs(t - u.end)))
    return nearest.speaker, True


SWAP = {"agent": "customer", "customer": "agent", "unknown": "unknown"}


def score(name: str, voices: str, turns: list[RenderedTurn], tr: Transcript) -> CallScore:
    s = CallScore(name, voices)
    for seg in tr.segments:
        owners: Counter[str] = Counter()
        for w in seg.words:
            who, in_pause = true_speaker(turns, (w.start + w.end) / 2)
            owners[who] += 1
            s.words += 1
            s.in_pauses += in_pause
            s.unknown += seg.speaker == "unknown"
            s.swapped_right += SWAP[seg.speaker] == who
            if seg.speaker == who:
                s.right += 1
                s.conf_right.append(seg.speaker_confidence)
            else:
                s.conf_wrong.append(seg.speaker_confidence)
        if owners:
            s.segments += 1
            s.pure += len(owners) == 1
            s.spanning += min(owners.values()) > 1 if len(owners) > 1 else 0
    return s


def run_call(
    name: str, voices: str, turns: list[RenderedTurn], path: Path, reuse: bool
) -> CallScore:
    engines: list[TimedEngine] = []
    real_get_engine = transcribe_module.get_engine

    def timed_engine(options: TranscriptionOptions) -> AsrEngine:
        engines.append(TimedEngine(real_get_engine(options), reuse))
        return engines[-1]

    transcribe_module.get_engine = timed_engine
    try:
        started = time.perf_counter()
        tr = transcribe_file(path)
        total = time.perf_counter() - started
    finally:
        transcribe_module.get_engine = real_get_engine
    s = score(name, voices, turns, tr)
    s.asr_s = sum(e.seconds for e in engines)
    s.attribution_s = total - s.asr_s
    return s


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f}" if xs else "  - "


def print_table(scores: list[CallScore]) -> None:
    head = (
        f"{'call':<18} {'voices':<36} {'words':>5} {'right':>6} {'unk':>5} {'voices':>6} "
        f"{'pure':>9} {'spans':>5} {'conf+':>5} {'conf-':>5} {'attr s':>6}"
    )
    print(head)
    print("-" * len(head))
    for s in scores:
        print(
            f"{s.name:<18} {s.voices:<36} {s.words:>5} {s.accuracy:>6.1%} "
            f"{s.unknown / max(1, s.words):>5.1%} {s.voice_accuracy:>6.1%} "
            f"{s.pure:>4}/{s.segments:<4} {s.spanning:>5} {_median(s.conf_right):>5} "
            f"{_median(s.conf_wrong):>5} {s.attribution_s:>6.2f}"
        )


def overall(scores: list[CallScore]) -> dict[str, Any]:
    words = sum(s.words for s in scores)
    segments = sum(s.segments for s in scores)
    accs = [s.accuracy for s in scores]
    return {
        "calls": len(scores),
        "words": words,
        "word_accuracy": sum(s.right for s in scores) / max(1, words),
        "unknown_share": sum(s.unknown for s in scores) / max(1, words),
        "voice_accuracy": sum(max(s.right, s.swapped_right) for s in scores) / max(1, words),
        "purity": sum(s.pure for s in scores) / max(1, segments),
        "segments": segments,
        "spanning_segments": sum(s.spanning for s in scores),
        "words_in_pauses": sum(s.in_pauses for s in scores),
        "calls_below_90": sum(a < 0.9 for a in accs),
        "worst_call_accuracy": min(accs, default=0.0),
        "roles_swapped": sum(s.swapped_right > s.right for s in scores),
        "attribution_s_median": statistics.median([s.attribution_s for s in scores] or [0.0]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reuse-asr", action="store_true", help="replay cached Whisper output")
    ap.add_argument("--json", type=Path, help="write per-call and overall numbers here")
    args = ap.parse_args(argv)
    print(machine_line())
    scores = []
    for sc in holdout_scenarios(args.n, args.seed):
        rendered, _ = render_scenario(sc, RENDER_CACHE, stereo=False)
        voices = f"{sc.voices['agent']} / {sc.voices['customer']}"
        scores.append(run_call(sc.name, voices, rendered.turns, rendered.path, args.reuse_asr))
        print(f"  {sc.name}: {scores[-1].accuracy:.1%}", file=sys.stderr, flush=True)
    print_table(scores)
    summary = overall(scores)
    print()
    print(
        f"overall: words right {summary['word_accuracy']:.1%} of {summary['words']} · "
        f"unknown {summary['unknown_share']:.1%} · voices apart {summary['voice_accuracy']:.1%} · "
        f"purity {summary['purity']:.1%} of {summary['segments']} segments · "
        f"spanning {summary['spanning_segments']} · calls < 90% {summary['calls_below_90']} · "
        f"roles swapped {summary['roles_swapped']} · words in pauses {summary['words_in_pauses']}"
        f" · attribution median {summary['attribution_s_median']:.2f} s"
    )
    print(machine_line())
    if args.json:
        args.json.write_text(
            json.dumps(
                {"overall": summary, "calls": [vars(s) for s in scores]}, indent=1, default=str
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
