"""Who is speaking: by channel for real stereo, by voice + content for mono.

Mono method (offline, numpy only, no trained speaker model):

1. Each unit (a sentence or pause-delimited run of words) gets a voice vector from the audio
   under it, using only its voiced frames: the median pitch (autocorrelation peak in
   60-400 Hz, as log2 Hz) and the mean MFCCs 1-12 (24-band log-mel + DCT). Pitch separates
   most agent/customer pairs; MFCCs carry timbre when pitches are close.
2. Dimensions are standardised across the call's units and clustered into two groups with
   k-means (deterministic farthest-point start; units weighted by duration).
3. One voice, not two, when: fewer than MIN_UNITS units; the two centroids are not clearly
   apart (separation below MIN_SEPARATION in units of the within-cluster spread); or the
   smaller cluster holds under MIN_SHARE of the speech (k-means on one voice tends to split
   off a few odd units). Then every unit is ``unknown``: a guess would read as a fact.
4. Roles come from content: each cluster sums weighted cue phrases (agent: "thank you for
   calling", "how can I help", "anything else", "can I have your", ...; customer: "I'm
   calling about", "I have a problem", "my bill", ...), plus FIRST_SPEAKER_PRIOR for the
   cluster that spoke first (agents answer inbound calls); the higher score is the agent.
5. Each unit's ``speaker_confidence`` is 0.5 + 0.5 * (d_other - d_own) / (d_other + d_own),
   (0.5 = halfway between the voices, 1 = on its own centroid); below MIN_CONFIDENCE, or for
   a call with a single short unit, the unit is ``unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from transcription.types import Speaker

FAKE_STEREO_CORRELATION = 0.98
FAKE_STEREO_DIFF_DB = -30.0  # energy of (left - right) relative to the mean channel energy
MIN_SEPARATION = 1.0
MIN_SHARE = 0.1
MIN_CONFIDENCE = 0.55
MIN_UNITS = 3

# (pattern, weight): what agents and customers typically say. Openings weigh most; "my name
# is" weighs little because callers introduce themselves too (seen on a real sample call).
_AGENT_CUES = [
    (re.compile(r"thank(s| you) for (calling|contacting|choosing)"), 3),
    (re.compile(r"how (can|may|could) i (help|assist)|what can i do for you"), 3),
    (re.compile(r"this is \w+ (from|with|at)\b"), 2),
    (re.compile(r"is there anything else|anything else i can"), 2),
    (re.compile(r"(can|could|may) i (have|get|take) your"), 2),
    (re.compile(r"verif(y|ication)|security question|date of birth"), 1),
    (re.compile(r"thank(s| you) for (holding|waiting|your patience)|put you on hold"), 1),
    (re.compile(r"bear with me|one moment|let me (check|look|see|pull)"), 1),
    (re.compile(r"have a (great|good|nice|lovely|wonderful) (day|one|evening)"), 1),
    (re.compile(r"my name is|\b(ma'?am|sir)\b"), 1),
]
_CUSTOMER_CUES = [
    (re.compile(r"i'?m calling (about|because|to|regarding)"), 2),
    (re.compile(r"i have a (problem|question|complaint|issue)|can you help me"), 2),
    (re.compile(r"speak to (a|your) (manager|supervisor)|cancel my"), 2),
    (re.compile(r"i was (charged|billed)|i (bought|ordered|purchased|paid)"), 1),
    (re.compile(r"my (account|bill|order|internet|card|phone|car|package|refund)"), 1),
]
FIRST_SPEAKER_PRIOR = 1  # agents answer inbound calls: the first voice leans agent


@dataclass(frozen=True)
class Unit:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Attribution:
    speakers: tuple[Speaker, ...]
    confidences: tuple[float, ...]
    separation: float  # distance between the two voice centroids / within-cluster spread


def is_fake_stereo(samples: np.ndarray) -> bool:
    """Two channels that carry the same signal (a mono call saved as stereo)."""
    if samples.shape[0] != 2:
        return False
    left, right = samples[0].astype(np.float64), samples[1].astype(np.float64)
    energy = (np.mean(left**2) + np.mean(right**2)) / 2
    if energy <= 1e-12:
        return True  # both silent: nothing to tell apart
    diff = np.mean((left - right) ** 2)
    if diff <= energy * 10 ** (FAKE_STEREO_DIFF_DB / 10):
        return True
    if np.std(left) < 1e-9 or np.std(right) < 1e-9:
        return False  # one channel silent: a real stereo call where one side never spoke
    return float(np.corrcoef(left, right)[0, 1]) > FAKE_STEREO_CORRELATION


# --- voice features -----------------------------------------------------------------------

_WIN = 512  # 32 ms at 16 kHz
_HOP = 160  # 10 ms
_N_MELS = 24
_N_MFCC = 12


def _mel_filterbank(sample_rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    # 60-3800 Hz: the band both 8 kHz telephone audio and wideband audio have.
    mels = np.linspace(hz_to_mel(np.array(60.0)), hz_to_mel(np.array(3800.0)), n_mels + 2)
    bins = np.floor((n_fft + 1) * mel_to_hz(mels) / sample_rate).astype(int)
    fb = np.zeros((n_mels, n_fft // 2 + 1))
    for i in range(n_mels):
        lo, mid, hi = bins[i], bins[i + 1], bins[i + 2]
        if mid > lo:
            fb[i, lo:mid] = (np.arange(lo, mid) - lo) / (mid - lo)
        if hi > mid:
            fb[i, mid:hi] = (hi - np.arange(mid, hi)) / (hi - mid)
    return fb


def _dct_matrix(n_in: int, n_out: int) -> np.ndarray:
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    return np.cos(np.pi * k * (2 * n + 1) / (2 * n_in))


def _frames(x: np.ndarray) -> np.ndarray:
    if len(x) < _WIN:
        return np.zeros((0, _WIN))
    n = 1 + (len(x) - _WIN) // _HOP
    idx = np.arange(_WIN)[None, :] + _HOP * np.arange(n)[:, None]
    return x[idx]


def _frame_rms(x: np.ndarray) -> np.ndarray:
    """RMS of every _WIN-sample frame at _HOP, from cumulative sums: materialising the frames
    of a 10-minute window would take ~250 MB."""
    if len(x) < _WIN:
        return np.zeros(1)
    n = 1 + (len(x) - _WIN) // _HOP
    cs = np.concatenate(([0.0], np.cumsum(x.astype(np.float64) ** 2)))
    starts = _HOP * np.arange(n)
    return np.sqrt(np.maximum(cs[starts + _WIN] - cs[starts], 0.0) / _WIN)


def _pitch(frames: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per-frame f0 (Hz) from the normalised autocorrelation peak; NaN where unvoiced."""
    lo, hi = int(sample_rate / 400), int(sample_rate / 60)
    centred = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(centred, n=2 * _WIN, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :_WIN]
    ac = ac / np.maximum(ac[:, :1], 1e-12)
    hi = min(hi, _WIN - 1)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    strength = ac[np.arange(len(ac)), lag]
    f0 = sample_rate / lag.astype(np.float64)
    f0[strength < 0.45] = np.nan
    return f0


