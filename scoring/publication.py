"""Stage 4 of a verdict, publication: what a call's score may say, given how sure its verdicts
are (ARCHITECTURE.md, "How a verdict is reached").

- A confident critical fail publishes at once: the call is auto-failed and scores 0.
- A critical fail whose confidence is under the review threshold is *held*: the evaluation is
  provisional, its shown score counts that criterion as a plain failed criterion (its points
  lost, no auto-fail), and it waits for a human. The system never publishes a 0 it is unsure
  of. A human's verdict carries full confidence, so re-applying the rule after a human
  confirmed the fail publishes the 0, and after a human passed it, the normal score.
- When some critical fail is confident, unsure ones change nothing: the call fails anyway.

Pure: verdicts and a threshold in, a ``Publication`` out. The threshold is a parameter (the
settings' review threshold today; a calibrated one later), never read here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from scoring.points import score
from scoring.types import CriterionResult, Evaluation, Moment


@dataclass(frozen=True)
class Publication:
    score: float
    auto_failed: bool
    provisional: bool
    # Critical criteria whose unsure fail holds back the auto-fail, in the results' order.
    held: tuple[str, ...] = ()
    # Why the score is provisional, in a sentence ("" when it is not).
    reason: str = ""


def is_unsure(result: CriterionResult, review_threshold: float | None) -> bool:
    return review_threshold is not None and result.confidence < review_threshold


def held_criteria(
    results: Sequence[CriterionResult], review_threshold: float | None
) -> tuple[str, ...]:
    """Critical criteria that failed with a confidence under ``review_threshold``."""
    return tuple(
        r.id
        for r in results
        if r.critical and r.verdict == "fail" and is_unsure(r, review_threshold)
    )


def _name(criterion_id: str) -> str:
    return criterion_id.replace("_", " ")


def publish(
    results: Sequence[CriterionResult],
    *,
    review_threshold: float | None,
    critical_threshold: float | None = None,
) -> Publication:
    """The score to show for ``results`` and whether it is final (see the module's rules).
    A critical fail is held when under ``critical_threshold`` (default: ``review_threshold``;
    None holds nothing: every critical fail auto-fails at once)."""
    if critical_threshold is not None:
        review_threshold = critical_threshold
    held = held_criteria(results, review_threshold)
    confident_fail = any(r.critical and r.verdict == "fail" and r.id not in held for r in results)
    if confident_fail or not held:
        return Publication(
            score=score(results),
            auto_failed=any(r.critical and r.verdict == "fail" for r in results),
            provisional=False,
        )
    counted = [replace(r, critical=False) if r.id in held else r for r in results]
    shown = score(counted)
    unsure = [r for r in results if r.id in held]
    what = ", ".join(f"{_name(r.id)} ({r.confidence:.2f})" for r in unsure)
    assert review_threshold is not None  # held is empty without a threshold
    reason = (
        f"Unsure critical fail: {what}, under the review threshold {review_threshold:.2f}. "
        f"The auto-fail waits for a reviewer; until then the call shows {shown:.1f} with "
        f"{'those points' if len(unsure) > 1 else 'its points'} lost and stays out of averages."
    )
    return Publication(score=shown, auto_failed=False, provisional=True, held=held, reason=reason)


# ------------------------------------------------------------------- after a human's verdict
def human_effective(
    evaluation: Evaluation,
    *,
    ai_verdicts: Mapping[str, str],
    reasons: Mapping[str, str | None],
) -> Evaluation:
    """The evaluation as moments and feedback should read it once humans have judged: a
    verdict a reviewer changed carries the reviewer's reason as its rationale (the AI's
    rationale argued for the other verdict); confirmed and unreviewed ones keep the AI's."""
    criteria = []
    for c in evaluation.criteria:
        reason = reasons.get(c.id)
        if reason and ai_verdicts.get(c.id, c.verdict) != c.verdict:
            c = replace(c, rationale=f"A reviewer judged it {c.verdict}: {reason.rstrip('.')}.")
        criteria.append(c)
    return replace(evaluation, criteria=tuple(criteria))


def follow_reviewers(
    moments: Sequence[Moment], evaluation: Evaluation, *, reviewed: Collection[str]
) -> list[Moment]:
    """Moments that accuse a criterion (a prohibited phrase, dead air) that a reviewer judged
    not failed stay as a place to listen, but say so and drop to ``info``: the agent is never
    told to fix what QA passed. Failed-criterion moments already follow the verdicts."""
    verdicts = {c.id: c.verdict for c in evaluation.criteria}
    out = []
    for m in moments:
        verdict = verdicts.get(m.criterion or "")
        if m.criterion in reviewed and verdict not in (None, "fail") and m.severity != "info":
            name = _name(m.criterion or "").capitalize()
            m = replace(
                m,
                severity="info",
                description=f"{m.description} A reviewer judged {name} {verdict}.",
            )
        out.append(m)
    return out
