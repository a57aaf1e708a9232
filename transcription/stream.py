"""Cut a decoded stream into windows that end in silence, so an hour-long call is transcribed
in bounded memory and no word is split across two windows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

SEARCH_S = 30.0  # look for the quietest moment in the last 30 s of each window
_FRAME_S = 0.1
_SMOOTH_FRAMES = 5  # a 0.5 s quiet stretch, not one quiet 100 ms dip inside a word


def quietest_cut(x: np.ndarray, lo: int, hi: int, sample_rate: int) -> int:
    """Sample index in [lo, hi) at the middle of the quietest 0.5 s (loudest channel)."""
    hop = max(1, int(sample_rate * _FRAME_S))
    n = (hi - lo) // hop
    if n < _SMOOTH_FRAMES:
        return hi
    frames = x[:, lo : lo + n * hop].reshape(x.shape[0], n, hop).astype(np.float64)
    level = np.sqrt((frames**2).mean(axis=2)).max(axis=0)
    smooth = np.convolve(level, np.ones(_SMOOTH_FRAMES) / _SMOOTH_FRAMES, mode="valid")
    # The latest of equally quiet moments: windows stay close to window_s.
    best = len(smooth) - 1 - int(np.argmin(smooth[::-1])) + _SMOOTH_FRAMES // 2
    return lo + best * hop + hop // 2


def windows(
    blocks: Iterable[np.ndarray], *, sample_rate: int, window_s: float, search_s: float = SEARCH_S
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(offset_s, samples[channels, n])`` windows of at most ``window_s`` seconds, each
    cut at the quietest moment of its last ``search_s`` seconds. Holds one window at a time."""
    target = int(window_s * sample_rate)
    search = min(int(search_s * sample_rate), target // 2)
    pending: list[np.ndarray] = []
    buffered = 0
    offset = 0
    for block in blocks:
        pending.append(block)
        buffered += block.shape[1]
        while buffered >= target:
            x = np.concatenate(pending, axis=1)
            cut = quietest_cut(x, target - search, target, sample_rate)
            yield offset / sample_rate, x[:, :cut]
            pending, buffered, offset = [x[:, cut:]], x.shape[1] - cut, offset + cut
    if buffered:
        yield offset / sample_rate, np.concatenate(pending, axis=1)
