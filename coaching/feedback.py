"""Per-call draft feedback: praise first, then concrete next steps, each tied to a criterion and
to the call's own moments. Deterministic templates; a supervisor edits before an agent sees it."""

from __future__ import annotations

from dataclasses import dataclass

from coaching.examples import praise_worthy
from coaching.texts import Texts, fill, name_of, text_for
from core.timefmt import clock
from scoring.types import CriterionResult, Evaluation, Evidence
from transcription.types import Transcript


@dataclass(frozen=True)
class Improvement:
    criterion: str
    text: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Feedback:
    strengths: tuple[str, ...]
    improvements: tuple[Improvement, ...]


def _quote(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def _first(r: CriterionResult, speaker: str | None = None) -> Evidence | None:
    for e in r.evidence:
        if speaker is None or e.speaker == speaker:
            return e
    return r.evidence[0] if r.evidence else None


def _praise_quote(
    r: CriterionResult, speaker: str | None, failed_spans: list[tuple[float, float]]
) -> Evidence | None:
    for e in r.evidence:
        if (speaker is None or e.speaker == speaker) and praise_worthy(
            e.text, failed_spans=failed_spans, at=e.start
        ):
            return e
    return None


def _fill(template: str, r: CriterionResult, e: Evidence | None) -> str:
    return fill(
        template,
        t=clock(e.start) if e else "the start of the call",
        q=_quote(e.text) if e else "",
        d=f"{e.end - e.start:.0f}" if e else "several",
        name=name_of(r.id),
        rationale=r.rationale.rstrip(".") + ".",
    )


def call_feedback(
    transcript: Transcript, evaluation: Evaluation, texts: Texts | None = None
) -> Feedback:
    """Strengths (every passed criterion, in rubric order) and improvements (every failed
    criterion, the costliest first), each pointing at the call's own times, in the words of
    the rubric's coaching texts (``texts``; the default rubric's when None)."""
    strengths: list[str] = []
    # Praise never quotes a dismissive line, a bare greeting, or a line that failed something.
    failed_spans = [
        (e.start, e.end) for f in evaluation.criteria if f.verdict == "fail" for e in f.evidence
    ]
    for r in evaluation.criteria:
        if r.verdict != "pass":
            continue
        text = text_for(texts, r.id)
        speaker = None if text.strength_quote == "any" else text.strength_quote
        e = _praise_quote(r, speaker, failed_spans)
        template = text.strength
        if e is None and "{t}" in template:
            template = "{name}: done well on this call."
        strengths.append(_fill(template, r, e))
    if not strengths and any(s.speaker == "agent" for s in transcript.segments):
        strengths.append("Thank you for staying with the customer through the whole call.")

    failed = [r for r in evaluation.criteria if r.verdict == "fail"]
    failed.sort(key=lambda r: (not r.critical, -r.max_points))
    improvements: list[Improvement] = []
    for r in failed:
        text = text_for(texts, r.id)
        e = _first(r, None if text.improvement_quote == "any" else text.improvement_quote)
        improvements.append(Improvement(r.id, _fill(text.improvement, r, e), r.evidence))
    return Feedback(tuple(strengths), tuple(improvements))
