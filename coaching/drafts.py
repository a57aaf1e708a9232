"""A coaching draft for one agent from their scored calls in a period: the criteria that cost the
most points (with evidence clips), strengths with examples, improvements since the last session,
goals one step up from the measured baseline, tasks, training, an action plan and the next
meeting. Deterministic: the same calls give the same draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from coaching import wording as w
from coaching.examples import praise_worthy
from coaching.goals import Goal, GoalProgress, default_due, evaluate_goal, suggest_target
from coaching.stats import CriterionStats, average_score, criterion_stats, pass_rate, trend
from coaching.texts import Texts, fill, text_for
from coaching.training import TrainingModule, match_modules
from coaching.types import Clip, ScoredCall

MAX_FOCUS = 3
MIN_FOCUS = 2
# A criterion passed this often is not where coaching time goes, unless it is critical
# (one failed critical criterion zeroes a call).
FOCUS_MAX_PASS_RATE = 0.9
CLIPS_PER_FOCUS = 3
STRENGTH_MIN_RATE = 0.8
STRENGTH_MIN_CALLS = 2
MAX_STRENGTHS = 3
RECOGNISE_GAIN = 0.05
NEXT_MEETING_DAYS = 14


@dataclass(frozen=True)
class Focus:
    criterion: str
    pass_rate: float | None
    trend: float | None
    points_lost: float
    passed: int
    applicable: int
    evidence: tuple[Clip, ...]


@dataclass(frozen=True)
class Strength:
    criterion: str
    pass_rate: float | None
    passed: int
    applicable: int
    text: str
    example: Clip | None


@dataclass(frozen=True)
class Task:
    text: str
    due: date
    criterion: str | None = None
    done: bool = False


@dataclass(frozen=True)
class ActionItem:
    owner: str  # coach | agent
    text: str


@dataclass(frozen=True)
class TrainingPick:
    criterion: str
    module: TrainingModule
    due: date


@dataclass(frozen=True)
class PreviousSession:
    """The last delivered session, and the calls since it was delivered."""

    session_id: str
    delivered_at: datetime
    focus_rates: dict[str, float | None]
    goals: tuple[Goal, ...] = ()
    agent_feedback: str | None = None
    calls_since: tuple[ScoredCall, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    previous_id: str
    delivered_at: datetime
    agent_feedback: str | None
    goals: tuple[tuple[Goal, GoalProgress], ...]


@dataclass(frozen=True)
class Draft:
    since: datetime
    until: datetime
    calls: int
    average_score: float | None
    focus: tuple[Focus, ...]
    strengths: tuple[Strength, ...]
    recognition: tuple[str, ...]
    feedback: str
    goals: tuple[Goal, ...]
    tasks: tuple[Task, ...]
    training: tuple[TrainingPick, ...]
    action_plan: tuple[ActionItem, ...]
    next_meeting_at: datetime
    follow_up: FollowUp | None = None
    quotes: tuple[str, ...] = field(default=())  # every quote the feedback uses


def build_draft(
    calls: Sequence[ScoredCall],
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    previous: PreviousSession | None = None,
    modules: Sequence[TrainingModule] = (),
    texts: Texts | None = None,
) -> Draft:
    """A draft from the agent's scored calls; ``texts`` are the rubric's coaching texts by
    criterion (the default rubric's when None)."""
    calls = sorted(calls, key=lambda c: c.at)
    at_of = {c.call_id: c.at for c in calls}
    stats = criterion_stats(calls)
    focus = tuple(
        Focus(
            criterion=s.criterion,
            pass_rate=s.pass_rate,
            trend=trend(calls, s.criterion, since, until),
            points_lost=s.points_lost,
            passed=s.passed,
            applicable=s.applicable,
            evidence=failing_clips(calls, s.criterion),
        )
        for s in pick_focus(stats)
    )
    focus_ids = [f.criterion for f in focus]
    strengths = pick_strengths(calls, stats, exclude=set(focus_ids))
    next_meeting = next_meeting_at(now)
    follow_up = _follow_up(previous, now) if previous else None
    recognition = _recognition(previous, follow_up) if previous and follow_up else ()

    goals = []
    for f in focus:
        target = suggest_target("criterion_pass_rate", f.pass_rate or 0.0)
        if f.pass_rate is not None and target is not None:
            goals.append(
                Goal("criterion_pass_rate", f.pass_rate, target, default_due(now), f.criterion)
            )
    avg = average_score(calls)
    if avg is not None and (score_target := suggest_target("average_score", avg)) is not None:
        goals.append(Goal("average_score", avg, score_target, default_due(now)))

    picks = tuple(
        TrainingPick(cid, m, next_meeting.date()) for cid, m in match_modules(modules, focus_ids)
    )
    tasks = tuple(_tasks(focus, next_meeting.date(), texts))
    plan = tuple(_action_plan(focus, picks, next_meeting))
    feedback, quotes = _feedback(
        calls, since, until, avg, focus, strengths, recognition, at_of, texts
    )
    return Draft(
        since=since,
        until=until,
        calls=len(calls),
        average_score=avg,
        focus=focus,
        strengths=strengths,
        recognition=recognition,
        feedback=feedback,
        goals=tuple(goals),
        tasks=tasks,
        training=picks,
        action_plan=plan,
        next_meeting_at=next_meeting,
        follow_up=follow_up,
        quotes=quotes,
    )


def pick_focus(stats: dict[str, CriterionStats]) -> list[CriterionStats]:
    """The criteria that cost the most points: at most three, only ones that failed, and only
    ones not already passed nearly always (critical ones always count)."""
    weak = [
        s
        for s in stats.values()
        if s.failed and (s.critical or (s.pass_rate or 0.0) < FOCUS_MAX_PASS_RATE)
    ]
    order = list(stats)
    weak.sort(key=lambda s: (-s.points_lost, s.pass_rate or 0.0, order.index(s.criterion)))
    return weak[:MAX_FOCUS]


def failing_clips(calls: Sequence[ScoredCall], criterion: str) -> tuple[Clip, ...]:
    """The evidence of the most recent failures, one clip per call (calls with audio first,
    so the clips can be played)."""
    clips: list[Clip] = []
    for call in sorted(calls, key=lambda c: (not c.has_audio, -c.at.timestamp())):
        o = call.outcome(criterion)
        if o is None or o.verdict != "fail" or not o.evidence:
            continue
        e = o.evidence[0]
        clips.append(Clip(call.call_id, e.start, e.end, e.text, call.has_audio))
        if len(clips) == CLIPS_PER_FOCUS:
            break
    return tuple(clips)


def pick_strengths(
    calls: Sequence[ScoredCall], stats: dict[str, CriterionStats], *, exclude: set[str]
) -> tuple[Strength, ...]:
    order = list(stats)
    good = [
        s
        for s in stats.values()
        if s.criterion not in exclude
        and s.applicable >= STRENGTH_MIN_CALLS
        and (s.pass_rate or 0.0) >= STRENGTH_MIN_RATE
    ]
    good.sort(key=lambda s: (-(s.pass_rate or 0.0), -s.applicable, order.index(s.criterion)))
    out = []
    for s in good[:MAX_STRENGTHS]:
        clip, at = _passing_example(calls, s.criterion)
        text = f"{w.label(s.criterion).capitalize()}: passed on {s.passed} of {s.applicable} calls"
        text += f" ({w.pct(s.pass_rate)})"
        text += f", for example {w.example(clip, at)}." if clip else "."
        out.append(Strength(s.criterion, s.pass_rate, s.passed, s.applicable, text, clip))
    return tuple(out)


def _passing_example(
    calls: Sequence[ScoredCall], criterion: str
) -> tuple[Clip | None, datetime | None]:
    for call in reversed(calls):
        o = call.outcome(criterion)
        if o is None or o.verdict != "pass":
            continue
        failed = [
            (e.start, e.end) for f in call.outcomes if f.verdict == "fail" for e in f.evidence
        ]
        agent = [
            e
            for e in o.evidence
            if e.speaker == "agent" and praise_worthy(e.text, failed_spans=failed, at=e.start)
        ]
        if agent:
            e = agent[0]
            return Clip(call.call_id, e.start, e.end, e.text, call.has_audio), call.at
    return None, None


def next_meeting_at(now: datetime) -> datetime:
    """Two weeks out, 10:00 UTC, moved off the weekend."""
    day = (now + timedelta(days=NEXT_MEETING_DAYS)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=now.tzinfo)


def _follow_up(previous: PreviousSession, now: datetime) -> FollowUp:
    measured = tuple(
        (g, evaluate_goal(g, previous.calls_since, start=previous.delivered_at, now=now))
        for g in previous.goals
    )
    return FollowUp(previous.session_id, previous.delivered_at, previous.agent_feedback, measured)


def _recognition(previous: PreviousSession, follow_up: FollowUp) -> tuple[str, ...]:
    """Improvements since the last session, recognised early: any real gain, not only a met
    goal."""
    out = []
    since = w.day(previous.delivered_at)
    for cid, before in previous.focus_rates.items():
        now_rate = pass_rate(previous.calls_since, cid)
        if before is None or now_rate is None or now_rate - before < RECOGNISE_GAIN:
            continue
        n = sum(1 for c in previous.calls_since if (o := c.outcome(cid)) and o.verdict != "na")
        out.append(
            f"{w.label(cid).capitalize()} is up from {w.pct(before)} to {w.pct(now_rate)} "
            f"on {n} calls since our session of {since}."
        )
    for goal, progress in follow_up.goals:
        if progress.status == "met":
            what = w.label(goal.criterion) + " pass rate" if goal.criterion else "average score"
            out.append(f"You met your {what} goal since our session of {since}.")
    return tuple(out)


def _tasks(focus: Sequence[Focus], due: date, texts: Texts | None) -> list[Task]:
    tasks = []
    for f in focus:
        text = fill(text_for(texts, f.criterion).task, name=w.label(f.criterion))
        tasks.append(Task(text, due, f.criterion))
    clips = [c for f in focus for c in f.evidence]
    if len(clips) >= 2:
        tasks.append(
            Task(
                "Listen side-by-side with your coach to two of the calls above "
                "and mark the moment to do differently.",
                due,
            )
        )
    return tasks


def _action_plan(
    focus: Sequence[Focus], picks: Sequence[TrainingPick], meeting: datetime
) -> list[ActionItem]:
    if not focus:
        return []
    names = ", ".join(w.label(f.criterion) for f in focus)
    plan = [
        ActionItem(
            "coach",
            f"Listen side-by-side to the example calls on {names} and "
            "role-play the better version together.",
        ),
        ActionItem(
            "coach",
            f"Check the calls scored before our next meeting on "
            f"{w.day(meeting)} and share what improved.",
        ),
        ActionItem("agent", f"Work on {names} on every call, using the tips above."),
    ]
    for p in picks:
        plan.append(
            ActionItem("agent", f'Complete the training "{p.module.title}" by {w.day(p.due)}.')
        )
    return plan


def _feedback(
    calls: Sequence[ScoredCall],
    since: datetime,
    until: datetime,
    avg: float | None,
    focus: Sequence[Focus],
    strengths: Sequence[Strength],
    recognition: Sequence[str],
    at_of: dict[str, datetime],
    texts: Texts | None = None,
) -> tuple[str, tuple[str, ...]]:
    if not calls:
        return (
            f"No scored calls between {w.day(since)} and {w.day(until)}: "
            "nothing to build feedback on yet.",
            (),
        )
    paras = [
        f"Thank you for your calls this period. Over {len(calls)} scored calls from "
        f"{w.day(since)} to {w.day(until)} your average score was {avg:.1f}."
    ]
    quotes: list[str] = []
    if strengths:
        # Praise the best two; the full list stays in the session's strengths.
        paras.append("Keep doing this: " + " ".join(s.text for s in strengths[:2]))
        quotes += [w.quote(s.example.text) for s in strengths[:2] if s.example]
    if recognition:
        paras.append("Since our last session: " + " ".join(recognition))
    for f in focus:
        text = (
            f"{w.label(f.criterion).capitalize()} passed on {f.passed} of {f.applicable} "
            f"calls ({w.pct(f.pass_rate)}){w.trend_phrase(f.trend)}."
        )
        if f.evidence:
            clip = f.evidence[0]
            text += f" For example {w.example(clip, at_of.get(clip.call_id))}."
            quotes.append(w.quote(clip.text))
        paras.append(f"{text} {fill(text_for(texts, f.criterion).tip, name=w.label(f.criterion))}")
    paras.append(w.INVITATION)
    return "\n\n".join(paras), tuple(quotes)
