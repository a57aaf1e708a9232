"""A recording's waveform peaks kept on disk, so a restart does not decode every hour-long call
again (about a second each).

They live in the app's storage under ``peaks/<storage key>.<buckets>.json``: a folder of their
own rather than beside the recordings, because they are derived and disposable (the folder can
be skipped by backups or wiped at any time) while everything else under the storage root is
content people uploaded. The storage key names the recording's content (its sha256), so a
different recording, such as the redacted copy that replaces an original, has other peaks and
never reads stale ones; the file also records the recording's size as a cheap check for storage
whose keys do not name content.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from domains.kit.storage import Storage

log = logging.getLogger(__name__)

PEAKS_DIR = "peaks"
# Bump when the peaks are computed differently: files of an older format are recomputed.
FORMAT = 1


def path_for(storage: Storage, key: str, buckets: int) -> Path:
    return storage.path(f"{PEAKS_DIR}/{key}.{buckets}.json")


def read(path: Path, *, source_bytes: int) -> dict[str, Any] | None:
    """The peaks saved at ``path`` for a recording of ``source_bytes``; None when there are
    none, or they are unreadable, of another format or of another recording."""
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: not JSON, not UTF-8
        log.warning("ignoring unreadable waveform peaks %s: %s", path, exc)
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("format") != FORMAT
        or doc.get("source_bytes") != source_bytes
        or not isinstance(doc.get("peaks"), dict)
    ):
        log.warning("ignoring waveform peaks %s: another format or recording", path)
        return None
    return doc["peaks"]


def write(path: Path, peaks: dict[str, Any], *, source_bytes: int) -> None:
    """Save atomically (a temporary file renamed over ``path``), so a reader sees the old file
    or the new one, never half of one. Not fsynced: after a crash a torn file is read as
    unreadable and computed again. A failed save is logged; the peaks are served regardless."""
    doc = {"format": FORMAT, "source_bytes": source_bytes, "peaks": peaks}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    except OSError as exc:
        log.warning("could not save waveform peaks %s: %s", path, exc)
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        log.warning("could not save waveform peaks %s: %s", path, exc)


def discard(storage: Storage, key: str) -> int:
    """Remove every saved peaks file of the recording ``key`` (any bucket count, and a
    temporary file a crash left); how many went."""
    anchor = storage.path(f"{PEAKS_DIR}/{key}")
    removed = 0
    for path in anchor.parent.glob(f"{glob.escape(anchor.name)}.*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
