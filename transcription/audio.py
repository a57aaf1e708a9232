"""Decode any common audio file with PyAV (no ffmpeg program needed) into float32 samples.

Channels are kept apart (agent and customer are usually on separate channels) and each one is
resampled to the rate Whisper expects. ``AudioInfo`` describes the ORIGINAL file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from core.errors import AudioTooLong, AudioUnreadable
from transcription.types import AudioInfo

WHISPER_SAMPLE_RATE = 16000


@dataclass(frozen=True)
class AudioLimits:
    """What one recording may cost to decode. Headers lie (a 546 KB FLAC claiming 1 s can
    expand to hours; a WAV declaring 1 Hz turns 32 KB into 4 hours), so the duration bound is
    enforced on the decoded sample count while decoding, not on what the header says."""

    max_duration_s: float = 4 * 3600.0
    max_channels: int = 8
    min_sample_rate: int = 4000  # below narrow-band telephony nothing is speech
    max_sample_rate: int = 192000


DEFAULT_LIMITS = AudioLimits()


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


def probe_audio(path: str | Path, *, limits: AudioLimits = DEFAULT_LIMITS) -> AudioInfo:
    """Read the file's format without resampling. Duration comes from decoding the whole
    stream, because headers of truncated or streamed files lie about their length."""
    _, info = _decode(Path(path), target_rate=None, limits=limits)
    return info


def decode_audio(
    path: str | Path,
    *,
    sample_rate: int = WHISPER_SAMPLE_RATE,
    limits: AudioLimits = DEFAULT_LIMITS,
) -> tuple[np.ndarray, AudioInfo]:
    """Decode to float32 ``[channels, samples]`` in [-1, 1] at ``sample_rate``, channels apart.

    Raises ``AudioUnreadable`` for empty, non-audio, corrupt or header-only files and
    ``AudioTooLong`` (before holding more than ``limits`` allow) for files past the bounds.
    """
    samples, info = _decode(Path(path), target_rate=sample_rate, limits=limits)
    assert samples is not None
    return samples, info


def decode_range(
    path: str | Path,
    start_s: float,
    end_s: float,
    *,
    sample_rate: int = WHISPER_SAMPLE_RATE,
    limits: AudioLimits = DEFAULT_LIMITS,
) -> tuple[np.ndarray, float]:
    """Decode only ``[start_s, end_s)``: seek to the packet before ``start_s`` and stop after
    ``end_s``, so a clip of a long call costs its own length, not the call's. Returns the
    samples ``[channels, n]`` and the time of the first one (≤ start_s when the file ends)."""
    decoder = _Decoder(Path(path), sample_rate, limits)
    stream = decoder.stream
    try:
        if start_s > 0 and stream.time_base is not None:
            # backward=True lands on a packet at or before start_s; frames are trimmed below.
            decoder.container.seek(
                int(start_s / stream.time_base), stream=stream, backward=True, any_frame=False
            )
        return decoder.cut(start_s, end_s)
    finally:
        decoder.container.close()


class _Decoder:
    """Decodes one file frame by frame: ``chunks()`` yields float32 ``[channels, n]`` arrays
    at ``target_rate`` (or nothing but counts when it is None), so a caller can stream."""

    def __init__(
        self, path: Path, target_rate: int | None, limits: AudioLimits = DEFAULT_LIMITS
    ) -> None:
        self.path = path
        self.limits = limits
        self.container = _open(path)
        stream = self.container.streams.audio[0]
        self.stream = stream
        self.channels = int(stream.codec_context.channels or 0)
        self.rate = int(stream.codec_context.sample_rate or 0)
        problem = _format_problem(self.channels, self.rate, limits)
        if problem:
            self.container.close()
            raise _fail(path, problem)
        self.max_samples = int(limits.max_duration_s * self.rate)
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
                    self._check_length()
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

    def _check_length(self) -> None:
        if self.native_samples > self.max_samples:
            raise AudioTooLong(
                f"'{self.path.name}' is longer than the limit of "
                f"{self.limits.max_duration_s / 60:.0f} minutes of audio"
            )

    def cut(self, start_s: float, end_s: float) -> tuple[np.ndarray, float]:
        """Frames overlapping ``[start_s, end_s)`` after a seek, resampled and trimmed."""
        assert self.resampler is not None
        rate = self.resampler.rate
        parts: list[np.ndarray] = []
        first: float | None = None
        try:
            for frame in self.container.decode(self.stream):
                t0 = float(frame.time) if frame.time is not None else 0.0
                if t0 >= end_s:
                    break
                if t0 + frame.samples / self.rate <= start_s:
                    continue
                self.native_samples += frame.samples
                self._check_length()
                for out in self.resampler.resample(frame):
                    if first is None:
                        first = t0
                    parts.append(out.to_ndarray())
        except av.error.FFmpegError as exc:
            if not parts:
                raise _fail(self.path, f"corrupt audio data ({exc})") from exc
        if not parts or first is None:
            return np.zeros((self.channels, 0), dtype=np.float32), start_s
        x = np.concatenate(parts, axis=1).astype(np.float32, copy=False)
        a = max(0, round((start_s - first) * rate))
        b = max(a, round((end_s - first) * rate))
        x = np.clip(x[:, a:b], -1.0, 1.0)
        return x, first + a / rate

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
    path: str | Path,
    *,
    sample_rate: int = WHISPER_SAMPLE_RATE,
    limits: AudioLimits = DEFAULT_LIMITS,
) -> tuple[_Decoder, Iterator[np.ndarray]]:
    """Stream a file as float32 ``[channels, n]`` blocks; ``decoder.info()`` is complete once
    the iterator is exhausted."""
    decoder = _Decoder(Path(path), sample_rate, limits)
    return decoder, decoder.chunks()


def _format_problem(channels: int, rate: int, limits: AudioLimits) -> str:
    if channels < 1 or rate < 1:
        return "audio stream has no channels or sample rate"
    if channels > limits.max_channels:
        return f"{channels} channels (at most {limits.max_channels} are accepted)"
    if not limits.min_sample_rate <= rate <= limits.max_sample_rate:
        return (
            f"sample rate {rate} Hz is outside {limits.min_sample_rate}–{limits.max_sample_rate} Hz"
        )
    return ""


def _decode(
    path: Path, *, target_rate: int | None, limits: AudioLimits
) -> tuple[np.ndarray | None, AudioInfo]:
    decoder = _Decoder(path, target_rate, limits)
    chunks = list(decoder.chunks())
    info = decoder.info()
    if target_rate is None:
        return None, info
    samples = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples, info
