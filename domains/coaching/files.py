"""Coaching media: clips of calls, uploaded attachments and training content. Uploads are
typed from their first bytes (never the name) and size-limited while they stream to storage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound, UnsupportedMediaType
from domains.audit import service as audit
from domains.auth.access import visible_call
from domains.calls.clips import MAX_CLIP_S
from domains.kit.services import Services
from models.accounts import User
from models.coaching import CoachingAttachment, CoachingSession

ATTACHMENT_MAX_MB = 50
_HEAD = 64


@dataclass(frozen=True)
class Media:
    kind: str  # image | audio | video | pdf
    content_type: str
    suffix: str


def sniff_media(head: bytes) -> Media | None:
    if head.startswith(b"%PDF-"):
        return Media("pdf", "application/pdf", ".pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Media("image", "image/png", ".png")
    if head.startswith(b"\xff\xd8\xff"):
        return Media("image", "image/jpeg", ".jpg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Media("image", "image/gif", ".gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Media("image", "image/webp", ".webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Media("audio", "audio/wav", ".wav")
    if head[:4] == b"fLaC":
        return Media("audio", "audio/flac", ".flac")
    if head[:4] == b"OggS":
        return Media("audio", "audio/ogg", ".ogg")
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return Media("audio", "audio/mpeg", ".mp3")
    if head[4:8] == b"ftyp":
        # ISO media: the brand tells audio-only (M4A) from video (mp4, mov, ...).
        if head[8:11] == b"M4A":
            return Media("audio", "audio/mp4", ".m4a")
        if head[8:10] == b"qt":
            return Media("video", "video/quicktime", ".mov")
        return Media("video", "video/mp4", ".mp4")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Media("video", "video/webm", ".webm")
    return None


class _Rejoined:
    """The sniffed head put back in front of the rest of the upload stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            chunk = self._head if n < 0 else self._head[:n]
            self._head = self._head[len(chunk) :]
            return chunk
        return self._rest.read(n)


def store_upload(svc: Services, stream: BinaryIO, filename: str) -> tuple[Media, str, int]:
    """Store an image, audio, video or PDF upload; (media, storage key, size)."""
    head = stream.read(_HEAD)
    if not head:
        raise InvalidInput("the uploaded file is empty")
    media = sniff_media(head)
    if media is None:
        raise UnsupportedMediaType(
            f"'{filename}' is not an image (png, jpeg, gif, webp), audio (wav, mp3, ogg, flac, "
            "m4a), video (mp4, mov, webm) or PDF"
        )
    limit = min(ATTACHMENT_MAX_MB, svc.settings.max_upload_mb) << 20
    stored = svc.storage.put_stream(
        _Rejoined(head, stream),  # type: ignore[arg-type]
        suffix=media.suffix,
        max_bytes=limit,
    )
    return media, stored.key, stored.size


def _editable(cs: CoachingSession) -> None:
    if cs.status not in ("draft", "ready"):
        raise Conflict(
            f"attachments are part of what the agent sees: a {cs.status} session's attachments "
            "cannot change"
        )


def add_clip(
    session: Session,
    cs: CoachingSession,
    *,
    call_id: uuid.UUID,
    start: float,
    end: float,
    note: str,
    by: User,
) -> CoachingAttachment:
    _editable(cs)
    call = visible_call(session, by, call_id)
    if call.kind != "audio":
        raise InvalidInput("this call was reviewed from a transcript and has no audio to clip")
    if end <= start:
        raise InvalidInput("a clip's end must be after its start")
    if end - start > MAX_CLIP_S:
        raise InvalidInput(f"clips are at most {MAX_CLIP_S:.0f} s long")
    if call.duration_s is not None and start >= call.duration_s:
        raise InvalidInput(f"the clip starts after the end of the call ({call.duration_s:.1f} s)")
    att = CoachingAttachment(
        session_id=cs.id,
        kind="clip",
        call_id=call.id,
        start=start,
        end=end,
        note=note,
        created_by=by.id,
    )
    return _attach(session, cs, att, by, kind="clip", call_id=str(call.id))


def add_file(
    svc: Services,
    session: Session,
    cs: CoachingSession,
    stream: BinaryIO,
    *,
    filename: str,
    note: str,
    by: User,
) -> CoachingAttachment:
    _editable(cs)
    media, key, size = store_upload(svc, stream, filename)
    att = CoachingAttachment(
        session_id=cs.id,
        kind="file",
        filename=Path(filename).name[:300] or "upload",
        content_type=media.content_type,
        storage_key=key,
        size_bytes=size,
        note=note,
        created_by=by.id,
    )
    return _attach(session, cs, att, by, kind=media.kind, filename=att.filename)


def _attach(
    session: Session, cs: CoachingSession, att: CoachingAttachment, by: User, **details: object
) -> CoachingAttachment:
    session.add(att)
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="coaching.attachment_added",
        entity="coaching_session",
        entity_id=cs.id,
        **details,
    )
    return att


def attachments(session: Session, session_id: uuid.UUID) -> list[CoachingAttachment]:
    return list(
        session.scalars(
            select(CoachingAttachment)
            .where(CoachingAttachment.session_id == session_id)
            .order_by(CoachingAttachment.created_at, CoachingAttachment.id)
        )
    )


def get_attachment(
    session: Session, cs: CoachingSession, attachment_id: uuid.UUID
) -> CoachingAttachment:
    att = session.get(CoachingAttachment, attachment_id)
    if att is None or att.session_id != cs.id:
        raise NotFound(f"attachment {attachment_id} not found")
    return att


def remove_attachment(
    session: Session, cs: CoachingSession, attachment_id: uuid.UUID, *, by: User
) -> None:
    _editable(cs)
    att = get_attachment(session, cs, attachment_id)
    session.delete(att)
    audit.record(
        session,
        actor_id=by.id,
        action="coaching.attachment_removed",
        entity="coaching_session",
        entity_id=cs.id,
        attachment_id=str(att.id),
    )
