"""Is it a customer-service conversation? scoring/scorable.py on every real recording and text
call we have, with what each one really is, and the generated test scenarios as text.

    .venv/bin/python -m bench.scorability_real [--no-audio] [--holdout 80]

Audio is transcribed with the default engine (tiny.en), like the pipeline does. Prints one line
per item (expected, verdict, reason, confidence, service evidence) and the errors per set.
Exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
from collections.abc import Iterator
from pathlib import Path

from scoring import get_embedder
from scoring.scorable import assess
from tests.conftest import SHARED_DATA
from tests.support import realsets
from transcription import Transcript, load_transcript_file, transcribe_file
from transcription.types import Segment

Item = tuple[str, str, bool, Transcript]  # set, name, expected scorable, transcript


def _moonshine() -> Path | None:
    spec = importlib.util.find_spec("moonshine_voice")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "assets"


def audio_items() -> Iterator[Item]:
    for path in sorted((realsets.ASTERISK_DIR / "wav").glob("*.wav")):
        yield "asterisk IVR prompts", path.stem, False, transcribe_file(path)
    yield "speech / reading", "jfk", False, transcribe_file(realsets.JFK)
    custom = realsets.AZURE_DIR / "customspeech_en-US_general_testing" / "audio.wav"
    yield "speech / reading", "azure read speech", False, transcribe_file(custom)
    for name in ("katiesteve.wav", "katiesteve_mono.wav"):
        yield "dialogue, not service", name, False, transcribe_file(realsets.AZURE_DIR / name)
    assets = _moonshine()
    if assets is not None:
        yield (
            "dialogue, not service",
            "endgame",
            False,
            transcribe_file(assets / "endgame_nagg_nell.wav"),
        )
        yield "speech / reading", "two_cities", False, transcribe_file(assets / "two_cities.wav")
    if realsets.AWS_CALL is not None:
        yield "service calls", "aws dealership", True, transcribe_file(realsets.AWS_CALL)


def text_items(holdout: int) -> Iterator[Item]:
    dev = SHARED_DATA / "hvb_qa_dev"
    for sid in sorted(json.loads((dev / "labels.json").read_text())):  # never the held-out
        yield (
            "service calls",
            f"hvb {sid}",
            True,
            load_transcript_file(dev / "calls" / f"{sid}.json"),
        )
    abcd = json.loads(
        (SHARED_DATA / "abcd" / "abcd_dialogstudio_original_examples.json").read_text()
    )
    for conv in abcd if isinstance(abcd, list) else abcd.values():
        yield "service calls", f"abcd {conv['convo_id']}", True, _lines(conv["original"])
    from tests.support.scenarios import fixture_scenarios, holdout_scenarios
    from tests.support.synth import Turn

    scenarios = list(fixture_scenarios().values()) + holdout_scenarios(holdout)
    for sc in scenarios:
        turns = [(e.speaker, e.text) for e in sc.events if isinstance(e, Turn)]
        yield "generated scenarios (text)", sc.name, True, _lines(turns)


def _lines(turns: list[tuple[str, str]] | list[list[str]]) -> Transcript:
    segs, t = [], 0.0
    for speaker, text in turns:
        if speaker not in ("agent", "customer"):
            continue
        n = len(text.split())
        segs.append(Segment(t, t + n / 2.5, speaker, text))  # type: ignore[arg-type]
        t += n / 2.5 + 0.5
    return Transcript("text", "", tuple(segs), speaker_method="text-labels")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-audio", action="store_true", help="text sets only (no ASR)")
    ap.add_argument("--holdout", type=int, default=80, help="generated holdout scenarios")
    args = ap.parse_args()
    print(f"# {platform.node()} {platform.processor() or platform.machine()}")
    emb = get_embedder()
    errors: dict[str, list[int]] = {}
    items = [] if args.no_audio else list(audio_items())
    for kind, name, expected, transcript in [*items, *text_items(args.holdout)]:
        got = assess(transcript, embedder=emb)
        wrong = got.scorable != expected
        cell = errors.setdefault(kind, [0, 0])
        cell[0] += wrong
        cell[1] += 1
        print(
            f"{'WRONG ' if wrong else ''}{kind:28s} {name:34s} expected "
            f"{'scorable' if expected else 'not':8s} got {got.reason:20s} {got.confidence:.2f} "
            f"service share={got.signals.get('service_share', '-')}"
        )
    for kind, (wrong, n) in errors.items():
        print(f"{kind:28s} {n - wrong}/{n} right")


if __name__ == "__main__":
    main()
