"""Plain data that flows out of transcription and into scoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Speaker = Literal["agent", "customer", "unknown"]
SPEAKERS: tuple[Speaker, ...] = ("agent", "customer", "unknown")


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    """One speaker turn (re-cut at word gaps, never spanning a long silence)."""

    start: float
    end: float
    speaker: Speaker
    text: str
    words: tuple[Word, ...] = ()
    speaker_confidence: float = 1.0
    channel: int | None = None
    # Whisper's own signals; None for transcripts that came from text files.
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None


@dataclass(frozen=True)
class AudioInfo:
    duration_s: float
    channels: int
    sample_rate: int
    codec: str = ""


@dataclass(frozen=True)
class Transcript:
    engine: str
    model: str
    segments: tuple[Segment, ...]
    audio: AudioInfo | None = None
    language: str = "en"
    # How the speakers were assigned: "channel", "mono-clustering", "text-labels", ...
    speaker_method: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def duration_s(self) -> float:
        if self.audio is not None:
            return self.audio.duration_s
        return max((s.end for s in self.segments), default=0.0)
