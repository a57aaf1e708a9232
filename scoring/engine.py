"""Running a rubric over a transcript: turn selection, detection (rules + embeddings), the
evaluator types (semantic, lexical, timing, hold, sentiment, sequence, llm), N/A rules, answer
scales, evidence-weighted confidence, the review queue and the score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from scoring import conversation
from scoring import sentiment as senti
from scoring.adjudicate import Adjudicator
from scoring.calibration import Calibration, builtin_calibration
from scoring.confidence import (
    DEFAULT_CRITICAL_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    adjust,
    call_quality,
    evidence_quality,
)
from scoring.consult import DEFAULT_CONSULT, ConsultPolicy, consult
from scoring.context import (
    ABSENCE_BASES,
    CallContext,
    Hit,
    Outcome,
    absence_evidence,
    clock,
    exemplar_texts,
    hit_evidence,
    miss_confidence,
    quote,
    span_evidence,
    unique_evidence,
    utt_evidence,
    where,
    who,
)
from scoring.embedding import Embedder
from scoring.holds import announced_holds, silence_pairs
from scoring.llm import LLMConfig, LLMRejected, ask
from scoring.points import score
from scoring.publication import publish
from scoring.question import judge_question
from scoring.rubric import (
    Criterion,
    HoldEvaluator,
    LexicalEvaluator,
    LLMEvaluator,
    NaRule,
    QuestionEvaluator,
    ResolutionEvaluator,
    Rubric,
    SemanticEvaluator,
    SentimentEvaluator,
    SequenceEvaluator,
    Step,
    TimingEvaluator,
    VerificationEvaluator,
)
from scoring.timeline import Span, Utterance, overlaps
from scoring.types import CriterionResult, Evaluation, Evidence, Verdict
from transcription.types import Transcript

__all__ = ["CallContext", "clock", "evaluate", "exemplar_texts", "score", "score_results"]


def _semantic(
    ctx: CallContext, crit: Criterion, ev: SemanticEvaluator | LexicalEvaluator
) -> Outcome:
    label = crit.label or crit.question
    cands = ctx.select(ev.window)
    trigger_hit: Hit | None = None
    if isinstance(ev, SemanticEvaluator) and ev.trigger is not None:
        t_hits, t_best = ctx.hits(ev.trigger.detect, ctx.select(ev.trigger.window))
        if not t_hits:
            conf = miss_confidence(ev.trigger.detect, t_best)
            reason = crit.na_when or "the condition for this criterion did not occur"
            return Outcome("na", conf, f"Not applicable: {reason}.", basis="no-trigger")
        trigger_hit = t_hits[0]
        cands = [u for u in cands if u.start >= trigger_hit.utt.start]
    hits, best = ctx.hits(ev.detect, cands)
    if ev.mode == "forbid":
        if hits:
            h = max(hits, key=lambda h: h.confidence)
            return Outcome(
                "fail",
                h.confidence,
                f"{quote(h)}: {label}."
                if len(hits) == 1
                else f"{len(hits)} turns, first {quote(hits[0])}: {label}.",
                [hit_evidence(x) for x in hits],
                basis=max(hits, key=lambda h: h.confidence).how,
            )
        conf = miss_confidence(ev.detect, best)
        return Outcome("pass", conf, f"None found in {where(ev.window)}: {label}.", basis="none")
    # require
    trig_ev = [hit_evidence(trigger_hit)] if trigger_hit else []
    if isinstance(ev, SemanticEvaluator) and ev.response is not None and hits:
        resp = ev.response
        answered: list[tuple[Hit, Utterance]] = []
        for h in hits:
            following = [
                u
                for u in ctx.utts
                if u.start >= h.utt.start
                and u.start <= h.utt.end + resp.within_s
                and (
                    resp.speaker == "any"
                    or u.speaker == resp.speaker
                    # speakers unknown (one voice to the ear): any later turn may be the answer
                    or (ctx.no_roles and u.speaker == "unknown")
                )
                and u.index != h.utt.index
            ]
            for u in following[:2]:
                if resp.refusal is not None and ctx.detect(resp.refusal, u)[0] is not None:
                    break  # "I don't know it" is an answer, but not a verification
                if len(u.norm.split()) < resp.min_words:
                    continue
                answered.append((h, u))
                break
        if not answered:
            h = hits[0]
            return Outcome(
                "fail",
                0.6,
                f"{quote(h)} asked, but {who(resp.speaker)} gave no answer: {label}.",
                [hit_evidence(x) for x in hits[:3]],
                basis="unanswered",
            )
        h, u = answered[0]
        return Outcome(
            "pass",
            h.confidence,
            f"{quote(h)}, answered at {clock(u.start)}: {label}.",
            [hit_evidence(h), utt_evidence(u)],
            basis=f"answered-{h.how}",
        )
    if hits:
        # Equal confidence: a window judged by its end (resolution) cites the latest match.
        late = -1.0 if ev.window.cite == "last" else 1.0
        h = max(hits, key=lambda h: (h.confidence, -late * h.utt.start))
        return Outcome(
            "pass",
            h.confidence,
            f"{quote(h)}: {label}.",
            unique_evidence([*trig_ev, hit_evidence(h)]),
            basis=h.how,
        )
    if isinstance(ev, SemanticEvaluator):
        for alt in ev.alternatives:
            alt_hits = _step_hits(ctx, alt)
            if alt_hits:
                h = alt_hits[-1]
                return Outcome(
                    "pass", h.confidence, f"{quote(h)}: {label}.", [hit_evidence(h)], basis="alt"
                )
    if trigger_hit is not None:
        after = cands[:2]
        return Outcome(
            "fail",
            miss_confidence(ev.detect, best),
            f"The customer said {quote(trigger_hit)}; no {label} from "
            f"{who(ev.window.speaker)} after it.",
            unique_evidence([*trig_ev, *[utt_evidence(u) for u in after]]),
            basis="ignored-trigger",
        )
    return Outcome(
        "fail",
        miss_confidence(ev.detect, best),
        f"No {label} in {where(ev.window)}.",
        absence_evidence(ev.window, cands),
        basis="absent",
    )


def _hold(ctx: CallContext, crit: Criterion, ev: HoldEvaluator) -> Outcome:
    holds = announced_holds(ctx, ev)
    if not holds:
        reason = crit.na_when or "no hold was announced"
        return Outcome("na", 0.8, f"Not applicable: {reason}.", basis="no-hold")
    missing: list[tuple[Span, Utterance, list[Utterance]]] = []
    thanked: list[tuple[Span, Utterance, Hit]] = []
    for gap, ann in holds:
        back = [
            u
            for u in ctx.utts
            if u.speaker in ("agent", "unknown")
            if gap.end - 0.3 <= u.start <= gap.end + ev.return_within_s
        ][: ev.return_turns]
        found = next((h for u in back if (h := ctx.detect(ev.thanks, u)[0]) is not None), None)
        if found is None:
            missing.append((gap, ann, back))
        else:
            thanked.append((gap, ann, found))
    if missing:
        gap, ann, back = missing[0]
        return Outcome(
            "fail",
            0.75,
            f"Hold announced at {clock(ann.start)} ({gap.duration:.0f} s), but the agent did not "
            f"thank the customer for holding on return at {clock(gap.end)}.",
            unique_evidence([utt_evidence(ann), *[utt_evidence(u) for u in back[:1]]]),
            basis="unthanked",
        )
    gap, ann, h = thanked[0]
    n = len(thanked)
    return Outcome(
        "pass",
        min(0.95, h.confidence),
        f"Hold announced at {clock(ann.start)} and {quote(h)} on return"
        + (f" ({n} holds, all thanked)." if n > 1 else "."),
        unique_evidence([e for _, a, hh in thanked for e in (utt_evidence(a), hit_evidence(hh))]),
        basis="thanked",
    )


def _timing(ctx: CallContext, crit: Criterion, ev: TimingEvaluator) -> Outcome:
    if ev.metric == "silence":
        pairs = silence_pairs(ctx, ev)
        dead = [g for g, a in pairs if a is None]
        held = len(pairs) - len(dead)
        if len(dead) > ev.max_events:
            longest = max(dead, key=lambda g: g.duration)
            return Outcome(
                "fail",
                0.9,
                f"{len(dead)} unannounced silence(s) of {ev.threshold_s:.0f} s or more; longest "
                f"{longest.duration:.1f} s at {clock(longest.start)}.",
                [span_evidence(g, f"[{g.duration:.1f} s of silence]") for g in dead],
            )
        extra = f" ({held} announced hold(s) excluded)" if held else ""
        return Outcome(
            "pass", 0.9, f"No unannounced silence of {ev.threshold_s:.0f} s or more{extra}."
        )
    if ev.metric == "overtalk":
        spans = overlaps(ctx.transcript, ev.threshold_s)
        if len(spans) > ev.max_events:
            return Outcome(
                "fail",
                0.8,
                f"{len(spans)} overlap(s) of {ev.threshold_s:.1f} s or more.",
                [span_evidence(s, f"[both speaking for {s.duration:.1f} s]") for s in spans],
            )
        return Outcome("pass", 0.8, f"No overlap of {ev.threshold_s:.1f} s or more.")
    duration = ctx.transcript.duration_s
    if duration > ev.threshold_s:
        return Outcome(
            "fail",
            0.95,
            f"The call lasted {duration:.0f} s (limit {ev.threshold_s:.0f} s).",
            [span_evidence(Span(0.0, duration), "[whole call]")],
        )
    return Outcome(
        "pass", 0.95, f"The call lasted {duration:.0f} s (limit {ev.threshold_s:.0f} s)."
    )


def _step_hits(ctx: CallContext, step: Step) -> list[Hit]:
    return ctx.hits(step.detect, ctx.select(step.window))[0]


def _sequence(ctx: CallContext, crit: Criterion, ev: SequenceEvaluator) -> Outcome:
    label = crit.label or crit.question
    firsts = _step_hits(ctx, ev.first)
    thens = _step_hits(ctx, ev.then)
    if not thens:
        reason = crit.na_when or "the later event never happened"
        if ev.if_then_absent == "na":
            return Outcome("na", 0.75, f"Not applicable: {reason}.")
        return Outcome(ev.if_then_absent, 0.7, f"The later event never happened: {label}.")
    then = thens[0]
    before = [h for h in firsts if h.utt.start <= then.utt.start]
    if before:
        f = before[0]
        return Outcome(
            "pass",
            min(f.confidence, then.confidence),
            f"{quote(f)} came before {quote(then)}: {label}.",
            unique_evidence([hit_evidence(f), hit_evidence(then)]),
        )
    if firsts:
        f = firsts[0]
        return Outcome(
            "fail",
            min(f.confidence, then.confidence),
            f"{quote(then)} came before {quote(f)}: {label} out of order.",
            unique_evidence([hit_evidence(then), hit_evidence(f)]),
        )
    return Outcome(
        "fail",
        min(then.confidence, 0.8),
        f"{quote(then)} with nothing before it: no {label}.",
        [hit_evidence(then)],
    )


def _sentiment(ctx: CallContext, crit: Criterion, ev: SentimentEvaluator) -> Outcome:
    utts = [
        u
        for u in ctx.utts
        if ev.speaker == "any"
        or u.speaker == ev.speaker
        or (ctx.no_roles and u.speaker == "unknown")
    ]
    turns = senti.score_turns(
        utts, negative_sets=ev.negative_sets, veto_sets=ev.veto_sets, book=ctx.book
    )
    traj = senti.trajectory(turns, ev.edge_turns)
    whom = who(ev.speaker)
    if traj is None or len(traj.turns) < ev.min_turns:
        n = 0 if traj is None else len(traj.turns)
        return Outcome("na", 0.8, f"Not applicable: {whom} said too little to judge ({n} turns).")
    how = "" if senti.lexicon_available() else " (lexicon not installed: cue sets only)"
    worst = traj.worst
    desc = (
        f"{whom.capitalize()}'s sentiment {traj.start:+.2f} at the start, {traj.end:+.2f} at the "
        f"end; worst {worst.score:+.2f} at {clock(worst.utt.start)}"
        + (f' ("{worst.cue}")' if worst.cue else "")
        + how
    )
    end_margin = traj.end - ev.end_below
    drop_margin = traj.change + ev.max_drop
    head = traj.turns[: ev.edge_turns]
    tail = traj.turns[-ev.edge_turns :]
    cited = unique_evidence([utt_evidence(t.utt) for t in (*head[:1], worst, *tail[-1:])])
    if end_margin < 0 or drop_margin < 0:
        why = "ended negative" if end_margin < 0 else f"fell by {-traj.change:.2f}"
        margin = max(-end_margin, -drop_margin)
        return Outcome("fail", float(np.clip(0.6 + margin, 0.55, 0.9)), f"{desc}: {why}.", cited)
    margin = min(end_margin, drop_margin)
    return Outcome("pass", float(np.clip(0.6 + margin, 0.55, 0.9)), f"{desc}.", cited)


def _run(ctx: CallContext, crit: Criterion, ev: object, llm: LLMConfig | None) -> Outcome:
    if isinstance(ev, (SemanticEvaluator, LexicalEvaluator)):
        return _semantic(ctx, crit, ev)
    if isinstance(ev, HoldEvaluator):
        return _hold(ctx, crit, ev)
    if isinstance(ev, TimingEvaluator):
        return _timing(ctx, crit, ev)
    if isinstance(ev, SequenceEvaluator):
        return _sequence(ctx, crit, ev)
    if isinstance(ev, SentimentEvaluator):
        return _sentiment(ctx, crit, ev)
    if isinstance(ev, VerificationEvaluator):
        return conversation.judge_verification(ctx, crit, ev)
    if isinstance(ev, ResolutionEvaluator):
        return conversation.judge_resolution(ctx, crit, ev)
    if isinstance(ev, LLMEvaluator):
        return _llm(ctx, crit, ev, llm)
    if isinstance(ev, QuestionEvaluator):
        return judge_question(ctx, crit, ev)
    raise TypeError(f"no evaluator for {type(ev).__name__}")


def _llm(ctx: CallContext, crit: Criterion, ev: LLMEvaluator, llm: LLMConfig | None) -> Outcome:
    fb_type = ev.fallback.type
    if llm is None:
        out = _run(ctx, crit, ev.fallback, None)
        out.method = f"{fb_type} (no LLM configured)"
        return out
    try:
        v = ask(llm, crit, ev, ctx.select(ev.window))
    except LLMRejected as exc:
        out = _run(ctx, crit, ev.fallback, None)
        out.rationale = (
            f"{out.rationale} (LLM verdict discarded: {exc.reason}; judged by {fb_type}.)"
        )
        out.method = f"llm-fallback:{fb_type}"
        return out
    evidence: list[Evidence] = []
    for q in v.quotes:
        start, end, text = q.utt.sentence_of(q.text)
        evidence.append(Evidence(round(start, 2), round(end, 2), q.utt.speaker, text))
    rationale = v.rationale or f"LLM verdict: {v.verdict}."
    if v.quotes:
        q = v.quotes[0]
        rationale = f'{rationale} ("{q.text}", {q.utt.speaker}, {clock(q.utt.start)})'
    return Outcome(
        v.verdict,  # type: ignore[arg-type]
        v.confidence,
        rationale,
        unique_evidence(evidence),
        scale_value=v.scale_value,
        method="llm",
    )


def _na_rule(ctx: CallContext, crit: Criterion, rule: NaRule) -> Outcome | None:
    """An N/A outcome when ``rule`` applies to this call, else None."""
    if rule.if_shorter_than_s is not None:
        length = ctx.transcript.duration_s
        if length < rule.if_shorter_than_s:
            why = (
                rule.reason
                or f"the call lasted {length:.0f} s (under {rule.if_shorter_than_s:g} s)"
            )
            return Outcome("na", 0.95, f"Not applicable: {why}.")
        return None
    if rule.if_no_audio is not None:
        if (ctx.transcript.audio is None) == rule.if_no_audio:
            why = rule.reason or "a transcript with no recording cannot be timed"
            return Outcome("na", 0.95, f"Not applicable: {why}.")
        return None
    if rule.if_present is not None:
        hits = _step_hits(ctx, rule.if_present)
        if hits:
            why = rule.reason or crit.na_when or "an excluding condition occurred"
            return Outcome(
                "na",
                hits[0].confidence,
                f"Not applicable: {why} ({quote(hits[0])}).",
                [hit_evidence(hits[0])],
            )
        return None
    assert rule.if_absent is not None
    hits, best = ctx.hits(rule.if_absent.detect, ctx.select(rule.if_absent.window))
    if not hits:
        why = rule.reason or crit.na_when or "the condition for this criterion did not occur"
        return Outcome(
            "na", miss_confidence(rule.if_absent.detect, best), f"Not applicable: {why}."
        )
    return None


def judge(ctx: CallContext, crit: Criterion, llm: LLMConfig | None = None) -> Outcome:
    for rule in crit.na_rules:
        out = _na_rule(ctx, crit, rule)
        if out is not None:
            out.method = "na_rule"
            return out
    out = _run(ctx, crit, crit.evaluator, llm)
    if not out.method:
        out.method = crit.evaluator.type
    if out.basis and out.method == crit.evaluator.type:
        out.method = f"{out.method}:{out.basis}"
    return out


def _result(
    ctx: CallContext,
    section_id: str,
    weight: float,
    crit: Criterion,
    out: Outcome,
    review_threshold: float | None,
    probability: float,
) -> CriterionResult:
    """The published verdict: ``probability`` that it is right (calibrated, or weighed with a
    model's answer), lowered by unsure words or speakers."""
    max_points = crit.points * weight
    # A verdict that something was not said is as good as the whole call's words; one that
    # quotes what was said, as good as those words.
    quality = (
        call_quality(ctx.transcript)
        if out.basis in ABSENCE_BASES
        else evidence_quality(ctx.transcript, out.evidence)
    )
    confidence = adjust(probability, quality)
    rationale = out.rationale
    if quality.trust < 1.0 and out.verdict != "na":
        rationale += f" (confidence lowered: {quality.note()})"
    verdict = out.verdict
    scale_value = out.scale_value
    if crit.scale and verdict != "na":
        if scale_value is None:  # a rule evaluator: pass is the top level, fail the lowest
            scale_value = crit.scale_max if verdict == "pass" else crit.scale_min
        verdict = crit.level_verdict(scale_value)
    confidence = round(float(np.clip(confidence, 0.0, 1.0)), 2)
    return CriterionResult(
        id=crit.id,
        verdict=verdict,
        confidence=confidence,
        points=crit.points_for(verdict, max_points, scale_value),
        max_points=max_points,
        rationale=rationale,
        evidence=tuple(out.evidence),
        critical=crit.critical,
        section=section_id,
        bonus=crit.bonus,
        needs_review=review_threshold is not None and confidence < review_threshold,
        scale_value=scale_value if crit.scale and verdict != "na" else None,
        scale_label=crit.scale_label(scale_value)
        if crit.scale and scale_value is not None and verdict != "na"
        else "",
        method=out.method,
    )


def evaluate(
    transcript: Transcript,
    rubric: Rubric,
    *,
    embedder: Embedder | None = None,
    llm: LLMConfig | None = None,
    review_threshold: float | None = DEFAULT_REVIEW_THRESHOLD,
    critical_threshold: float | None = DEFAULT_CRITICAL_THRESHOLD,
    calibration: Calibration | Literal["builtin"] | None = "builtin",
    adjudicator: Adjudicator | None = None,
    consult_policy: ConsultPolicy = DEFAULT_CONSULT,
) -> Evaluation:
    """Score ``transcript`` against ``rubric``. The embedder is loaded (once per process) only
    if a criterion uses exemplars and none is given. ``llm`` configures the `llm` evaluator's
    endpoint (without it those criteria use their fallback). Confidences come from
    ``calibration`` (``"builtin"``: the one shipped for this rubric, if any; None: the
    evaluators' own). A verdict whose confidence is below ``review_threshold`` is flagged
    ``needs_review`` (None: flag nothing); it still counts, but a critical fail under
    ``critical_threshold`` makes the evaluation provisional instead of auto-failing it
    (scoring/publication.py). With an ``adjudicator``, a verdict the rules are unsure of (and
    every question-only criterion) is put to the model as ``consult_policy`` says
    (scoring/consult.py)."""
    if calibration == "builtin":
        calibration = builtin_calibration(rubric.name)
    ctx = CallContext(transcript, embedder, rubric.book)
    ctx.prepare(rubric)
    results: list[CriterionResult] = []
    questions = 0
    for section, crit in rubric.criteria:
        out = judge(ctx, crit, llm)
        # How often a verdict reached this way was right on labelled calls.
        p = (
            calibration.probability(crit.id, out.verdict, out.method)
            if calibration is not None and calibration.size
            else out.confidence
        )
        unsure = isinstance(crit.evaluator, QuestionEvaluator) or p < consult_policy.below
        if adjudicator is not None and unsure and questions < consult_policy.max_questions:
            questions += 1
            asked = consult(ctx, crit, out, p, adjudicator, consult_policy)
            if asked is not None:
                out, p = asked
        results.append(_result(ctx, section.id, section.weight, crit, out, review_threshold, p))
    published = publish(
        results, review_threshold=review_threshold, critical_threshold=critical_threshold
    )
    return Evaluation(
        rubric=rubric.name,
        rubric_version=rubric.version,
        source="ai",
        score=published.score,
        auto_failed=published.auto_failed,
        criteria=tuple(results),
        needs_review=tuple(r.id for r in results if r.needs_review),
        review_threshold=review_threshold,
        provisional=published.provisional,
        provisional_criteria=published.held,
        provisional_reason=published.reason,
    )


def criterion_points(
    rubric: Rubric, criterion_id: str, verdict: Verdict, scale_value: float | None = None
) -> tuple[float, float]:
    """(points, max_points) that ``verdict`` (and, on a scale, ``scale_value``) earns for a
    criterion of ``rubric``, with its section weight. KeyError for an unknown criterion."""
    for section, crit in rubric.criteria:
        if crit.id == criterion_id:
            max_points = crit.points * section.weight
            if crit.scale and verdict != "na" and scale_value is None:
                scale_value = crit.scale_max if verdict == "pass" else crit.scale_min
            return crit.points_for(verdict, max_points, scale_value), max_points
    raise KeyError(criterion_id)


def score_results(rubric: Rubric, results: Sequence[CriterionResult]) -> tuple[float, bool]:
    """(score, auto_failed) for ``results`` judged with ``rubric``, recomputing every
    criterion's points, critical and bonus flags from the rubric and the verdicts (and scale
    values), so an edited verdict scores exactly as an AI one would. Results for criteria not
    in the rubric are ignored; a scale criterion's verdict follows its ``scale_value`` when
    one is given."""
    by_id = {c.id: (s, c) for s, c in rubric.criteria}
    fixed: list[CriterionResult] = []
    for r in results:
        if r.id not in by_id:
            continue
        _, crit = by_id[r.id]
        verdict = r.verdict
        if crit.scale and verdict != "na" and r.scale_value is not None:
            verdict = crit.level_verdict(r.scale_value)
        points, max_points = criterion_points(rubric, r.id, verdict, r.scale_value)
        fixed.append(
            replace(
                r,
                verdict=verdict,
                points=points,
                max_points=max_points,
                critical=crit.critical,
                bonus=crit.bonus,
            )
        )
    auto_failed = any(r.critical and r.verdict == "fail" for r in fixed)
    return score(fixed), auto_failed
