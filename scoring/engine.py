"""Running a rubric over a transcript: turn selection, detection (rules + embeddings), the
evaluator types (semantic, lexical, timing, hold, sentiment, sequence, llm), N/A rules, answer
scales, evidence-weighted confidence, the review queue and the score."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from scoring import sentiment as senti
from scoring.confidence import DEFAULT_REVIEW_THRESHOLD, adjust, evidence_quality
from scoring.cues import compile_set, cue_set
from scoring.embedding import Embedder, get_embedder
from scoring.llm import LLMConfig, LLMRejected, ask
from scoring.rubric import (
    Criterion,
    Detector,
    HoldEvaluator,
    LexicalEvaluator,
    LLMEvaluator,
    NaRule,
    Rubric,
    SemanticEvaluator,
    SentimentEvaluator,
    SequenceEvaluator,
    Step,
    TimingEvaluator,
    Window,
)
from scoring.text import has_negator, normalize, split_clauses
from scoring.timeline import Span, Utterance, announced_silences, first_match, overlaps, silences
from scoring.timeline import utterances as cut_utterances
from scoring.types import CriterionResult, Evaluation, Evidence, Verdict
from transcription.types import Transcript

_CUE_CONFIDENCE = 0.9


def clock(t: float) -> str:
    m, s = divmod(round(t), 60)
    return f"{m}:{s:02d}"


# ------------------------------------------------------------------------------ detectors
@lru_cache(maxsize=256)
def _compiled(det: Detector) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    cues: list[re.Pattern[str]] = [p for name in det.cue_sets for p in cue_set(name)]
    cues += compile_set(det.cues)
    cues += [re.compile(r"\b" + re.escape(normalize(p)) + r"\b") for p in det.phrases]
    vetoes: list[re.Pattern[str]] = [p for name in det.veto_sets for p in cue_set(name)]
    vetoes += compile_set(det.vetoes)
    return tuple(cues), tuple(vetoes)


@dataclass(frozen=True)
class Hit:
    utt: Utterance
    clause: str
    confidence: float
    how: str  # "cue" or "embedding"


def exemplar_texts(rubric: Rubric) -> list[str]:
    """Every exemplar sentence the rubric's semantic detectors compare against."""
    texts: list[str] = []
    for _, crit in rubric.criteria:
        for det in detectors(crit):
            if det.uses_embeddings:
                texts += list(det.positives) + list(det.negatives)
    return list(dict.fromkeys(texts))


