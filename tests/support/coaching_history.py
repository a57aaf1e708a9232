"""A generated history of scored calls, written straight to the database: every criterion's
evidence at its own time in the call, so a test can tell which clip came from where."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import datetime

from domains.kit.services import Services
from domains.reviews.serialize import criterion_rows
from domains.rubrics.service import ensure_rubric_row, load_call_rubric
from models.accounts import User
from models.calls import Call, CallStatus
from models.reviews import EvaluationRow
from scoring.points import score as rubric_score
from scoring.types import CriterionResult, Evidence
from tests.support.factories import CLEAN, RUBRIC, tone_wav

# Where each criterion's evidence sits in every generated call (seconds).
SPANS = {
    "greeting": (0.0, 0.4),
    "identity_verification": (0.4, 0.8),
    "empathy": (0.8, 1.2),
    "hold_etiquette": (1.2, 1.4),
    "resolution": (1.4, 1.6),
    "closing": (1.6, 1.9),
    "professional_language": (0.2, 0.6),
    "dead_air": (1.0, 1.5),
}


def scored_call(
    svc: Services,
    *,
    agent: User,
    at: datetime,
    verdicts: dict[str, str] | None = None,
    audio: bytes | None = None,
    seconds: float = 2.0,
    evidence: dict[str, tuple[float, float, str]] | None = None,
) -> uuid.UUID:
    """A scored call at ``at``; ``evidence`` moves a criterion's evidence (start, end, text)."""
    spans = {k: (a, b, "") for k, (a, b) in SPANS.items()} | (evidence or {})
    stored = svc.storage.put_stream(io.BytesIO(audio or tone_wav(seconds)), suffix=".wav")
    rubric = load_call_rubric(RUBRIC)
    chosen = {**CLEAN, **(verdicts or {})}
    with svc.session_factory() as s:
        call = Call(
            agent_id=agent.id,
            status=CallStatus.scored,
            kind="audio",
            sha256=stored.sha256,
            storage_key=stored.key,
            original_filename="call.wav",
            size_bytes=stored.size,
            rubric_name=RUBRIC,
            duration_s=seconds,
            channels=1,
            sample_rate=8000,
            created_at=at,
            scored_at=at,
        )
        s.add(call)
        s.flush()
        results = []
        for section, crit in rubric.criteria:
            max_points = crit.points * section.weight
            verdict = chosen[crit.id]
            results.append(
                CriterionResult(
                    id=crit.id,
                    verdict=verdict,  # type: ignore[arg-type]
                    confidence=0.9,
                    points=max_points if verdict == "pass" else 0.0,
                    max_points=max_points,
                    rationale=f"{crit.id} {verdict}",
                    critical=crit.critical,
                    section=section.id,
                )
            )
        s.add(
            EvaluationRow(
                call_id=call.id,
                rubric_id=ensure_rubric_row(s, rubric).id,
                source="ai",
                is_current=True,
                score=rubric_score(results),
                auto_failed=any(r.critical and r.verdict == "fail" for r in results),
                criteria=criterion_rows(
                    [
                        replace(
                            r,
                            evidence=(
                                Evidence(
                                    spans[r.id][0],
                                    spans[r.id][1],
                                    "customer" if r.id == "empathy" else "agent",
                                    spans[r.id][2] or f"{r.id} {r.verdict} words",
                                ),
                            ),
                        )
                        for r in results
                    ]
                ),
            )
        )
        s.commit()
        return call.id
