"""Exemplar vectors survive the process on disk; call text never goes there."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.exemplar_cache import prime_embedder
from scoring import default_rubric, exemplar_texts
from scoring.embedding import NumpyEmbedder, resolve_model_path


def test_exemplars_are_cached_on_disk_and_reused(tmp_path: Path):
    rubric = default_rubric()
    path = resolve_model_path("all-MiniLM-L6-v2")
    first = NumpyEmbedder(path)
    first.encode(["a customer said something private about 4111 1111 1111 1111"])
    prime_embedder(first, rubric, tmp_path, "all-MiniLM-L6-v2")
    [cache] = list(tmp_path.glob("exemplars-*.npz"))
    with np.load(cache) as data:
        stored = data["texts"].tolist()
        vectors = data["vectors"]
    texts = exemplar_texts(rubric)
    assert sorted(stored) == sorted(texts) and len(texts) > 50
    assert not any("4111" in t for t in stored)

    second = NumpyEmbedder(path)
    prime_embedder(second, rubric, tmp_path, "all-MiniLM-L6-v2")
    assert second.known(texts) == texts  # all loaded from disk, none computed
    np.testing.assert_allclose(second.encode(stored[:3]), vectors[:3], atol=1e-6)
    np.testing.assert_allclose(second.encode(stored[:3]), first.encode(stored[:3]), atol=1e-6)
