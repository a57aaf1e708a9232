"""A watched folder (local disk or an NFS mount): every audio file under it, in path order,
with metadata from its name, a CSV manifest row and a sidecar JSON (``call.wav.json`` or
``call.json``), each overriding the one before.

Settings: ``path``; ``patterns`` (default ``["aws-pca"]``); ``manifest`` (default
``manifest.csv``); ``settle_s`` (default 5: a file written to in the last seconds is still
arriving and waits for the next poll)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import InvalidInput
from domains.calls.intake import AUDIO_SUFFIXES
from domains.ingestion.schemas import CallInfo, info_from_mapping
from domains.ingestion.sources import Discovered, SourceUnavailable
from domains.ingestion.sources.naming import (
    compile_patterns,
    info_from_name,
    info_from_sidecar,
    read_manifest,
)


def check_settings(settings: dict[str, Any]) -> None:
    if not isinstance(settings.get("path"), str) or not settings["path"]:
        raise InvalidInput("a folder source needs settings.path")
    compile_patterns(settings.get("patterns"))


class FolderSource:
    def __init__(self, settings: dict[str, Any], *, seen: dict[str, datetime]) -> None:
        check_settings(settings)
        self.root = Path(settings["path"])
        self.patterns = compile_patterns(settings.get("patterns"))
        self.manifest_name = str(settings.get("manifest", "manifest.csv"))
        self.settle_s = float(settings.get("settle_s", 5))
        self.seen = seen  # object id → when it was last recorded

    def discover(self) -> Iterator[Discovered]:
        if not self.root.is_dir():
            raise SourceUnavailable(f"folder {self.root} is not there (unmounted?)")
        manifest: dict[str, dict[str, str]] = {}
        manifest_problem = None
        manifest_path = self.root / self.manifest_name
        if manifest_path.is_file():
            try:
                manifest = read_manifest(manifest_path.read_bytes(), label=self.manifest_name)
            except InvalidInput as exc:
                manifest_problem = exc.message
        now = time.time()
        try:
            files = sorted(
                p
                for p in self.root.rglob("*")
                if p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith(".") and p.is_file()
            )
        except OSError as exc:
            raise SourceUnavailable(f"folder {self.root} cannot be listed: {exc}") from exc
        for path in files:
            rel = path.relative_to(self.root).as_posix()
            sidecar = self._sidecar(path)
            try:
                changed = max(p.stat().st_mtime for p in (path, sidecar) if p is not None)
            except FileNotFoundError:
                continue  # moved away while we listed
            if now - changed < self.settle_s:
                continue  # still being written
            last = self.seen.get(rel)
            if last is not None and datetime.fromtimestamp(changed, UTC) <= last:
                continue  # recorded already, and neither the file nor its sidecar changed
            info, problem = self._info(path, rel, manifest, sidecar)
            yield Discovered(
                object_id=rel,
                filename=path.name,
                open=partial(_open, path),
                info=info,
                problem=problem or manifest_problem,
                remove=partial(_remove, path, sidecar),
            )

    def _sidecar(self, path: Path) -> Path | None:
        for candidate in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
            if candidate.is_file():
                return candidate
        return None

    def _info(
        self, path: Path, rel: str, manifest: dict[str, dict[str, str]], sidecar: Path | None
    ) -> tuple[CallInfo, str | None]:
        info = CallInfo()
        try:
            info = info_from_name(path.name, self.patterns) or info
            if rel in manifest:
                info = info_from_mapping(manifest[rel], base=info)
            if sidecar is not None:
                info = info_from_sidecar(sidecar.read_bytes(), base=info, label=sidecar.name)
        except InvalidInput as exc:
            return info, exc.message
        return info, None


def _open(path: Path) -> BinaryIO:
    return open(path, "rb")


def _remove(path: Path, sidecar: Path | None) -> None:
    path.unlink(missing_ok=True)
    if sidecar is not None:
        sidecar.unlink(missing_ok=True)
