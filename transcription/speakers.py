"""Who is speaking: by channel for real stereo, by voice + content for mono.

Mono method, per call or stream window (offline; torch only for the voiceprints):

1. Units. Whisper's word times blur speaker changes: a word often runs straight over the pause
   between two turns, and one segment can hold both speakers. ``split_at_pauses`` cuts the
   words wherever two neighbours are separated by a pause of at least PAUSE_S (a gap between
   their times, or a quiet stretch in the audio between their middles) and clips the words to
   that quiet stretch. Speakers change at pauses, so a unit holds one voice.
2. Two kinds of voice evidence per unit:
   - frame features: every 10 ms frame that is loud (within 30 dB of the call's p95 level)
     and voiced gets its log pitch and MFCCs: 16 from 32 mel bands over 60-3800 Hz for
     telephone audio, 20 from 40 bands up to 7600 Hz when the recording has sound above 4 kHz.
     They tell apart voices of different pitch and vocal tract, synthetic ones included;
   - a voiceprint (transcription/voiceprint.py): Resemblyzer's speaker encoder, trained on
     thousands of real speakers, over the unit's loud frames (units of at least
     MIN_EMBED_FRAMES; a long unit averages its 1.6 s windows). It hears timbre, which pitch
     and MFCC means miss, but on its own it was worse here: a few words give a noisy print,
     and espeak's variants of one synthesiser all sound like one speaker to it (two espeak men
     0.94 cosine apart, one voice 0.95). So it joins the frame features instead of replacing
     them, and only where they leave doubt: it costs ~0.2 CPU s per audio minute, so it is
     computed when the frame separation (step 4) is under PRINTS_BELOW_SEPARATION (similar
     voices; a man and a woman are further apart and gain nothing measurable from it).
3. Two voices from the frame features, bottom-up: start with one cluster per unit and keep
   merging the two clusters whose frames one full-covariance Gaussian explains best (smallest
   generalised likelihood ratio). Each cluster's covariance is shrunk towards the call's by
   PRIOR_FRAMES frames, so a unit of a few words still compares sensibly. At each of
   CLUSTER_LEVELS clusters, the grouping of the clusters into two with the largest likelihood
   gain over one Gaussian is refined by moving units to the voice that explains them better;
   the best of these wins (straight down to two, a lone odd unit could end up as a "voice").
4. One voice, not two (everything ``unknown``: a guess would read as a fact), when: fewer than
   MIN_UNITS units or MIN_VOICED_FRAMES voiced frames; the two voices' mean frames are less
   than MIN_SEPARATION times as far apart (Mahalanobis distance, pooled covariance) as two
   random halves of one voice would be; the smaller voice holds under MIN_SHARE of the voiced
   frames (a lone odd unit is not a second speaker); or the two voices' mean voiceprints are
   SAME_VOICE_COS alike while the frame separation stays under ONE_VOICE_SEPARATION (one
   voice split by what was said: 5.0-5.9 on generated one-voice calls, which the frames alone
   let through at MIN_SEPARATION; the voiceprints were 0.945-0.973 alike there, two different
   generated voices 0.67-0.93 except two espeak men at 0.956, whose frame separation of 12
   keeps them apart).
5. Re-segmentation: each unit's evidence for either voice is the sum of (a) its frames' log-
   likelihoods under a Gaussian per voice, times EMISSION_SCALE because neighbouring frames
   are far from independent, and (b) VP_WEIGHT times its voiceprint's log-likelihood ratio:
   the margin cos(voice 0's mean print) - cos(voice 1's) is modelled per voice as a normal
   whose mean and spread are fitted on this call, the spread shrinking with the unit's length
   (up to 3 s), clipped to +-LLR_CLIP. Fitting on the call itself, not on thresholds learnt
   from some voices, is what lets it carry to voices never heard. A two-state HMM over the
   units smooths the labels (forward-backward): a speaker change right after a short pause is
   unlikely, after a long one it is a coin toss. Voices are refit and re-scored a few times.
6. Roles come from content: each voice sums weighted cue phrases (agent: "thank you for
   calling", "how can I help", "anything else", "can I have your", "for security", "put you
   on a quick hold", ...; customer: "I'm calling about", "I have a problem", "my bill", "our
   account", "I need to", ...) and the balance of "your" over "my" (agents talk about the
   caller's account, callers about their own), plus FIRST_SPEAKER_PRIOR for the voice that
   spoke first (agents answer inbound calls); the higher score is the agent.
7. Each unit's ``speaker_confidence`` is the HMM posterior of its voice (0.5 = either voice,
   1 = sure). A short unit (under UNSURE_MAX_S) below MIN_CONFIDENCE is ``unknown``; a longer
   one keeps its likelier voice with its low confidence, since a long turn has enough audio
   that the posterior rarely stays ambiguous and ``unknown`` on it loses the whole turn.

Fallback: without the ``Resemblyzer`` package (or on audio not at 16 kHz, which transcribe.py
never passes) step 2 has the frame features only and step 4 its first three tests: the method
as it was before voiceprints (bench/RESULTS.md, "Mono speakers": the same on generated voice
pairs, but one generated one-voice call of two came out as two voices).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from transcription import voiceprint
from transcription.turns import Piece
from transcription.types import Speaker

FAKE_STEREO_CORRELATION = 0.98
FAKE_STEREO_DIFF_DB = -30.0  # energy of (left - right) relative to the mean channel energy
PAUSE_S = 0.15  # a pause this long may be a speaker change
MIN_UNITS = 3
MIN_UNIT_FRAMES = 10  # voiced frames (0.1 s) a unit needs to vote on the voices
PRIOR_FRAMES = 100.0
CLUSTER_LEVELS = (2, 4, 6, 8)  # cluster counts from which two voices are chosen
# One voice split in two (generated one-voice calls, JFK) reached 3.2-5.4 times the chance
# distance, two similar voices 5.5-6.8 and most pairs 10-47: a thin margin for close voices.
MIN_SEPARATION = 5.0
MIN_VOICED_FRAMES = 600  # 6 s of voiced speech: less cannot tell a second voice from variation
MIN_SHARE = 0.05
EMISSION_SCALE = 0.03
SWITCH_PROB = ((0.3, 0.1), (1.0, 0.3))  # (pause below s, P(speaker change)); longer: 0.5
REFITS = 3
MIN_CONFIDENCE = 0.6
UNSURE_MAX_S = 1.5

# (pattern, weight): what agents and customers typically say. Openings weigh most; "my name
# is" weighs little because callers introduce themselves too (seen on a real sample call).
_AGENT_CUES = [
    (re.compile(r"thank(s| you) for (calling|contacting|choosing|phoning|ringing)"), 3),
    (re.compile(r"how (can|may|could) i (help|assist)|what can i do for you"), 3),
    (re.compile(r"welcome to|you'?re (speaking|talking|through) (to|with)"), 2),
    (re.compile(r"this is \w+ (from|with|at)\b"), 2),
    (re.compile(r"is there anything else|anything else i can"), 2),
    (re.compile(r"(can|could|may) i (have|get|take) your"), 2),
    (re.compile(r"verif(y|ication)|security question|date of birth"), 1),
    (re.compile(r"thank(s| you) for (holding|waiting|your patience)"), 1),
    (re.compile(r"put you on (a )?(quick |short |brief )?hold"), 1),
    (re.compile(r"bear with me|one moment|let me (check|look|see|pull)"), 1),
    (re.compile(r"\bfor (security|verification)\b"), 1),
    (re.compile(r"can you (confirm|tell me|give me) (the|your)"), 1),
    (re.compile(r"\b(pulling|bringing) (that|it|this|your \w+) up"), 1),
    (re.compile(r"have a (great|good|nice|lovely|wonderful) (day|one|evening)"), 1),
    (re.compile(r"my name is|\b(ma'?am|sir)\b"), 1),
]
_CUSTOMER_CUES = [
    (re.compile(r"i'?m calling (about|because|to|regarding)"), 2),
    (re.compile(r"i have a (problem|question|complaint|issue)|can you help me"), 2),
    (re.compile(r"speak to (a|your) (manager|supervisor)|cancel my"), 2),
    (re.compile(r"i was (charged|billed)|i (bought|ordered|purchased|paid)"), 1),
    (re.compile(r"(my|our) (account|bill|order|internet|card|phone|car|package|refund)"), 1),
    (re.compile(r"\bi (need|want|would like|'d like) to\b|every time i call"), 1),
    (re.compile(r"i'?ll (hang on|hold|wait)\b"), 1),
]
# Agents ask about the caller's things, callers talk about their own.
_YOUR = re.compile(r"\byour\b")
_MY = re.compile(r"\bmy\b")
PRONOUN_WEIGHT = 0.5
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
    separation: float  # frame features' distance over chance (step 4); two voices from 5


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

# (top Hz, mel bands, MFCCs) for telephone-band and wideband recordings.
_NARROW = (3800.0, 32, 16)
_WIDE = (7600.0, 40, 20)
WIDEBAND_DB = -40.0  # energy above 4.2 kHz relative to all, in loud frames (8 kHz audio: -52)
_CHUNK = 4096  # frames per FFT batch: bounds memory on long stream windows


def _mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, top_hz: float) -> np.ndarray:
    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    mels = np.linspace(hz_to_mel(np.array(60.0)), hz_to_mel(np.array(top_hz)), n_mels + 2)
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


def _frame_rms(x: np.ndarray, win: int, hop: int) -> np.ndarray:
    """RMS of every ``win``-sample frame at ``hop``, from cumulative sums: materialising the
    frames of a 10-minute window would take ~250 MB."""
    if len(x) < win:
        return np.zeros(0)
    n = 1 + (len(x) - win) // hop
    cs = np.concatenate(([0.0], np.cumsum(x.astype(np.float64) ** 2)))
    starts = hop * np.arange(n)
    return np.sqrt(np.maximum(cs[starts + win] - cs[starts], 0.0) / win)


def _pitch(frames: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per-frame f0 (Hz) from the normalised autocorrelation peak; NaN where unvoiced."""
    win = frames.shape[1]
    lo, hi = int(sample_rate / 400), min(int(sample_rate / 60), win - 1)
    centred = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(centred, n=2 * win, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :win]
    ac = ac / np.maximum(ac[:, :1], 1e-12)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    strength = ac[np.arange(len(ac)), lag]
    f0 = sample_rate / lag.astype(np.float64)
    f0[strength < 0.45] = np.nan
    return f0


