"""Build transcripts straight from text turns, with evenly spread word times."""

from __future__ import annotations

from collections.abc import Sequence

from transcription.types import AudioInfo, Segment, Transcript, Word

Turn = tuple[str, float, float, str]


def make_segment(speaker: str, start: float, end: float, text: str) -> Segment:
    tokens = text.split()
    step = (end - start) / max(len(tokens), 1)
    words = tuple(
        Word(round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3), " " + tok)
        for i, tok in enumerate(tokens)
    )
    return Segment(start=start, end=end, speaker=speaker, text=text, words=words)  # type: ignore[arg-type]


def make_transcript(turns: Sequence[Turn], *, duration: float | None = None) -> Transcript:
    segments = tuple(make_segment(*t) for t in turns)
    total = duration if duration is not None else max((t[2] for t in turns), default=0.0) + 0.8
    return Transcript(
        engine="text",
        model="",
        segments=segments,
        audio=AudioInfo(duration_s=total, channels=2, sample_rate=16000),
        speaker_method="text-labels",
    )


def script(
    lines: Sequence[tuple[str, str] | float],
    *,
    start: float = 0.5,
    wps: float = 2.6,
    pause: float = 0.6,
) -> list[Turn]:
    """Lay out ``("agent", "text")`` lines one after another at ``wps`` words per second; a bare
    number inserts that many seconds of silence."""
    t = start
    out: list[Turn] = []
    for item in lines:
        if isinstance(item, (int, float)):
            t += float(item)
            continue
        speaker, text = item
        dur = max(0.6, len(text.split()) / wps)
        out.append((speaker, round(t, 2), round(t + dur, 2), text))
        t += dur + pause
    return out
