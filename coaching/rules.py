"""The session's life: draft → ready → delivered → acknowledged → closed. Only people move it
past draft; who may make each move, and what a session needs before it is delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

Status = Literal["draft", "ready", "delivered", "acknowledged", "closed"]
STATUSES: tuple[Status, ...] = ("draft", "ready", "delivered", "acknowledged", "closed")
SHOWN_TO_AGENT: frozenset[str] = frozenset({"delivered", "acknowledged", "closed"})

# (from, to) -> who may make the move
MOVES: dict[tuple[str, str], str] = {
    ("draft", "ready"): "coach",
    ("ready", "draft"): "coach",  # back to editing
    ("ready", "delivered"): "coach",
    ("delivered", "acknowledged"): "agent",
    ("acknowledged", "closed"): "coach",
}
# What the agent has seen is frozen once delivered; the coach keeps their notes, the tasks'
# and training's progress, and the meeting date up to date.
EDITABLE_AFTER_DELIVERY = frozenset({"private_notes", "tasks", "training", "next_meeting_at"})


def move_problem(current: str, to: str) -> str | None:
    """Why ``current → to`` is not a move (None: it is)."""
    if (current, to) in MOVES:
        return None
    allowed = [t for (f, t) in MOVES if f == current]
    nxt = f"; from {current} it can go to: {', '.join(allowed)}" if allowed else ""
    return f"a {current} session cannot move to {to}{nxt}"


def delivery_problems(
    action_plan: Sequence[dict[str, Any]], next_meeting_at: datetime | None, now: datetime
) -> list[str]:
    """A session is never 'here is your form, go fix it': it needs a plan made together
    (something the coach will do and something the agent will work on) and the next meeting."""
    problems = []
    owners = {i.get("owner") for i in action_plan if str(i.get("text") or "").strip()}
    if "coach" not in owners or "agent" not in owners:
        problems.append(
            "add an action plan with at least one item for the coach and one for the agent"
        )
    if next_meeting_at is None:
        problems.append("set the next meeting date")
    elif next_meeting_at <= now:
        problems.append("the next meeting must be in the future")
    return problems
