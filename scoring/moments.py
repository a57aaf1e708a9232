"""Flagged moments: typed, timestamped events a reviewer jumps to."""

from __future__ import annotations

from typing import TypeVar

from scoring.context import CallContext, clock
from scoring.holds import announced_holds, silence_pairs
from scoring.rubric import (
    Criterion,
    HoldEvaluator,
    LexicalEvaluator,
    LLMEvaluator,
    Rubric,
    SemanticEvaluator,
    TimingEvaluator,
    default_rubric,
)
from scoring.sentiment import score_turns, sharp_drops
from scoring.timeline import Span, Utterance, overlaps
from scoring.types import Evaluation, Moment, Severity
from transcription.types import Transcript

E = TypeVar("E", HoldEvaluator, TimingEvaluator)


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _owner(rubric: Rubric, kind: type[E]) -> tuple[Criterion, E] | None:
    """The first criterion judged by an evaluator of ``kind`` (directly or as an LLM
    evaluator's fallback)."""
    for _, crit in rubric.criteria:
        ev = crit.evaluator
        if isinstance(ev, LLMEvaluator):
            ev = ev.fallback
        if isinstance(ev, kind) and (not isinstance(ev, TimingEvaluator) or ev.metric == "silence"):
            return crit, ev
    return None


def _silences(
    ctx: CallContext, rubric: Rubric, evaluation: Evaluation
) -> tuple[list[tuple[Span, Utterance | None]], str | None]:
    """Silences with their announcements, exactly as the rubric's silence criterion judged
    them (none when its verdict is N/A), or by the rubric's moment rules when it has none."""
    owner = _owner(rubric, TimingEvaluator)
    if owner is None:
        rules = rubric.moments
        fallback = TimingEvaluator(type="timing", threshold_s=rules.dead_air_s)
        return silence_pairs(ctx, fallback), None
    crit, ev = owner
    verdict = next((c.verdict for c in evaluation.criteria if c.id == crit.id), None)
    if verdict == "na":
        return [], crit.id
    return silence_pairs(ctx, ev), crit.id


def _prohibited(ctx: CallContext, rubric: Rubric, evaluation: Evaluation) -> list[Moment]:
    """The agent's prohibited phrases: the evidence of the rubric's failed "forbid" criterion
    (the very turns its verdict rests on), or the moment rules' cue sets without one."""
    forbid = [
        crit
        for _, crit in rubric.criteria
        if isinstance(crit.evaluator, (SemanticEvaluator, LexicalEvaluator))
        and crit.evaluator.mode == "forbid"
    ]
    if forbid:
        out = []
        for crit in forbid:
            # A fail's evidence; after a reviewer passed it, the AI's evidence stays as a place
            # to listen (domains.reviews.publishing marks it as reviewed).
            result = next((c for c in evaluation.criteria if c.id == crit.id), None)
            if result is None or result.verdict == "na":
                continue
            for e in result.evidence:
                out.append(
                    Moment(
                        "prohibited_phrase",
                        e.start,
                        e.end,
                        "critical" if crit.critical else "warning",
                        f'The agent used prohibited language: "{_short(e.text)}"',
                        crit.id,
                    )
                )
        return out
    patterns = ctx.book.sets(rubric.moments.prohibited_sets)
    return [
        Moment(
            "prohibited_phrase",
            round(u.start, 2),
            round(u.end, 2),
            "critical",
            f'The agent used prohibited language: "{_short(u.text)}"',
        )
        for u in ctx.utts
        if u.speaker == "agent" and ctx.book.search(patterns, u.norm)
    ]


def find_moments(
    transcript: Transcript, evaluation: Evaluation, rubric: Rubric | None = None
) -> list[Moment]:
    """Dead air, long holds, overtalk, sharp drops in the customer's sentiment, escalation
    requests, prohibited phrases and one moment per failed criterion, sorted by start time.
    Holds and silences are found by the same code and parameters as the rubric's hold and
    silence criteria; other thresholds and cue sets come from ``rubric`` (the default rubric
    when none is given)."""
    rubric = rubric or default_rubric()
    book, rules = rubric.book, rubric.moments
    ctx = CallContext(transcript, None, book)
    utts = ctx.utts
    out: list[Moment] = []

    pairs, dead_air_id = _silences(ctx, rubric, evaluation)
    for gap, ann in pairs:
        if ann is None:
            out.append(
                Moment(
                    "dead_air",
                    round(gap.start, 2),
                    round(gap.end, 2),
                    "warning",
                    f"{gap.duration:.1f} s of silence at {clock(gap.start)} "
                    "with no hold announced.",
                    dead_air_id,
                )
            )
    hold_owner = _owner(rubric, HoldEvaluator)
    if hold_owner is not None:
        holds = announced_holds(ctx, hold_owner[1])
        hold_id: str | None = hold_owner[0].id
    else:
        holds = [(g, a) for g, a in pairs if a is not None]
        hold_id = None
    for gap, ann in holds:
        if gap.duration > rules.long_hold_s:
            severity: Severity = "warning" if gap.duration > rules.very_long_hold_s else "info"
            out.append(
                Moment(
                    "long_hold",
                    round(gap.start, 2),
                    round(gap.end, 2),
                    severity,
                    f"Hold of {gap.duration:.0f} s at {clock(gap.start)} (announced at "
                    f"{clock(ann.start)}).",
                    hold_id,
                )
            )

    for span in overlaps(transcript, rules.overtalk_s):
        out.append(
            Moment(
                "overtalk",
                round(span.start, 2),
                round(span.end, 2),
                "info",
                f"Agent and customer spoke over each other for {span.duration:.1f} s.",
            )
        )

    customer = [u for u in utts if u.speaker == "customer"]
    for turn, fall in sharp_drops(score_turns(customer, book=book), rules.sentiment_drop):
        u = turn.utt
        why = f' ("{turn.cue}")' if turn.cue else ""
        out.append(
            Moment(
                "negative_sentiment",
                round(u.start, 2),
                round(u.end, 2),
                "warning" if turn.score <= -0.6 else "info",
                f"The customer's sentiment fell by {fall:.1f} to {turn.score:+.2f}{why}: "
                f'"{_short(u.text)}"',
            )
        )

    escalation = book.sets(rules.escalation_sets)
    for u in utts:
        if u.speaker == "customer" and book.search(escalation, u.norm):
            out.append(
                Moment(
                    "escalation_request",
                    round(u.start, 2),
                    round(u.end, 2),
                    "warning",
                    f'The customer asked to escalate or leave: "{_short(u.text)}"',
                )
            )
    out += _prohibited(ctx, rubric, evaluation)

    for crit in evaluation.criteria:
        if crit.verdict != "fail":
            continue
        if crit.evidence:
            start = min(e.start for e in crit.evidence)
            end = max(e.end for e in crit.evidence)
        else:
            start, end = 0.0, transcript.duration_s
        out.append(
            Moment(
                "failed_criterion",
                round(start, 2),
                round(end, 2),
                "critical" if crit.critical else "warning",
                f"{crit.id.replace('_', ' ').capitalize()} not met: {crit.rationale}",
                crit.id,
            )
        )
    return sorted(out, key=lambda m: (m.start, m.end, m.type))
