"""Keep Whisper from putting words where nobody spoke.

Whisper invents text on silence, hold music and tones ("Thank you for watching.", "You",
repeated lines). VAD removes most of that before decoding; these checks catch the rest:

1. segment scores: drop a segment whose scores say "no speech" or "garbage";
2. known silence hallucinations: drop segments that are exactly such a phrase;
3. repetition loops: collapse an n-gram repeated many times in a row;
4. energy: drop words whose audio is digital silence (or far below the channel's speech level);
5. repeated lines: a segment that repeats the previous one word for word and is not confident.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from transcription.asr import AsrSegment, AsrWord

# Whisper's own fallback thresholds are no_speech > 0.6 with logprob < -1.0; calls are noisier
# than podcasts, so a "probably no speech" segment must also be merely average-confident.
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -0.7
MIN_AVG_LOGPROB = -1.5  # below this the text is mostly guesswork
MAX_COMPRESSION_RATIO = 2.4  # Whisper's own value: higher means repetitive text
# A word is "silent" if its loudest 20 ms frame is below -60 dBFS or 45 dB under the
# channel's speech level (p99 frame RMS); real speech is far above both.
SILENCE_DBFS = -60.0
RELATIVE_SILENCE_DB = -45.0
FRAME_S = 0.02
# A phrase repeated this many times in a row is a decoding loop, not speech.
LOOP_REPEATS = {1: 5, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3}

# Whole-segment texts Whisper is known to produce from silence or music (normalised).
SILENCE_HALLUCINATIONS = frozenset(
    {
        "thank you for watching",
        "thanks for watching",
        "thank you for watching and see you next time",
        "please subscribe",
        "like and subscribe",
        "subscribe to my channel",
        "thank you for watching please subscribe",
        "subtitles by the amara org community",
        "transcription by castingwords",
        "yes nothing is higher than that",
        "music",
        "applause",
        "silence",
    }
)
# Short fillers Whisper also emits on silence; dropped only when the segment looks unsure.
WEAK_FILLERS = frozenset({"you", "bye", "thank you", "okay", "oh", "uh", "um", "hmm", "so"})


def normalize(text: str) -> str:
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'"))
    return " ".join(text.replace("'", "").split())


def _rebuild_text(words: Sequence[AsrWord]) -> str:
    return "".join(w.word for w in words).strip()


def _frame_rms(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    hop = max(1, int(sample_rate * FRAME_S))
    n = len(samples) // hop
    if n == 0:
        return np.zeros(1, dtype=np.float32)
    frames = samples[: n * hop].reshape(n, hop).astype(np.float64)
    return np.sqrt((frames**2).mean(axis=1))


class EnergyGate:
    """Answers 'is there any sound under this time span?' for one channel."""

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        self.rms = _frame_rms(samples, sample_rate)
        level = float(np.percentile(self.rms, 99)) if self.rms.size else 0.0
        self.threshold = max(10 ** (SILENCE_DBFS / 20), level * 10 ** (RELATIVE_SILENCE_DB / 20))

    def peak(self, start: float, end: float) -> float:
        a = max(0, int(start / FRAME_S) - 2)  # +-40 ms: word times are approximate
        b = min(len(self.rms), int(np.ceil(end / FRAME_S)) + 2)
        return float(self.rms[a:b].max()) if b > a else 0.0

    def is_silent(self, start: float, end: float) -> bool:
        return self.peak(start, end) < self.threshold


def _scores_say_no_speech(seg: AsrSegment) -> bool:
    if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < NO_SPEECH_LOGPROB:
        return True
    return seg.avg_logprob < MIN_AVG_LOGPROB or seg.compression_ratio > MAX_COMPRESSION_RATIO


def _looks_unsure(seg: AsrSegment) -> bool:
    return seg.no_speech_prob > 0.4 or seg.avg_logprob < -0.8


def cut_loops(words: Sequence[AsrWord]) -> list[AsrWord]:
    """Collapse runs where an n-gram repeats LOOP_REPEATS[n]+ times in a row to one copy."""
    out = list(words)
    for n in sorted(LOOP_REPEATS, reverse=True):
        i = 0
        while i + n <= len(out):
            gram = [normalize(w.word) for w in out[i : i + n]]
            j = i + n
            while j + n <= len(out) and [normalize(w.word) for w in out[j : j + n]] == gram:
                j += n
            if (j - i) // n >= LOOP_REPEATS[n] and any(gram):
                del out[i + n : j]
            i += 1
    return out


def clean_segments(
    segments: Sequence[AsrSegment], samples: np.ndarray, sample_rate: int
) -> list[AsrSegment]:
    """Apply every guard to one channel's segments; returns what is left, text rebuilt."""
    gate = EnergyGate(samples, sample_rate)
    kept: list[AsrSegment] = []
    previous = ""
    for seg in segments:
        if _scores_say_no_speech(seg):
            continue
        text = normalize(seg.text)
        if not text or text in SILENCE_HALLUCINATIONS:
            continue
        if text in WEAK_FILLERS and (_looks_unsure(seg) or gate.is_silent(seg.start, seg.end)):
            continue
        if text == previous and len(text.split()) >= 2 and _looks_unsure(seg):
            continue
        if seg.words:
            words = [w for w in cut_loops(seg.words) if not gate.is_silent(w.start, w.end)]
            if not words:
                continue
            seg = replace(
                seg,
                words=tuple(words),
                text=_rebuild_text(words),
                start=words[0].start,
                end=words[-1].end,
            )
        elif gate.is_silent(seg.start, seg.end):
            continue
        kept.append(seg)
        previous = text
    return kept
