"""A BERT sentence encoder on ONNX Runtime: the same weights as ``scoring.minilm``, exported
once to an ONNX graph (encoder + mean pooling + L2 normalisation) and run on one intra-op
thread.

The graph is derived data: built from the model's safetensors the first time it is missing
(that build imports torch and transformers, ~5 s, once per machine), stored under
``models_dir/onnx/`` with a small manifest, and checked each time it is loaded: the manifest
must name the same source weights (size and modification time) and the graph must reproduce the
vector stored for a probe sentence. A graph that fails either check is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.errors import ModelUnavailable
from scoring.minilm import encode_in_batches

log = logging.getLogger(__name__)

_F = NDArray[np.float32]
_PROBE = "Thank you for calling, my name is Sarah, how can I help you today?"
_FORMAT = 1  # bump when the exported graph changes


def _source_key(path: Path) -> dict[str, Any]:
    st = (path / "model.safetensors").stat()
    return {
        "format": _FORMAT,
        "source": str(path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
    }


def onnx_path(path: Path, models_dir: Path) -> Path:
    """Where the graph for the model folder ``path`` lives."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    return models_dir / "onnx" / f"{path.name}-{digest}" / "model.onnx"


def export_onnx(path: Path, out: Path) -> None:
    """Write ``out`` (and its manifest) from the transformers BertModel in ``path``."""
    import torch
    from transformers import AutoModel

    from scoring.minilm import NumpyBert

    class _MeanPooled(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    torch.set_num_threads(1)
    bert = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager")
    bert.eval()
    wrapper = _MeanPooled(bert)
    ids = torch.ones((2, 8), dtype=torch.int64)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Several workers may build it at once on a fresh machine: each writes its own temporary
    # files and renames them into place (same weights, same graph), never a half-written one.
    tmp = out.with_suffix(f".{os.getpid()}.tmp.onnx")
    # The tracer warns about branches on shapes (transformers' mask padding, which never
    # applies here: the mask always spans the tokens); the vectors are checked afterwards.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    probe = NumpyBert(path).encode([_PROBE])[0]
    manifest = {**_source_key(path), "probe": probe.tolist()}
    tmp.replace(out)
    manifest_tmp = out.with_suffix(f".{os.getpid()}.tmp.json")
    manifest_tmp.write_text(json.dumps(manifest))
    manifest_tmp.replace(out.with_suffix(".json"))


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantization of ``src`` (benchmarks only: its vectors drift, thresholds
    tuned on fp32 do not carry over)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)


class OrtBert:
    """``encode(texts)`` → mean-pooled, L2-normalised embeddings from the ONNX graph."""

    def __init__(
        self, path: Path, *, models_dir: Path, max_length: int = 128, graph: Path | None = None
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text())
        if config.get("model_type") != "bert":
            raise ValueError(f"{path}: not a BERT model ({config.get('model_type')})")
        self.dim = int(config["hidden_size"])
        fp32 = onnx_path(path, models_dir)
        if not self._current(path, fp32):
            log.info("building the ONNX graph for %s at %s", path, fp32)
            try:
                export_onnx(path, fp32)
            except ImportError as exc:
                raise ModelUnavailable(
                    f"building the ONNX graph for {path} needs torch and transformers"
                ) from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(
            str(graph or fp32), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
        if graph is None:
            probe = np.asarray(json.loads(fp32.with_suffix(".json").read_text())["probe"])
            got = self.encode_batch([_PROBE])[0]
            if float(got @ probe) < 0.9999:
                raise ModelUnavailable(
                    f"{fp32}: the ONNX graph no longer reproduces its probe vector; delete it"
                )

    @staticmethod
    def _current(path: Path, graph: Path) -> bool:
        manifest = graph.with_suffix(".json")
        if not (graph.is_file() and manifest.is_file()):
            return False
        try:
            stored = json.loads(manifest.read_text())
        except (OSError, ValueError):
            return False
        key = _source_key(path)
        return all(stored.get(k) == v for k, v in key.items()) and "probe" in stored

    def encode(self, texts: list[str], *, batch_size: int = 32) -> _F:
        return encode_in_batches(self.encode_batch, texts, self.dim, batch_size)

    def encode_batch(self, texts: list[str]) -> _F:
        encs = self.tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encs], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encs], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encs], dtype=np.int64),
        }
        (vectors,) = self._session.run(["embedding"], feeds)
        return np.asarray(vectors, dtype=np.float32)


def default_models_dir() -> Path:
    """The models folder of the current settings (read through them, not the environment)."""
    from core.settings import get_settings

    return get_settings().models_dir
