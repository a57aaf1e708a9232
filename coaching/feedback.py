"""Per-call draft feedback: praise first, then concrete next steps, each tied to a criterion and
to the call's own moments. Deterministic templates; a supervisor edits before an agent sees it."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.types import CriterionResult, Evaluation, Evidence
from transcription.types import Transcript


@dataclass(frozen=True)
class Improvement:
    criterion: str
    text: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Feedback:
    strengths: tuple[str, ...]
    improvements: tuple[Improvement, ...]


def _clock(t: float) -> str:
    m, s = divmod(round(t), 60)
    return f"{m}:{s:02d}"


def _quote(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3].rstrip() + "..."


def _first(r: CriterionResult, speaker: str | None = None) -> Evidence | None:
    for e in r.evidence:
        if speaker is None or e.speaker == speaker:
            return e
    return r.evidence[0] if r.evidence else None


_STRENGTHS: dict[str, str] = {
    "greeting": 'You opened the call well at {t}: "{q}"',
    "identity_verification": "You confirmed the caller's identity at {t} before working on the "
    "account.",
    "empathy": 'You acknowledged how the customer felt at {t}: "{q}"',
    "hold_etiquette": "You asked before the hold and thanked the customer when you came back "
    "({t}).",
    "resolution": 'You gave the customer a clear outcome at {t}: "{q}"',
    "closing": 'You closed the call warmly at {t}: "{q}"',
    "professional_language": "Your language stayed professional and respectful throughout the "
    "call.",
    "dead_air": "You kept the conversation moving, with no long unexplained silences.",
}

_IMPROVEMENTS: dict[str, str] = {
    "greeting": "The opening at {t} did not include your name or the company's. Next time, try: "
    '"Thank you for calling <company>, my name is <name>, how can I help?"',
    "identity_verification": "Around {t}, before going into the account, confirm who you are "
    "speaking with: ask for one identifier (date of birth, postcode, or the last four digits of "
    "the card) and wait for the answer.",
    "empathy": 'At {t} the customer said "{q}". A short acknowledgement first, such as "I\'m '
    'sorry about that, I can see why that is frustrating", helps them feel heard before you '
    "move to the fix.",
    "hold_etiquette": "When you came back from the hold at {t}, open with a thank-you "
    '("Thanks for holding") before the update; it keeps the customer on side.',
    "resolution": "Around {t}, close the loop: say what you have done or the next step with a "
    "time frame, for example \"I've raised this and you'll hear from us by Friday.\"",
    "closing": "At the end of the call ({t}), offer further help and thank the customer: "
    '"Is there anything else I can help with today? Thanks for calling."',
    "professional_language": 'At {t}, "{q}" could come across as dismissive to the customer. '
    'Try leading with what you can do: "Let me see what options we have for you."',
    "dead_air": "At {t} there were {d} s of silence. When you need time to check something, let "
    'the customer know ("Bear with me while I look into that") and check back in every 30 '
    "seconds or so.",
}

_GENERIC_STRENGTH = "{name}: done well at {t}."
_GENERIC_IMPROVEMENT = "{name}: {rationale} Let's listen to {t} together and plan the next step."


def _fill(template: str, r: CriterionResult, e: Evidence | None) -> str:
    return template.format(
        t=_clock(e.start) if e else "the start of the call",
        q=_quote(e.text) if e else "",
        d=f"{e.end - e.start:.0f}" if e else "several",
        name=r.id.replace("_", " ").capitalize(),
        rationale=r.rationale.rstrip(".") + ".",
    )


def call_feedback(transcript: Transcript, evaluation: Evaluation) -> Feedback:
    """Strengths (every passed criterion, in rubric order) and improvements (every failed
    criterion, the costliest first), each pointing at the call's own times."""
    strengths: list[str] = []
    for r in evaluation.criteria:
        if r.verdict != "pass":
            continue
        speaker = "agent" if r.id != "resolution" else None
        e = _first(r, speaker)
        template = _STRENGTHS.get(r.id, _GENERIC_STRENGTH)
        if e is None and "{t}" in template and r.id not in _STRENGTHS:
            template = "{name}: done well on this call."
        strengths.append(_fill(template, r, e))
    if not strengths and any(s.speaker == "agent" for s in transcript.segments):
        strengths.append("Thank you for staying with the customer through the whole call.")

    failed = [r for r in evaluation.criteria if r.verdict == "fail"]
    failed.sort(key=lambda r: (not r.critical, -r.max_points))
    improvements: list[Improvement] = []
    for r in failed:
        speaker = "customer" if r.id == "empathy" else None
        e = _first(r, speaker)
        template = _IMPROVEMENTS.get(r.id, _GENERIC_IMPROVEMENT)
        improvements.append(Improvement(r.id, _fill(template, r, e), r.evidence))
    return Feedback(tuple(strengths), tuple(improvements))