class VoiceFeatures:
    """Computes a unit's voice vector from one mono 16 kHz channel."""

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        self.x = np.asarray(samples, dtype=np.float32)  # a float64 copy of a window is 77 MB
        self.sr = sample_rate
        self.fb = _mel_filterbank(sample_rate, _WIN, _N_MELS)
        self.dct = _dct_matrix(_N_MELS, _N_MFCC + 1)
        self.window = np.hanning(_WIN)
        rms = _frame_rms(self.x)
        # Voiced = within 30 dB of the call's loud frames; quieter frames are pauses or noise.
        self.voiced_floor = float(np.percentile(rms, 95)) * 10 ** (-30 / 20) if rms.size else 0.0

    def __call__(self, start: float, end: float) -> np.ndarray:
        # Trim the edges of longer units: word times are approximate and may reach into the
        # other speaker's turn.
        if end - start > 0.8:
            start, end = start + 0.1, end - 0.1
        seg = self.x[int(start * self.sr) : int(end * self.sr)]
        frames = _frames(seg)
        out = np.full(1 + _N_MFCC, np.nan)
        if len(frames) == 0:
            return out
        rms = np.sqrt((frames**2).mean(axis=1))
        frames = frames[rms > self.voiced_floor]
        if len(frames) == 0:
            return out
        f0 = _pitch(frames, self.sr)
        if np.isfinite(f0).any():
            out[0] = float(np.log2(np.nanmedian(f0)))
        power = np.abs(np.fft.rfft(frames * self.window, axis=1)) ** 2
        logmel = np.log(power @ self.fb.T + 1e-10)
        mfcc = logmel @ self.dct.T
        out[1:] = mfcc[:, 1:].mean(axis=0)
        return out


