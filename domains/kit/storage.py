"""Content-addressed file storage: a file is stored once, under its sha256.

A small interface so a shared folder (NFS, a mounted bucket) or another backend can stand in.
Uploaded filenames are never used as paths: the key is ``ab/<sha256><suffix>`` with a suffix
chosen from the sniffed content type.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from core.errors import UploadTooLarge

_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


class Storage(Protocol):
    def put_stream(
        self, stream: BinaryIO, *, suffix: str, max_bytes: int | None = None
    ) -> StoredFile: ...

    def path(self, key: str) -> Path: ...

    def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def put_stream(
        self, stream: BinaryIO, *, suffix: str, max_bytes: int | None = None
    ) -> StoredFile:
        digest = hashlib.sha256()
        size = 0
        tmp_dir = self.root / ".incoming"
        tmp_dir.mkdir(exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise UploadTooLarge(
                            f"upload exceeds the limit of {max_bytes // (1 << 20)} MB"
                        )
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            key = f"{sha[:2]}/{sha}{suffix}"
            final = self.root / key
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                os.unlink(tmp_name)
            else:
                os.replace(tmp_name, final)
            return StoredFile(key=key, sha256=sha, size=size)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def put_file(self, src: Path, *, suffix: str) -> StoredFile:
        with open(src, "rb") as f:
            return self.put_stream(f, suffix=suffix)

    def path(self, key: str) -> Path:
        resolved = (self.root / key).resolve()
        if self.root.resolve() not in resolved.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return resolved

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def copy_out(self, key: str, dst: Path) -> Path:
        shutil.copyfile(self.path(key), dst)
        return dst
