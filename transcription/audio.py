"""Decode any common audio file with PyAV (no ffmpeg program needed) into float32 samples.

Channels are kept apart (agent and customer are usually on separate channels) and each one is
resampled to the rate Whisper expects. ``AudioInfo`` describes the ORIGINAL file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from core.errors import AudioUnreadable
from transcription.types import AudioInfo

WHISPER_SAMPLE_RATE = 16000


def _fail(path: Path, problem: str) -> AudioUnreadable:
    return AudioUnreadable(f"could not decode '{path.name}': {problem}")


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise _fail(path, "file not found")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file")
    if path.stat().st_size == 0:
        raise _fail(path, "file is empty")
    try:
        container = av.open(str(path), mode="r")
    except av.error.InvalidDataError as exc:
        raise _fail(path, "not an audio file (unrecognised or corrupt data)") from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise _fail(path, f"cannot open ({exc})") from exc
    if not container.streams.audio:
        container.close()
        raise _fail(path, "no audio stream in the file")
    return container


def _codec_name(stream: av.audio.stream.AudioStream) -> str:
    # canonical_name names the format ("mp3"), not the decoder picked for it ("mp3float").
    codec = stream.codec_context.codec
    return str(getattr(codec, "canonical_name", None) or codec.name or "")


def probe_audio(path: str | Path) -> AudioInfo:
    """Read the file's format without resampling. Duration comes from decoding the whole
    stream, because headers of truncated or streamed files lie about their length."""
    _, info = _decode(Path(path), target_rate=None)
    return info


def decode_audio(
    path: str | Path, *, sample_rate: int = WHISPER_SAMPLE_RATE
) -> tuple[np.ndarray, AudioInfo]:
    """Decode to float32 ``[channels, samples]`` in [-1, 1] at ``sample_rate``, channels apart.

    Raises ``AudioUnreadable`` for empty, non-audio, corrupt or header-only files.
    """
    samples, info = _decode(Path(path), target_rate=sample_rate)
    assert samples is not None
    return samples, info


class _Decoder:
    """Decodes one file frame by frame: ``chunks()`` yields float32 ``[channels, n]`` arrays
    at ``target_rate`` (or nothing but counts when it is None), so a caller can stream."""

    def __init__(self, path: Path, target_rate: int | None) -> None:
        self.path = path
        self.container = _open(path)
        stream = self.container.streams.audio[0]
        self.stream = stream
        self.channels = int(stream.codec_context.channels or 0)
        self.rate = int(stream.codec_context.sample_rate or 0)
        if self.channels < 1 or self.rate < 1:
            self.container.close()
            raise _fail(path, "audio stream has no channels or sample rate")
        self.codec = _codec_name(stream)
        # fltp = planar float: one row per channel, so nothing gets downmixed.
        self.resampler = (
            av.AudioResampler(format="fltp", layout=stream.layout.name, rate=target_rate)
            if target_rate is not None
            else None
        )
        self.native_samples = 0

    def chunks(self) -> Iterator[np.ndarray]:
        try:
            try:
                for frame in self.container.decode(self.stream):
                    self.native_samples += frame.samples
                    if self.resampler is not None:
                        yield from (f.to_ndarray() for f in self.resampler.resample(frame))
                if self.resampler is not None:
                    yield from (f.to_ndarray() for f in self.resampler.resample(None))
            except av.error.FFmpegError as exc:
                # A truncated/corrupt tail: keep what decoded cleanly, fail only if nothing did.
                if self.native_samples == 0:
                    raise _fail(self.path, f"corrupt audio data ({exc})") from exc
        finally:
            self.container.close()
        if self.native_samples == 0:
            raise _fail(self.path, "no audio frames (header only or truncated file)")

    def info(self) -> AudioInfo:
        return AudioInfo(
            duration_s=round(self.native_samples / self.rate, 3),
            channels=self.channels,
            sample_rate=self.rate,
            codec=self.codec,
        )


def header_duration(path: str | Path) -> float | None:
    """The duration the container claims (cheap, may be wrong or missing)."""
    container = _open(Path(path))
    try:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return float(container.duration) / av.time_base
        return None
    finally:
        container.close()


def iter_audio(
    path: str | Path, *, sample_rate: int = WHISPER_SAMPLE_RATE
) -> tuple[_Decoder, Iterator[np.ndarray]]:
    """Stream a file as float32 ``[channels, n]`` blocks; ``decoder.info()`` is complete once
    the iterator is exhausted."""
    decoder = _Decoder(Path(path), sample_rate)
    return decoder, decoder.chunks()


def _decode(path: Path, *, target_rate: int | None) -> tuple[np.ndarray | None, AudioInfo]:
    decoder = _Decoder(path, target_rate)
    chunks = list(decoder.chunks())
    info = decoder.info()
    if target_rate is None:
        return None, info
    samples = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples, info
