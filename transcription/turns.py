"""Whisper segments are not turns: one can run across a 13 s silence (measured). Re-cut the
words of one channel wherever speech pauses, and time each turn by its first and last word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transcription.asr import AsrSegment, AsrWord
from transcription.types import Segment, Speaker, Word

TURN_GAP_S = 1.0  # a pause this long ends a turn (dead-air checks start at 10 s)
# Mono calls: speakers change after pauses of ~0.3-0.8 s, so cut finer "units" first, label
# each unit, then join neighbours with the same speaker back into turns.
UNIT_GAP_S = 0.5
_SENTENCE_END = re.compile(r"[.?!]['\")\]]*$")
# Onset snapping: Whisper puts the first word of a turn 0.1-0.4 s early (VAD pads speech by
# 400 ms) or up to ~0.25 s late (measured on generated calls). Move it to where the sound rises.
ONSET_DB = -30.0  # relative to the channel's p95 frame level
FRAME_S = 0.01
LOOKBACK_FRAMES = 40  # never move a start more than 0.4 s earlier
QUIET_FRAMES = 8  # an onset follows >= 80 ms of quiet (shorter dips are inside speech)


@dataclass(frozen=True)
class Piece:
    """A run of words from one channel, with the scores of the segments they came from."""

    words: tuple[AsrWord, ...]
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


def _piece(words: Sequence[AsrWord], scores: Sequence[tuple[float, float, float]]) -> Piece:
    # Scores are word-weighted means over the source segments (each word carries its own).
    arr = np.asarray(scores, dtype=np.float64).mean(axis=0)
    return Piece(
        words=tuple(words),
        start=words[0].start,
        end=max(w.end for w in words),
        text="".join(w.word for w in words).strip(),
        avg_logprob=float(arr[0]),
        no_speech_prob=float(arr[1]),
        compression_ratio=float(arr[2]),
    )


def cut(
    segments: Sequence[AsrSegment], *, max_gap: float, at_sentences: bool = False
) -> list[Piece]:
    """Split the channel's word stream at pauses >= ``max_gap`` (and, for mono units, also at
    sentence ends and segment boundaries). Segments without words stay whole."""
    pieces: list[Piece] = []
    words: list[AsrWord] = []
    scores: list[tuple[float, float, float]] = []

    def flush() -> None:
        if words:
            pieces.append(_piece(words, scores))
            words.clear()
            scores.clear()

    for seg in segments:
        s = (seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)
        if not seg.words:
            flush()
            pieces.append(Piece((), seg.start, seg.end, seg.text, s[0], s[1], s[2]))
            continue
        if at_sentences:
            flush()
        for w in seg.words:
            if words:
                gap = w.start - words[-1].end
                ends_sentence = bool(_SENTENCE_END.search(words[-1].word.strip()))
                if gap >= max_gap or (at_sentences and ends_sentence):
                    flush()
            words.append(w)
            scores.append(s)
    flush()
    return pieces


def join(pieces: Sequence[Piece]) -> Piece:
    words = [w for p in pieces for w in p.words]
    if not words:
        return Piece(
            (),
            pieces[0].start,
            pieces[-1].end,
            " ".join(p.text for p in pieces),
            pieces[0].avg_logprob,
            pieces[0].no_speech_prob,
            pieces[0].compression_ratio,
        )
    scores = [
        (p.avg_logprob, p.no_speech_prob, p.compression_ratio) for p in pieces for _ in p.words
    ]
    return _piece(words, scores)


class OnsetSnapper:
    """Moves a turn's first word start to the nearest sound onset (energy rising above
    ONSET_DB under the channel's speech level after >= 80 ms of quiet, at most 0.4 s earlier or
    inside the word), and its last word end back to the last loud frame inside that word.
    A noisy channel (no quiet frames) leaves times as they are."""

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        hop = max(1, int(sample_rate * FRAME_S))
        n = len(samples) // hop
        frames = samples[: n * hop].reshape(n, hop).astype(np.float64)
        self.rms = np.sqrt((frames**2).mean(axis=1)) if n else np.zeros(1)
        level = float(np.percentile(self.rms, 95)) if n else 0.0
        self.threshold = level * 10 ** (ONSET_DB / 20)

    def _onset(self, word: AsrWord) -> float | None:
        """The sound onset nearest the word's start, within 0.4 s before it or inside the
        word: a loud frame after at least QUIET_FRAMES quiet ones. None if there is none."""
        a = round(word.start / FRAME_S)
        b = max(a + 1, int(np.ceil(word.end / FRAME_S)))
        lo = max(0, a - LOOKBACK_FRAMES - QUIET_FRAMES)
        quiet = self.rms[lo:b] <= self.threshold
        if quiet.size <= QUIET_FRAMES:
            return None
        # Frame i is an onset when it is loud and the QUIET_FRAMES before it are all quiet.
        run = np.convolve(quiet.astype(int), np.ones(QUIET_FRAMES, dtype=int))[: quiet.size]
        idx = np.arange(QUIET_FRAMES, quiet.size)
        onsets = idx[~quiet[idx] & (run[idx - 1] == QUIET_FRAMES)] + lo
        onsets = onsets[onsets >= a - LOOKBACK_FRAMES]
        if onsets.size == 0:
            return None
        return float(onsets[np.argmin(np.abs(onsets - a))]) * FRAME_S

    def __call__(self, piece: Piece) -> Piece:
        if not piece.words or self.threshold <= 0:
            return piece
        first, last = piece.words[0], piece.words[-1]
        loud = np.nonzero(self.rms > self.threshold)[0]
        onset = self._onset(first)
        start = first.start if onset is None else onset
        a, b = int(last.start / FRAME_S), int(np.ceil(last.end / FRAME_S))
        inside = loud[(loud >= a) & (loud < b)]
        end = last.end
        if inside.size:
            end = min(last.end, max((inside[-1] + 1) * FRAME_S, start + 0.05))
        if abs(start - first.start) < 1e-6 and end == last.end:
            return piece
        words = list(piece.words)
        words[0] = AsrWord(round(start, 3), max(first.end, start), first.word, first.probability)
        if len(words) == 1:
            words[0] = AsrWord(
                words[0].start, max(words[0].start, end), first.word, first.probability
            )
        else:
            words[-1] = AsrWord(last.start, max(last.start, end), last.word, last.probability)
        return Piece(
            tuple(words),
            words[0].start,
            max(w.end for w in words),
            piece.text,
            piece.avg_logprob,
            piece.no_speech_prob,
            piece.compression_ratio,
        )


def to_segment(
    piece: Piece, *, speaker: Speaker, channel: int | None, confidence: float
) -> Segment:
    return Segment(
        start=round(float(piece.start), 3),  # plain floats: numpy scalars leak from snapping
        end=round(float(piece.end), 3),
        speaker=speaker,
        text=piece.text,
        words=tuple(
            Word(
                round(float(w.start), 3),
                round(float(w.end), 3),
                w.word.strip(),
                round(float(w.probability), 4),
            )
            for w in piece.words
        ),
        speaker_confidence=round(confidence, 3),
        channel=channel,
        avg_logprob=round(piece.avg_logprob, 4),
        no_speech_prob=round(piece.no_speech_prob, 4),
        compression_ratio=round(piece.compression_ratio, 4),
    )