class CallContext:
    """One call's turns, clauses and (lazily) their embeddings, cached per text for the call."""

    def __init__(self, transcript: Transcript, embedder: Embedder | None) -> None:
        self.transcript = transcript
        self.utts = cut_utterances(transcript)
        self._embedder = embedder
        self._vectors: dict[str, NDArray[np.float32]] = {}
        self.clauses: dict[int, list[str]] = {
            u.index: (split_clauses(u.text) or [u.text]) for u in self.utts
        }
        self.no_roles = not any(u.speaker in ("agent", "customer") for u in self.utts)
        self.t0 = min((u.start for u in self.utts), default=0.0)
        self.t1 = max((u.end for u in self.utts), default=0.0)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder()
        return self._embedder

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for t, v in zip(missing, self.embedder.encode(missing), strict=True):
                self._vectors[t] = v
        if not texts:
            return np.zeros((0, 1), np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def prepare(self, rubric: Rubric) -> None:
        """Embed every clause and exemplar the rubric needs in one batch."""
        texts = exemplar_texts(rubric)
        if texts:
            texts += [c for cl in self.clauses.values() for c in cl]
            self.embed(texts)

    def select(self, window: Window) -> list[Utterance]:
        utts = [
            u
            for u in self.utts
            if window.speaker == "any"
            or u.speaker == window.speaker
            or (self.no_roles and u.speaker == "unknown")
        ]
        limited = any(
            v is not None
            for v in (window.first_s, window.last_s, window.first_turns, window.last_turns)
        )
        if limited:
            keep: set[int] = set()
            if window.first_turns:
                keep |= {u.index for u in utts[: window.first_turns]}
            if window.last_turns:
                keep |= {u.index for u in utts[-window.last_turns :]}
            if window.first_s is not None:
                keep |= {u.index for u in utts if u.start - self.t0 <= window.first_s}
            if window.last_s is not None:
                keep |= {u.index for u in utts if self.t1 - u.end <= window.last_s}
            utts = [u for u in utts if u.index in keep]
        if window.min_position > 0:
            cut = self.t0 + window.min_position * (self.t1 - self.t0)
            utts = [u for u in utts if u.start >= cut]
        return utts

    def detect(self, det: Detector, utt: Utterance) -> tuple[Hit | None, float]:
        """The best match of ``det`` in ``utt`` (or None) and the best positive cosine seen."""
        cues, vetoes = _compiled(det)
        norm = utt.norm
        if first_match(vetoes, norm, negatable=False):
            return None, 0.0
        best: Hit | None = None
        best_sim = 0.0
        clauses = self.clauses.get(utt.index) or [utt.text]
        for clause in clauses:
            cn = normalize(clause)
            if not cn:
                continue
            sim = neg = -1.0
            if det.uses_embeddings:
                vec = self.embed([clause])[0]
                sim = float(np.max(self.embed(list(det.positives)) @ vec))
                if det.negatives:
                    neg = float(np.max(self.embed(list(det.negatives)) @ vec))
                best_sim = max(best_sim, sim)
            conf = 0.0
            how = ""
            if first_match(cues, cn, negatable=det.negation_sensitive):
                conf, how = _CUE_CONFIDENCE, "cue"
                if sim >= det.threshold:
                    conf = 0.95
            elif (
                sim >= det.threshold
                and sim - neg >= det.margin
                and not (det.negation_sensitive and has_negator(cn))
            ):
                conf = float(np.clip(0.55 + 2.5 * (sim - det.threshold), 0.55, 0.9))
                how = "embedding"
            if conf and (best is None or conf > best.confidence):
                best = Hit(utt, clause, conf, how)
        # A cue may straddle a clause cut ("thank you for calling, this is Sam").
        if (
            best is None
            and len(clauses) > 1
            and first_match(cues, norm, negatable=det.negation_sensitive)
        ):
            best = Hit(utt, utt.text, _CUE_CONFIDENCE, "cue")
        return best, best_sim

    def hits(self, det: Detector, utts: Sequence[Utterance]) -> tuple[list[Hit], float]:
        out: list[Hit] = []
        best = 0.0
        for u in utts:
            hit, sim = self.detect(det, u)
            best = max(best, sim)
            if hit is not None:
                out.append(hit)
        return out, best


def detectors(crit: Criterion) -> list[Detector]:
    out = _evaluator_detectors(crit.evaluator)
    for rule in crit.na_rules:
        out += [step.detect for step in (rule.if_present, rule.if_absent) if step is not None]
    return out


def _evaluator_detectors(ev: object) -> list[Detector]:
    if isinstance(ev, LLMEvaluator):
        return _evaluator_detectors(ev.fallback)
    if isinstance(ev, SequenceEvaluator):
        return [ev.first.detect, ev.then.detect]
    if isinstance(ev, SentimentEvaluator):
        return []
    if isinstance(ev, SemanticEvaluator):
        out = [ev.detect]
        if ev.trigger:
            out.append(ev.trigger.detect)
        if ev.response and ev.response.refusal:
            out.append(ev.response.refusal)
        return out
    if isinstance(ev, LexicalEvaluator):
        return [ev.detect]
    if isinstance(ev, HoldEvaluator):
        return [ev.announce, ev.thanks]
    if isinstance(ev, TimingEvaluator):
        return [ev.hold.announce]
    return []


# ------------------------------------------------------------------------------ outcomes
@dataclass
class Outcome:
    verdict: Verdict
    confidence: float
    rationale: str
    evidence: list[Evidence] = field(default_factory=list)
    scale_value: float | None = None
    method: str = ""


def _ev(u: Utterance) -> Evidence:
    return Evidence(round(u.start, 2), round(u.end, 2), u.speaker, u.text)


def _hit_ev(h: Hit) -> Evidence:
    start, end, text = h.utt.sentence_of(h.clause)
    return Evidence(round(start, 2), round(end, 2), h.utt.speaker, text)


def _silence_ev(span: Span, text: str) -> Evidence:
    return Evidence(round(span.start, 2), round(span.end, 2), "unknown", text)


def _uniq(items: Sequence[Evidence]) -> list[Evidence]:
    seen: set[tuple[float, float, str]] = set()
    out = []
    for e in sorted(items, key=lambda e: (e.start, e.end)):
        key = (e.start, e.end, e.speaker)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _who(speaker: str) -> str:
    return {"agent": "the agent", "customer": "the customer"}.get(speaker, "anyone")


def _where(window: Window) -> str:
    who = _who(window.speaker)
    if window.last_turns or window.last_s:
        return f"{who}'s closing turns"
    if window.first_turns or window.first_s:
        return f"{who}'s opening turns"
    return f"{who}'s turns"


def _absence_evidence(window: Window, cands: Sequence[Utterance]) -> list[Evidence]:
    cite_last = window.cite == "last" or (
        window.cite is None and bool(window.last_turns or window.last_s)
    )
    picked = cands[-3:] if cite_last else cands[:3]
    return [_ev(u) for u in picked]


def _miss_confidence(det: Detector, best_sim: float) -> float:
    if not det.uses_embeddings:
        return 0.75
    return float(np.clip(0.6 + 1.5 * (det.threshold - best_sim), 0.55, 0.9))


def _quote(h: Hit) -> str:
    text = h.clause if len(h.clause) <= 90 else h.clause[:87] + "..."
    return f'"{text}" ({h.utt.speaker}, {clock(h.utt.start)})'


def _semantic(
    ctx: CallContext, crit: Criterion, ev: SemanticEvaluator | LexicalEvaluator
) -> Outcome:
    label = crit.label or crit.question
    cands = ctx.select(ev.window)
    trigger_hit: Hit | None = None
    if isinstance(ev, SemanticEvaluator) and ev.trigger is not None:
        t_hits, t_best = ctx.hits(ev.trigger.detect, ctx.select(ev.trigger.window))
        if not t_hits:
            conf = _miss_confidence(ev.trigger.detect, t_best)
            reason = crit.na_when or "the condition for this criterion did not occur"
            return Outcome("na", conf, f"Not applicable: {reason}.")
        trigger_hit = t_hits[0]
        cands = [u for u in cands if u.start >= trigger_hit.utt.start]
    hits, best = ctx.hits(ev.detect, cands)
    if ev.mode == "forbid":
        if hits:
            h = max(hits, key=lambda h: h.confidence)
            return Outcome(
                "fail",
                h.confidence,
                f"{_quote(h)}: {label}."
                if len(hits) == 1
                else f"{len(hits)} turns, first {_quote(hits[0])}: {label}.",
                [_hit_ev(x) for x in hits],
            )
        conf = _miss_confidence(ev.detect, best)
        return Outcome("pass", conf, f"None found in {_where(ev.window)}: {label}.")
    # require
    trig_ev = [_hit_ev(trigger_hit)] if trigger_hit else []
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
                f"{_quote(h)} asked, but {_who(resp.speaker)} gave no answer: {label}.",
                [_hit_ev(x) for x in hits[:3]],
            )
        h, u = answered[0]
        return Outcome(
            "pass",
            h.confidence,
            f"{_quote(h)}, answered at {clock(u.start)}: {label}.",
            [_hit_ev(h), _ev(u)],
        )
    if hits:
        # Equal confidence: a window judged by its end (resolution) cites the latest match.
        late = -1.0 if ev.window.cite == "last" else 1.0
        h = max(hits, key=lambda h: (h.confidence, -late * h.utt.start))
        return Outcome(
            "pass", h.confidence, f"{_quote(h)}: {label}.", _uniq([*trig_ev, _hit_ev(h)])
        )
    if trigger_hit is not None:
        after = cands[:2]
        return Outcome(
            "fail",
            _miss_confidence(ev.detect, best),
            f"The customer said {_quote(trigger_hit)}; no {label} from "
            f"{_who(ev.window.speaker)} after it.",
            _uniq([*trig_ev, *[_ev(u) for u in after]]),
        )
    return Outcome(
        "fail",
        _miss_confidence(ev.detect, best),
        f"No {label} in {_where(ev.window)}.",
        _absence_evidence(ev.window, cands),
    )


