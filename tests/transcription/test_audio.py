"""Decoding: every common encoding, original format reported, bad files refused clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import AudioUnreadable
from tests.support.synth import RenderedCall, convert
from tests.transcription.conftest import SHARED_DATA
from transcription import decode_audio, probe_audio

# name: (ffmpeg args, file name, expected original rate, expected codec)
FORMATS = {
    "flac": ([], "call.flac", 16000, "flac"),
    "mp3": ([], "call.mp3", 16000, "mp3"),
    "ogg-vorbis": (["-c:a", "libvorbis"], "call.ogg", 16000, "vorbis"),
    "ogg-opus": (["-c:a", "libopus"], "call.opus", 48000, "opus"),
    "m4a-aac": (["-c:a", "aac"], "call.m4a", 16000, "aac"),
    "ulaw-8k": (["-ar", "8000", "-acodec", "pcm_mulaw"], "ulaw.wav", 8000, "pcm_mulaw"),
    "alaw-8k": (["-ar", "8000", "-acodec", "pcm_alaw"], "alaw.wav", 8000, "pcm_alaw"),
    "u8-8k": (["-ar", "8000", "-acodec", "pcm_u8"], "u8.wav", 8000, "pcm_u8"),
    "wav-48k": (["-ar", "48000"], "w48.wav", 48000, "pcm_s16le"),
}


def test_decode_original_wav(stereo_call: RenderedCall) -> None:
    samples, info = decode_audio(stereo_call.path)
    assert samples.dtype == np.float32
    assert samples.shape == (2, round(stereo_call.duration_s * 16000))
    assert (info.channels, info.sample_rate, info.codec) == (2, 16000, "pcm_s16le")
    assert info.duration_s == pytest.approx(stereo_call.duration_s, abs=0.001)
    # Channels stay apart: the agent's first turn is on the left only.
    first = stereo_call.turns[0]
    span = slice(int(first.start * 16000), int(first.end * 16000))
    assert np.abs(samples[0, span]).max() > 0.1
    assert np.abs(samples[1, span]).max() == 0.0


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_decode_every_encoding(stereo_call: RenderedCall, gen_dir: Path, name: str) -> None:
    args, filename, rate, codec = FORMATS[name]
    path = convert(stereo_call.path, gen_dir / "formats" / filename, args=args)
    samples, info = decode_audio(path)
    assert (info.channels, info.sample_rate, info.codec) == (2, rate, codec)
    assert info.duration_s == pytest.approx(stereo_call.duration_s, abs=0.1)
    assert samples.shape[0] == 2
    assert samples.shape[1] / 16000 == pytest.approx(stereo_call.duration_s, abs=0.1)
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    assert np.abs(samples).max() > 0.3  # real signal survived, not silence or clipping noise
    assert probe_audio(path) == info


def test_resample_to_other_rate(stereo_call: RenderedCall) -> None:
    samples, info = decode_audio(stereo_call.path, sample_rate=8000)
    assert samples.shape == (2, round(stereo_call.duration_s * 8000))
    assert info.sample_rate == 16000  # the original's rate, not the output's


def test_probe_8bit_8k_contact_center_call() -> None:
    path = next((SHARED_DATA / "audio_aws_pca_samples").glob("*.wav"))
    info = probe_audio(path)
    assert (info.channels, info.sample_rate, info.codec) == (1, 8000, "pcm_u8")
    assert info.duration_s == pytest.approx(277.66, abs=0.01)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioUnreadable, match=r"could not decode 'x\.wav': file is empty"):
        decode_audio(path)


def test_text_named_wav(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("Agent: hello\nCustomer: hi\n" * 50)
    with pytest.raises(AudioUnreadable, match="not an audio file"):
        decode_audio(path)
    with pytest.raises(AudioUnreadable, match="not an audio file"):
        probe_audio(path)


def test_header_only_wav(stereo_call: RenderedCall, tmp_path: Path) -> None:
    path = tmp_path / "header.wav"
    path.write_bytes(stereo_call.path.read_bytes()[:44])
    with pytest.raises(AudioUnreadable, match="no audio frames"):
        decode_audio(path)


def test_truncated_wav_decodes_what_is_there(stereo_call: RenderedCall, tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    path.write_bytes(stereo_call.path.read_bytes()[: 44 + 4 * 16000])  # 1 s of 16-bit stereo
    samples, info = decode_audio(path)
    assert samples.shape == (2, 16000)
    assert info.duration_s == 1.0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioUnreadable, match="file not found"):
        decode_audio(tmp_path / "nope.wav")
