"""Flagged moments: typed, timestamped events a reviewer jumps to."""

from __future__ import annotations

from scoring.engine import clock
from scoring.rubric import Rubric, default_rubric
from scoring.sentiment import score_turns, sharp_drops
from scoring.timeline import Utterance, announced_silences, overlaps, silences
from scoring.timeline import utterances as cut_utterances
from scoring.types import Evaluation, Moment, Severity
from transcription.types import Transcript


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def find_moments(
    transcript: Transcript, evaluation: Evaluation, rubric: Rubric | None = None
) -> list[Moment]:
    """Dead air, long holds, overtalk, sharp drops in the customer's sentiment, escalation
    requests, prohibited phrases and one moment per failed criterion, sorted by start time.
    Thresholds and cue sets come from ``rubric`` (the default rubric when none is given)."""
    rubric = rubric or default_rubric()
    book, rules = rubric.book, rubric.moments
    utts = cut_utterances(transcript)
    out: list[Moment] = []

    def announces_hold(u: Utterance) -> bool:
        return book.any(["hold_announce"], u.norm)

    gaps = silences(transcript, rules.hold_min_s)
    pairs = announced_silences(utts, gaps, announces_hold, speakers=("agent", "customer"))
    for gap, ann in pairs:
        if ann is None and gap.duration >= rules.dead_air_s:
            out.append(
                Moment(
                    "dead_air",
                    round(gap.start, 2),
                    round(gap.end, 2),
                    "warning",
                    f"{gap.duration:.1f} s of silence at {clock(gap.start)} "
                    "with no hold announced.",
                    "dead_air",
                )
            )
        elif ann is not None and gap.duration > rules.long_hold_s:
            severity: Severity = "warning" if gap.duration > rules.very_long_hold_s else "info"
            out.append(
                Moment(
                    "long_hold",
                    round(gap.start, 2),
                    round(gap.end, 2),
                    severity,
                    f"Hold of {gap.duration:.0f} s at {clock(gap.start)} (announced at "
                    f"{clock(ann.start)}).",
                    "hold_etiquette",
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
    prohibited = book.sets(rules.prohibited_sets)
    for u in utts:
        norm = u.norm
        if u.speaker == "customer" and book.search(escalation, norm):
            out.append(
                Moment(
                    "escalation_request",
                    round(u.start, 2),
                    round(u.end, 2),
                    "warning",
                    f'The customer asked to escalate or leave: "{_short(u.text)}"',
                )
            )
        if u.speaker == "agent" and book.search(prohibited, norm):
            out.append(
                Moment(
                    "prohibited_phrase",
                    round(u.start, 2),
                    round(u.end, 2),
                    "critical",
                    f'The agent used prohibited language: "{_short(u.text)}"',
                    "professional_language",
                )
            )

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
