"""Decoding is bounded by what the audio really holds, not by what its header claims: rates,
channels and duration past the limits are refused before the samples are held, and a clip of
a long recording decodes only the clip."""

from __future__ import annotations

import struct
import subprocess
import tracemalloc
import wave
from pathlib import Path

import numpy as np
import pytest

from core.errors import AudioTooLong, AudioUnreadable
from tests.support.synth import require_tools
from transcription import AudioLimits, decode_audio, decode_range, probe_audio
from transcription.audio import header_duration


def _wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _lying_flac(path: Path, seconds: int, claimed_samples: int) -> Path:
    """A FLAC of ``seconds`` of silence whose STREAMINFO claims ``claimed_samples``."""
    require_tools("ffmpeg")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         "anullsrc=r=16000:cl=mono", "-t", str(seconds), str(path)],
        check=True,
    )  # fmt: skip
    data = bytearray(path.read_bytes())
    assert data[:4] == b"fLaC"
    # STREAMINFO starts at byte 8; bytes 18..26 hold rate (20 bits), channels-1 (3),
    # bits-1 (5) and the total sample count (36 bits).
    (packed,) = struct.unpack(">Q", bytes(data[18:26]))
    packed = (packed & ~((1 << 36) - 1)) | claimed_samples
    data[18:26] = struct.pack(">Q", packed)
    path.write_bytes(bytes(data))
    return path


def test_one_hertz_wav_is_refused_before_decoding(tmp_path: Path) -> None:
    # 32 KB of samples declared at 1 Hz would be 4.4 hours of audio at 16 kHz.
    path = _wav(tmp_path / "one-hz.wav", np.zeros(16000), rate=1)
    with pytest.raises(AudioUnreadable, match="sample rate 1 Hz is outside 4000–192000 Hz"):
        probe_audio(path)
    with pytest.raises(AudioUnreadable, match="sample rate 1 Hz"):
        decode_audio(path)


def test_too_many_channels_are_refused(tmp_path: Path) -> None:
    path = _wav(tmp_path / "many.wav", np.zeros(12 * 800), rate=8000, channels=12)
    with pytest.raises(AudioUnreadable, match="12 channels"):
        decode_audio(path)
    assert probe_audio(path, limits=AudioLimits(max_channels=16)).channels == 12


def test_header_that_understates_length_is_bounded_while_decoding(tmp_path: Path) -> None:
    path = _lying_flac(tmp_path / "bomb.flac", seconds=1200, claimed_samples=16000)
    assert header_duration(path) == pytest.approx(1.0)
    assert path.stat().st_size < 3_000_000  # small on disk, 20 minutes when decoded
    limits = AudioLimits(max_duration_s=60.0)
    tracemalloc.start()
    try:
        with pytest.raises(AudioTooLong, match="longer than the limit of 1 minutes"):
            decode_audio(path, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Stopped near the limit: 60 s of 16 kHz float32 is 3.8 MB; the whole file would be 77 MB.
    assert peak < 20_000_000
    with pytest.raises(AudioTooLong):
        probe_audio(path, limits=limits)
    # Within the default limit (4 hours) the true length is reported, not the header's.
    assert probe_audio(path).duration_s == pytest.approx(1200.0, abs=0.1)


def test_clip_decodes_only_its_range(tmp_path: Path) -> None:
    rate = 8000
    seconds = 1800  # half an hour: 57.6 MB as 16 kHz float32
    t = np.arange(seconds * rate) / rate
    # A tone whose frequency says where in the file it is: 200 Hz + 0.5 Hz per second.
    signal = 0.5 * np.sin(2 * np.pi * (200 * t + 0.25 * t**2))
    path = _wav(tmp_path / "long.wav", signal, rate=rate)
    del signal, t
    tracemalloc.start()
    try:
        clip, first = decode_range(path, 1500.0, 1502.0, sample_rate=16000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000
    assert clip.shape == (1, 32000)
    assert first == pytest.approx(1500.0, abs=1e-3)
    # The samples are the ones at 25:00: their frequency is 200 + 0.5 * 1500 = 950 Hz.
    spectrum = np.abs(np.fft.rfft(clip[0, :16000]))
    assert np.argmax(spectrum) == pytest.approx(950, abs=2)
    # And they equal the same stretch of a whole decode (after the resampler's first
    # few samples, which start from rest instead of from the audio before the clip).
    whole, _info = decode_audio(path, sample_rate=16000)
    a = 1500 * 16000
    np.testing.assert_allclose(clip[0, 32:], whole[0, a + 32 : a + 32000], atol=2e-3)


def test_clip_past_the_end_is_empty(tmp_path: Path) -> None:
    path = _wav(tmp_path / "short.wav", np.zeros(8000), rate=8000)
    clip, _first = decode_range(path, 5.0, 6.0)
    assert clip.shape[1] == 0
