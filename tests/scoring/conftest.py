from __future__ import annotations

import pytest

from scoring import Embedder, Rubric, default_rubric, get_embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder()


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return default_rubric()
