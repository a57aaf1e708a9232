"""Stage 2 of a verdict: when the rules are unsure, ask a model a focused question on a short
excerpt (scoring/adjudicate.py), and weigh its answer by how reliable that model has been
measured to be.

The rules' calibrated confidence ``p_r`` and the model's measured reliability ``p_m`` are two
pieces of evidence about the same yes/no: when they agree the verdict stands, surer
(``p_r p_m / (p_r p_m + (1 - p_r)(1 - p_m))``); when they disagree, the one more likely right
wins, with the probability that it is. A model no better than a coin (``p_m <= 0.5``) can
never overturn the rules; it is asked only about criteria no rule judges (a question-only
criterion). A criterion written only as a question is judged by the model alone, at ``p_m``.
Every quote it gives must exist in the excerpt, or the answer is discarded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scoring.adjudicate import Adjudicator, Answer, Question
from scoring.context import ABSENCE_BASES, CallContext, Outcome, quote_text
from scoring.llm import LLMRejected
from scoring.question import question_exemplars
from scoring.rubric import Criterion, QuestionEvaluator
from scoring.timeline import Utterance
from scoring.types import Evidence, Verdict


@dataclass(frozen=True)
class ConsultPolicy:
    # Ask when the rules' calibrated confidence is under this.
    below: float = 0.8
    # How often this back end's answers were right on labelled excerpts (bench.adjudicate_bench).
    reliability: float = 0.5
    # At most this many questions per call: each costs seconds of CPU or a server round trip.
    max_questions: int = 3
    # Turns around each piece of evidence that the excerpt shows.
    context_turns: int = 2
    max_turns: int = 14


DEFAULT_CONSULT = ConsultPolicy()
_ANSWER: dict[str, Verdict] = {"yes": "pass", "no": "fail", "na": "na"}


def excerpt(
    ctx: CallContext, crit: Criterion, out: Outcome, policy: ConsultPolicy
) -> tuple[Utterance, ...]:
    """The turns the model sees: around the evidence; for a verdict of absence, or a
    question-only criterion, the turns closest in meaning to the question (the call's opening
    when there is nothing closer)."""
    utts = ctx.utts
    picked: set[int] = set()
    absence = not out.evidence or out.basis in ABSENCE_BASES
    if isinstance(crit.evaluator, QuestionEvaluator) or absence:
        texts = (
            question_exemplars(crit, crit.evaluator)
            if isinstance(crit.evaluator, QuestionEvaluator)
            else [crit.question]
        )
        qv = ctx.embed(texts)
        sims = [float(np.max(qv @ ctx.embed([u.text])[0])) for u in utts]
        order = sorted(range(len(utts)), key=lambda i: -sims[i])
        for i in order[: max(1, policy.max_turns // 3)]:
            picked |= set(range(max(0, i - 1), min(len(utts), i + 2)))
    for e in out.evidence:
        for i, u in enumerate(utts):
            if u.end >= e.start - 0.05 and u.start <= e.end + 0.05:
                lo, hi = max(0, i - policy.context_turns), i + policy.context_turns + 1
                picked |= set(range(lo, min(len(utts), hi)))
    if not picked:
        picked = set(range(min(len(utts), policy.max_turns)))
    return tuple(utts[i] for i in sorted(picked)[: policy.max_turns])


def _question(crit: Criterion, utts: Sequence[Utterance]) -> Question:
    guidance = " ".join(x for x in (crit.guidance.strip(), _na(crit)) if x)
    return Question(crit.id, crit.question.strip(), tuple(utts), guidance, crit.na_allowed)


def _na(crit: Criterion) -> str:
    return f"Answer na when {crit.na_when.strip()}." if crit.na_allowed and crit.na_when else ""


def combine(rule_right: float, model_right: float, agree: bool) -> tuple[bool, float]:
    """(keep the rules' verdict?, probability the kept verdict is right)."""
    pr, pm = rule_right, model_right
    if agree:
        both = pr * pm
        return True, both / (both + (1 - pr) * (1 - pm))
    rules = pr * (1 - pm)
    model = (1 - pr) * pm
    p_rules = rules / (rules + model)
    return (p_rules >= 0.5), max(p_rules, 1 - p_rules)


def _model_evidence(answer: Answer) -> list[Evidence]:
    out = []
    for q in answer.quotes:
        start, end, text = q.utt.sentence_of(q.text)
        out.append(Evidence(round(start, 2), round(end, 2), q.utt.speaker, text))
    return out


def consult(
    ctx: CallContext,
    crit: Criterion,
    out: Outcome,
    rule_confidence: float,
    adjudicator: Adjudicator,
    policy: ConsultPolicy,
) -> tuple[Outcome, float] | None:
    """The outcome and confidence after asking the model, or None when it could not be used
    (the rules' verdict then stands, and the rationale says why)."""
    only_question = isinstance(crit.evaluator, QuestionEvaluator)
    utts = excerpt(ctx, crit, out, policy)
    try:
        answer = adjudicator.ask(_question(crit, utts))
    except LLMRejected as exc:
        out.rationale += f" (model not used: {exc.reason})"
        return None
    verdict = _ANSWER[answer.answer]
    if verdict == "na" and not crit.na_allowed:
        out.rationale += " (model not used: it answered not applicable)"
        return None
    said = f"{answer.rationale or 'no reason given'}"
    quoted = f' ("{quote_text(answer.quotes[0].text)}")' if answer.quotes else ""
    if only_question:
        return (
            Outcome(
                verdict,
                answer.confidence,
                f"Model ({answer.backend}): {said}{quoted}.",
                _model_evidence(answer),
                method="question:model",
            ),
            policy.reliability,
        )
    keep, p = combine(rule_confidence, policy.reliability, verdict == out.verdict)
    if keep:
        note = "agrees" if verdict == out.verdict else f"said {verdict}, outweighed"
        out.rationale += f" (model {answer.backend} {note}: {said}{quoted})"
        return out, p
    return (
        Outcome(
            verdict,
            p,
            f"Model ({answer.backend}): {said}{quoted}. The rules said {out.verdict}: "
            f"{out.rationale}",
            _model_evidence(answer) or out.evidence,
            method="adjudicated",
            basis="model",
        ),
        p,
    )
