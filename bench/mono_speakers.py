"""Who said each word of a mono call? Speaker attribution measured against the rendered turns.

Renders ``--n`` holdout scenarios (tests/support/scenarios.py) as mono calls (cached in
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

    .venv/bin/python -m bench.mono_speakers [--voices holdout|dev|unseen|real] [--n 16]
        [--seed 0] [--method auto|frames] [--reuse-asr] [--json FILE]

``--voices`` picks the voices. ``holdout`` (default): each holdout scenario's own espeak pair,
the voices the mono method was first tuned on. ``dev`` and ``unseen``: the fixed voice pairs
in DEV_PAIRS and UNSEEN_PAIRS below, one call per pair (``--n`` calls per pair), worded from the
``varied`` pool's split of the same name (tests/support/scenarios_varied.py) and spoken by
espeak-ng,
piper (joe), festival (slt, kal) with sox pitch shifts, either clean at 16 kHz or through a
simulated telephone line (phonesim pstn_narrowband, G.711, 8 kHz) per party, then summed to
mono. The unseen pairs were fixed before development started and share no voice (engine,
variant and pitch shift) with a dev pair: develop on ``dev``, measure ``unseen`` only to report.
A pair that names one voice twice is a one-voice call: there every word's right answer is
``unknown``. ``real``: the real mono recordings with hand-labelled turns in bench/data/mono_real
(words in turns labelled ``?`` are left out). ``--method frames`` forces the numpy fallback
(no voiceprints), the method before voiceprints were added.

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import GENERATED, RENDER_CACHE, REPO, machine_line
from tests.support.scenarios import holdout_scenarios, render_scenario, repeatable_sox
from tests.support.scenarios_varied import (
    CLEAN_RATE,
    VariedScenario,
    render_varied,
    speak_varied,
    varied_scenarios,
)
from tests.support.synth import RenderedCall, RenderedTurn, cache_key, render_call
from transcription import Transcript, speakers, transcribe_file
from transcription import transcribe as transcribe_module
from transcription.asr import AsrEngine, AsrSegment
from transcription.options import TranscriptionOptions

ASR_CACHE = GENERATED / "mono_speakers"

# (agent voice, customer voice, line): voice specs as in tests/support/scenarios_varied.py
# ("engine:name@rate^cents"); line "clean" (16 kHz mix) or "phone" (a telephone line each).
# Mixed-gender, same-gender and cross-engine pairs in both pools.
VoicePair = tuple[str, str, str]
DEV_PAIRS: tuple[VoicePair, ...] = (
    ("espeak:en-us+m3@1.00", "espeak:en-us+f3@1.00", "clean"),
    ("espeak:en-gb+m4@1.00", "espeak:en-us+m1@1.05", "clean"),  # two men
    ("espeak:en-us+f2@1.00", "espeak:en-us+f4@0.95", "phone"),  # two women
    ("piper:joe@1.00", "festival:slt@1.00", "phone"),
    ("piper:joe@1.00", "piper:joe@0.95^-300", "phone"),  # one man pitched down
    ("festival:slt@1.00", "festival:slt@1.05^-200", "clean"),
    ("espeak:en-029+m2@1.00", "piper:joe@1.05", "clean"),  # two men, two engines
    ("festival:slt@0.95", "espeak:en-us+f3@1.00", "phone"),  # two women, two engines
    ("piper:joe@1.10", "espeak:en-gb-x-rp+m2@1.00", "phone"),
    ("espeak:en-us+m3@1.00", "espeak:en-us+m3@1.00", "clean"),  # ONE voice: expect unknown
    ("piper:joe@1.00", "piper:joe@1.00", "phone"),  # ONE voice
    ("festival:slt@1.00", "festival:slt@1.00", "clean"),  # ONE voice
)
# Fixed before development; measured once at the start (old code) and once at the end.
UNSEEN_PAIRS: tuple[VoicePair, ...] = (
    ("espeak:en-us+m7@1.00", "espeak:en-us+f1@1.00", "clean"),
    ("espeak:en-gb-x-rp+m6@1.00", "espeak:en-us+m5@0.95", "clean"),  # two men
    ("espeak:en-us+f5@1.00", "festival:slt@1.00^150", "phone"),  # two women
    ("festival:kal@1.00", "piper:joe@1.00^200", "phone"),  # two men
    ("piper:joe@0.90^-150", "festival:slt@1.05^-350", "phone"),
    ("espeak:en-029+m7@1.00", "festival:kal@0.95", "clean"),  # two men
    ("festival:slt@1.10^100", "espeak:en-us+Andy@1.00", "phone"),
    ("espeak:en-us+Linda@1.00", "piper:joe@1.00^-450", "clean"),
)
POOLS = {"dev": DEV_PAIRS, "unseen": UNSEEN_PAIRS}

# Real mono recordings with hand-made turn labels (bench/data/mono_real/README.md). Roles are
# meaningful only on the service call; on the play "voices apart" is the number to read.
REAL_LABELS = REPO / "bench" / "data" / "mono_real"
SHARED = REPO.parent / "shared" / "data"


def real_calls() -> list[tuple[str, str, list[RenderedTurn], Path]]:
    """(name, speakers, labelled turns, audio) of the real mono recordings that are here."""
    import importlib.util

    found = []
    aws = sorted((SHARED / "audio_aws_pca_samples").glob("*.wav"))
    if aws:
        found.append(("aws-pca-auto0", "real call, 8 kHz", "aws_pca_auto0", aws[0]))
    spec = importlib.util.find_spec("moonshine_voice")
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        play = root / "assets" / "endgame_nagg_nell.wav"
        if play.exists():
            found.append(("endgame", "actors, play (roles n/a)", "endgame_nagg_nell", play))
    out = []
    for name, what, labels, path in found:
        turns = []
        for line in (REAL_LABELS / f"{labels}.turns.tsv").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                start, end, speaker, text = line.split("\t", 3)
                turns.append(RenderedTurn(speaker, text, float(start), float(end)))
        out.append((name, what, turns, path))
    return out


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
    """One voice for both roles (the same spec twice): every word's right answer is
    ``unknown``, since no voice can tell the speakers apart."""
    s = CallScore(name, voices)
    one_voice = " = " in voices
    names = sorted({t.speaker for t in turns} - {"agent", "customer", "?"})
    rename = dict(zip(names, ("agent", "customer"), strict=False))  # a play: roles n/a
    for seg in tr.segments:
        owners: Counter[str] = Counter()
        for w in seg.words:
            who, in_pause = true_speaker(turns, (w.start + w.end) / 2)
            if who == "?":
                continue  # the labeller was not sure: left out
            who = rename.get(who, who)
            if one_voice:
                who = "unknown"
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


def render_pair(s: VariedScenario, pair: VoicePair, out_dir: Path) -> RenderedCall:
    """``s`` spoken by ``pair``, as a mono call (cached in ``out_dir``)."""
    agent, customer, line = pair
    s = replace(s, voices={"agent": agent, "customer": customer})
    if line == "phone":
        return render_varied(s, out_dir, layout="mono")[0]
    key = cache_key(s.events, sorted(s.voices.items()), "clean-mono", CLEAN_RATE)
    wav = out_dir / f"{s.name}-clean-{key}.wav"
    meta = wav.with_suffix(".json")
    if wav.exists() and meta.exists():
        data = json.loads(meta.read_text())
        turns = [RenderedTurn(*t) for t in data["turns"]]
        return RenderedCall(wav, turns, data["duration_s"], 1, CLEAN_RATE)
    out_dir.mkdir(parents=True, exist_ok=True)
    with repeatable_sox():
        call = render_call(
            list(s.events),
            wav,
            stereo=False,
            sample_rate=CLEAN_RATE,
            speak=speak_varied,
            voices=dict(s.voices),
        )
    turns_json = [[t.speaker, t.text, t.start, t.end] for t in call.turns]
    meta.write_text(json.dumps({"turns": turns_json, "duration_s": call.duration_s}))
    return call


def pool_calls(pool: str, n: int, seed: int) -> list[tuple[str, str, RenderedCall]]:
    """(name, voices, rendered call) for ``n`` scenarios per pair of the pool."""
    pairs = POOLS[pool]
    scenarios = varied_scenarios("dev" if pool == "dev" else "unseen", n * len(pairs), seed)
    out = []
    for i, pair in enumerate(pairs):
        for k in range(n):
            sc = scenarios[i * n + k]
            call = render_pair(sc, pair, RENDER_CACHE / "mono_pairs")
            short = " / ".join(v.split("@")[0] + v.partition("@")[2][4:] for v in pair[:2])
            if pair[0] == pair[1]:
                short = f"{short.split(' / ')[0]} = same"
            out.append((f"{pool}-p{i:02d}-{k}", f"{short} {pair[2]}", call))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voices", choices=["holdout", *POOLS, "real"], default="holdout")
    ap.add_argument("--n", type=int, default=None, help="calls (holdout: 16; pools: 1 per pair)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--method",
        choices=["auto", "frames"],
        default="auto",
        help="frames: force the numpy fallback (the method before voiceprints)",
    )
    ap.add_argument("--reuse-asr", action="store_true", help="replay cached Whisper output")
    ap.add_argument("--json", type=Path, help="write per-call and overall numbers here")
    args = ap.parse_args(argv)
    print(machine_line())
    if args.method == "frames":
        speakers.voiceprint.available = lambda: False  # type: ignore[assignment]
    scores = []
    if args.voices == "holdout":
        calls = []
        for sc in holdout_scenarios(args.n or 16, args.seed):
            rendered, _ = render_scenario(sc, RENDER_CACHE, stereo=False)
            calls.append((sc.name, f"{sc.voices['agent']} / {sc.voices['customer']}", rendered))
    elif args.voices != "real":
        calls = pool_calls(args.voices, args.n or 1, args.seed)
    jobs = (
        real_calls()
        if args.voices == "real"
        else [(name, voices, r.turns, r.path) for name, voices, r in calls]
    )
    for name, voices, turns, path in jobs:
        scores.append(run_call(name, voices, turns, path, args.reuse_asr))
        print(f"  {name}: {scores[-1].accuracy:.1%}", file=sys.stderr, flush=True)
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
