"""Decide what an upload is from its first bytes, whatever its name says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import AudioUnreadable, UnsupportedMediaType

_HEAD = 64


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "audio" | "transcript"
    suffix: str  # the stored file's suffix, chosen from the content
    content_type: str


def _audio_type(head: bytes) -> Sniffed | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", ".wav", "audio/wav")
    if head[:4] == b"fLaC":
        return Sniffed("audio", ".flac", "audio/flac")
    if head[:4] == b"OggS":
        return Sniffed("audio", ".ogg", "audio/ogg")
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return Sniffed("audio", ".mp3", "audio/mpeg")
    if head[4:8] == b"ftyp":
        return Sniffed("audio", ".m4a", "audio/mp4")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Sniffed("audio", ".webm", "audio/webm")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return Sniffed("audio", ".aiff", "audio/aiff")
    if head[:6] == b"#!AMR\n":
        return Sniffed("audio", ".amr", "audio/amr")
    return None


def sniff_file(path: Path, *, label: str | None = None) -> Sniffed:
    """Raise ``AudioUnreadable`` for an empty file and ``UnsupportedMediaType`` for a file
    that is neither audio nor a transcript. Messages call the file ``label`` (default: its
    quoted name); an upload passes one, so a server's temporary file name never shows."""
    from transcription import is_transcript_file

    label = label or f"'{path.name}'"
    with open(path, "rb") as f:
        head = f.read(_HEAD)
    if not head:
        raise AudioUnreadable(f"{label} is empty")
    found = _audio_type(head)
    if found is not None:
        return found
    if is_transcript_file(path):
        suffix = ".json" if head.lstrip()[:1] in (b"[", b"{") else ".txt"
        content_type = "application/json" if suffix == ".json" else "text/plain"
        return Sniffed("transcript", suffix, content_type)
    raise UnsupportedMediaType(
        f"{label} is neither audio (wav, flac, mp3, ogg/opus, m4a) nor a transcript "
        "(JSON segments or 'Agent: …' / 'Customer: …' lines)"
    )
