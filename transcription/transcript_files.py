"""Transcripts that arrive as files instead of audio: JSON segments or "Agent: ..." lines.

Recognised by content, never by file name. Text lines get synthetic times (about 2.5 words
per second, 0.5 s between turns) so timing criteria still have something to read; the
transcript's ``notes`` say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.errors import TranscriptUnreadable
from transcription.types import Segment, Speaker, Transcript, Word

WORDS_PER_SECOND = 2.5
TURN_GAP_S = 0.5
_SNIFF_BYTES = 64 * 1024
_MAX_BYTES = 20 * 1024 * 1024  # word-timed JSON of a very long call, with room to spare
# Spoken text of about 30 hours of talk: more is not one call, and scoring cost grows with it.
MAX_TEXT_CHARS = 2_000_000

# "Agent: text", "[00:12] Customer - text", "CUSTOMER> text", "Caller: text" ...
_SPEAKER_ALIASES: dict[str, Speaker] = {
    "agent": "agent",
    "representative": "agent",
    "rep": "agent",
    "advisor": "agent",
    "operator": "agent",
    "customer": "customer",
    "caller": "customer",
    "client": "customer",
    "unknown": "unknown",
    "speaker": "unknown",
}
_LINE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?P<who>[A-Za-z]+)(?:\s*\d+)?\s*[:>\-]\s*(?P<text>.*\S)?\s*$"
)


def _speaker(value: object) -> Speaker | None:
    if not isinstance(value, str):
        return None
    return _SPEAKER_ALIASES.get(value.strip().lower())


def _read_text(path: Path, limit: int | None) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit) if limit is not None else fh.read()
    except OSError as exc:
        raise TranscriptUnreadable(f"could not read '{path.name}': {exc.strerror}") from exc
    if b"\x00" in raw:
        raise TranscriptUnreadable(f"'{path.name}' is binary, not a transcript")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if limit is not None and len(raw) == limit and exc.start >= limit - 4:
            return raw[: exc.start].decode("utf-8-sig")  # sniff cut a character in half
        raise TranscriptUnreadable(f"'{path.name}' is not UTF-8 text") from exc


def is_transcript_file(path: str | Path) -> bool:
    """True when the file's content looks like JSON segments or speaker-labelled lines."""
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size == 0:
            return False
        head = _read_text(p, _SNIFF_BYTES)
    except TranscriptUnreadable:
        return False
    stripped = head.lstrip()
    if stripped[:1] in ("[", "{"):
        try:
            return _segment_list(json.loads(_read_text(p, _MAX_BYTES))) is not None
        except (json.JSONDecodeError, TranscriptUnreadable):
            return False
    lines = [ln for ln in head.splitlines() if ln.strip()][:50]
    labelled = sum(1 for ln in lines if _label(ln) is not None)
    return labelled >= 1 and labelled >= len(lines) / 2


def _label(line: str) -> tuple[Speaker, str] | None:
    m = _LINE.match(line)
    if not m:
        return None
    who = _speaker(m.group("who"))
    if who is None:
        return None
    return who, (m.group("text") or "").strip()


def _segment_list(doc: Any) -> list[Any] | None:
    """The segments in any accepted JSON shape, or None."""
    if isinstance(doc, dict):
        if isinstance(doc.get("transcript"), dict):
            doc = doc["transcript"]
        doc = doc.get("segments")
    if isinstance(doc, list) and all(isinstance(s, dict) for s in doc):
        return doc
    return None


def load_transcript_file(path: str | Path) -> Transcript:
    p = Path(path)
    if not p.is_file():
        raise TranscriptUnreadable(f"'{p.name}' is not a file")
    if p.stat().st_size > _MAX_BYTES:
        raise TranscriptUnreadable(f"'{p.name}' is too large for a transcript")
    text = _read_text(p, None)
    if not text.strip():
        raise TranscriptUnreadable(f"'{p.name}' is empty")
    if text.lstrip()[:1] in ("[", "{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TranscriptUnreadable(
                f"'{p.name}' is not valid JSON (line {exc.lineno}: {exc.msg})"
            ) from exc
        return _bounded(_from_json(doc, p.name), p.name)
    return _bounded(_from_lines(text.splitlines(), p.name), p.name)


