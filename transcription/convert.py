"""Convert a CTranslate2 Whisper folder back into openai-whisper and transformers layouts.

Same weights, other names: CTranslate2 fuses the self-attention Q/K/V (and cross-attention
K/V) into one matrix, calls layer norms gamma/beta, and ties the output projection to the
token embeddings by an alias. Reading ``model.bin`` needs only numpy (its format is a flat list
of named arrays). Exact only for float16/float32 models: int8 ones store quantised weights
plus scales, which cannot be turned back into the original floats.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import InvalidInput, ModelUnavailable

# CTranslate2's DataType enum, as written in model.bin.
_DTYPES: dict[int, type[np.generic]] = {
    0: np.float32,
    1: np.int8,
    2: np.int16,
    3: np.int32,
    4: np.float16,
}
_BFLOAT16 = 5


@dataclass(frozen=True)
class Ct2Whisper:
    variables: dict[str, np.ndarray]
    config: dict[str, object]

    @property
    def n_layers(self) -> tuple[int, int]:
        def count(side: str) -> int:
            found = (re.match(rf"{side}/layer_(\d+)/", k) for k in self.variables)
            return len({f.group(1) for f in found if f})

        return count("encoder"), count("decoder")

    def scalar(self, name: str) -> int:
        return int(self.variables[name].reshape(-1)[0])


def read_ct2_model(folder: str | Path) -> Ct2Whisper:
    """Parse ``model.bin`` (+ ``config.json``) of a CTranslate2 Whisper model into float32
    arrays. Raises ``ModelUnavailable`` for int8 or non-Whisper models."""
    folder = Path(folder)
    path = folder / "model.bin"
    if not path.is_file():
        raise ModelUnavailable(f"no CTranslate2 model.bin in {folder}")
    buf = path.read_bytes()
    pos = 0

    def take(fmt: str) -> int:
        nonlocal pos
        (value,) = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return int(value)

    def text() -> str:
        nonlocal pos
        n = take("H")  # length including a trailing NUL
        out = buf[pos : pos + n - 1].decode("utf-8")
        pos += n
        return out

    version = take("I")
    spec = text()
    take("I")  # spec revision
    if version < 5 or spec != "WhisperSpec":
        raise ModelUnavailable(f"{path}: not a CTranslate2 Whisper model ({spec}, v{version})")
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype_id = take("B")
        nbytes = take("I")
        raw = buf[pos : pos + nbytes]
        pos += nbytes
        if dtype_id == _BFLOAT16:
            as16 = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            arr = as16.view(np.float32)
        elif dtype_id in _DTYPES:
            arr = np.frombuffer(raw, dtype=_DTYPES[dtype_id])
        else:
            raise ModelUnavailable(f"{path}: unknown data type {dtype_id} for {name}")
        variables[name] = arr.reshape(shape) if shape else arr
    for _ in range(take("I")):
        alias, target = text(), text()
        variables[alias] = variables[target]
    if any(k.endswith("weight_scale") for k in variables):
        raise ModelUnavailable(
            f"{path}: an int8-quantised CTranslate2 model cannot be converted exactly; "
            "convert a float16 or float32 one"
        )
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    floats = {k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in variables.items()}
    return Ct2Whisper(floats, config)


def _split(w: np.ndarray, parts: int) -> list[np.ndarray]:
    return list(np.split(w, parts, axis=0))


def _whisper_state(m: Ct2Whisper, name_map: Callable[[str], str]) -> dict[str, np.ndarray]:
    """The state dict in openai-whisper names; ``name_map`` renames for other layouts."""
    v = m.variables
    out: dict[str, np.ndarray] = {}

    def put(name: str, value: np.ndarray) -> None:
        out[name_map(name)] = np.ascontiguousarray(value, dtype=np.float32)

    def norm(dst: str, src: str) -> None:
        put(f"{dst}.weight", v[f"{src}/gamma"])
        put(f"{dst}.bias", v[f"{src}/beta"])

    def linear(dst: str, src: str) -> None:
        put(f"{dst}.weight", v[f"{src}/weight"])
        put(f"{dst}.bias", v[f"{src}/bias"])

    def self_attn(dst: str, src: str) -> None:
        q, k, val = _split(v[f"{src}/linear_0/weight"], 3)
        qb, _kb, vb = _split(v[f"{src}/linear_0/bias"], 3)  # the key has no bias in Whisper
        put(f"{dst}.query.weight", q)
        put(f"{dst}.query.bias", qb)
        put(f"{dst}.key.weight", k)
        put(f"{dst}.value.weight", val)
        put(f"{dst}.value.bias", vb)
        linear(f"{dst}.out", f"{src}/linear_1")

    def cross_attn(dst: str, src: str) -> None:
        linear(f"{dst}.query", f"{src}/linear_0")
        k, val = _split(v[f"{src}/linear_1/weight"], 2)
        _kb, vb = _split(v[f"{src}/linear_1/bias"], 2)
        put(f"{dst}.key.weight", k)
        put(f"{dst}.value.weight", val)
        put(f"{dst}.value.bias", vb)
        linear(f"{dst}.out", f"{src}/linear_2")

    def block(dst: str, src: str, cross: bool) -> None:
        self_attn(f"{dst}.attn", f"{src}/self_attention")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        if cross:
            cross_attn(f"{dst}.cross_attn", f"{src}/attention")
            norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    n_enc, n_dec = m.n_layers
    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    put("encoder.positional_embedding", v["encoder/position_encodings/encodings"])
    for i in range(n_enc):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    put("decoder.token_embedding.weight", v["decoder/embeddings/weight"])
    put("decoder.positional_embedding", v["decoder/position_encodings/encodings"])
    for i in range(n_dec):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")
    return out


def _dims(m: Ct2Whisper) -> dict[str, int]:
    v = m.variables
    n_enc, n_dec = m.n_layers
    return {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(v["encoder/conv1/weight"].shape[0]),
        "n_audio_head": m.scalar("encoder/num_heads"),
        "n_audio_layer": n_enc,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(v["decoder/embeddings/weight"].shape[1]),
        "n_text_head": m.scalar("decoder/num_heads"),
        "n_text_layer": n_dec,
    }


def _alignment_heads(m: Ct2Whisper) -> list[list[int]]:
    heads = m.config.get("alignment_heads")
    if isinstance(heads, list) and heads:
        return [[int(a), int(b)] for a, b in heads]
    # No config: use the upper half of the decoder's layers, all heads (Whisper's fallback).
    dims = _dims(m)
    return [
        [layer, head]
        for layer in range(dims["n_text_layer"] // 2, dims["n_text_layer"])
        for head in range(dims["n_text_head"])
    ]


def convert_ct2_to_openai(src: str | Path, dst: str | Path) -> Path:
    """Write an openai-whisper checkpoint (``dims`` + ``model_state_dict`` +
    ``alignment_heads``) that ``whisper.load_model(dst)`` loads with no missing keys.
    The alignment heads are an extra key: set them after loading (the engine does)."""
    import torch

    model = read_ct2_model(src)
    state = _whisper_state(model, lambda name: name)
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = {
        "dims": _dims(model),
        "model_state_dict": {k: torch.from_numpy(a) for k, a in state.items()},
        "alignment_heads": _alignment_heads(model),
    }
    tmp = dst.with_suffix(dst.suffix + ".part")
    torch.save(checkpoint, tmp)
    tmp.replace(dst)  # a half-written checkpoint never looks finished
    return dst


# --- transformers -----------------------------------------------------------------------------

_HF_NAMES = [
    # (openai-whisper fragment, transformers fragment), applied in order
    ("encoder.blocks.", "model.encoder.layers."),
    ("decoder.blocks.", "model.decoder.layers."),
    ("encoder.conv", "model.encoder.conv"),
    ("encoder.positional_embedding", "model.encoder.embed_positions.weight"),
    ("encoder.ln_post.", "model.encoder.layer_norm."),
    ("decoder.token_embedding.", "model.decoder.embed_tokens."),
    ("decoder.positional_embedding", "model.decoder.embed_positions.weight"),
    ("decoder.ln.", "model.decoder.layer_norm."),
    (".cross_attn_ln.", ".encoder_attn_layer_norm."),
    (".cross_attn.", ".encoder_attn."),
    (".attn_ln.", ".self_attn_layer_norm."),
    (".attn.", ".self_attn."),
    (".mlp_ln.", ".final_layer_norm."),
    (".mlp.0.", ".fc1."),
    (".mlp.2.", ".fc2."),
    (".query.", ".q_proj."),
    (".key.", ".k_proj."),
    (".value.", ".v_proj."),
    (".out.", ".out_proj."),
]


def _int_list(value: object) -> list[int]:
    return [int(x) for x in value] if isinstance(value, list) else []


def _hf_name(name: str) -> str:
    for old, new in _HF_NAMES:
        name = name.replace(old, new)
    return name


def convert_ct2_to_transformers(src: str | Path, dst: str | Path) -> Path:
    """Write a ``WhisperForConditionalGeneration`` folder (config, safetensors weights,
    generation config, tokenizer from the CTranslate2 ``tokenizer.json``, feature extractor)
    that ``pipeline("automatic-speech-recognition", model=dst)`` loads offline."""
    from safetensors.numpy import save_file
    from transformers import (  # type: ignore[attr-defined]  # lazy module attributes
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperTokenizerFast,
    )
    from transformers.generation import GenerationConfig

    src = Path(src)
    model = read_ct2_model(src)
    tokenizer_file = src / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise InvalidInput(f"{src}: no tokenizer.json to build a transformers tokenizer from")
    dims = _dims(model)
    state = _whisper_state(model, _hf_name)
    # transformers ties proj_out to the embeddings, as CTranslate2 does with its alias.
    state["proj_out.weight"] = state["model.decoder.embed_tokens.weight"]
    multilingual = dims["n_vocab"] >= 51865
    sot = 50258 if multilingual else 50257
    eot = 50257 if multilingual else 50256
    no_timestamps = 50363 if multilingual else 50362
    suppress = [int(x) for x in _int_list(model.config.get("suppress_ids"))]
    begin_suppress = _int_list(model.config.get("suppress_ids_begin")) or [220, eot]
    heads = _alignment_heads(model)
    config = WhisperConfig(
        vocab_size=dims["n_vocab"],
        num_mel_bins=dims["n_mels"],
        encoder_layers=dims["n_audio_layer"],
        encoder_attention_heads=dims["n_audio_head"],
        decoder_layers=dims["n_text_layer"],
        decoder_attention_heads=dims["n_text_head"],
        d_model=dims["n_audio_state"],
        encoder_ffn_dim=4 * dims["n_audio_state"],
        decoder_ffn_dim=4 * dims["n_text_state"],
        max_source_positions=dims["n_audio_ctx"],
        max_target_positions=dims["n_text_ctx"],
        decoder_start_token_id=sot,
        bos_token_id=eot,
        eos_token_id=eot,
        pad_token_id=eot,
        # Suppression lists live in the generation config only (both = a warning per call).
        suppress_tokens=None,
        begin_suppress_tokens=None,
        tie_word_embeddings=True,
    )
    config.architectures = ["WhisperForConditionalGeneration"]
    dst = Path(dst)
    tmp = dst.with_name(dst.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    config.save_pretrained(tmp)
    # Tied weights are stored once; transformers re-ties proj_out on load.
    del state["proj_out.weight"]
    save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    generation = GenerationConfig(
        decoder_start_token_id=sot,
        bos_token_id=eot,
        eos_token_id=eot,
        pad_token_id=eot,
        suppress_tokens=suppress,
        begin_suppress_tokens=begin_suppress,
        no_timestamps_token_id=no_timestamps,
        is_multilingual=multilingual,
        alignment_heads=heads,
        max_initial_timestamp_index=50,
        max_length=dims["n_text_ctx"],
        return_timestamps=False,
    )
    generation.save_pretrained(tmp)
    tokenizer = WhisperTokenizerFast(
        tokenizer_file=str(tokenizer_file),
        unk_token="<|endoftext|>",
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        predict_timestamps=False,
    )
    tokenizer.save_pretrained(tmp)
    WhisperFeatureExtractor(feature_size=dims["n_mels"]).save_pretrained(tmp)
    if dst.exists():
        shutil.rmtree(dst)
    tmp.replace(dst)
    return dst
