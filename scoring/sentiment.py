"""Turn sentiment: a lexicon model combined with the project's own cue sets.

VADER (the PyPI package ``vaderSentiment``, lexicon shipped inside it, no network) reads word
valence well but misses what matters most on a call: it scored only 2 of 7 unhappy closings
negative and "Great, just great" strongly positive (MEASURED.md). So a turn that hits one of the
negative cue sets (frustration, dissatisfaction, sarcasm), outside a veto ("no worries"), is
forced negative whatever the lexicon says; and a turn with sarcasm never counts as positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from scoring.cues import CueBook, default_book
from scoring.timeline import Utterance

CUE_SCORE = -0.6  # a turn with a negative cue is at most this
SUBSTANTIVE_WORDS = 3  # shorter neutral turns ("okay", "yes please") carry no sentiment
DROP = 0.6  # a fall this large between consecutive turns is a "sharp drop" moment
NEGATIVE = -0.45  # ... when it lands at or below this


class _Analyzer(Protocol):
    def polarity_scores(self, text: str) -> dict[str, float]: ...


@cache
def _analyzer() -> _Analyzer | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:  # the cue sets still work; the rationale says so
        return None
    analyzer: _Analyzer = SentimentIntensityAnalyzer()
    return analyzer


def lexicon_available() -> bool:
    return _analyzer() is not None


@dataclass(frozen=True)
class TurnSentiment:
    utt: Utterance
    score: float  # -1 .. 1
    lexicon: float  # VADER compound alone
    cue: str  # the matched negative cue, or ""

    @property
    def substantive(self) -> bool:
        return (
            self.cue != ""
            or abs(self.score) >= 0.05
            or len(self.utt.norm.split()) >= (SUBSTANTIVE_WORDS)
        )


def score_turn(
    utt: Utterance,
    *,
    negative_sets: Sequence[str] = ("frustration", "dissatisfaction", "sarcasm"),
    veto_sets: Sequence[str] = ("frustration_veto",),
    book: CueBook | None = None,
) -> TurnSentiment:
    book = book or default_book()
    analyzer = _analyzer()
    lex = analyzer.polarity_scores(utt.text)["compound"] if analyzer is not None else 0.0
    negative = book.sets(n for n in negative_sets if n != "sarcasm")
    sarcasm = book.sets(n for n in negative_sets if n == "sarcasm")
    norm = utt.norm
    score = lex
    cue = ""
    m = book.search(sarcasm, norm, negatable=False)
    if m is not None:
        cue = m.group(0)
        score = min(CUE_SCORE, -abs(lex))
    elif not book.any(veto_sets, norm, negatable=False):
        m = book.search(negative, norm, negatable=False)
        if m is not None:
            cue = m.group(0)
            score = min(score, CUE_SCORE)
    return TurnSentiment(utt, round(float(score), 3), round(float(lex), 3), cue)


def score_turns(
    utts: Sequence[Utterance],
    *,
    negative_sets: Sequence[str] = ("frustration", "dissatisfaction", "sarcasm"),
    veto_sets: Sequence[str] = ("frustration_veto",),
    book: CueBook | None = None,
) -> list[TurnSentiment]:
    return [
        score_turn(u, negative_sets=negative_sets, veto_sets=veto_sets, book=book) for u in utts
    ]


@dataclass(frozen=True)
class Trajectory:
    turns: tuple[TurnSentiment, ...]  # substantive turns only, in call order
    start: float
    end: float
    worst: TurnSentiment

    @property
    def change(self) -> float:
        return self.end - self.start


def trajectory(turns: Sequence[TurnSentiment], edge_turns: int = 2) -> Trajectory | None:
    """Mean of the first and last ``edge_turns`` substantive turns, and the worst turn."""
    subs = tuple(t for t in turns if t.substantive)
    if not subs:
        return None
    head = subs[:edge_turns]
    tail = subs[-edge_turns:]
    start = sum(t.score for t in head) / len(head)
    # The last words weigh most: a call that ends "forget it" ended badly.
    weights = list(range(1, len(tail) + 1))
    end = sum(w * t.score for w, t in zip(weights, tail, strict=True)) / sum(weights)
    worst = min(subs, key=lambda t: t.score)
    return Trajectory(subs, round(start, 3), round(end, 3), worst)


def sharp_drops(
    turns: Sequence[TurnSentiment], drop: float = DROP
) -> list[tuple[TurnSentiment, float]]:
    """Turns where sentiment falls to ``NEGATIVE`` or below, by ``DROP`` or more from the
    previous substantive turn (a call that opens upset has no drop until it recovers and falls
    again): the start of each negative episode, with the size of the fall."""
    out: list[tuple[TurnSentiment, float]] = []
    prev: float | None = None
    for t in turns:
        if not t.substantive:
            continue
        if prev is not None and t.score <= NEGATIVE and prev - t.score >= drop:
            out.append((t, round(prev - t.score, 2)))
        prev = t.score
    return out