def _bounded(transcript: Transcript, name: str) -> Transcript:
    chars = sum(len(s.text) for s in transcript.segments)
    if chars > MAX_TEXT_CHARS:
        raise TranscriptUnreadable(
            f"'{name}' holds {chars:,} characters of speech; one call holds at most "
            f"{MAX_TEXT_CHARS:,}"
        )
    return transcript


def _number(seg: dict[str, Any], key: str, where: str) -> float:
    value = seg.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TranscriptUnreadable(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


def _from_json(doc: Any, name: str) -> Transcript:
    items = _segment_list(doc)
    if items is None:
        raise TranscriptUnreadable(
            f"'{name}': expected a list of segments, {{\"segments\": [...]}} or a review "
            'result with "transcript": {"segments": [...]}'
        )
    segments: list[Segment] = []
    for i, seg in enumerate(items):
        where = f"'{name}' segment {i}"
        # A missing speaker is honest "unknown"; a wrong one is an error worth reporting.
        speaker = _speaker(seg.get("speaker", "unknown"))
        if speaker is None:
            raise TranscriptUnreadable(
                f"{where}: speaker must be agent, customer or unknown, got {seg.get('speaker')!r}"
            )
        text = seg.get("text")
        if not isinstance(text, str):
            raise TranscriptUnreadable(f"{where}: 'text' must be a string")
        start, end = _number(seg, "start", where), _number(seg, "end", where)
        if end < start or start < 0:
            raise TranscriptUnreadable(f"{where}: needs 0 <= start <= end, got {start}..{end}")
        words = tuple(_words(seg.get("words") or [], where))
        segments.append(Segment(start, end, speaker, text.strip(), words))
    if not segments:
        raise TranscriptUnreadable(f"'{name}' has no segments")
    segments.sort(key=lambda s: s.start)
    return Transcript(
        engine="text", model="", segments=tuple(segments), speaker_method="text-labels"
    )


def _words(items: Iterable[Any], where: str) -> Iterable[Word]:
    for j, w in enumerate(items):
        if not isinstance(w, dict) or not isinstance(w.get("word"), str):
            raise TranscriptUnreadable(f"{where} word {j}: needs start, end and word")
        yield Word(
            _number(w, "start", f"{where} word {j}"),
            _number(w, "end", f"{where} word {j}"),
            w["word"].strip(),
            float(w.get("probability", 1.0)),
        )


def _from_lines(lines: list[str], name: str) -> Transcript:
    segments: list[Segment] = []
    clock = 0.0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        found = _label(line)
        if found is None:
            if segments:  # a wrapped line continues the previous turn
                last = segments.pop()
                segments.append(_timed(last.start, last.speaker, f"{last.text} {line.strip()}"))
                clock = segments[-1].end + TURN_GAP_S
                continue
            raise TranscriptUnreadable(
                f"'{name}' line {n}: expected 'Agent: ...' or 'Customer: ...', got {line[:60]!r}"
            )
        speaker, text = found
        if not text:
            continue
        seg = _timed(clock, speaker, text)
        segments.append(seg)
        clock = seg.end + TURN_GAP_S
    if not segments:
        raise TranscriptUnreadable(f"'{name}' has no 'Agent:' / 'Customer:' lines")
    return Transcript(
        engine="text",
        model="",
        segments=tuple(segments),
        speaker_method="text-labels",
        notes=("times are synthetic (2.5 words/s, 0.5 s between turns)",),
    )


def _timed(start: float, speaker: Speaker, text: str) -> Segment:
    words: list[Word] = []
    t = start
    for token in text.split():
        words.append(Word(round(t, 3), round(t + 1 / WORDS_PER_SECOND, 3), token))
        t += 1 / WORDS_PER_SECOND
    return Segment(round(start, 3), round(t, 3), speaker, text, tuple(words))
