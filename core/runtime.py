"""Process-wide runtime knobs, set before numpy, CTranslate2 or torch are first imported."""

from __future__ import annotations

import os


def limit_threads() -> None:
    """Measured here: busy-waiting OpenMP/BLAS threads on a loaded 2-core machine made Whisper
    and the embedding model several times slower. One thread per worker process, passive
    waiting; scale with processes instead. Must run before numpy is imported (OpenBLAS reads
    these once, at load)."""
    for key, value in (
        ("OMP_WAIT_POLICY", "PASSIVE"),
        ("OMP_NUM_THREADS", "1"),
        ("OPENBLAS_NUM_THREADS", "1"),
        ("MKL_NUM_THREADS", "1"),
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(key, value)
