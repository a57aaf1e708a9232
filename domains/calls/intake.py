"""Taking calls in: store the file once (by sha256) and add the call row to the caller's
session (flushed, never committed). The caller decides how it runs: enqueued after its commit
(``enqueue_after_commit``: the API, the demo seed) or processed in place (`callreview review`)."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import AudioTooLong, AudioUnreadable, InvalidInput, NotFound, UploadTooLarge
from domains.calls.redaction import drop_unreferenced
from domains.kit.services import Services
from domains.kit.sniff import sniff_file
from models.accounts import Role, User
from models.calls import Call, CallStatus
from transcription import AudioLimits, probe_audio

AUDIO_SUFFIXES = {
    ".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".mp4", ".webm", ".aac", ".aiff",
}  # fmt: skip
TRANSCRIPT_SUFFIXES = {".json", ".txt"}


@dataclass(frozen=True)
class Submitted:
    call_id: uuid.UUID
    created: bool  # False: the same recording was already there for this agent


def ensure_agent(session: Session, name: str) -> User:
    """An agent known by name (CLI ``--agent``, demo seed); created on first use."""
    user = session.scalar(select(User).where(User.name == name))
    if user is not None and user.role != Role.agent:
        raise InvalidInput(f"{name} is not an agent ({user.role.value}): calls belong to agents")
    if user is None:
        user = User(name=name, role=Role.agent)
        try:
            with session.begin_nested():  # a savepoint: a racing twin loses only this insert
                session.add(user)
        except IntegrityError:
            user = session.scalar(select(User).where(User.name == name))
            assert user is not None
    return user


def _submit_local(
    svc: Services,
    session: Session,
    path: Path,
    *,
    agent_id: uuid.UUID,
    original_name: str,
    rubric: str | None,
    verify_audio: bool = False,
) -> Submitted:
    # An upload sits in a temporary file: its name means nothing to the client.
    sniffed = sniff_file(path, label="the uploaded file" if verify_audio else None)
    if verify_audio and sniffed.kind == "audio":
        _ensure_decodable(path, original_name, svc.audio_limits)
    stored = svc.storage.put_file(path, suffix=sniffed.suffix)
    agent = session.get(User, agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    if agent.role != Role.agent:
        raise InvalidInput(
            f"{agent.name} is not an agent ({agent.role.value}): calls belong to agents"
        )
    existing = session.scalar(
        select(Call.id).where(Call.agent_id == agent_id, Call.sha256 == stored.sha256)
    )
    if existing is not None:
        # The same recording again: it must not bring back an original that the
        # redaction policy already removed from the stored call.
        drop_unreferenced(svc, stored.key)
        return Submitted(existing, created=False)
    call = Call(
        agent_id=agent_id,
        status=CallStatus.queued,
        kind=sniffed.kind,
        sha256=stored.sha256,
        storage_key=stored.key,
        original_filename=original_name[:300],
        size_bytes=stored.size,
        rubric_name=rubric or svc.settings.default_rubric,
    )
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:  # the same upload raced in: answer with the one that won
        drop_unreferenced(svc, stored.key)
        won = session.scalar(
            select(Call.id).where(Call.agent_id == agent_id, Call.sha256 == stored.sha256)
        )
        assert won is not None
        return Submitted(won, created=False)
    return Submitted(call.id, created=True)


def _ensure_decodable(path: Path, label: str, limits: AudioLimits) -> None:
    """An HTTP upload that claims to be audio but does not decode is refused at once (422)
    rather than becoming a call that fails later; local files keep the fail-and-retry path."""
    try:
        probe_audio(path, limits=limits)
    except AudioTooLong as exc:
        # Name the file as the user sent it, never by its server-side temporary name.
        raise AudioTooLong(exc.message.replace(path.name, label)) from exc
    except AudioUnreadable as exc:
        raise AudioUnreadable(
            f"'{label}' looks like audio but cannot be decoded (corrupt or truncated)"
        ) from exc


def submit_file(
    svc: Services, session: Session, path: Path, *, agent: str, rubric: str | None = None
) -> Submitted:
    agent_id = ensure_agent(session, agent).id
    return _submit_local(
        svc, session, path, agent_id=agent_id, original_name=path.name, rubric=rubric
    )


def submit_upload(
    svc: Services,
    session: Session,
    stream: BinaryIO,
    *,
    filename: str,
    agent_id: uuid.UUID,
    rubric: str | None = None,
) -> Submitted:
    """Stream an upload to a temporary file under the size limit, sniff it, then store it.
    The client's filename is kept as a label only, never used as a path."""
    max_bytes = svc.settings.max_upload_mb * (1 << 20)
    tmp_dir = svc.storage.root / ".incoming"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            copied = 0
            while chunk := stream.read(1 << 20):
                copied += len(chunk)
                if copied > max_bytes:
                    raise UploadTooLarge(
                        f"upload exceeds the limit of {svc.settings.max_upload_mb} MB"
                    )
                out.write(chunk)
        label = Path(filename or "upload").name
        return _submit_local(
            svc,
            session,
            Path(tmp_name),
            agent_id=agent_id,
            original_name=label,
            rubric=rubric,
            verify_audio=True,
        )
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; folders contribute their audio and transcript files, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in AUDIO_SUFFIXES | TRANSCRIPT_SUFFIXES
                    and not f.name.startswith(".")
                )
            )
        else:
            out.append(p)
    return out
