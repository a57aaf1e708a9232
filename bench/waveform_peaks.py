"""The review page's waveform of a long recording: first load (decode, then save the peaks),
again in the same process (memory), and after a restart (the in-process cache cleared: the
saved peaks, read from disk). Before the peaks were saved, a restart cost a first load again.

A generated two-channel 8 kHz 16-bit WAV (a telephony recording) in a fresh local storage,
through ``domains.calls.waveform.cached_peaks`` as the peaks route calls it; medians of R.

    .venv/bin/python -m bench.waveform_peaks [--minutes 60] [--buckets 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from bench.common import machine_line
from domains.calls import peaks_files, waveform
from domains.kit.storage import LocalStorage
from transcription.audio import AudioLimits

RATE = 8000


def _recording(minutes: float, folder: Path) -> Path:
    """Two channels of speech-like bursts over noise, written a minute at a time."""
    rng = np.random.default_rng(7)
    path = folder / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        for _ in range(int(minutes)):
            loud = np.repeat(rng.random((2, 60)) > 0.5, RATE, axis=1)  # a second on or off
            pcm = rng.normal(0, 600, (2, 60 * RATE)) * np.where(loud, 10.0, 1.0)
            w.writeframes(np.clip(pcm, -32768, 32767).astype("<i2").T.tobytes())
    return path


def _timed(storage: LocalStorage, key: str, buckets: int) -> float:
    t0 = time.perf_counter()
    waveform.cached_peaks(storage, key, buckets, AudioLimits())
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waveform-peaks-") as tmp:  # the WAV is 115 MB
        root = Path(tmp)
        storage = LocalStorage(root / "storage")
        stored = storage.put_file(_recording(args.minutes, root), suffix=".wav")
        first, memory, restart = [], [], []
        for _ in range(args.runs):
            peaks_files.discard(storage, stored.key)
            waveform._peaks_of.cache_clear()
            first.append(_timed(storage, stored.key, args.buckets))
            memory.append(_timed(storage, stored.key, args.buckets))
            waveform._peaks_of.cache_clear()  # a restart: the process forgets, the disk does not
            restart.append(_timed(storage, stored.key, args.buckets))
        saved_kib = peaks_files.path_for(storage, stored.key, args.buckets).stat().st_size / 1024
    print(machine_line())
    print(
        f"waveform peaks of a {args.minutes:g}-minute two-channel 8 kHz WAV "
        f"({stored.size / 1e6:.0f} MB), {args.buckets} buckets, medians of {args.runs}"
    )
    ms = {k: statistics.median(v) * 1000 for k, v in (("f", first), ("m", memory), ("r", restart))}
    print(f"  first load (decode + save {saved_kib:.0f} KiB): {ms['f']:.0f} ms")
    print(f"  again, same process (memory): {ms['m']:.2f} ms")
    print(f"  after a restart (from disk): {ms['r']:.1f} ms (was a first load: {ms['f']:.0f} ms)")


if __name__ == "__main__":
    main()
