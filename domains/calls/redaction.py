"""PII redaction as the pipeline applies it: stored text always redacted (unless turned off),
optionally a stored audio copy with the spans muted, and the original kept or dropped."""

from __future__ import annotations

import io
import json
from pathlib import Path

from domains.calls import peaks_files
from domains.calls.clips import store_redacted_copy
from domains.kit.services import Services
from domains.reviews.serialize import segment_to_json
from scoring.types import Moment
from transcription import Transcript, find_pii, parse_types, redact_transcript, redacted_spans


def redact(
    svc: Services, transcript: Transcript, path: Path, *, has_audio: bool
) -> tuple[Transcript, str | None]:
    """The transcript to store and, when an audio copy is configured and PII was found,
    the storage key of the muted copy."""
    settings = svc.settings
    if not settings.pii_redact:
        return transcript, None
    types = parse_types(settings.pii_types)
    redacted_key = None
    if has_audio and settings.pii_audio != "none":
        spans = find_pii(transcript, types)
        if spans:
            redacted_key = store_redacted_copy(svc.storage, path, spans, settings.pii_audio).key
    return redact_transcript(transcript, types), redacted_key


def store_transcript_copy(svc: Services, transcript: Transcript) -> str:
    """The (redacted) transcript as a JSON file in storage; its key."""
    doc = {"segments": [segment_to_json(seg) for seg in transcript.segments]}
    data = json.dumps(doc, ensure_ascii=False).encode()
    return svc.storage.put_stream(io.BytesIO(data), suffix=".json").key


def drop_unreferenced(svc: Services, key: str) -> bool:
    """Delete a stored file no call points at any more (the original, when the policy keeps
    only the redacted copy), and what was derived from it. Content-addressed files can be
    shared by calls, so check first."""
    from sqlalchemy import or_, select

    from models.calls import Call

    with svc.session_factory() as s:
        used = s.scalar(
            select(Call.id).where(or_(Call.storage_key == key, Call.redacted_storage_key == key))
        )
    if used is not None:
        return False
    svc.storage.path(key).unlink(missing_ok=True)
    peaks_files.discard(svc.storage, key)  # the waveform drawn from it
    return True


_PII_NAMES = {
    "CARD": "a card number",
    "SSN": "a social security number",
    "PHONE": "a phone number",
    "EMAIL": "an e-mail address",
    "DOB": "a date of birth",
    "DIGITS": "a run of digits",
    "ADDRESS": "an address",
}


def pii_moments(transcript: Transcript) -> list[Moment]:
    """Where PII was spoken (from the placeholders redaction left), for reviewers to check."""
    return [
        Moment(
            type="pii_spoken",
            start=start,
            end=end,
            severity="info",
            description=f"{_PII_NAMES.get(kind, kind.lower())} was spoken here (redacted).",
        )
        for kind, start, end in redacted_spans(transcript)
    ]
