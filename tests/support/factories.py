"""Keyword-only factories with valid defaults: users and scored calls written straight to the
database (no ASR, no embeddings), so API tests can assert exact numbers."""

from __future__ import annotations

import functools
import io
import itertools
import uuid
import wave
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from core.passwords import hash_password
from domains.kit.services import Services
from domains.reviews.serialize import criterion_rows
from domains.rubrics.service import ensure_rubric_row, load_call_rubric
from models.accounts import Role, User
from models.calls import Call, CallStatus
from models.reviews import EvaluationRow
from scoring.confidence import DEFAULT_REVIEW_THRESHOLD
from scoring.publication import publish
from scoring.types import CriterionResult, Evidence

PASSWORD = "correct horse battery"
RUBRIC = "contact-center-default"
# The default rubric's verdicts on a clean call: every criterion passes, no hold happened.
CLEAN = {
    "greeting": "pass",
    "identity_verification": "pass",
    "empathy": "pass",
    "hold_etiquette": "na",
    "resolution": "pass",
    "closing": "pass",
    "professional_language": "pass",
    "dead_air": "pass",
}


def make_user(
    svc: Services,
    *,
    name: str,
    role: Role = Role.agent,
    team: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> User:
    with svc.session_factory() as s:
        user = User(
            name=name,
            role=role,
            team=team,
            email=email or f"{name.lower().replace(' ', '.')}@example.com",
            password_hash=_hashed(password),
        )
        s.add(user)
        s.commit()
        s.refresh(user)
        s.expunge(user)
        return user


@functools.lru_cache
def _hashed(password: str) -> str:
    return hash_password(password)  # scrypt is slow on purpose; tests reuse one hash


_tones = itertools.count()


def tone_wav(seconds: float = 1.0, rate: int = 8000, hz: float | None = None) -> bytes:
    """A distinct recording each call (another pitch), so no two are duplicates."""
    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    pitch = hz if hz is not None else 300.0 + next(_tones)
    pcm = (np.sin(2 * np.pi * pitch * t) * 8000).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def make_call(
    svc: Services,
    *,
    agent: User,
    verdicts: dict[str, str] | None = None,
    confidence: dict[str, float] | None = None,
    status: CallStatus = CallStatus.scored,
    created_at: datetime | None = None,
    filename: str = "call.wav",
    audio: bytes | None = None,
    error: str | None = None,
    scorability: dict[str, Any] | None = None,
) -> uuid.UUID:
    """A call with a stored recording and, when scored, an AI evaluation of ``verdicts``
    (default: ``CLEAN``) scored with the real rubric arithmetic and published with the real
    rule (an unsure critical fail is provisional) at the default review threshold."""
    data = audio if audio is not None else tone_wav()
    stored = svc.storage.put_stream(io.BytesIO(data), suffix=".wav")
    rubric = load_call_rubric(RUBRIC)
    with svc.session_factory() as s:
        call = Call(
            agent_id=agent.id,
            status=status,
            kind="audio",
            sha256=stored.sha256,
            storage_key=stored.key,
            original_filename=filename,
            size_bytes=stored.size,
            rubric_name=RUBRIC,
            duration_s=1.0,
            channels=1,
            sample_rate=8000,
            created_at=created_at or datetime.now(UTC),
            error=error,
            failed_step="transcribe" if status == CallStatus.failed else None,
            scorability=scorability,
        )
        s.add(call)
        s.flush()
        if status == CallStatus.scored:
            rubric_id = ensure_rubric_row(s, rubric).id
            chosen = {**CLEAN, **(verdicts or {})}
            results = []
            for section, crit in rubric.criteria:
                verdict = chosen[crit.id]
                max_points = crit.points * section.weight
                results.append(
                    CriterionResult(
                        id=crit.id,
                        verdict=verdict,  # type: ignore[arg-type]
                        confidence=(confidence or {}).get(crit.id, 0.9),
                        points=max_points if verdict == "pass" else 0.0,
                        max_points=max_points,
                        rationale=f"{crit.id} was {verdict}",
                        critical=crit.critical,
                        section=section.id,
                    )
                )
            s.add(_evaluation_row(call, rubric_id, results))
            call.scored_at = call.created_at
        s.commit()
        return call.id


def _evaluation_row(
    call: Call, rubric_id: uuid.UUID, results: list[CriterionResult]
) -> EvaluationRow:
    published = publish(results, review_threshold=DEFAULT_REVIEW_THRESHOLD)
    return EvaluationRow(
        call_id=call.id,
        rubric_id=rubric_id,
        source="ai",
        is_current=True,
        score=published.score,
        auto_failed=published.auto_failed,
        provisional=published.provisional,
        provisional_reason=published.reason or None,
        provisional_criteria=list(published.held) or None,
        criteria=criterion_rows(
            [replace(r, evidence=(Evidence(1.0, 2.0, "agent", "evidence"),)) for r in results]
        ),
    )


def add_transcript(
    svc: Services, call_id: uuid.UUID, lines: list[tuple[str, float, float, str]]
) -> None:
    """Store a transcript for a call made here: (speaker, start, end, text) per segment."""
    from domains.reviews.serialize import segment_to_json
    from models.calls import TranscriptRow
    from transcription.types import Segment

    segments = [segment_to_json(Segment(a, b, who, text)) for who, a, b, text in lines]  # type: ignore[arg-type]
    with svc.unit_of_work() as s:
        s.add(TranscriptRow(call_id=call_id, engine="test", model="none", segments=segments))