def _announcer(ctx: CallContext, det: Detector) -> Callable[[Utterance], bool]:
    def test(u: Utterance) -> bool:
        return ctx.detect(det, u)[0] is not None

    return test


def _hold(ctx: CallContext, crit: Criterion, ev: HoldEvaluator) -> Outcome:
    gaps = silences(ctx.transcript, ev.min_gap_s)
    # A turn whose speaker is unsure still announces a hold by its words: only agents put
    # callers on hold, so "unknown" counts as the agent here.
    pairs = announced_silences(
        ctx.utts,
        gaps,
        _announcer(ctx, ev.announce),
        speakers=("agent", "unknown"),
        within_s=ev.announce_within_s,
    )
    holds = [(g, a) for g, a in pairs if a is not None]
    if not holds:
        reason = crit.na_when or "no hold was announced"
        return Outcome("na", 0.8, f"Not applicable: {reason}.")
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
            _uniq([_ev(ann), *[_ev(u) for u in back[:1]]]),
        )
    gap, ann, h = thanked[0]
    n = len(thanked)
    return Outcome(
        "pass",
        min(0.95, h.confidence),
        f"Hold announced at {clock(ann.start)} and {_quote(h)} on return"
        + (f" ({n} holds, all thanked)." if n > 1 else "."),
        _uniq([e for _, a, hh in thanked for e in (_ev(a), _hit_ev(hh))]),
    )


