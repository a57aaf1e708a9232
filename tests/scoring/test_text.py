from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scoring.text import is_negated, normalize, split_clauses
from scoring.timeline import utterances
from tests.support.scoring_helpers import make_transcript
from transcription.types import Segment, Transcript, Word


def test_normalize() -> None:
    assert normalize("I\u2019m SORRY - that's  f***ing odd!") == "im sorry thats f***ing odd"


def test_split_clauses() -> None:
    assert split_clauses("I'm sorry you feel that way, but that's the policy. Anything else?") == [
        "I'm sorry you feel that way",
        "but that's the policy.",
        "Anything else?",
    ]


def test_negation_scope() -> None:
    n = normalize("I can't help you with that")
    assert is_negated(n, n.index("help"))
    n = normalize("oh no I'm so sorry")
    assert not is_negated(n, n.index("im"))


def test_turns_are_recut_at_word_gaps() -> None:
    words = (Word(1.0, 1.4, " Okay."), Word(5.0, 5.4, " Done."))
    t = Transcript("x", "y", (Segment(1.0, 5.4, "agent", "Okay. Done.", words),))
    assert [(u.start, u.end, u.text) for u in utterances(t)] == [
        (1.0, 1.4, "Okay."),
        (5.0, 5.4, "Done."),
    ]
    t2 = make_transcript([("customer", 0.0, 1.0, "hi there")])
    assert [u.speaker for u in utterances(t2)] == ["customer"]


def test_numpy_encoder_matches_transformers() -> None:
    """The numpy forward pass gives transformers' own vectors (same weights, same pooling)."""
    from scoring.embedding import NumpyEmbedder, TransformerEmbedder, resolve_model_path

    path = resolve_model_path("all-MiniLM-L6-v2")
    texts = [
        "Thank you for calling Acme Telecom, my name is Sarah.",
        "calm down",
        "I can see two payments of thirty two pounds on your account, so I've refunded one.",
        "",
    ]
    fast = NumpyEmbedder(path).encode(texts)
    ref = TransformerEmbedder(path).encode(texts)
    assert fast.shape == ref.shape == (4, 384)
    cosines = (fast * ref).sum(axis=1)
    assert cosines.min() > 0.9999


_TEXTS = [
    "Thank you for calling Acme Telecom, my name is Sarah.",
    "calm down",
    "I can see two payments of thirty two pounds on your account, so I've refunded one.",
    "",
]


def test_onnx_encoder_matches_numpy(tmp_path: Path) -> None:
    """The ONNX graph, built from the same weights, gives the numpy encoder's vectors; the
    graph and its manifest are written to the models folder, and a second load reuses them."""
    from scoring.embedding import NumpyEmbedder, OrtEmbedder, resolve_model_path
    from scoring.onnx_bert import onnx_path

    path = resolve_model_path("all-MiniLM-L6-v2")
    ort = OrtEmbedder(path, models_dir=tmp_path).encode(_TEXTS)
    ref = NumpyEmbedder(path).encode(_TEXTS)
    assert ort.shape == ref.shape == (4, 384)
    assert np.abs(ort - ref).max() < 1e-3
    assert (ort * ref).sum(axis=1).min() > 0.9999
    assert np.allclose(np.linalg.norm(ort, axis=1), 1.0, atol=1e-5)
    graph = onnx_path(path, tmp_path)
    built = graph.stat().st_mtime_ns
    again = OrtEmbedder(path, models_dir=tmp_path).encode(_TEXTS)
    assert graph.stat().st_mtime_ns == built
    assert np.array_equal(again, ort)


def test_onnx_graph_rebuilt_when_its_manifest_names_other_weights(tmp_path: Path) -> None:
    from scoring.embedding import resolve_model_path
    from scoring.onnx_bert import OrtBert, onnx_path

    path = resolve_model_path("all-MiniLM-L6-v2")
    OrtBert(path, models_dir=tmp_path)
    manifest = onnx_path(path, tmp_path).with_suffix(".json")
    stored = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**stored, "size": 1}))
    OrtBert(path, models_dir=tmp_path)
    assert json.loads(manifest.read_text())["size"] == stored["size"]


def test_backend_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import Settings, get_settings
    from scoring.embedding import DEFAULT_BACKEND, NumpyEmbedder, OrtEmbedder, get_embedder

    assert Settings().embedding_backend == DEFAULT_BACKEND == "onnx"
    monkeypatch.setenv("CALLREVIEW_EMBEDDING_BACKEND", "numpy")
    assert Settings().embedding_backend == "numpy"
    assert isinstance(get_embedder("all-MiniLM-L6-v2", "numpy"), NumpyEmbedder)
    onnx = get_embedder("all-MiniLM-L6-v2", "onnx", tmp_path)
    assert isinstance(onnx, OrtEmbedder)
    assert onnx.backend == "onnx"
    monkeypatch.chdir(tmp_path)  # the settings' models_dir is ./var/models
    monkeypatch.setenv("CALLREVIEW_MODELS_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert get_embedder() is get_embedder("all-MiniLM-L6-v2", "onnx", tmp_path)
    finally:
        get_settings.cache_clear()
    with pytest.raises(ValueError, match="unknown embedding backend"):
        get_embedder("all-MiniLM-L6-v2", "int8")  # type: ignore[arg-type]
