"""The real recordings in ../shared/data with their references, and WER with number
normalisation ("press 1" = "press one"). Shared by the tests and bench/transcription_bench.py."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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


# Written abbreviations as the reference (read speech) spells them out.
_SPOKEN = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


# Hesitations that Whisper leaves out by design (Whisper's own English normaliser drops them).
FILLERS = frozenset({"um", "uh", "umm", "uhm", "hmm", "mm", "mhm", "hm", "er", "ah"})


def normalized_words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("#", " pound ")
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"\d+", lambda m: " " + _say(int(m.group())) + " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    return [_SPOKEN.get(w, w) for w in text.split()]


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def wer(reference: str, hypothesis: str) -> float:
    ref = normalized_words(reference)
    return edit_distance(ref, normalized_words(hypothesis)) / max(1, len(ref))


def corpus_wer(pairs: list[tuple[str, str]], *, drop_fillers: bool = False) -> float:
    """Total edits / total reference words over (reference, hypothesis) pairs; with
    ``drop_fillers``, hesitations ("um", "uh", "mm") are left out of both sides."""

    def words(text: str) -> list[str]:
        found = normalized_words(text)
        return [w for w in found if w not in FILLERS] if drop_fillers else found

    edits = sum(edit_distance(words(r), words(h)) for r, h in pairs)
    return edits / max(1, sum(len(words(r)) for r, _ in pairs))


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


# Real read speech with human references: five LibriVox clips (24.7 s, one reader, 16 kHz) in
# Debian's pocketsphinx-testdata.
LIBRIVOX_DIR = Path("/usr/share/pocketsphinx/test/data/librivox")
LIBRIVOX_PACKAGE = "pocketsphinx-testdata"


def librivox_set() -> list[Item]:
    """The clips with their references (empty when the Debian package is not installed)."""
    refs = LIBRIVOX_DIR / "transcription"
    if not refs.is_file():
        return []
    items = []
    for line in refs.read_text().splitlines():
        m = re.fullmatch(r"\s*<s>(.*)</s>\s*\((\S+)\)\s*", line)
        if m and (LIBRIVOX_DIR / f"{m.group(2)}.wav").is_file():
            items.append(Item(LIBRIVOX_DIR / f"{m.group(2)}.wav", m.group(1).strip()))
    return items


def telephone(
    x: np.ndarray, sample_rate: int, *, snr_db: float = 20.0, seed: int = 0
) -> np.ndarray:
    """A fixed telephone channel: to 8 kHz, band-pass 300–3400 Hz, line noise at ``snr_db``
    (against the speech's RMS), G.711 µ-law encode/decode. Returns float32 at 8 kHz."""
    from scipy import signal

    y = signal.resample_poly(np.asarray(x, dtype=np.float64), 8000, sample_rate)
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    y = signal.sosfilt(sos, y)
    y *= 0.3 / max(1e-9, float(np.max(np.abs(y))))  # telephone level, headroom for noise
    rms = float(np.sqrt(np.mean(y**2)))
    noise = np.random.default_rng(seed).standard_normal(len(y))
    y += (
        signal.sosfilt(sos, noise)
        * rms
        / 10 ** (snr_db / 20)
        / max(1e-9, float(np.sqrt(np.mean(signal.sosfilt(sos, noise) ** 2))))
    )
    y = np.clip(y, -1.0, 1.0)
    mu = 255.0  # G.711 µ-law: 8-bit companded codes, then expanded back
    code = np.round(np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu) * 127.0) / 127.0
    return (np.sign(code) * np.expm1(np.abs(code) * np.log1p(mu)) / mu).astype(np.float32)


def write_wav(path: Path, x: np.ndarray, sample_rate: int) -> Path:
    """16-bit PCM WAV, mono ``[n]`` or ``[channels, n]``."""
    import wave

    arr = np.atleast_2d(np.asarray(x, dtype=np.float32))
    pcm = (np.clip(arr.T, -1.0, 1.0) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(arr.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    import wave

    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, w.getframerate()
