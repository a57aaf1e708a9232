"""A criterion written only as a question ("Did the agent offer a callback?"): judged by the
model when one is configured, otherwise by meaning alone — the question, its label, guidance
and any examples the rubric gives, against the turns of the window. A verdict from meaning
alone is only a suggestion: its confidence stays under the review threshold, so a human
confirms it before it counts as checked."""

from __future__ import annotations

import re

import numpy as np

from scoring.context import CallContext, Hit, Outcome, hit_evidence, quote, utt_evidence
from scoring.rubric import Criterion, QuestionEvaluator

# Meaning alone never yields a confident verdict on a question nobody wrote examples for.
SUGGESTION_CONFIDENCE = 0.55


_ASKING = re.compile(
    r"^(did|does|do|was|were|is|are|has|have|had|will|would|could|can)\s+"
    r"(the\s+)?(agent|representative|rep|advisor|adviser|customer|caller|call|they|he|she)?\s*",
    re.IGNORECASE,
)


def as_statement(question: str) -> str:
    """ "Did the agent offer to call back?" -> "offer to call back": what was done, in the
    words a turn would share with it."""
    return _ASKING.sub("", question.strip()).rstrip(" ?")


def question_exemplars(crit: Criterion, ev: QuestionEvaluator) -> list[str]:
    texts = [crit.question.strip(), as_statement(crit.question)]
    texts += [t.strip() for t in ev.positives]
    if crit.label:
        texts.append(crit.label.strip())
    return [t for t in dict.fromkeys(texts) if t]


def judge_question(ctx: CallContext, crit: Criterion, ev: QuestionEvaluator) -> Outcome:
    cands = ctx.select(ev.window)
    label = crit.label or crit.question.strip().rstrip("?")
    if not cands:
        return Outcome("fail", 0.5, f"No turns to judge: {label}.", method="question:meaning")
    exemplars = ctx.embed(question_exemplars(crit, ev))
    scored: list[tuple[float, Hit]] = []
    for u in cands:
        for clause in ctx.clauses.get(u.index) or [u.text]:
            sim = float(np.max(exemplars @ ctx.embed([clause])[0]))
            scored.append((sim, Hit(u, clause, sim, "embedding")))
    best_sim, best = max(scored, key=lambda x: x[0])
    # A turn must stand out from the rest of the call, not just resemble the topic of it.
    typical = float(np.median([x[0] for x in scored]))
    note = (
        f"closest turn {best_sim:.2f} to the question, typical turn {typical:.2f}; judged by "
        "meaning alone, a human should confirm"
    )
    if best_sim >= ev.threshold and best_sim - typical >= ev.margin:
        return Outcome(
            "pass",
            SUGGESTION_CONFIDENCE,
            f"{quote(best)}: {label} ({note}).",
            [hit_evidence(best)],
            method="question:meaning",
        )
    return Outcome(
        "fail",
        SUGGESTION_CONFIDENCE,
        f"Nothing close to: {label} ({note}).",
        [utt_evidence(u) for u in cands[:2]],
        method="question:meaning",
    )
