"""Which models can run offline, for which engine, and where converted ones live.

Layout of a models folder (what ``convert_model`` writes):
``<dir>/openai-whisper/<name>.pt`` and ``<dir>/transformers/<name>/`` (a transformers folder);
a CTranslate2 folder (``model.bin``) anywhere under ``<dir>`` runs on faster-whisper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput, ModelUnavailable
from transcription.options import DEFAULT_MODELS_DIR, offline_model_names, resolve_model_path
from transcription.packaged import PACKAGED, is_installed, packaged_dir, packaged_parts


@dataclass(frozen=True)
class ModelInfo:
    name: str
    engine: str
    path: str
    offline: bool  # runs with no download


def converted_path(models_dir: str | Path, engine: str, name: str) -> Path:
    if engine == "openai-whisper":
        return Path(models_dir) / "openai-whisper" / f"{name}.pt"
    if engine == "transformers":
        return Path(models_dir) / "transformers" / name
    raise InvalidInput(f"no converted layout for engine '{engine}'")


def _is_transformers_folder(path: Path) -> bool:
    config = path / "config.json"
    if not config.is_file() or (path / "model.bin").is_file():
        return False
    try:
        return json.loads(config.read_text()).get("model_type") == "whisper"
    except (ValueError, OSError):
        return False


def resolve_torch_model(engine: str, model: str, models_dir: str) -> str:
    """What the openai-whisper or transformers engine loads for ``model``: a path as is, or a
    converted copy of a named model under ``models_dir``. Never downloads."""
    path = Path(model).expanduser()
    if engine == "openai-whisper":
        if path.is_file() and path.suffix == ".pt":
            return str(path)
        if path.is_dir():
            found = sorted(path.glob("*.pt"))
            if len(found) == 1:
                return str(found[0])
    elif engine == "transformers" and path.is_dir() and _is_transformers_folder(path):
        return str(path)
    if models_dir and not path.is_absolute():
        candidate = converted_path(models_dir, engine, model)
        if candidate.exists():
            return str(candidate)
    hint = f"convert it first (callreview models convert {model} --engine {engine})"
    raise ModelUnavailable(
        f"model '{model}' for engine '{engine}' is not available offline"
        f" in {models_dir or 'any models folder'}; {hint}"
    )


def convert_model(name_or_path: str, models_dir: str | Path, engine: str) -> Path:
    """Convert a CTranslate2 Whisper model (an offline name like ``tiny.en`` or a folder) for
    ``engine`` into ``models_dir``; returns the written path (reused when already there)."""
    from transcription.convert import convert_ct2_to_openai, convert_ct2_to_transformers

    src = resolve_model_path(name_or_path, allow_downloads=False, models_dir=str(models_dir))
    name = name_or_path if name_or_path in offline_model_names() else Path(src).name
    dst = converted_path(models_dir, engine, name)
    if dst.exists():
        return dst
    if engine == "openai-whisper":
        return convert_ct2_to_openai(src, dst)
    return convert_ct2_to_transformers(src, dst)


def available_models(models_dir: str | Path | None = None) -> list[ModelInfo]:
    """Models usable with no download: the shipped CTranslate2 ones (faster-whisper) and
    everything under ``models_dir`` (converted checkpoints, transformers and CT2 folders)."""
    out: list[ModelInfo] = []
    assembled: set[Path] = set()
    for name in offline_model_names():
        if name in PACKAGED:
            # Listed without assembling: the path it has, or will have on first use.
            folder = packaged_dir(models_dir or DEFAULT_MODELS_DIR, PACKAGED[name])
            if is_installed(folder, PACKAGED[name]):
                assembled.add(folder.resolve())
                out.append(ModelInfo(name, "faster-whisper", str(folder), True))
                continue
            try:
                packaged_parts(PACKAGED[name])
            except ModelUnavailable:
                continue
            out.append(ModelInfo(name, "faster-whisper", f"{folder} (on first use)", True))
            continue
        try:
            out.append(
                ModelInfo(
                    name, "faster-whisper", resolve_model_path(name, allow_downloads=False), True
                )
            )
        except ModelUnavailable:
            continue
    if models_dir is None or not Path(models_dir).is_dir():
        return out
    root = Path(models_dir)
    for pt in sorted(root.rglob("*.pt")):
        out.append(ModelInfo(pt.stem, "openai-whisper", str(pt), True))
    for config in sorted(root.rglob("config.json")):
        folder = config.parent
        if folder.resolve() in assembled:
            continue
        if (folder / "model.bin").is_file():
            out.append(ModelInfo(folder.name, "faster-whisper", str(folder), True))
        elif _is_transformers_folder(folder) and any(folder.glob("*.safetensors")):
            out.append(ModelInfo(folder.name, "transformers", str(folder), True))
    return out