# --- clustering and roles ----------------------------------------------------------------


def _standardise(feats: np.ndarray) -> np.ndarray:
    col_mean = np.nanmean(feats, axis=0)
    filled = np.where(np.isnan(feats), col_mean, feats)
    std = filled.std(axis=0)
    std[std < 1e-9] = 1.0
    z = (filled - filled.mean(axis=0)) / std
    # Pitch is one number against twelve MFCCs; weigh it like a few of them.
    z[:, 0] *= 2.0
    return np.nan_to_num(z)


def _kmeans2(z: np.ndarray, weights: np.ndarray, iters: int = 50) -> np.ndarray:
    centre = np.average(z, axis=0, weights=weights)
    a = int(np.argmax(((z - centre) ** 2).sum(axis=1)))
    b = int(np.argmax(((z - z[a]) ** 2).sum(axis=1)))
    centroids = np.stack([z[a], z[b]])
    labels = np.zeros(len(z), dtype=int)
    for _ in range(iters):
        d = ((z[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        new = np.argmin(d, axis=1)
        if (new == labels).all() and _ > 0:
            break
        labels = new
        for k in (0, 1):
            if (labels == k).any():
                centroids[k] = np.average(z[labels == k], axis=0, weights=weights[labels == k])
    return labels


def content_score(text: str) -> int:
    """Positive when the text sounds like an agent, negative when like a customer."""
    t = text.lower().replace("’", "'")
    agent = sum(w * len(p.findall(t)) for p, w in _AGENT_CUES)
    return agent - sum(w * len(p.findall(t)) for p, w in _CUSTOMER_CUES)


def attribute(units: Sequence[Unit], features: VoiceFeatures) -> Attribution:
    """Label each unit agent/customer/unknown with a confidence (see module docstring)."""
    n = len(units)
    unknown: Speaker = "unknown"
    one_voice = (unknown,) * n
    if n < MIN_UNITS:
        return Attribution(one_voice, (0.0,) * n, 0.0)
    feats = np.stack([features(u.start, u.end) for u in units])
    z = _standardise(feats)
    weights = np.array([max(u.end - u.start, 0.2) for u in units])
    labels = _kmeans2(z, weights)
    if labels.min() == labels.max():
        return Attribution(one_voice, (0.0,) * n, 0.0)
    centroids = np.stack(
        [np.average(z[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)]
    )
    d = np.sqrt(((z[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2))
    own = d[np.arange(n), labels]
    other = d[np.arange(n), 1 - labels]
    # Floor the spread: a cluster of one unit has none, which would make any split look sure.
    spread = max(float(np.average(own, weights=weights)), 0.25)
    separation = float(np.linalg.norm(centroids[0] - centroids[1])) / spread
    share = float(weights[labels == 1].sum() / weights.sum())
    if separation < MIN_SEPARATION or min(share, 1 - share) < MIN_SHARE:
        return Attribution(one_voice, (0.0,) * n, separation)
    scores = [0, 0]
    scores[int(labels[0])] += FIRST_SPEAKER_PRIOR
    for u, k in zip(units, labels, strict=True):
        scores[k] += content_score(u.text)
    agent = int(labels[0]) if scores[0] == scores[1] else int(np.argmax(scores))
    speakers: list[Speaker] = []
    confidences: list[float] = []
    for k, o, t in zip(labels, own, other, strict=True):
        conf = 0.5 + 0.5 * float((t - o) / max(t + o, 1e-9))
        confidences.append(round(conf, 3))
        if conf < MIN_CONFIDENCE:
            speakers.append("unknown")
        else:
            speakers.append("agent" if k == agent else "customer")
    return Attribution(tuple(speakers), tuple(confidences), separation)
