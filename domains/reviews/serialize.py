"""Plain data ⇄ JSON columns and rows, and the review result (ARCHITECTURE.md "The review
result") built from the stored rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coaching.feedback import Feedback
from domains.kit.schemas import MISSING
from domains.reviews.schemas import (
    AudioRead,
    CriterionRead,
    ErrorRead,
    EvaluationRead,
    EvidenceRead,
    FeedbackRead,
    MomentRead,
    ReviewResult,
    ScorabilityRead,
    SegmentRead,
    TranscriptRead,
)
from models.calls import Call, TranscriptRow
from models.reviews import CriterionResultRow, EvaluationRow, FeedbackRow, MomentRow
from scoring.scorable import Scorability
from scoring.types import CriterionResult, Evaluation, Evidence
from transcription.types import AudioInfo, Segment, Transcript, Word


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def segment_to_json(seg: Segment) -> dict[str, Any]:
    return {
        "start": _r(seg.start),
        "end": _r(seg.end),
        "speaker": seg.speaker,
        "text": seg.text,
        "words": [
            {
                "start": _r(w.start),
                "end": _r(w.end),
                "word": w.word,
                "probability": _r(w.probability),
            }
            for w in seg.words
        ],
        "speaker_confidence": _r(seg.speaker_confidence),
        "channel": seg.channel,
        "avg_logprob": _r(seg.avg_logprob),
        "no_speech_prob": _r(seg.no_speech_prob),
        "compression_ratio": _r(seg.compression_ratio),
    }


def segment_from_json(d: dict[str, Any]) -> Segment:
    return Segment(
        start=float(d["start"]),
        end=float(d["end"]),
        speaker=d.get("speaker", "unknown"),
        text=d.get("text", ""),
        words=tuple(
            Word(float(w["start"]), float(w["end"]), w["word"], float(w.get("probability") or 1.0))
            for w in d.get("words") or ()
        ),
        speaker_confidence=float(d.get("speaker_confidence") or 1.0),
        channel=d.get("channel"),
        avg_logprob=d.get("avg_logprob"),
        no_speech_prob=d.get("no_speech_prob"),
        compression_ratio=d.get("compression_ratio"),
    )


def transcript_from_row(row: TranscriptRow, call: Call) -> Transcript:
    audio = None
    if call.duration_s is not None:
        audio = AudioInfo(call.duration_s, call.channels or 1, call.sample_rate or 0)
    return Transcript(
        engine=row.engine,
        model=row.model,
        segments=tuple(segment_from_json(s) for s in row.segments),
        audio=audio,
        language=row.language,
        speaker_method=row.speaker_method,
    )


def evidence_to_json(ev: Evidence) -> dict[str, Any]:
    return {"start": _r(ev.start), "end": _r(ev.end), "speaker": ev.speaker, "text": ev.text}


def criterion_row(
    c: CriterionResult, position: int, *, reason: str | None = None
) -> CriterionResultRow:
    """A verdict as stored (the one mapping of a verdict's fields to its row)."""
    return CriterionResultRow(
        position=position,
        criterion_id=c.id,
        section=c.section,
        verdict=c.verdict,
        confidence=c.confidence,
        points=c.points,
        max_points=c.max_points,
        critical=c.critical,
        rationale=c.rationale,
        evidence=[evidence_to_json(e) for e in c.evidence],
        reason=reason,
        bonus=c.bonus,
        needs_review=c.needs_review,
        scale_value=c.scale_value,
        scale_label=c.scale_label or None,
        method=c.method,
    )


def criterion_from_row(row: CriterionResultRow) -> CriterionResult:
    """A stored verdict back as plain data (the one mapping the other way)."""
    return CriterionResult(
        id=row.criterion_id,
        verdict=row.verdict,  # type: ignore[arg-type]
        confidence=row.confidence,
        points=row.points,
        max_points=row.max_points,
        rationale=row.rationale,
        evidence=tuple(Evidence(**e) for e in row.evidence),
        critical=row.critical,
        section=row.section,
        bonus=row.bonus,
        needs_review=row.needs_review,
        scale_value=row.scale_value,
        scale_label=row.scale_label or "",
        method=row.method,
    )


def criterion_rows(results: Sequence[CriterionResult]) -> list[CriterionResultRow]:
    """An evaluation's verdicts as rows, in rubric order."""
    return [criterion_row(c, i) for i, c in enumerate(results)]


def copy_criterion_row(row: CriterionResultRow) -> CriterionResultRow:
    """A stored verdict copied into another evaluation (a human copy of the AI's), reason and
    all."""
    return criterion_row(criterion_from_row(row), row.position, reason=row.reason)


def feedback_to_json(fb: Feedback) -> dict[str, Any]:
    return {
        "strengths": list(fb.strengths),
        "improvements": [
            {
                "criterion": imp.criterion,
                "text": imp.text,
                "evidence": [evidence_to_json(e) for e in imp.evidence],
            }
            for imp in fb.improvements
        ],
    }


def scorability_to_json(s: Scorability) -> dict[str, Any]:
    return {
        "scorable": s.scorable,
        "reason": s.reason,
        "confidence": _r(s.confidence, 2),
        "detail": s.detail,
        "signals": dict(s.signals),
    }


def evaluation_from_row(row: EvaluationRow) -> Evaluation:
    return Evaluation(
        rubric=row.rubric.name,
        rubric_version=row.rubric.version,
        source="human" if row.source == "human" else "ai",
        score=row.score,
        auto_failed=row.auto_failed,
        criteria=tuple(criterion_from_row(c) for c in row.criteria),
        provisional=row.provisional,
        provisional_criteria=tuple(row.provisional_criteria or ()),
        provisional_reason=row.provisional_reason or "",
    )


@dataclass(frozen=True)
class ShownEvaluation:
    """A call's current evaluation with what a reader needs beside it: each criterion's
    question and guidance as worded in that rubric version, and on a human evaluation the AI
    one it overrides (its verdicts and score) and each override's reason."""

    row: EvaluationRow
    wording: Mapping[str, tuple[str, str]]  # criterion id -> (question, guidance)
    ai: EvaluationRow | None = None


def review_result(
    call: Call,
    transcript: TranscriptRow | None,
    evaluation: ShownEvaluation | None,
    moments: Sequence[MomentRow],
    feedback: FeedbackRow | None,
) -> ReviewResult:
    """One call as the API, the pages and `callreview review --format json` show it."""
    scorability = call.scorability
    return ReviewResult(
        call_id=call.id,
        status=call.status.value,
        agent=call.agent.name,
        agent_id=call.agent_id,
        filename=call.original_filename,
        created_at=call.created_at.isoformat(),
        audio=AudioRead(
            duration_s=_r(call.duration_s, 2), channels=call.channels, sample_rate=call.sample_rate
        ),
        transcript=(
            None
            if transcript is None
            else TranscriptRead(
                engine=transcript.engine,
                model=transcript.model,
                speaker_method=transcript.speaker_method,
                segments=[SegmentRead.model_validate(s) for s in transcript.segments],
            )
        ),
        evaluation=None if evaluation is None else _evaluation_read(evaluation),
        moments=(
            []
            if evaluation is None
            else [
                MomentRead(
                    type=m.type,
                    start=m.start,
                    end=m.end,
                    severity=m.severity,  # type: ignore[arg-type]
                    description=m.description,
                    criterion=m.criterion,
                    clip=f"/api/v1/calls/{call.id}/clip?start={m.start:.2f}&end={m.end:.2f}",
                )
                for m in sorted(moments, key=lambda m: (m.start, m.type))
            ]
        ),
        feedback=(
            None
            if feedback is None
            else FeedbackRead.model_validate(
                {"strengths": feedback.strengths, "improvements": feedback.improvements}
            )
        ),
        error=(
            ErrorRead(step=call.failed_step, message=call.error)
            if call.status.value == "failed"
            else MISSING
        ),
        # Whether the recording is a customer-service conversation (scoring/scorable.py): null
        # until the score step checked it; a reviewer may have had it scored anyway.
        scorable=None if scorability is None else bool(scorability.get("scorable")),
        scorability=(
            None
            if scorability is None
            else ScorabilityRead.model_validate({**scorability, "score_anyway": call.score_anyway})
        ),
    )


def _evaluation_read(shown: ShownEvaluation) -> EvaluationRead:
    ev = evaluation_from_row(shown.row)
    human = ev.source == "human"
    reasons = {c.criterion_id: c.reason for c in shown.row.criteria}
    ai_verdicts = {c.criterion_id: c.verdict for c in shown.ai.criteria} if shown.ai else {}
    criteria = []
    for c in ev.criteria:
        question, guidance = shown.wording.get(c.id, ("", ""))
        reason = reasons.get(c.id) if human else None
        criteria.append(
            CriterionRead(
                id=c.id,
                verdict=c.verdict,
                confidence=_r(c.confidence),  # type: ignore[arg-type]
                points=c.points,
                max_points=c.max_points,
                rationale=c.rationale,
                evidence=[EvidenceRead.model_validate(evidence_to_json(e)) for e in c.evidence],
                critical=c.critical,
                section=c.section,
                bonus=c.bonus,
                needs_review=c.needs_review,
                scale_value=c.scale_value,
                scale_label=c.scale_label,
                method=c.method,
                # Where a reviewer changed the verdict, the AI's rationale argued for the
                # other one: it is shown as superseded.
                rationale_superseded=bool(reason and ai_verdicts.get(c.id, c.verdict) != c.verdict),
                question=question,
                guidance=guidance,
                override_reason=reason if human else MISSING,
                ai_verdict=ai_verdicts.get(c.id) if human else MISSING,  # type: ignore[arg-type]
            )
        )
    return EvaluationRead(
        rubric=ev.rubric,
        rubric_version=ev.rubric_version,
        source=ev.source,
        score=round(ev.score, 1),
        auto_failed=ev.auto_failed,
        # An unsure critical fail waits for a human: the score is not final and stays out
        # of averages (scoring/publication.py).
        provisional=ev.provisional,
        provisional_reason=ev.provisional_reason or None,
        provisional_criteria=list(ev.provisional_criteria),
        criteria=criteria,
        ai_score=(round(shown.ai.score, 1) if shown.ai else None) if human else MISSING,
    )