def _timing(ctx: CallContext, crit: Criterion, ev: TimingEvaluator) -> Outcome:
    if ev.metric == "silence":
        gaps = silences(ctx.transcript, ev.threshold_s)
        pairs = announced_silences(
            ctx.utts,
            gaps,
            _announcer(ctx, ev.hold.announce),
            speakers=(*ev.hold.speakers, "unknown"),
            within_s=ev.hold.within_s,
        )
        dead = [g for g, a in pairs if a is None]
        held = len(pairs) - len(dead)
        if len(dead) > ev.max_events:
            longest = max(dead, key=lambda g: g.duration)
            return Outcome(
                "fail",
                0.9,
                f"{len(dead)} unannounced silence(s) of {ev.threshold_s:.0f} s or more; longest "
                f"{longest.duration:.1f} s at {clock(longest.start)}.",
                [_silence_ev(g, f"[{g.duration:.1f} s of silence]") for g in dead],
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
                [_silence_ev(s, f"[both speaking for {s.duration:.1f} s]") for s in spans],
            )
        return Outcome("pass", 0.8, f"No overlap of {ev.threshold_s:.1f} s or more.")
    duration = ctx.transcript.duration_s
    if duration > ev.threshold_s:
        return Outcome(
            "fail",
            0.95,
            f"The call lasted {duration:.0f} s (limit {ev.threshold_s:.0f} s).",
            [_silence_ev(Span(0.0, duration), "[whole call]")],
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
            f"{_quote(f)} came before {_quote(then)}: {label}.",
            _uniq([_hit_ev(f), _hit_ev(then)]),
        )
    if firsts:
        f = firsts[0]
        return Outcome(
            "fail",
            min(f.confidence, then.confidence),
            f"{_quote(then)} came before {_quote(f)}: {label} out of order.",
            _uniq([_hit_ev(then), _hit_ev(f)]),
        )
    return Outcome(
        "fail",
        min(then.confidence, 0.8),
        f"{_quote(then)} with nothing before it: no {label}.",
        [_hit_ev(then)],
    )


