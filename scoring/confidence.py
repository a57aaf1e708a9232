"""Confidence that follows the evidence: a verdict resting on words the recogniser was unsure of
(``Word.probability``) or on a turn whose speaker label is a guess (``Segment.speaker_confidence``,
0.5 = either voice) is pulled toward 0.5, a coin flip, in proportion to how unsure they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.types import Evidence
from transcription.types import Transcript

P_LOW, P_HIGH = 0.35, 0.85  # mean word probability: at or below P_LOW no trust, P_HIGH full
S_LOW, S_HIGH = 0.5, 0.9  # speaker confidence: 0.5 is a guess
DEFAULT_REVIEW_THRESHOLD = 0.6
# A critical fail (which zeroes the call) publishes only this sure; under it, it waits for a human.
DEFAULT_CRITICAL_THRESHOLD = 0.9


@dataclass(frozen=True)
class EvidenceQuality:
    words: float  # 0..1 trust in the words (1 when no word probabilities)
    speaker: float  # 0..1 trust in the speaker labels
    mean_probability: float | None
    min_speaker_confidence: float | None

    @property
    def trust(self) -> float:
        return min(self.words, self.speaker)

    def note(self) -> str:
        parts = []
        if self.words < 1.0 and self.mean_probability is not None:
            parts.append(f"mean word probability {self.mean_probability:.2f}")
        if self.speaker < 1.0 and self.min_speaker_confidence is not None:
            parts.append(f"speaker label confidence {self.min_speaker_confidence:.2f}")
        return ", ".join(parts)


def _scale(x: float, lo: float, hi: float) -> float:
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


def evidence_quality(transcript: Transcript, evidence: Sequence[Evidence]) -> EvidenceQuality:
    """Trust in the spoken evidence (silence evidence, "[...]", is measured, not heard)."""
    probs: list[float] = []
    spk: list[float] = []
    for ev in evidence:
        if ev.text.startswith("["):
            continue
        for seg in transcript.segments:
            if seg.end < ev.start - 0.01 or seg.start > ev.end + 0.01:
                continue
            if ev.speaker in ("agent", "customer") and seg.speaker != ev.speaker:
                continue
            spk.append(seg.speaker_confidence)
            probs += [
                w.probability
                for w in seg.words
                if w.end >= ev.start - 0.01 and w.start <= ev.end + 0.01
            ]
    mean_p = sum(probs) / len(probs) if probs else None
    min_s = min(spk) if spk else None
    return EvidenceQuality(
        words=_scale(mean_p, P_LOW, P_HIGH) if mean_p is not None else 1.0,
        speaker=_scale(min_s, S_LOW, S_HIGH) if min_s is not None else 1.0,
        mean_probability=mean_p,
        min_speaker_confidence=min_s,
    )


def call_quality(transcript: Transcript) -> EvidenceQuality:
    """Trust in the whole call's words and speakers, word by word: what a verdict that
    something was *not* said rests on (a question the recogniser garbled is a question the
    rules cannot find; a turn given to the wrong speaker is one they look for in vain)."""
    probs = [w.probability for s in transcript.segments for w in s.words]
    weights = [(max(len(s.words), 1), s.speaker_confidence) for s in transcript.segments]
    total = sum(n for n, _ in weights)
    mean_p = sum(probs) / len(probs) if probs else None
    mean_s = sum(n * c for n, c in weights) / total if total else None
    return EvidenceQuality(
        words=_scale(mean_p, P_LOW, P_HIGH) if mean_p is not None else 1.0,
        speaker=_scale(mean_s, S_LOW, S_HIGH) if mean_s is not None else 1.0,
        mean_probability=mean_p,
        min_speaker_confidence=mean_s,
    )


def adjust(confidence: float, quality: EvidenceQuality) -> float:
    return 0.5 + (confidence - 0.5) * quality.trust
