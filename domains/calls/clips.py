"""Cutting WAV clips out of stored recordings (evidence you can hear)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from core.errors import InvalidInput
from domains.kit.storage import LocalStorage, StoredFile
from transcription import PiiSpan, decode_audio, decode_range, mute_spans

MAX_CLIP_S = 600.0
_MEDIA = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".m4a": "audio/mp4",
    ".webm": "audio/webm",
}


def media_type(path: Path) -> str:
    return _MEDIA.get(path.suffix.lower(), "application/octet-stream")


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV of float samples ``[channels, n]``."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.T.tobytes())
    return buf.getvalue()


def store_redacted_copy(
    storage: LocalStorage, path: Path, spans: list[PiiSpan], mode: str
) -> StoredFile:
    """A WAV copy of the recording with every PII span muted or bleeped on all channels."""
    samples, _info = decode_audio(path, sample_rate=16000)
    quiet = mute_spans(samples, 16000, spans, mode="bleep" if mode == "bleep" else "mute")
    return storage.put_stream(io.BytesIO(wav_bytes(quiet, 16000)), suffix=".wav")


def cut_wav(path: Path, start: float, end: float, *, sample_rate: int = 16000) -> bytes:
    if end <= start:
        raise InvalidInput("clip end must be after its start")
    if end - start > MAX_CLIP_S:
        raise InvalidInput(f"clips are at most {MAX_CLIP_S:.0f} s long")
    # Seek, don't decode the whole call: a 1 s clip of a 3-hour call costs 1 s of audio.
    samples, _first = decode_range(path, start, end, sample_rate=sample_rate)
    if samples.shape[1] == 0:
        raise InvalidInput("clip starts after the end of the recording")
    return wav_bytes(samples, sample_rate)
