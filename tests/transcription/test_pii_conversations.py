"""PII read across turns: a card in groups with the agent acknowledging, digits the recogniser
split over two segments, a code or a date given as the answer to the agent's question."""

from __future__ import annotations

from tests.support.pii_conversations import EXCHANGES, UNSEEN, Exchange, tally, transcript_of
from transcription.pii import find_pii, redact_transcript


def test_every_entity_of_the_development_set_is_found_and_nothing_else() -> None:
    t = tally(EXCHANGES)
    assert t.misses == []
    assert t.total == {
        "CARD": 4,
        "CVV": 4,
        "EXPIRY": 4,
        "PHONE": 1,
        "SSN": 1,
        "DIGITS": 3,
        "DOB": 1,
    }


def test_unseen_exchanges() -> None:
    t = tally(UNSEEN)
    assert sum(t.found.values()) == sum(t.total.values()) == 11, t.misses
    assert sum(t.false_alarms.values()) == 0, t.misses


def _by_name(name: str) -> Exchange:
    return next(ex for ex in EXCHANGES if ex.name == name)


def test_card_in_groups_is_redacted_in_every_turn_and_acknowledgements_stay() -> None:
    ex = _by_name("card in four groups, agent acknowledging")
    red = redact_transcript(transcript_of(ex))
    assert [s.text for s in red.segments] == [
        "Go ahead with the card number whenever you're ready.",
        "Okay it's [CARD]",
        "Mm-hmm.",
        "[CARD]",
        "Okay.",
        "[CARD]",
        "Yes.",
        "[CARD].",
    ]
    # Each piece keeps its own time, so the audio is muted where each group was spoken.
    spans = find_pii(transcript_of(ex))
    assert [(s.segment_index, s.type) for s in spans] == [
        (1, "CARD"),
        (3, "CARD"),
        (5, "CARD"),
        (7, "CARD"),
    ]
    starts = [s.start_s for s in spans]
    assert starts == sorted(starts) and len(set(starts)) == 4


def test_small_numbers_in_neighbouring_turns_are_not_joined() -> None:
    ex = _by_name("times and durations")
    assert find_pii(transcript_of(ex)) == []