def _sentiment(ctx: CallContext, crit: Criterion, ev: SentimentEvaluator) -> Outcome:
    utts = [
        u
        for u in ctx.utts
        if ev.speaker == "any"
        or u.speaker == ev.speaker
        or (ctx.no_roles and u.speaker == "unknown")
    ]
    turns = senti.score_turns(utts, negative_sets=ev.negative_sets, veto_sets=ev.veto_sets)
    traj = senti.trajectory(turns, ev.edge_turns)
    who = _who(ev.speaker)
    if traj is None or len(traj.turns) < ev.min_turns:
        n = 0 if traj is None else len(traj.turns)
        return Outcome("na", 0.8, f"Not applicable: {who} said too little to judge ({n} turns).")
    how = "" if senti.lexicon_available() else " (lexicon not installed: cue sets only)"
    worst = traj.worst
    desc = (
        f"{who.capitalize()}'s sentiment {traj.start:+.2f} at the start, {traj.end:+.2f} at the "
        f"end; worst {worst.score:+.2f} at {clock(worst.utt.start)}"
        + (f' ("{worst.cue}")' if worst.cue else "")
        + how
    )
    end_margin = traj.end - ev.end_below
    drop_margin = traj.change + ev.max_drop
    head = traj.turns[: ev.edge_turns]
    tail = traj.turns[-ev.edge_turns :]
    cited = _uniq([_ev(t.utt) for t in (*head[:1], worst, *tail[-1:])])
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
    if isinstance(ev, LLMEvaluator):
        return _llm(ctx, crit, ev, llm)
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
        _uniq(evidence),
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
    if rule.if_present is not None:
        hits = _step_hits(ctx, rule.if_present)
        if hits:
            why = rule.reason or crit.na_when or "an excluding condition occurred"
            return Outcome(
                "na",
                hits[0].confidence,
                f"Not applicable: {why} ({_quote(hits[0])}).",
                [_hit_ev(hits[0])],
            )
        return None
    assert rule.if_absent is not None
    hits, best = ctx.hits(rule.if_absent.detect, ctx.select(rule.if_absent.window))
    if not hits:
        why = rule.reason or crit.na_when or "the condition for this criterion did not occur"
        return Outcome(
            "na", _miss_confidence(rule.if_absent.detect, best), f"Not applicable: {why}."
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
    return out


def _result(
    ctx: CallContext,
    section_id: str,
    weight: float,
    crit: Criterion,
    out: Outcome,
    review_threshold: float | None,
) -> CriterionResult:
    max_points = crit.points * weight
    quality = evidence_quality(ctx.transcript, out.evidence)
    confidence = adjust(out.confidence, quality)
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
) -> Evaluation:
    """Score ``transcript`` against ``rubric``. The embedder is loaded (once per process) only
    if a criterion uses exemplars and none is given. ``llm`` configures the `llm` evaluator's
    endpoint (without it those criteria use their fallback). A verdict whose confidence is below
    ``review_threshold`` is flagged ``needs_review`` (None: flag nothing); it still counts, but
    an unsure critical fail makes the evaluation provisional instead of auto-failing it
    (scoring/publication.py)."""
    ctx = CallContext(transcript, embedder)
    ctx.prepare(rubric)
    results: list[CriterionResult] = []
    for section, crit in rubric.criteria:
        out = judge(ctx, crit, llm)
        results.append(_result(ctx, section.id, section.weight, crit, out, review_threshold))
    # Stage 4 sits on top of this module's arithmetic (it imports ``score``), hence imported here.
    from scoring.publication import publish

    published = publish(results, review_threshold=review_threshold)
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


def score(results: Sequence[CriterionResult]) -> float:
    """Earned / applicable points x 100, one decimal, at most 100; 0 when a critical criterion
    failed or nothing was applicable. Bonus criteria add their earned points but never count
    toward the applicable total."""
    if any(r.critical and r.verdict == "fail" for r in results):
        return 0.0
    applicable = sum(r.max_points for r in results if r.verdict != "na" and not r.bonus)
    if applicable <= 0:
        return 0.0
    earned = sum(r.points for r in results if r.verdict != "na")
    return min(100.0, round(100.0 * earned / applicable, 1))


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
