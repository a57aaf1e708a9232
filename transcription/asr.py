"""What an ASR engine returns, and its interface: plain data, no model runtime imported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class AsrWord:
    start: float
    end: float
    word: str  # as the engine spells it, leading space included
    probability: float


@dataclass(frozen=True)
class AsrSegment:
    """One engine segment (not a turn: it may run across a long silence)."""

    start: float
    end: float
    text: str
    words: tuple[AsrWord, ...]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


class AsrEngine(Protocol):
    name: str
    model_name: str

    def transcribe(self, samples: np.ndarray) -> list[AsrSegment]:
        """Transcribe one channel: float32 mono samples at 16 kHz."""
        ...
