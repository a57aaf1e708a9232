"""Holds and silences, found once for the verdicts and the moments alike: the hold criterion's
announced holds and the silence criterion's unannounced gaps are the same spans the flagged
moments show, so a review never says "dead air passed (announced hold)" beside a dead-air
moment "no hold announced"."""

from __future__ import annotations

from collections.abc import Callable

from scoring.context import CallContext
from scoring.rubric import Detector, HoldEvaluator, TimingEvaluator
from scoring.timeline import Span, Utterance, announced_silences, silences


def announcer(ctx: CallContext, det: Detector) -> Callable[[Utterance], bool]:
    def test(u: Utterance) -> bool:
        return ctx.detect(det, u)[0] is not None

    return test


def announced_holds(ctx: CallContext, ev: HoldEvaluator) -> list[tuple[Span, Utterance]]:
    """Silences of ``min_gap_s`` or more that an agent announced (a turn whose speaker is
    unsure still announces a hold by its words: only agents put callers on hold)."""
    pairs = announced_silences(
        ctx.utts,
        silences(ctx.transcript, ev.min_gap_s),
        announcer(ctx, ev.announce),
        speakers=("agent", "unknown"),
        within_s=ev.announce_within_s,
        asks_leave=announcer(ctx, ev.permission),
    )
    return [(g, a) for g, a in pairs if a is not None]


def silence_pairs(ctx: CallContext, ev: TimingEvaluator) -> list[tuple[Span, Utterance | None]]:
    """Every silence of ``threshold_s`` or more, with the announcement that explains it."""
    return announced_silences(
        ctx.utts,
        silences(ctx.transcript, ev.threshold_s),
        announcer(ctx, ev.hold.announce),
        speakers=(*ev.hold.speakers, "unknown"),
        within_s=ev.hold.within_s,
        asks_leave=announcer(ctx, ev.hold.permission),
    )
