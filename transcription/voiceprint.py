"""Speaker embeddings ("voiceprints") of stretches of one recording, for mono attribution.

The encoder is Resemblyzer's (GE2E-trained, 3-layer LSTM over 40 mel bands, 256-d output; its
17 MB weights ship in the PyPI package ``Resemblyzer``). Only the weights file is read: the
package's own modules import webrtcvad and librosa at import time, which this needs neither of,
so the same network is rebuilt here and its mel spectrogram computed with numpy (the same
librosa defaults: 25 ms Hann window, 10 ms hop, Slaney mel, power spectrum, no log).

``available()`` is False when the package is not installed; speakers.py then falls back to its
own numpy voice features. torch is imported on first use, with one thread (MEASURED.md).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s: the encoder's training length; longer spans are averaged
PARTIAL_STEP = 160  # no overlap between a long span's windows: half the cost, same accuracy on dev
# At most this many windows per span: speakers.py's evidence stops growing after 3 s anyway,
# and a long monologue would otherwise cost the most (one LSTM pass per 1.6 s).
MAX_PARTIALS = 2
TARGET_DBFS = -30.0  # the encoder's training loudness (raised to, never lowered)


def weights_path() -> Path | None:
    """Where the installed Resemblyzer keeps ``pretrained.pt``, without importing it."""
    try:
        spec = importlib.util.find_spec("resemblyzer")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    return path if path.exists() else None


def available() -> bool:
    return weights_path() is not None


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (librosa's default)."""
    f = np.atleast_1d(np.asarray(f, dtype=np.float64))
    mel = f / (200.0 / 3)
    log = f >= 1000.0
    mel[log] = 15.0 + np.log(f[log] / 1000.0) / (np.log(6.4) / 27.0)
    return mel


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.atleast_1d(np.asarray(m, dtype=np.float64))
    f = m * (200.0 / 3)
    log = m >= 15.0
    f[log] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m[log] - 15.0))
    return f


@functools.cache
def _mel_basis() -> np.ndarray:
    """[N_MELS, N_FFT // 2 + 1] Slaney-normalised triangles over 0-8 kHz."""
    fft_hz = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    top = _hz_to_mel(np.array([0.0, SAMPLE_RATE / 2]))
    mel_hz = _mel_to_hz(np.linspace(top[0], top[1], N_MELS + 2))
    fdiff = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    return weights * (2.0 / (mel_hz[2 : N_MELS + 2] - mel_hz[:N_MELS]))[:, None]


def mel_frames(x: np.ndarray) -> np.ndarray:
    """[frames, N_MELS] power mel spectrogram of 16 kHz samples, frame i centred at i * 10 ms."""
    x = np.asarray(x, dtype=np.float32)
    padded = np.pad(x, N_FFT // 2)
    n = 1 + (len(padded) - N_FFT) // HOP if len(padded) >= N_FFT else 0
    out = np.zeros((n, N_MELS), dtype=np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    basis = _mel_basis().astype(np.float32)
    for a in range(0, n, 4096):  # bounded memory on long windows
        idx = np.arange(a, min(n, a + 4096))
        frames = padded[HOP * idx[:, None] + np.arange(N_FFT)[None, :]] * window
        out[idx] = (np.abs(np.fft.rfft(frames, axis=1)) ** 2) @ basis.T
    return out


@functools.cache
def _encoder() -> Any:
    import torch
    from torch import nn

    torch.set_num_threads(1)  # one thread per worker process (MEASURED.md)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, 256)

        def forward(self, mels: Any, lengths: Any) -> Any:
            packed = nn.utils.rnn.pack_padded_sequence(
                mels, lengths, batch_first=True, enforce_sorted=False
            )
            _, (hidden, _) = self.lstm(packed)
            raw = torch.relu(self.linear(hidden[-1]))
            return raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)

    path = weights_path()
    if path is None:
        raise RuntimeError("Resemblyzer is not installed: pip install Resemblyzer")
    model = Encoder()
    state = torch.load(path, map_location="cpu", weights_only=True)["model_state"]
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith("similarity")})
    model.eval()
    return model


class Voiceprints:
    """Embeddings of spans of one 16 kHz mono recording."""

    def __init__(self, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"voiceprints need {SAMPLE_RATE} Hz audio, got {sample_rate}")
        x = np.asarray(samples, dtype=np.float32)
        rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if x.size else 0.0
        if rms > 0:
            gain = 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20)
            x = x * np.float32(max(1.0, gain))
        self.mels = mel_frames(x)

    def embed(self, spans: list[np.ndarray]) -> np.ndarray:
        """[len(spans), 256] unit vectors, one per span of mel frame indices (its loud frames,
        say). A span longer than 1.6 s averages the prints of its 1.6 s windows (the length
        the encoder was trained on; at most MAX_PARTIALS, spread over the span). A span
        without frames gets a zero vector."""
        import torch

        pieces: list[np.ndarray] = []
        owner: list[int] = []
        for i, idx in enumerate(spans):
            idx = idx[idx < len(self.mels)]
            if idx.size == 0:
                continue
            starts = list(range(0, max(1, idx.size - PARTIAL_FRAMES + PARTIAL_STEP), PARTIAL_STEP))
            if len(starts) > MAX_PARTIALS:  # evenly spread over the span
                starts = [starts[round(k)] for k in np.linspace(0, len(starts) - 1, MAX_PARTIALS)]
            for a in starts:
                pieces.append(self.mels[idx[a : a + PARTIAL_FRAMES]])
                owner.append(i)
        out = np.zeros((len(spans), 256), dtype=np.float32)
        if not pieces:
            return out
        lengths = torch.tensor([len(p) for p in pieces])
        batch = torch.zeros((len(pieces), int(lengths.max()), N_MELS))
        for k, p in enumerate(pieces):
            batch[k, : len(p)] = torch.from_numpy(p)
        with torch.inference_mode():
            vectors = np.concatenate(
                [
                    _encoder()(batch[a : a + 64], lengths[a : a + 64]).numpy()
                    for a in range(0, len(pieces), 64)
                ]
            )
        np.add.at(out, np.array(owner), vectors)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.where(norms > 0, out / np.maximum(norms, 1e-9), 0.0).astype(np.float32)
