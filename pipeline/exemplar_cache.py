"""Rubric exemplar vectors kept on disk between processes.

Embedding a rubric's ~150 exemplar sentences costs ~0.6 s per process with the numpy encoder:
more than scoring a call. They depend only on the model and the sentences, so they are stored
once per model in ``CALLREVIEW_CACHE_DIR``. Only exemplars are stored: never the text of a call.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from scoring import Rubric, exemplar_texts
from scoring.embedding import NumpyEmbedder, OrtEmbedder, TransformerEmbedder

log = logging.getLogger(__name__)


def _cache_file(cache_dir: Path, model: str, backend: str = "numpy") -> Path:
    # Backends give slightly different vectors: one file each (numpy keeps its old name).
    key = model if backend == "numpy" else f"{model}|{backend}"
    return cache_dir / f"exemplars-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def prime_embedder(embedder: object, rubric: Rubric, cache_dir: Path, model: str) -> None:
    """Load the rubric's exemplar vectors from disk into ``embedder`` (computing and saving
    those not there yet). A cache that cannot be read or written only costs time."""
    if not isinstance(embedder, NumpyEmbedder | OrtEmbedder | TransformerEmbedder):
        return
    texts = exemplar_texts(rubric)
    missing = [t for t in texts if t not in embedder.known(texts)]
    if not missing:
        return
    path = _cache_file(cache_dir, model, embedder.backend)
    stored: dict[str, np.ndarray] = {}
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    except (OSError, KeyError, ValueError):
        pass
    found = [t for t in missing if t in stored]
    if found:
        embedder.remember(found, np.stack([stored[t] for t in found]))
    new = [t for t in missing if t not in stored]
    if not new:
        return
    vectors = embedder.encode(new)
    stored.update(zip(new, vectors, strict=True))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(list(stored)), vectors=np.stack(list(stored.values())))
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not save the exemplar cache %s: %s", path, exc)
