"""Deterministic wording for a coaching draft: each sentence states a number or a quote taken
from the agent's own calls, praise first, then one practical tip per focus area, then an
invitation to the agent. (An optional LLM may polish this text; see ``coaching.polish``.)"""

from __future__ import annotations

from datetime import date, datetime

from coaching.types import Clip
from core.timefmt import clock

INVITATION = (
    "What gets in the way on these calls? When you acknowledge this session, tell me in your "
    "own words, so we plan the next steps together."
)


def label(criterion: str) -> str:
    return criterion.replace("_", " ")


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def day(at: date | datetime) -> str:
    return at.strftime("%-d %b %Y")


def quote(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def example(clip: Clip, at: datetime | None) -> str:
    when = f"on the call of {day(at)} " if at is not None else ""
    return f'{when}at {clock(clip.start)}: "{quote(clip.text)}"'


def trend_phrase(trend: float | None) -> str:
    if trend is None or abs(trend) < 0.05:
        return ""
    word = "up" if trend > 0 else "down"
    return f", {word} {abs(trend) * 100:.0f} points between the first and second half of the period"