def _band(power: np.ndarray, sample_rate: int) -> tuple[float, int, int]:
    """Wideband features when the loud frames carry sound above 4.2 kHz, else telephone band."""
    freqs = np.fft.rfftfreq(2 * (power.shape[1] - 1), 1 / sample_rate)
    total = float(power.sum())
    if total <= 0 or sample_rate < 2 * _WIDE[0]:
        return _NARROW
    high = float(power[:, freqs > 4200].sum())
    return _WIDE if 10 * np.log10(max(high, 1e-30) / total) > WIDEBAND_DB else _NARROW


class VoiceFeatures:
    """Per-frame voice vectors (MFCCs + log2 pitch) of one mono channel, every 10 ms; NaN
    rows where the frame is quiet or unvoiced."""

    def __init__(self, samples: np.ndarray, sample_rate: int) -> None:
        x = np.asarray(samples, dtype=np.float32)  # a float64 copy of a window is 77 MB
        self.samples = x  # kept for the voiceprints (a view of the caller's window, no copy)
        self.sample_rate = sample_rate
        self._voiceprints: voiceprint.Voiceprints | None = None
        self.hop_s = 0.01
        hop = max(1, round(sample_rate * self.hop_s))
        win = 1 << int(np.ceil(np.log2(sample_rate * 0.032)))  # 512 at 16 kHz
        self.win_s = win / sample_rate
        rms = _frame_rms(x, win, hop)
        # Loud = within 30 dB of the call's loud frames; quieter frames are pauses or noise.
        floor = float(np.percentile(rms, 95)) * 10 ** (-30 / 20) if rms.size else 0.0
        self.loud = rms > floor
        loud = np.flatnonzero(self.loud)
        window = np.hanning(win)

        def power(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            frames = x[hop * idx[:, None] + np.arange(win)[None, :]].astype(np.float64)
            return frames, np.abs(np.fft.rfft(frames * window, axis=1)) ** 2

        top_hz, n_mels, n_mfcc = _band(power(loud[::8])[1], sample_rate)
        fb = _mel_filterbank(sample_rate, win, n_mels, top_hz)
        dct = _dct_matrix(n_mels, n_mfcc + 1)[1:]  # c0 is loudness, not voice
        self.vectors = np.full((rms.size, n_mfcc + 1), np.nan)
        for a in range(0, loud.size, _CHUNK):
            idx = loud[a : a + _CHUNK]
            frames, spectrum = power(idx)
            self.vectors[idx, :n_mfcc] = np.log(spectrum @ fb.T + 1e-10) @ dct.T
            self.vectors[idx, n_mfcc] = np.log2(_pitch(frames, sample_rate))
        self.voiced = np.isfinite(self.vectors).all(axis=1)

    def frame(self, t: float) -> int:
        return max(0, min(self.loud.size, round(t / self.hop_s)))

    def voiced_frames(self, start: float, end: float) -> np.ndarray:
        """Indices of the voiced frames under a unit, its edges trimmed when it is long
        enough: word times are approximate and may reach into the neighbouring turn."""
        if end - start > 0.5:
            start, end = start + 0.05, end - 0.05
        idx = np.arange(self.frame(start), self.frame(end))
        return idx[self.voiced[idx]]

    def voiceprints(self) -> voiceprint.Voiceprints:
        """The voiceprint encoder's view of this audio, computed on first use."""
        if self._voiceprints is None:
            self._voiceprints = voiceprint.Voiceprints(self.samples, self.sample_rate)
        return self._voiceprints

    def loud_frames(self, start: float, end: float) -> np.ndarray:
        """Indices of the loud frames under a unit (edges trimmed as in ``voiced_frames``):
        the voiceprint hears consonants too, so it takes every loud frame, not only voiced."""
        if end - start > 0.5:
            start, end = start + 0.05, end - 0.05
        idx = np.arange(self.frame(start), self.frame(end))
        return idx[self.loud[idx]]

    def quiet_stretch(self, start: float, end: float) -> tuple[float, float] | None:
        """The longest silence between two times, if it lasts PAUSE_S. A frame is loud when
        any of its window holds sound, so the silence starts half a hop before the first
        quiet frame and ends half a hop before the end of the next loud one's window."""
        a, b = self.frame(start), self.frame(end)
        quiet = np.concatenate(([False], ~self.loud[a:b], [False]))
        edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
        if edges.size == 0:
            return None
        starts, ends = edges[0::2], edges[1::2]
        best = int(np.argmax(ends - starts))
        silent_from = (a + starts[best] - 0.5) * self.hop_s
        silent_to = (a + ends[best] - 0.5) * self.hop_s + self.win_s
        if silent_to - silent_from < PAUSE_S:
            return None
        return silent_from, silent_to


# --- units --------------------------------------------------------------------------------


def split_at_pauses(pieces: Sequence[Piece], voice: VoiceFeatures) -> list[Piece]:
    """Cut pieces of words wherever a pause may hide a speaker change (see step 1)."""
    out: list[Piece] = []
    for piece in pieces:
        if len(piece.words) < 2:
            out.append(piece)
            continue
        words = list(piece.words)
        cuts = []
        for i in range(1, len(words)):
            a, b = words[i - 1], words[i]
            quiet = voice.quiet_stretch((a.start + a.end) / 2, (b.start + b.end) / 2)
            if quiet is not None:
                # Words end and start where the sound does, not in the pause.
                words[i - 1] = replace(a, end=round(max(a.start, min(a.end, quiet[0])), 3))
                words[i] = replace(b, start=round(min(b.end, max(b.start, quiet[1])), 3))
            if quiet is not None or b.start - a.end >= PAUSE_S:
                cuts.append(i)
        for lo, hi in zip([0, *cuts], [*cuts, len(words)], strict=True):
            part = words[lo:hi]
            text = "".join(w.word for w in part).strip()
            out.append(
                replace(
                    piece,
                    words=tuple(part),
                    start=part[0].start,
                    end=max(w.end for w in part),
                    text=text,
                )
            )
    return out


# --- voices: clustering and re-segmentation -----------------------------------------------


@dataclass
class _Scatter:
    """Sufficient statistics of a set of frames: count, sum, sum of outer products."""

    n: np.ndarray  # [k]
    s: np.ndarray  # [k, d]
    ss: np.ndarray  # [k, d, d]

    def covariances(self, prior: np.ndarray) -> np.ndarray:
        mean = self.s / self.n[:, None]
        scatter = self.ss - self.n[:, None, None] * mean[:, :, None] * mean[:, None, :]
        return (scatter + PRIOR_FRAMES * prior) / (self.n + PRIOR_FRAMES)[:, None, None]

    def half_nlogdet(self, prior: np.ndarray) -> np.ndarray:
        """0.5 * n * log|cov|: a cluster's Gaussian log-likelihood, up to constants."""
        return 0.5 * self.n * np.linalg.slogdet(self.covariances(prior))[1]


def _scatter(x: np.ndarray, groups: Sequence[np.ndarray]) -> _Scatter:
    return _Scatter(
        np.array([len(g) for g in groups], dtype=np.float64),
        np.stack([x[g].sum(axis=0) for g in groups]),
        np.stack([x[g].T @ x[g] for g in groups]),
    )


def _agglomerate(
    x: np.ndarray, groups: Sequence[np.ndarray], prior: np.ndarray, levels: Sequence[int]
) -> dict[int, np.ndarray]:
    """Merge groups bottom-up by smallest likelihood-ratio cost; the cluster label of each
    group at every number of clusters in ``levels``."""
    st = _scatter(x, groups)
    own = st.half_nlogdet(prior)
    members = [[i] for i in range(len(groups))]
    m = len(groups)
    cost = np.full((m, m), np.inf)

    def merged_cost(i: int, js: np.ndarray) -> np.ndarray:
        pair = _Scatter(st.n[i] + st.n[js], st.s[i] + st.s[js], st.ss[i] + st.ss[js])
        return pair.half_nlogdet(prior) - own[i] - own[js]

    def labels() -> np.ndarray:
        out = np.zeros(m, dtype=int)
        for k, i in enumerate(np.flatnonzero(alive)):
            out[members[int(i)]] = k
        return out

    for i in range(m - 1):
        js = np.arange(i + 1, m)
        cost[i, js] = merged_cost(i, js)
    alive = np.ones(m, dtype=bool)
    found = {m: labels()} if m in levels else {}
    for left in range(m - 1, min(levels) - 1, -1):
        i, j = (int(v) for v in np.unravel_index(int(np.argmin(cost)), cost.shape))
        members[i] += members[j]
        st.n[i] += st.n[j]
        st.s[i] += st.s[j]
        st.ss[i] += st.ss[j]
        own[i] = _Scatter(st.n[i : i + 1], st.s[i : i + 1], st.ss[i : i + 1]).half_nlogdet(prior)[0]
        alive[j] = False
        cost[j, :] = cost[:, j] = np.inf
        others = np.flatnonzero(alive & (np.arange(m) != i))
        cost[np.minimum(i, others), np.maximum(i, others)] = merged_cost(i, others)
        if left in levels:
            found[left] = labels()
    return found


def _pooled(st: _Scatter, mask: np.ndarray) -> _Scatter:
    return _Scatter(
        st.n[mask].sum(keepdims=True),
        st.s[mask].sum(axis=0, keepdims=True),
        st.ss[mask].sum(axis=0, keepdims=True),
    )


def _split_gain(st: _Scatter, side: np.ndarray, prior: np.ndarray) -> float:
    """How much better two Gaussians (clusters in ``side`` vs the rest) explain the frames
    than one; -inf when a side holds under MIN_SHARE of them (an odd unit is not a voice)."""
    n_a, total = st.n[side].sum(), st.n.sum()
    if min(n_a, total - n_a) < MIN_SHARE * total:
        return -np.inf
    whole = _pooled(st, np.ones(len(st.n), dtype=bool)).half_nlogdet(prior)[0]
    return float(whole - sum(_pooled(st, m).half_nlogdet(prior)[0] for m in (side, ~side)))


def _best_split(
    x: np.ndarray, groups: Sequence[np.ndarray], clusters: np.ndarray, prior: np.ndarray
) -> tuple[np.ndarray, float]:
    """The grouping of a few clusters into two voices with the largest split gain."""
    k = int(clusters.max()) + 1
    st = _scatter(
        x,
        [
            np.concatenate([g for g, c in zip(groups, clusters, strict=True) if c == v])
            for v in range(k)
        ],
    )
    best, best_gain = np.zeros(k, dtype=bool), -np.inf
    for mask in range(1, 2 ** (k - 1)):
        side = np.array([(mask >> c) & 1 for c in range(k)], dtype=bool)
        gain = _split_gain(st, side, prior)
        if gain > best_gain:
            best, best_gain = side, gain
    return best[clusters].astype(int), best_gain


def _reassign(
    x: np.ndarray, groups: Sequence[np.ndarray], labels: np.ndarray, prior: np.ndarray
) -> tuple[np.ndarray, float]:
    """Move each unit to the voice whose Gaussian explains it better, refitting, a few times;
    the labels and their split gain."""
    for _ in range(REFITS):
        new = _unit_logliks(x, groups, labels, prior).argmax(axis=1)
        if (new == labels).all() or new.min() == new.max():
            break
        labels = new
    gain = _split_gain(_scatter(x, _voice_frames(groups, labels)), np.array([True, False]), prior)
    return labels, gain


def _two_voices(x: np.ndarray, groups: Sequence[np.ndarray], prior: np.ndarray) -> np.ndarray:
    """Split the units into two voices. Agglomerating straight down to two can leave a lone
    odd unit (a cough, a misaligned word) as a voice, and greedy merges can miss the best
    split of close voices; so take, at several cluster counts, the grouping of the clusters
    into two with the largest split gain, refine each by reassigning units, and keep the best."""
    levels = sorted({min(len(groups), k) for k in CLUSTER_LEVELS})
    best, best_gain = np.zeros(len(groups), dtype=int), -np.inf
    for clusters in _agglomerate(x, groups, prior, levels).values():
        labels, gain = _reassign(x, groups, _best_split(x, groups, clusters, prior)[0], prior)
        if gain > best_gain:
            best, best_gain = labels, gain
    return best


def _voice_frames(groups: Sequence[np.ndarray], labels: np.ndarray) -> list[np.ndarray]:
    """The frames of each voice (empty for a voice without units)."""
    empty = np.zeros(0, dtype=int)
    return [
        np.concatenate([empty, *(g for g, k in zip(groups, labels, strict=True) if k == v)])
        for v in (0, 1)
    ]


def _gaussian_loglik(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(cov)
    y = np.linalg.solve(chol, (x - mean).T)
    return -0.5 * (y**2).sum(axis=0) - np.log(np.diag(chol)).sum()


def _unit_logliks(
    x: np.ndarray, groups: Sequence[np.ndarray], labels: np.ndarray, prior: np.ndarray
) -> np.ndarray:
    """[units, 2]: each unit's summed frame log-likelihood under each voice's Gaussian."""
    st = _scatter(x, _voice_frames(groups, labels))
    covs = st.covariances(prior)
    means = st.s / st.n[:, None]
    sizes = np.array([len(g) for g in groups])
    owner = np.repeat(np.arange(len(groups)), sizes)
    frames = np.concatenate(groups)
    out = np.zeros((len(groups), 2))
    for v in (0, 1):
        ll = _gaussian_loglik(x[frames], means[v], covs[v])
        out[:, v] = np.bincount(owner, weights=ll, minlength=len(groups))
    return out


def _switch_logprob(units: Sequence[Unit]) -> np.ndarray:
    """log P(speaker change) before each unit, from the pause before it."""
    out = np.full(len(units), np.log(0.5))
    for i in range(1, len(units)):
        pause = units[i].start - units[i - 1].end
        for below, prob in SWITCH_PROB:
            if pause < below:
                out[i] = np.log(prob)
                break
    return out


def _forward_backward(emissions: np.ndarray, log_switch: np.ndarray) -> np.ndarray:
    """Posteriors [units, 2] of a two-state HMM with per-step switch probabilities."""
    n = len(emissions)
    log_stay = np.log1p(-np.exp(log_switch))
    fwd = np.zeros((n, 2))
    bwd = np.zeros((n, 2))
    fwd[0] = emissions[0] + np.log(0.5)
    for i in range(1, n):
        prev = fwd[i - 1]
        fwd[i] = emissions[i] + np.logaddexp(prev + log_stay[i], prev[::-1] + log_switch[i])
    for i in range(n - 2, -1, -1):
        nxt = bwd[i + 1] + emissions[i + 1]
        bwd[i] = np.logaddexp(nxt + log_stay[i + 1], nxt[::-1] + log_switch[i + 1])
    joint = fwd + bwd
    joint -= joint.max(axis=1, keepdims=True)
    post = np.exp(joint)
    return post / post.sum(axis=1, keepdims=True)


def _separation(
    x: np.ndarray, groups: Sequence[np.ndarray], labels: np.ndarray
) -> tuple[float, float, float]:
    """(Mahalanobis distance between the voices' mean frames; the same over the distance two
    random halves of one voice would show, sqrt(d * (1/n1 + 1/n2)); smaller voice's share)."""
    sets = _voice_frames(groups, labels)
    sizes = [len(s) for s in sets]
    if min(sizes) < 2:
        return 0.0, 0.0, 0.0
    means = [x[s].mean(axis=0) for s in sets]
    pooled = sum(np.cov(x[s].T) * (len(s) - 1) for s in sets) / (sum(sizes) - 2)
    diff = means[0] - means[1]
    dist = float(np.sqrt(diff @ np.linalg.solve(pooled + 1e-6 * np.eye(len(diff)), diff)))
    chance = float(np.sqrt(len(diff) * (1 / sizes[0] + 1 / sizes[1])))
    return dist, dist / chance, min(sizes) / sum(sizes)


# --- roles --------------------------------------------------------------------------------


def content_score(text: str) -> int:
    """Positive when the text sounds like an agent, negative when like a customer."""
    t = text.lower().replace("’", "'")
    agent = sum(w * len(p.findall(t)) for p, w in _AGENT_CUES)
    return agent - sum(w * len(p.findall(t)) for p, w in _CUSTOMER_CUES)


def role_score(text: str) -> float:
    """content_score plus the your/my balance."""
    t = text.lower().replace("’", "'")
    lean = len(_YOUR.findall(t)) - len(_MY.findall(t))
    return content_score(text) + PRONOUN_WEIGHT * lean


def _agent_voice(units: Sequence[Unit], labels: np.ndarray) -> int:
    scores = [0.0, 0.0]
    scores[int(labels[0])] += FIRST_SPEAKER_PRIOR
    for u, k in zip(units, labels, strict=True):
        scores[int(k)] += role_score(u.text)
    return int(labels[0]) if scores[0] == scores[1] else int(np.argmax(scores))


# --- attribution --------------------------------------------------------------------------


def _unknown(n: int, separation: float = 0.0) -> Attribution:
    unknown: Speaker = "unknown"
    return Attribution((unknown,) * n, (0.0,) * n, round(separation, 3))


def attribute(units: Sequence[Unit], voice: VoiceFeatures) -> Attribution:
    """Label each unit agent/customer/unknown with a confidence (see module docstring). The
    voiceprints join the frame features when the encoder is installed and the audio is 16 kHz
    (transcribe.py always resamples to 16 kHz)."""
    prints = voice.sample_rate == voiceprint.SAMPLE_RATE and voiceprint.available()
    return _attribute(units, voice, prints=prints)


# --- voiceprints ---------------------------------------------------------------------------

MIN_EMBED_FRAMES = 25  # loud frames (0.25 s) a unit needs for a voiceprint of its own
WEIGHT_CAP_FRAMES = 300  # a voiceprint stops getting surer after ~3 s
# Generated calls (dev pairs + holdout): one voice read both roles 0.945-0.973 with a frame
# separation of 5.0-5.9; two espeak men 0.933 at 5.5 and 0.956 at 12.2. A thin margin: the
# encoder hears espeak's variants as one speaker; real pairs were 0.71-0.77.
SAME_VOICE_COS = 0.94  # the two voices' mean voiceprints at least this alike ...
ONE_VOICE_SEPARATION = 8.0  # ... and frame features this close: one voice (step 4)
# Voiceprints cost ~0.2 CPU s per audio minute (a 4.6 min call: transcription 1.14x bare
# faster-whisper tiny.en with them, 1.09x without). Voices the frames already hold this far
# apart (a man and a woman: 15-45 on generated calls, 23 on the real call) gain nothing
# measurable from them, so they are only computed below it.
PRINTS_BELOW_SEPARATION = 20.0
VP_WEIGHT = 1.0  # voiceprint log-likelihood ratio added to the frames' in the HMM
LLR_CLIP = 12.0  # voiceprints of neighbouring units are not independent evidence


def _centroids(e: np.ndarray, w: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each voice's mean voiceprint (unit length), weighted by the units' loud seconds."""
    out = np.zeros((2, e.shape[1]))
    for v in (0, 1):
        m = (w[labels == v, None] * e[labels == v]).sum(axis=0)
        out[v] = m / max(float(np.linalg.norm(m)), 1e-9)
    return out


def _print_emissions(
    e: np.ndarray, frames: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Log-likelihoods [units, 2] of each unit's voiceprint under either voice, fitted on this
    call: the margin d = cos(mean of voice 0) - cos(mean of voice 1) is modelled as
    N(mu_v, s^2 / t), t the unit's loud seconds (capped at 3); also the cosine between the
    voices' means and their gap over a 1 s unit's spread (d')."""
    t = np.minimum(frames, WEIGHT_CAP_FRAMES) / 100.0
    c = _centroids(e, t, labels)
    d = e @ c[0] - e @ c[1]
    mu = np.array([np.average(d[labels == v], weights=t[labels == v]) for v in (0, 1)])
    var = max(float(((d - mu[labels]) ** 2 * t).sum() / max(1, len(d) - 2)), 1e-6)
    ll = -0.5 * (d[:, None] - mu[None, :]) ** 2 * t[:, None] / var
    llr = np.clip(ll[:, 0] - ll[:, 1], -LLR_CLIP, LLR_CLIP)
    dprime = float(abs(mu[0] - mu[1]) / np.sqrt(var))
    return np.stack([llr / 2, -llr / 2], axis=1), float(c[0] @ c[1]), dprime


def _label(units: Sequence[Unit], posterior: np.ndarray, separation: float) -> Attribution:
    """Roles by content, each unit's confidence, and unknown for short unsure units."""
    best = posterior.argmax(axis=1)
    agent = _agent_voice(units, best)
    speakers: list[Speaker] = []
    confidences: list[float] = []
    for u, k, p in zip(units, best, posterior, strict=True):
        conf = float(p[k])
        confidences.append(round(conf, 3))
        if conf < MIN_CONFIDENCE and u.end - u.start < UNSURE_MAX_S:
            speakers.append("unknown")
        else:
            speakers.append("agent" if k == agent else "customer")
    return Attribution(tuple(speakers), tuple(confidences), round(separation, 3))


def _attribute(units: Sequence[Unit], voice: VoiceFeatures, *, prints: bool) -> Attribution:
    n = len(units)
    if n < MIN_UNITS:
        return _unknown(n)
    x = voice.vectors
    frames = [voice.voiced_frames(u.start, u.end) for u in units]
    heard = [i for i, f in enumerate(frames) if len(f) >= MIN_UNIT_FRAMES]
    if len(heard) < 2:
        return _unknown(n)
    groups = [frames[i] for i in heard]
    all_frames = np.concatenate(groups)
    prior = np.cov(x[all_frames].T)
    labels = _two_voices(x, groups, prior)
    _, relative, share = _separation(x, groups, labels)
    if len(all_frames) < MIN_VOICED_FRAMES or relative < MIN_SEPARATION or share < MIN_SHARE:
        return _unknown(n, relative)
    assign = np.zeros(n, dtype=int)  # every unit's voice; unheard ones follow the HMM
    assign[heard] = labels
    printed, e, loud = np.zeros(0, dtype=int), np.zeros((0, 256)), np.zeros(0)
    if prints and relative < PRINTS_BELOW_SEPARATION:
        spans = [voice.loud_frames(u.start, u.end) for u in units]
        printed = np.flatnonzero(np.array([len(f) for f in spans]) >= MIN_EMBED_FRAMES)
    if len(printed) >= 2:
        e = voice.voiceprints().embed([spans[i] for i in printed]).astype(np.float64)
        loud = np.array([len(spans[i]) for i in printed], dtype=np.float64)
        known = np.isin(printed, heard)
        c = _centroids(e[known], loud[known], assign[printed][known])
        assign[printed] = np.where(known, assign[printed], (e @ c.T).argmax(axis=1))
        between = _print_emissions(e, loud, assign[printed])[1]
        if between >= SAME_VOICE_COS and relative < ONE_VOICE_SEPARATION:
            return _unknown(n, relative)
    log_switch = _switch_logprob(units)
    emissions = np.zeros((n, 2))
    for _ in range(REFITS):
        emissions[:] = 0.0
        emissions[heard] = EMISSION_SCALE * _unit_logliks(x, groups, labels, prior)
        if len(printed) >= 2 and np.ptp(assign[printed]) > 0:
            emissions[printed] += VP_WEIGHT * _print_emissions(e, loud, assign[printed])[0]
        posterior = _forward_backward(emissions, log_switch)
        new = posterior.argmax(axis=1)
        if min(new[heard].sum(), len(heard) - new[heard].sum()) == 0 or (new == assign).all():
            break
        assign, labels = new, new[heard]
    return _label(units, posterior, relative)
