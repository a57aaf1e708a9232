"""One call as the evaluators see it: its turns and clauses, cue and exemplar detection per
clause (rules and sentence embeddings), the outcome of a criterion and the evidence helpers that
every evaluator shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from core.timefmt import clock
from scoring.cues import CueBook, Pattern, compile_set, phrase_pattern
from scoring.embedding import Embedder, get_embedder
from scoring.rubric import (
    Criterion,
    Detector,
    HoldEvaluator,
    LexicalEvaluator,
    LLMEvaluator,
    QuestionEvaluator,
    ResolutionEvaluator,
    Rubric,
    SemanticEvaluator,
    SentimentEvaluator,
    SequenceEvaluator,
    TimingEvaluator,
    VerificationEvaluator,
    Window,
)
from scoring.text import has_negator, normalize, split_clauses
from scoring.timeline import Span, Utterance
from scoring.timeline import utterances as cut_utterances
from scoring.types import Evidence, Verdict
from transcription.types import Transcript

CUE_CONFIDENCE = 0.9


# ------------------------------------------------------------------------------ detectors
Compiled = tuple[tuple[Pattern, ...], tuple[Pattern, ...]]


@lru_cache(maxsize=256)
def _own_patterns(det: Detector) -> Compiled:
    cues = [*compile_set(det.cues)]
    cues += [phrase_pattern(normalize(p)) for p in det.phrases]
    return tuple(cues), compile_set(det.vetoes)


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
        if isinstance(crit.evaluator, QuestionEvaluator):
            texts += [crit.question.strip(), *crit.evaluator.positives]
            texts += [crit.label.strip()] if crit.label else []
    return list(dict.fromkeys(t for t in texts if t))


class CallContext:
    """One call's turns, clauses and (lazily) their embeddings, cached per text for the call."""

    def __init__(self, transcript: Transcript, embedder: Embedder | None, book: CueBook) -> None:
        self.transcript = transcript
        self.book = book
        self._detectors: dict[Detector, Compiled] = {}
        self.utts = cut_utterances(transcript)
        self._embedder = embedder
        self._vectors: dict[str, NDArray[np.float32]] = {}
        self.clauses: dict[int, list[str]] = {
            u.index: (split_clauses(u.text) or [u.text]) for u in self.utts
        }
        self.no_roles = not any(u.speaker in ("agent", "customer") for u in self.utts)
        self.t0 = min((u.start for u in self.utts), default=0.0)
        self.t1 = max((u.end for u in self.utts), default=0.0)
        # Judges ask the same question of the same turn many times (every candidate answer
        # looks back over the call): answers are kept, so a call costs linear time.
        self._detected: dict[tuple[Detector, int], tuple[Hit | None, float]] = {}
        self.memo: dict[tuple[str, object], object] = {}

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

    def is_speaker(self, u: Utterance, speaker: str) -> bool:
        """``u`` is by ``speaker`` ("any" matches all); with no roles at all in the call
        (one voice to the ear), an ``unknown`` turn may be anyone's."""
        return (
            speaker == "any" or u.speaker == speaker or (self.no_roles and u.speaker == "unknown")
        )

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

    def compiled(self, det: Detector) -> Compiled:
        got = self._detectors.get(det)
        if got is None:
            cues, vetoes = _own_patterns(det)
            got = self._detectors[det] = (
                self.book.sets(det.cue_sets) + cues,
                self.book.sets(det.veto_sets) + vetoes,
            )
        return got

    def detect(self, det: Detector, utt: Utterance) -> tuple[Hit | None, float]:
        """The best match of ``det`` in ``utt`` (or None) and the best positive cosine seen."""
        key = (det, utt.index)
        if key not in self._detected:
            self._detected[key] = self._detect(det, utt)
        return self._detected[key]

    def _detect(self, det: Detector, utt: Utterance) -> tuple[Hit | None, float]:
        cues, vetoes = self.compiled(det)
        norm = utt.norm
        first_match = self.book.search
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
                conf, how = CUE_CONFIDENCE, "cue"
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
            best = Hit(utt, utt.text, CUE_CONFIDENCE, "cue")
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
        out += [alt.detect for alt in ev.alternatives]
        return out
    if isinstance(ev, LexicalEvaluator):
        return [ev.detect]
    if isinstance(ev, HoldEvaluator):
        return [ev.announce, ev.thanks]
    if isinstance(ev, TimingEvaluator):
        return [ev.hold.announce]
    if isinstance(ev, VerificationEvaluator):
        out = [ev.ask, ev.account_work.agent, ev.account_work.request]
        if ev.answer.refusal:
            out.append(ev.answer.refusal)
        return out
    if isinstance(ev, ResolutionEvaluator):
        return [ev.outcome, ev.request]
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
    # How the verdict was reached within its evaluator ("cue", "framed", "unanswered", ...):
    # part of ``method`` ("verification:framed"), and the key calibration learns by.
    basis: str = ""


def utt_evidence(u: Utterance) -> Evidence:
    return Evidence(round(u.start, 2), round(u.end, 2), u.speaker, u.text)


def hit_evidence(h: Hit) -> Evidence:
    start, end, text = h.utt.sentence_of(h.clause)
    return Evidence(round(start, 2), round(end, 2), h.utt.speaker, text)


def span_evidence(span: Span, text: str) -> Evidence:
    return Evidence(round(span.start, 2), round(span.end, 2), "unknown", text)


def unique_evidence(items: Sequence[Evidence]) -> list[Evidence]:
    seen: set[tuple[float, float, str]] = set()
    out = []
    for e in sorted(items, key=lambda e: (e.start, e.end)):
        key = (e.start, e.end, e.speaker)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def who(speaker: str) -> str:
    return {"agent": "the agent", "customer": "the customer"}.get(speaker, "anyone")


def where(window: Window) -> str:
    whom = who(window.speaker)
    if window.last_turns or window.last_s:
        return f"{whom}'s closing turns"
    if window.first_turns or window.first_s:
        return f"{whom}'s opening turns"
    return f"{whom}'s turns"


def absence_evidence(window: Window, cands: Sequence[Utterance]) -> list[Evidence]:
    cite_last = window.cite == "last" or (
        window.cite is None and bool(window.last_turns or window.last_s)
    )
    picked = cands[-3:] if cite_last else cands[:3]
    return [utt_evidence(u) for u in picked]


def miss_confidence(det: Detector, best_sim: float) -> float:
    if not det.uses_embeddings:
        return 0.75
    return float(np.clip(0.6 + 1.5 * (det.threshold - best_sim), 0.55, 0.9))


# Bases of verdicts that rest on something not being found in the call.
ABSENCE_BASES = frozenset(
    {
        "absent",
        "none",
        "no-trigger",
        "ignored-trigger",
        "unanswered",
        "one-unanswered",
        "no-ask",
        "no-ask-before-work",
        "no-account-work",
        "no-hold",
    }
)


def quote_text(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def quote(h: Hit) -> str:
    text = h.clause if len(h.clause) <= 90 else h.clause[:87] + "..."
    return f'"{text}" ({h.utt.speaker}, {clock(h.utt.start)})'
