"""Turns, speech intervals, silences, holds and overlaps, computed from word times.

Whisper segments are not turns: one segment can run across a long silence. So turns are re-cut
at word gaps, and silence is measured on the union of both speakers' words, with any single word
longer than ``_LONG_WORD_S`` (a timestamp stretched over silence) counted only at its edges.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from scoring.text import is_negated, is_question, normalize
from transcription.types import Segment, Transcript

TURN_GAP_S = 1.2  # a word gap this long inside a segment starts a new turn
_LONG_WORD_S = 2.0
_LONG_WORD_EDGE_S = 0.6
_MERGE_S = 0.05


@dataclass(frozen=True)
class Utterance:
    """A turn: consecutive words of one speaker with no gap of ``TURN_GAP_S`` or more."""

    index: int
    start: float
    end: float
    speaker: str
    text: str
    words: tuple[tuple[float, float, str], ...] = ()

    @property
    def norm(self) -> str:
        return normalize(self.text)

    def sentence_of(self, clause: str) -> tuple[float, float, str]:
        """The sentence (by the words' own punctuation and times) that holds ``clause``, so
        evidence points at what was said rather than at a whole run-on turn."""
        sentences = _sentences(self.words)
        if len(sentences) <= 1:
            return self.start, self.end, self.text
        target = set(normalize(clause).split())
        best = max(
            sentences,
            key=lambda ws: len(target & set(normalize(_join_words([w for _, _, w in ws])).split())),
        )
        return best[0][0], best[-1][1], _join_words([w for _, _, w in best])


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def _join_words(words: Sequence[str]) -> str:
    text = "".join(w if w.startswith(" ") else " " + w for w in words)
    return re.sub(r"\s+", " ", text).strip()


def _sentences(
    words: Sequence[tuple[float, float, str]],
) -> list[list[tuple[float, float, str]]]:
    out: list[list[tuple[float, float, str]]] = [[]]
    for w in words:
        out[-1].append(w)
        if w[2].rstrip().endswith((".", "?", "!")):
            out.append([])
    return [ws for ws in out if ws]


WordTimes = tuple[tuple[float, float, str], ...]


def _split_segment(seg: Segment) -> list[tuple[float, float, str, WordTimes]]:
    if not seg.words:
        text = seg.text.strip()
        return [(seg.start, seg.end, text, ())] if text else []
    pieces: list[list[tuple[float, float, str]]] = [[]]
    prev_end: float | None = None
    for w in seg.words:
        if prev_end is not None and w.start - prev_end >= TURN_GAP_S and pieces[-1]:
            pieces.append([])
        pieces[-1].append((w.start, w.end, w.word))
        prev_end = w.end
    out = []
    for p in pieces:
        text = _join_words([w for _, _, w in p])
        if text:
            out.append((p[0][0], p[-1][1], text, tuple(p)))
    return out


def utterances(transcript: Transcript) -> list[Utterance]:
    raw: list[tuple[float, float, str, str, WordTimes]] = []
    for seg in transcript.segments:
        for start, end, text, words in _split_segment(seg):
            raw.append((start, end, seg.speaker, text, words))
    raw.sort(key=lambda r: (r[0], r[1]))
    return [Utterance(i, s, e, spk, t, w) for i, (s, e, spk, t, w) in enumerate(raw)]


def _word_spans(seg: Segment) -> Iterable[tuple[float, float]]:
    if not seg.words:
        yield seg.start, seg.end
        return
    for w in seg.words:
        if w.end - w.start > _LONG_WORD_S:
            yield w.start, w.start + _LONG_WORD_EDGE_S
            yield w.end - _LONG_WORD_EDGE_S, w.end
        else:
            yield w.start, w.end


def merge(spans: Iterable[tuple[float, float]], tolerance: float = _MERGE_S) -> list[Span]:
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + tolerance:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [Span(s, e) for s, e in out]


def speech(transcript: Transcript, speakers: Iterable[str] | None = None) -> list[Span]:
    wanted = set(speakers) if speakers is not None else None
    spans = [
        sp
        for seg in transcript.segments
        if wanted is None or seg.speaker in wanted
        for sp in _word_spans(seg)
    ]
    return merge(spans)


def silences(transcript: Transcript, min_s: float) -> list[Span]:
    """Gaps of at least ``min_s`` between any speech (either speaker), inside the call."""
    sp = speech(transcript)
    return [Span(a.end, b.start) for a, b in itertools.pairwise(sp) if b.start - a.end >= min_s]


def overlaps(transcript: Transcript, min_s: float) -> list[Span]:
    """Spans where agent and customer speak at once for at least ``min_s``."""
    agent = speech(transcript, ["agent"])
    customer = speech(transcript, ["customer"])
    out: list[Span] = []
    i = j = 0
    while i < len(agent) and j < len(customer):
        s = max(agent[i].start, customer[j].start)
        e = min(agent[i].end, customer[j].end)
        if e - s >= min_s:
            out.append(Span(s, e))
        if agent[i].end < customer[j].end:
            i += 1
        else:
            j += 1
    return out


def matches(patterns: Iterable[re.Pattern[str]], norm: str, *, negatable: bool) -> re.Match[str]:
    """First pattern match in ``norm`` that is not negated (when ``negatable``); raises
    LookupError when none."""
    for p in patterns:
        for m in p.finditer(norm):
            if negatable and is_negated(norm, m.start()):
                continue
            return m
    raise LookupError


def first_match(
    patterns: Iterable[re.Pattern[str]], norm: str, *, negatable: bool = True
) -> re.Match[str] | None:
    try:
        return matches(patterns, norm, negatable=negatable)
    except LookupError:
        return None


# Turns this short between an announcement and the silence ("okay", "sure, no problem") keep
# the announcement in force.
ACK_MAX_WORDS = 4
# A question this short after an announcement is a tag asking leave, not a new subject.
TAG_QUESTION_WORDS = 3
# The customer's reply to a hold ("Yes, I'll hang on, no problem") may run a little longer.
CUSTOMER_ACK_MAX_WORDS = 6


@dataclass(frozen=True)
class Hold:
    announcement: Utterance
    span: Span


def _moves_on(
    u: Utterance,
    is_announcement: Callable[[Utterance], bool],
    asks_leave: Callable[[Utterance], bool] | None,
) -> bool:
    """The turn ends with a question that is neither the announcement itself ("Can I put you
    on hold?") nor a request for leave ("Is that all right?"): the agent asked the customer
    something after announcing."""
    sentences = _sentences(u.words) if u.words else []
    last = _join_words([w for _, _, w in sentences[-1]]) if sentences else u.text
    if not is_question(last) or len(normalize(last).split()) <= TAG_QUESTION_WORDS:
        return False  # a tag ("okay?", "is that ok?" as the recogniser mangles it)
    tail = Utterance(-1, u.start, u.end, u.speaker, last)  # not the turn: its own clauses
    return not is_announcement(tail) and not (asks_leave is not None and asks_leave(tail))


def announced_silences(
    utts: Sequence[Utterance],
    gaps: Sequence[Span],
    is_announcement: Callable[[Utterance], bool],
    *,
    speakers: Sequence[str] = ("agent",),
    within_s: float = 25.0,
    asks_leave: Callable[[Utterance], bool] | None = None,
) -> list[tuple[Span, Utterance | None]]:
    """Pair every gap with the announcement that explains it, or None: a turn of ``speakers``
    ending at most ``within_s`` before the gap, after which nothing more than a short
    acknowledgement ("sure", "no problem") was said. "I'm pulling up your account" followed by
    a question and a real answer explains the lookup, not a silence that comes later."""
    out: list[tuple[Span, Utterance | None]] = []
    for gap in gaps:
        found: Utterance | None = None
        before = [u for u in utts if u.end <= gap.start + 0.3 and u.end >= gap.start - within_s]
        for u in reversed(before):
            if u.speaker in speakers and is_announcement(u):
                if u is not before[-1] and _moves_on(u, is_announcement, asks_leave):
                    break  # "Let me pull that up. Which card was it?": it asked, then waited
                found = u
                break
            limit = ACK_MAX_WORDS if u.speaker != "customer" else CUSTOMER_ACK_MAX_WORDS
            if len(u.norm.split()) > limit or (u.speaker != "customer" and is_question(u.text)):
                # A substantive turn since, or the agent asking something ("Just the one
                # box?"): whatever was announced before it is over.
                break
        out.append((gap, found))
    return out
