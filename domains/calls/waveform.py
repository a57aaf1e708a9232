"""A recording's waveform for the review page: per channel, the loudest sample in each of
``buckets`` equal slices of the call, computed on the server so the page never downloads and
decodes an hour of audio to draw it."""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, ValidationError

from core.errors import InvalidInput
from domains.auth.access import visible_call
from domains.auth.dependencies import CurrentUser
from domains.calls import peaks_files
from domains.kit.deps import ServicesDep, SessionDep
from domains.kit.storage import Storage
from transcription.audio import AudioLimits, decode_audio

log = logging.getLogger(__name__)
router = APIRouter(tags=["calls"])

# Enough for the outline of speech and silence; decoding at this rate keeps an hour cheap.
PEAK_RATE = 2000


class PeaksRead(BaseModel):
    duration_s: float
    buckets: int
    channels: list[list[float]] = Field(description="per channel, each bucket's peak in [0, 1]")


def peaks(samples: np.ndarray, buckets: int) -> list[list[float]]:
    """``samples`` is ``[channels, n]`` in [-1, 1]; each channel's max |x| per bucket."""
    out = []
    for channel in samples:
        n = channel.shape[0]
        if n == 0:
            out.append([0.0] * buckets)
            continue
        edges = np.linspace(0, n, buckets + 1).astype(int)
        mags = np.abs(channel)
        row = [
            round(float(mags[a:b].max()), 3) if b > a else 0.0 for a, b in itertools.pairwise(edges)
        ]
        out.append(row)
    return out


# Decoding an hour takes seconds: each recording is decoded once, one at a time (so a page
# opened in several tabs does not decode it several times at once). Its peaks are kept in this
# process (first level) and in the storage's peaks folder (second level, peaks_files), which
# outlives a restart.
_decode_lock = threading.Lock()


def cached_peaks(storage: Storage, key: str, buckets: int, limits: AudioLimits) -> PeaksRead:
    """The peaks of the recording stored under ``key``."""
    path = storage.path(key)
    saved = peaks_files.path_for(storage, key, buckets)
    with _decode_lock:
        stat = path.stat()
        body = _peaks_of(str(path), stat.st_mtime_ns, stat.st_size, str(saved), buckets, limits)
    return PeaksRead.model_validate_json(body)


@lru_cache(maxsize=64)
def _peaks_of(
    path: str, mtime_ns: int, size: int, saved: str, buckets: int, limits: AudioLimits
) -> str:
    known = _saved_peaks(Path(saved), size, buckets)
    if known is not None:
        return known.model_dump_json()
    samples, _ = decode_audio(path, sample_rate=PEAK_RATE, limits=limits)
    duration = samples.shape[1] / PEAK_RATE if samples.size else 0.0
    body = PeaksRead(
        duration_s=round(duration, 3), buckets=buckets, channels=peaks(samples, buckets)
    )
    peaks_files.write(Path(saved), body.model_dump(mode="json"), source_bytes=size)
    return body.model_dump_json()


def _saved_peaks(saved: Path, size: int, buckets: int) -> PeaksRead | None:
    doc = peaks_files.read(saved, source_bytes=size)
    if doc is None:
        return None
    try:
        found = PeaksRead.model_validate(doc)
    except ValidationError as exc:
        log.warning("ignoring waveform peaks %s: %s", saved, exc)
        return None
    if found.buckets != buckets or any(len(row) != buckets for row in found.channels):
        log.warning("ignoring waveform peaks %s: not %d buckets", saved, buckets)
        return None
    return found


@router.get("/calls/{call_id}/peaks", response_model=PeaksRead)
def get_peaks(
    call_id: uuid.UUID,
    svc: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    buckets: Annotated[int, Query(ge=10, le=4000)] = 1000,
) -> PeaksRead:
    """The waveform of the recording (one lane per channel: agent and customer on a
    two-channel call)."""
    call = visible_call(session, user, call_id)
    if call.kind != "audio":
        raise InvalidInput("this call was reviewed from a transcript and has no audio")
    return cached_peaks(
        svc.storage, call.redacted_storage_key or call.storage_key, buckets, svc.audio_limits
    )
