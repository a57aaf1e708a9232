"""Transcript files: JSON segments and "Agent: ..." lines, recognised by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import TranscriptUnreadable
from transcription import is_transcript_file, load_transcript_file

SEGMENTS = [
    {"start": 4.5, "end": 6.0, "speaker": "customer", "text": "My bill is wrong."},
    {
        "start": 0.4,
        "end": 4.1,
        "speaker": "agent",
        "text": "Thank you for calling.",
        "words": [{"start": 0.4, "end": 0.7, "word": "Thank"}],
    },
]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "doc",
    [SEGMENTS, {"segments": SEGMENTS}, {"call_id": "x", "transcript": {"segments": SEGMENTS}}],
    ids=["list", "segments", "review-result"],
)
def test_json_shapes(tmp_path: Path, doc: object) -> None:
    path = _write(tmp_path, "call.data", json.dumps(doc))
    assert is_transcript_file(path)
    tr = load_transcript_file(path)
    assert (tr.engine, tr.speaker_method) == ("text", "text-labels")
    assert [(s.start, s.speaker, s.text) for s in tr.segments] == [
        (0.4, "agent", "Thank you for calling."),
        (4.5, "customer", "My bill is wrong."),
    ]
    assert [(w.start, w.end, w.word) for w in tr.segments[0].words] == [(0.4, 0.7, "Thank")]
    assert tr.segments[0].avg_logprob is None


def test_text_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "call.wav",  # the name lies; the content decides
        "Agent: Thank you for calling, how can I help?\n\nCustomer: My bill is wrong.\n"
        "AGENT: Let me check.\n",
    )
    assert is_transcript_file(path)
    tr = load_transcript_file(path)
    assert [(s.speaker, s.text) for s in tr.segments] == [
        ("agent", "Thank you for calling, how can I help?"),
        ("customer", "My bill is wrong."),
        ("agent", "Let me check."),
    ]
    # 8 words at 2.5 words/s = 3.2 s, then a 0.5 s gap.
    assert (tr.segments[0].start, tr.segments[0].end) == (0.0, 3.2)
    assert tr.segments[1].start == 3.7
    assert len(tr.segments[0].words) == 8
    assert tr.speaker_method == "text-labels"


@pytest.mark.parametrize(
    "content, message, looks_like_transcript",
    [
        ("just some notes\nabout a call\n", "expected 'Agent: ...'", False),
        ('{"hello": 1}', "expected a list of segments", False),
        ('[{"start": 0, "end": 1', "not valid JSON", False),
        ("   \n", "empty", False),
        # Segment-shaped JSON with bad values is a broken transcript, not "not a transcript":
        # the caller should show the parse error rather than try it as audio.
        ('{"segments": [{"start": 0, "end": 1, "speaker": "boss", "text": "hi"}]}', "boss", True),
        (
            '{"segments": [{"start": "soon", "end": 1, "speaker": "agent", "text": "hi"}]}',
            "segment 0: 'start' must be a number",
            True,
        ),
    ],
)
def test_garbage_is_refused(
    tmp_path: Path, content: str, message: str, looks_like_transcript: bool
) -> None:
    path = _write(tmp_path, "bad.txt", content)
    with pytest.raises(TranscriptUnreadable, match=message):
        load_transcript_file(path)
    assert is_transcript_file(path) is looks_like_transcript


def test_audio_and_binary_are_not_transcripts(tmp_path: Path) -> None:
    wav = _write(tmp_path, "call.txt", b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00")
    assert not is_transcript_file(wav)
    with pytest.raises(TranscriptUnreadable, match="binary"):
        load_transcript_file(wav)
    assert not is_transcript_file(tmp_path / "missing.json")


def test_transcript_longer_than_any_call_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transcription import transcript_files

    monkeypatch.setattr(transcript_files, "MAX_TEXT_CHARS", 1000)
    path = tmp_path / "endless.txt"
    path.write_text("\n".join(["Agent: hello there, how can I help you today?"] * 40))
    with pytest.raises(TranscriptUnreadable, match=r"'endless\.txt' holds 1,"):
        load_transcript_file(path)
    path.write_text("\n".join(["Agent: hello there, how can I help you today?"] * 10))
    assert len(load_transcript_file(path).segments) == 10
