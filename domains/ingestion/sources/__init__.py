"""What every source hands the ingestion service: one ``Discovered`` per recording, in order,
each able to open its content, say where the listing resumes after it, and remove its original
(the source's retention policy). A source that cannot be reached raises ``SourceUnavailable``:
the run stops there and the next one resumes from the stored position."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from core.errors import CallReviewError
from domains.ingestion.schemas import CallInfo


class SourceUnavailable(CallReviewError):
    """The folder, bucket or recording server cannot be reached now (try again later)."""

    status_code = 502


@dataclass(frozen=True)
class Discovered:
    object_id: str
    filename: str
    open: Callable[[], BinaryIO]
    info: CallInfo
    # Why the metadata was refused (a malformed sidecar): the object is quarantined.
    problem: str | None = None
    # Where the listing resumes once this object is recorded (bucket keys), else None.
    position: str | None = None
    # Deletes the original (and its sidecar) when the source's retention says so.
    remove: Callable[[], None] | None = None
