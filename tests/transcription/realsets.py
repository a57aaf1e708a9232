"""The real recordings in ../shared/data with their references, and WER with number
normalisation ("press 1" = "press one"). Shared by the tests and bench/transcription_bench.py."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
JFK = SHARED_DATA / "audio_whisper_jfk" / "jfk.flac"
JFK_REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
AZURE_DIR = SHARED_DATA / "audio_azure_speech_sdk"
ASTERISK_DIR = SHARED_DATA / "audio_asterisk_ivr_prompts_8k"
# The vendor reference matches katiesteve_mono.wav (19 s, five turns); katiesteve.wav (29 s) is
# another conversation with no reference.
KATIESTEVE = AZURE_DIR / "katiesteve_mono.wav"
AWS_CALL = next(iter(sorted((SHARED_DATA / "audio_aws_pca_samples").glob("*.wav"))), None)

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _say(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + _say(rest))
    return " ".join(_ONES[int(d)] for d in str(n))


def normalise(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("#", " pound ")
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"\d+", lambda m: " " + _say(int(m.group())) + " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    return text.split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def wer(reference: str, hypothesis: str) -> float:
    ref = normalise(reference)
    return edit_distance(ref, normalise(hypothesis)) / max(1, len(ref))


def corpus_wer(pairs: list[tuple[str, str]]) -> float:
    """Total edits / total reference words over (reference, hypothesis) pairs."""
    edits = sum(edit_distance(normalise(r), normalise(h)) for r, h in pairs)
    return edits / max(1, sum(len(normalise(r)) for r, _ in pairs))


@dataclass(frozen=True)
class Item:
    path: Path
    reference: str


def azure_set() -> Item:
    folder = AZURE_DIR / "customspeech_en-US_general_testing"
    line = (folder / "trans.txt").read_text(encoding="utf-8-sig").strip()
    name, _, text = line.partition("\t")
    return Item(folder / name, text)


def asterisk_set(limit: int | None = None) -> list[Item]:
    with (ASTERISK_DIR / "references.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    items = [
        Item(ASTERISK_DIR / "wav" / r["file"], r["reference_text_verbatim_from_core-sounds-en.txt"])
        for r in rows
    ]
    return items[:limit] if limit else items


def katiesteve_reference() -> list[tuple[str, str]]:
    """(speaker label, text) turns of the vendor's diarized output."""
    out = []
    for line in (AZURE_DIR / "katiesteve.reference.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            label, _, text = line.partition("\t")
            out.append((label.strip(), text.strip()))
    return out
