"""Generate call recordings with espeak-ng + sox, with the true time of every turn.

Used by tests and benchmarks (never shipped in the package). Output is 16-bit PCM WAV;
``convert`` turns it into other encodings (flac, opus, 8 kHz µ-law, ...) with sox/ffmpeg.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

# en-gb ignores +f variants in espeak-ng 1.51 (measured: ~103 Hz, as male as the agent);
# en-us+f3 really is a higher voice, which mono speaker separation needs.
DEFAULT_VOICES = {"agent": "en-us+m3", "customer": "en-us+f3"}
# Speech starts/ends where the 20 ms frame RMS exceeds this (int16 scale).
_SPEECH_RMS = 300.0


@dataclass(frozen=True)
class Turn:
    speaker: Literal["agent", "customer"]
    text: str
    pause_before: float = 0.6  # silence between the previous event's end and this turn


@dataclass(frozen=True)
class Silence:
    seconds: float


@dataclass(frozen=True)
class Tones:
    """Hold-music-like tones (a few chords) or DTMF-like beeps on both channels."""

    seconds: float
    kind: Literal["music", "dtmf"] = "music"


Event = Turn | Silence | Tones


@dataclass(frozen=True)
class RenderedTurn:
    speaker: str
    text: str
    start: float  # seconds, where speech energy begins
    end: float


@dataclass
class RenderedCall:
    path: Path
    turns: list[RenderedTurn]
    duration_s: float
    channels: int
    sample_rate: int
    spans: list[tuple[str, float, float]] = field(default_factory=list)  # non-speech events


class MissingTool(RuntimeError):
    """A program the test audio needs is not installed (tests/conftest.py turns this into a
    skip that names it, or a failure in CI)."""

    def __init__(self, *tools: str) -> None:
        self.tools = tools
        super().__init__(f"{', '.join(tools)} not installed: apt-get install -y {' '.join(tools)}")


def require_tools(*tools: str) -> None:
    missing = [t for t in (tools or ("espeak-ng", "sox")) if shutil.which(t) is None]
    if missing:
        raise MissingTool(*missing)


# (text, voice, speed, sample_rate) -> trimmed int16-scale float32 samples at sample_rate
Speaker = Callable[[str, str, int, int], np.ndarray]


def _speak(text: str, voice: str, speed: int, sample_rate: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        out = Path(tmp) / "out.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            # -R: no random dither, so the same script renders the same bytes every time
            ["sox", "-R", str(raw), "-r", str(sample_rate), "-c", "1", "-b", "16", str(out)],
            check=True,
            capture_output=True,
        )
        with wave.open(str(out), "rb") as w:
            data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32)
    return _trim(data, sample_rate)


def _trim(x: np.ndarray, sr: int) -> np.ndarray:
    """Cut espeak's leading/trailing silence so recorded turn times are the speech's own."""
    hop = int(sr * 0.02)
    n = len(x) // hop
    if n == 0:
        return x
    rms = np.sqrt((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1))
    voiced = np.nonzero(rms > _SPEECH_RMS)[0]
    if len(voiced) == 0:
        return x[:0]
    return x[voiced[0] * hop : (voiced[-1] + 1) * hop]


def _tones(seconds: float, sr: int, kind: str) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    if kind == "dtmf":
        out = np.zeros_like(t)
        pairs = [(697, 1209), (770, 1336), (852, 1477), (941, 1336)]
        for i, (lo, hi) in enumerate(pairs * int(seconds / 0.4 + 1)):
            a, b = int(i * 0.4 * sr), int((i * 0.4 + 0.2) * sr)
            if a >= len(t):
                break
            seg = t[a:b]
            out[a:b] = np.sin(2 * np.pi * lo * seg) + np.sin(2 * np.pi * hi * seg)
        return (out * 4000).astype(np.float32)
    chords = [(262, 330, 392), (220, 277, 330), (196, 247, 294), (175, 220, 262)]
    out = np.zeros_like(t)
    step = int(0.8 * sr)
    for i in range(0, len(t), step):
        seg = t[i : i + step]
        for f in chords[(i // step) % len(chords)]:
            out[i : i + step] += np.sin(2 * np.pi * f * seg)
    return (out * 2500).astype(np.float32)


def render_call(
    events: list[Event],
    out_path: Path,
    *,
    stereo: bool = True,
    sample_rate: int = 16000,
    voices: dict[str, str] | None = None,
    speed: int = 165,
    lead_in: float = 0.5,
    tail: float = 0.8,
    speak: Speaker | None = None,
) -> RenderedCall:
    """Render events onto a timeline: agent on the left channel, customer on the right
    (or both mixed into one channel when ``stereo`` is False). ``speak`` replaces espeak-ng
    (tests/support/scenarios_varied.py speaks with piper, festival and espeak voices)."""
    if speak is None:
        require_tools()
        speak = _speak
    voices = {**DEFAULT_VOICES, **(voices or {})}
    chunks: list[tuple[int, int, np.ndarray]] = []  # (channel or -1 for both, start sample, data)
    turns: list[RenderedTurn] = []
    spans: list[tuple[str, float, float]] = []
    cursor = lead_in
    for ev in events:
        if isinstance(ev, Silence):
            spans.append(("silence", cursor, cursor + ev.seconds))
            cursor += ev.seconds
        elif isinstance(ev, Tones):
            data = _tones(ev.seconds, sample_rate, ev.kind)
            chunks.append((-1, int(cursor * sample_rate), data))
            spans.append((ev.kind, cursor, cursor + ev.seconds))
            cursor += ev.seconds
        else:
            cursor += ev.pause_before
            data = speak(ev.text, voices[ev.speaker], speed, sample_rate)
            start = cursor
            end = start + len(data) / sample_rate
            chunks.append((0 if ev.speaker == "agent" else 1, int(start * sample_rate), data))
            turns.append(RenderedTurn(ev.speaker, ev.text, round(start, 3), round(end, 3)))
            cursor = end
    total = int((cursor + tail) * sample_rate)
    track = np.zeros((2, total), dtype=np.float32)
    for ch, at, data in chunks:
        n = min(len(data), total - at)
        if ch == -1:
            track[:, at : at + n] += data[:n]
        else:
            track[ch, at : at + n] += data[:n]
    mix = track.T if stereo else track.sum(axis=0, keepdims=True).T
    pcm = np.clip(mix, -32768, 32767).astype(np.int16)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out_path), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return RenderedCall(out_path, turns, total / sample_rate, pcm.shape[1], sample_rate, spans)


def convert(src: Path, dst: Path, *, args: list[str] | None = None) -> Path:
    """Re-encode with ffmpeg; ``args`` go before the output, e.g.
    ``["-ar", "8000", "-acodec", "pcm_mulaw"]``."""
    require_tools("ffmpeg")
    dst.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(src), *(args or []), str(dst)],
        check=True,
        capture_output=True,
    )
    return dst


def cache_key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
