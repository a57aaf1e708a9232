"""Plain data ⇄ JSON columns, and the review result (ARCHITECTURE.md "The review result")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from coaching.feedback import Feedback
from models.orm import (
    Call,
    CriterionResultRow,
    EvaluationRow,
    FeedbackRow,
    MomentRow,
    TranscriptRow,
)
from scoring.scorable import Scorability
from scoring.types import CriterionResult, Evaluation, Evidence, Moment
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


def criterion_to_json(c: CriterionResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "verdict": c.verdict,
        "confidence": _r(c.confidence),
        "points": c.points,
        "max_points": c.max_points,
        "rationale": c.rationale,
        "evidence": [evidence_to_json(e) for e in c.evidence],
        "critical": c.critical,
        "section": c.section,
        "bonus": c.bonus,
        "needs_review": c.needs_review,
        "scale_value": c.scale_value,
        "scale_label": c.scale_label,
        "method": c.method,
    }


def criterion_rows(results: Sequence[CriterionResult]) -> list[CriterionResultRow]:
    """An evaluation's verdicts as rows, in rubric order."""
    return [
        CriterionResultRow(
            position=i,
            criterion_id=c.id,
            section=c.section,
            verdict=c.verdict,
            confidence=c.confidence,
            points=c.points,
            max_points=c.max_points,
            critical=c.critical,
            rationale=c.rationale,
            evidence=[evidence_to_json(e) for e in c.evidence],
            bonus=c.bonus,
            needs_review=c.needs_review,
            scale_value=c.scale_value,
            scale_label=c.scale_label or None,
            method=c.method,
        )
        for i, c in enumerate(results)
    ]


def moment_to_json(m: Moment) -> dict[str, Any]:
    return {
        "type": m.type,
        "start": _r(m.start),
        "end": _r(m.end),
        "severity": m.severity,
        "description": m.description,
        "criterion": m.criterion,
    }


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
        criteria=tuple(
            CriterionResult(
                id=c.criterion_id,
                verdict=c.verdict,  # type: ignore[arg-type]
                confidence=c.confidence,
                points=c.points,
                max_points=c.max_points,
                rationale=c.rationale,
                evidence=tuple(Evidence(**e) for e in c.evidence),
                critical=c.critical,
                section=c.section,
                bonus=c.bonus,
                needs_review=c.needs_review,
                scale_value=c.scale_value,
                scale_label=c.scale_label or "",
                method=c.method,
            )
            for c in row.criteria
        ),
        provisional=row.provisional,
        provisional_criteria=tuple(row.provisional_criteria or ()),
        provisional_reason=row.provisional_reason or "",
    )


def review_result(
    call: Call,
    transcript: TranscriptRow | None,
    evaluation: EvaluationRow | None,
    moments: list[MomentRow],
    feedback: FeedbackRow | None,
) -> dict[str, Any]:
    """One call as the API and `callreview review --format json` show it."""
    result: dict[str, Any] = {
        "call_id": str(call.id),
        "status": call.status.value,
        "agent": call.agent.name,
        "agent_id": str(call.agent_id),
        "filename": call.original_filename,
        "created_at": call.created_at.isoformat(),
        "audio": {
            "duration_s": _r(call.duration_s, 2),
            "channels": call.channels,
            "sample_rate": call.sample_rate,
        },
        "transcript": None,
        "evaluation": None,
        "moments": [],
        "feedback": None,
    }
    if call.status.value == "failed":
        result["error"] = {"step": call.failed_step, "message": call.error}
    # Whether the recording is a customer-service conversation (scoring/scorable.py): null
    # until the score step checked it; a reviewer may have had it scored anyway.
    scorability = call.scorability
    result["scorable"] = None if scorability is None else bool(scorability.get("scorable"))
    result["scorability"] = (
        None if scorability is None else {**scorability, "score_anyway": call.score_anyway}
    )
    if transcript is not None:
        result["transcript"] = {
            "engine": transcript.engine,
            "model": transcript.model,
            "speaker_method": transcript.speaker_method,
            "segments": transcript.segments,
        }
    if evaluation is not None:
        ev = evaluation_from_row(evaluation)
        result["evaluation"] = {
            "rubric": ev.rubric,
            "rubric_version": ev.rubric_version,
            "source": ev.source,
            "score": round(ev.score, 1),
            "auto_failed": ev.auto_failed,
            # An unsure critical fail waits for a human: the score is not final and stays out
            # of averages (scoring/publication.py).
            "provisional": ev.provisional,
            "provisional_reason": ev.provisional_reason or None,
            "provisional_criteria": list(ev.provisional_criteria),
            "criteria": [
                {**criterion_to_json(c), "rationale_superseded": False} for c in ev.criteria
            ],
        }
        result["moments"] = [
            {
                "type": m.type,
                "start": m.start,
                "end": m.end,
                "severity": m.severity,
                "description": m.description,
                "criterion": m.criterion,
                "clip": f"/api/v1/calls/{call.id}/clip?start={m.start:.2f}&end={m.end:.2f}",
            }
            for m in sorted(moments, key=lambda m: (m.start, m.type))
        ]
    if feedback is not None:
        result["feedback"] = {
            "strengths": feedback.strengths,
            "improvements": feedback.improvements,
        }
    return result


def as_dict(obj: Any) -> dict[str, Any]:
    return asdict(obj)
