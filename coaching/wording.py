"""Deterministic wording for a coaching draft: each sentence states a number or a quote taken
from the agent's own calls, praise first, then one practical tip per focus area, then an
invitation to the agent. (An optional LLM may polish this text; see ``coaching.polish``.)"""

from __future__ import annotations

from datetime import date, datetime

from coaching.types import Clip

TIPS: dict[str, str] = {
    "greeting": 'Open with your name and the company: "Thank you for calling <company>, my name '
    'is <name>, how can I help?"',
    "identity_verification": "Before going into the account, ask for one identifier (date of "
    "birth, postcode or the last four digits of the card) and wait for the answer.",
    "empathy": "A short acknowledgement first (\"I'm sorry about that, I can see why that is "
    'frustrating") helps the customer feel heard before you move to the fix.',
    "hold_etiquette": 'Ask before a hold ("May I put you on a short hold?") and thank the '
    'customer when you come back ("Thanks for holding").',
    "resolution": "Close the loop: say what you have done or the next step with a time frame.",
    "closing": 'End by offering further help and thanking the customer: "Is there anything '
    'else I can help with today?"',
    "professional_language": 'Lead with what you can do: "Let me see what options we have for '
    'you."',
    "dead_air": 'When you need time, tell the customer ("Bear with me while I look into that") '
    "and check back every 30 seconds or so.",
}
GENERIC_TIP = "Let's listen to these moments together and agree on one thing to try next time."
INVITATION = (
    "What gets in the way on these calls? When you acknowledge this session, tell me in your "
    "own words, so we plan the next steps together."
)


def label(criterion: str) -> str:
    return criterion.replace("_", " ")


def clock(t: float) -> str:
    m, s = divmod(round(t), 60)
    return f"{m}:{s:02d}"


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


def tip(criterion: str) -> str:
    return TIPS.get(criterion, GENERIC_TIP)
