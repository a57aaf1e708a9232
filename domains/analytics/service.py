"""Read models over scored calls: an agent's progress and the supervisor dashboard.

Both read each call's *current* evaluation (a human override counts), through the same scoping
and filters as the calls list, so every number links to exactly the calls behind it. A
provisional evaluation (an unsure critical fail waiting for a human) and a not-scorable call
count in no average: the dashboard lists them apart, with links.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domains.auth.access import scope_calls
from domains.calls.filters import CallFilters, apply_filters, as_utc, current_evaluation_join
from domains.reviews.policy import review_policy, untrusted_set, waits
from models.accounts import User
from models.calls import Call, CallStatus
from models.reviews import CriterionResultRow, EvaluationRow

TREND_WINDOW = timedelta(days=14)
TREND_DROP = 5.0  # score points lost between the two windows that count as "trending down"
SCORE_BUCKETS = 10
LIST_LIMIT = 10


@dataclass(frozen=True)
class ScoredCall:
    call_id: uuid.UUID
    agent_id: uuid.UUID
    agent: str
    filename: str
    at: datetime
    score: float
    auto_failed: bool
    evaluation_id: uuid.UUID
    rubric_id: uuid.UUID
    provisional: bool = False


def week_start(at: datetime) -> date:
    """Monday of the (UTC) week ``at`` falls in."""
    day = as_utc(at).date()
    return day - timedelta(days=day.weekday())


def _scored_calls(session: Session, user: User, filters: CallFilters) -> list[ScoredCall]:
    query = (
        select(Call, EvaluationRow)
        .join(EvaluationRow, current_evaluation_join())
        .where(Call.status == CallStatus.scored)
    )
    query = apply_filters(scope_calls(query, user), filters).order_by(Call.created_at, Call.id)
    return [
        ScoredCall(
            call_id=call.id,
            agent_id=call.agent_id,
            agent=call.agent.name,
            filename=call.original_filename,
            at=as_utc(call.created_at),
            score=ev.score,
            auto_failed=ev.auto_failed,
            evaluation_id=ev.id,
            rubric_id=ev.rubric_id,
            provisional=ev.provisional,
        )
        for call, ev in session.execute(query).unique()
    ]


def _published(calls: list[ScoredCall]) -> list[ScoredCall]:
    """The calls whose score is final: what averages, rates and trends are made of."""
    return [c for c in calls if not c.provisional]


def _criterion_rows(session: Session, evaluation_ids: list[uuid.UUID]) -> list[CriterionResultRow]:
    if not evaluation_ids:
        return []
    return list(
        session.scalars(
            select(CriterionResultRow)
            .where(CriterionResultRow.evaluation_id.in_(evaluation_ids))
            .order_by(CriterionResultRow.evaluation_id, CriterionResultRow.position)
        )
    )


def _every_week(seen: list[date]) -> list[date]:
    """Each week from the first to the last with calls, so a quiet week shows as a gap."""
    if not seen:
        return []
    count = (seen[-1] - seen[0]).days // 7 + 1
    return [seen[0] + timedelta(weeks=i) for i in range(count)]


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


# ------------------------------------------------------------------------------ agent progress
def agent_progress(
    session: Session, user: User, agent: User, filters: CallFilters
) -> dict[str, Any]:
    """Weekly score trend and pass rate per criterion (pass / (pass + fail); N/A left out),
    over the calls with a final score (provisional ones are counted apart)."""
    every = _scored_calls(session, user, _with_agent(filters, agent.id))
    calls = _published(every)
    rows = _criterion_rows(session, [c.evaluation_id for c in calls])
    week_of = {c.evaluation_id: week_start(c.at) for c in calls}

    scores_by_week: dict[date, list[float]] = defaultdict(list)
    for c in calls:
        scores_by_week[week_start(c.at)].append(c.score)
    weeks = _every_week(sorted(scores_by_week))

    order: list[str] = []
    sections: dict[str, str] = {}
    tally: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in rows:
        if r.criterion_id not in sections:
            order.append(r.criterion_id)
            sections[r.criterion_id] = r.section
        if r.verdict == "na":
            continue
        cell = tally[r.criterion_id][week_of[r.evaluation_id]]
        cell[1] += 1
        cell[0] += r.verdict == "pass"

    criteria = []
    for cid in order:
        by_week = tally[cid]
        passed = sum(v[0] for v in by_week.values())
        applicable = sum(v[1] for v in by_week.values())
        criteria.append(
            {
                "id": cid,
                "section": sections[cid],
                "pass_rate": _rate(passed, applicable),
                "passed": passed,
                "applicable": applicable,
                "weeks": [
                    {
                        "week_start": w.isoformat(),
                        "pass_rate": _rate(*by_week[w]) if w in by_week else None,
                        "passed": by_week[w][0] if w in by_week else 0,
                        "applicable": by_week[w][1] if w in by_week else 0,
                    }
                    for w in weeks
                ],
            }
        )
    return {
        "agent_id": str(agent.id),
        "agent": agent.name,
        "team": agent.team,
        "calls": len(calls),
        "provisional_calls": len(every) - len(calls),
        "average_score": _mean([c.score for c in calls]),
        "weeks": [
            {
                "week_start": w.isoformat(),
                "calls": len(scores_by_week.get(w, [])),
                "average_score": _mean(scores_by_week.get(w, [])),
            }
            for w in weeks
        ],
        "scores": [
            {
                "call_id": str(c.call_id),
                "at": c.at.isoformat(),
                "score": c.score,
                "auto_failed": c.auto_failed,
            }
            for c in calls
        ],
        "criteria": criteria,
        "goals": [],  # filled by the caller from the coaching goals
    }


def _with_agent(filters: CallFilters, agent_id: uuid.UUID) -> CallFilters:
    return CallFilters(**{**filters.__dict__, "agent_id": agent_id})


# ----------------------------------------------------------------------------------- dashboard
@dataclass
class _AgentWindows:
    name: str
    recent: list[float] = field(default_factory=list)
    before: list[float] = field(default_factory=list)


def _bucket(score: float) -> int:
    return min(int(score // (100 / SCORE_BUCKETS)), SCORE_BUCKETS - 1)


def _distribution(calls: list[ScoredCall], base: dict[str, str]) -> list[dict[str, Any]]:
    counts = [0] * SCORE_BUCKETS
    for c in calls:
        counts[_bucket(c.score)] += 1
    width = 100 // SCORE_BUCKETS
    out = []
    for i, n in enumerate(counts):
        low = i * width
        # Scores carry one decimal, so [low, low + width - 0.01] covers the bucket exactly.
        high = 100.0 if i == SCORE_BUCKETS - 1 else low + width - 0.01
        out.append(
            {
                "min_score": float(low),
                "max_score": high,
                "label": f"{low}–{100 if i == SCORE_BUCKETS - 1 else low + width - 1}",
                "calls": n,
                "filters": {**base, "min_score": str(float(low)), "max_score": str(high)},
            }
        )
    return out


def _trending_down(
    calls: list[ScoredCall], now: datetime, base: dict[str, str]
) -> list[dict[str, Any]]:
    windows: dict[uuid.UUID, _AgentWindows] = {}
    for c in calls:
        at = c.at
        w = windows.setdefault(c.agent_id, _AgentWindows(c.agent))
        if now - TREND_WINDOW <= at <= now:
            w.recent.append(c.score)
        elif now - 2 * TREND_WINDOW <= at < now - TREND_WINDOW:
            w.before.append(c.score)
    out = []
    for agent_id, w in windows.items():
        recent, before = _mean(w.recent), _mean(w.before)
        if recent is None or before is None or before - recent < TREND_DROP:
            continue
        out.append(
            {
                "agent_id": str(agent_id),
                "agent": w.name,
                "recent_average": recent,
                "previous_average": before,
                "change": round(recent - before, 1),
                "recent_calls": len(w.recent),
                "filters": {
                    **base,
                    "agent_id": str(agent_id),
                    "since": (now - TREND_WINDOW).isoformat(),
                },
            }
        )
    return sorted(out, key=lambda a: a["change"])


def dashboard(
    session: Session, user: User, filters: CallFilters, *, now: datetime | None = None
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    # Links carry status=scored so the calls behind a number are exactly the ones counted.
    base = {**filters.query_params(), "status": CallStatus.scored.value}
    # ... and provisional=false where only final scores are counted.
    final_base = {**base, "provisional": "false"}
    every = _scored_calls(session, user, filters)
    calls = _published(every)
    final = {c.evaluation_id for c in calls}
    # Verdicts of provisional calls still wait for a human; they count in no rate.
    rows = _criterion_rows(session, [c.evaluation_id for c in every])
    call_of = {c.evaluation_id: c for c in every}

    policy = review_policy()
    untrusted = untrusted_set(session, policy)
    fails: dict[str, list[int]] = {}
    waiting = []
    for r in rows:
        cell = fails.setdefault(r.criterion_id, [0, 0])
        if r.verdict != "na" and r.evaluation_id in final:
            cell[1] += 1
            cell[0] += r.verdict == "fail"
        c = call_of[r.evaluation_id]
        if waits(r, c.rubric_id, policy, untrusted):
            waiting.append(
                {
                    "call_id": str(c.call_id),
                    "filename": c.filename,
                    "agent": c.agent,
                    "criterion": r.criterion_id,
                    "verdict": r.verdict,
                    "confidence": r.confidence,
                }
            )
    auto_failed = [c for c in calls if c.auto_failed]
    provisional = [c for c in every if c.provisional]
    return {
        "filters": base,
        # The calls behind scored_calls and average_score (final scores only).
        "final_filters": final_base,
        "scored_calls": len(calls),
        "average_score": _mean([c.score for c in calls]),
        "low_confidence_threshold": policy.threshold,
        "score_distribution": _distribution(calls, final_base),
        "criteria": _fail_rates(fails, final_base),
        "agents_trending_down": _trending_down(calls, now, final_base),
        "auto_failed": {
            "calls": len(auto_failed),
            # an auto-failed score is final by construction: no provisional filter needed
            "filters": {**base, "auto_failed": "true"},
            "recent": [_call_ref(c) for c in reversed(auto_failed[-LIST_LIMIT:])],
        },
        "needs_review": {
            "verdicts": len(waiting),
            "calls": len({w["call_id"] for w in waiting}),
            "filters": {**base, "needs_review": "true"},
            "recent": waiting[-LIST_LIMIT:][::-1],
        },
        "provisional": {
            "calls": len(provisional),
            "filters": {**base, "provisional": "true"},
            "recent": [_call_ref(c) for c in reversed(provisional[-LIST_LIMIT:])],
        },
        "not_scorable": _not_scorable(session, user, filters),
    }


def _not_scorable(session: Session, user: User, filters: CallFilters) -> dict[str, Any]:
    """Calls that are not customer conversations, with the reasons, under the same filters."""
    wanted = CallFilters(**{**filters.__dict__, "status": CallStatus.not_scorable})
    query = apply_filters(
        scope_calls(select(Call).outerjoin(EvaluationRow, current_evaluation_join()), user),
        wanted,
    ).order_by(Call.created_at.desc(), Call.id)
    found = list(session.scalars(query).unique())
    return {
        "calls": len(found),
        "filters": {**filters.query_params(), "status": CallStatus.not_scorable.value},
        "recent": [
            {
                "call_id": str(c.id),
                "agent": c.agent.name,
                "filename": c.original_filename,
                "at": as_utc(c.created_at).isoformat(),
                "reason": (c.scorability or {}).get("detail"),
            }
            for c in found[:LIST_LIMIT]
        ],
    }


def _fail_rates(fails: dict[str, list[int]], base: dict[str, str]) -> list[dict[str, Any]]:
    """Worst first; criteria never applicable last, in rubric order (sorting is stable)."""
    rates = [
        {
            "id": cid,
            "failed": failed,
            "applicable": applicable,
            "fail_rate": _rate(failed, applicable),
            "filters": {**base, "failed_criterion": cid},
        }
        for cid, (failed, applicable) in fails.items()
    ]
    return sorted(rates, key=lambda r: (r["fail_rate"] is None, -(r["fail_rate"] or 0.0)))


def _call_ref(c: ScoredCall) -> dict[str, Any]:
    return {
        "call_id": str(c.call_id),
        "agent": c.agent,
        "filename": c.filename,
        "score": c.score,
        "at": c.at.isoformat(),
    }
