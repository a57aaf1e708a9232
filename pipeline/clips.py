"""Cutting WAV clips out of stored recordings (evidence you can hear)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from core.errors import InvalidInput
from transcription import decode_audio

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


def cut_wav(path: Path, start: float, end: float, *, sample_rate: int = 16000) -> bytes:
    if end <= start:
        raise InvalidInput("clip end must be after its start")
    if end - start > MAX_CLIP_S:
        raise InvalidInput(f"clips are at most {MAX_CLIP_S:.0f} s long")
    samples, info = decode_audio(path, sample_rate=sample_rate)
    if start >= info.duration_s:
        raise InvalidInput(f"clip starts after the end of the recording ({info.duration_s:.1f} s)")
    a = int(start * sample_rate)
    b = min(int(end * sample_rate), samples.shape[1])
    pcm = (np.clip(samples[:, a:b], -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.T.tobytes())
    return buf.getvalue()
