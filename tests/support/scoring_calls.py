"""Hand-written calls shared by scoring and coaching tests."""

from __future__ import annotations

from tests.support.scoring_helpers import make_transcript, script
from transcription.types import Transcript

A, C = "agent", "customer"

GOOD = [
    (A, "Thank you for calling Acme Telecom, my name is Sarah, how can I help?"),
    (C, "Hi, I was charged twice this month and honestly it's really frustrating."),
    (A, "I'm so sorry about that. Can I take your date of birth please?"),
    (C, "Sure, it's the twelfth of March nineteen eighty five."),
    (A, "Thank you. Let me put you on hold for a moment while I check."),
    15.0,
    (A, "Thanks for holding. I've processed a refund, you'll see it within three to five days."),
    (C, "Great, thank you."),
    (A, "Is there anything else I can help you with today?"),
    (C, "No, that's all."),
    (A, "Thanks for calling Acme, have a great day."),
]

BAD = [
    (A, "Yeah, what do you want?"),
    (C, "I've called three times about my bill and nobody has fixed it, this is ridiculous."),
    (A, "Calm down. What's the account?"),
    (C, "It's under Jones."),
    12.0,
    (A, "Okay so there's nothing I can do, you'll have to call back."),
    (C, "Unbelievable."),
    (A, "Okay bye."),
]


def good_call() -> Transcript:
    return make_transcript(script(GOOD))


def bad_call() -> Transcript:
    return make_transcript(script(BAD))
