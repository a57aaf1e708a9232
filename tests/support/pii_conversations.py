"""Spoken-form PII across turns: hand-written exchanges the way callers read numbers aloud —
in groups with the agent acknowledging between them, split by the recogniser over two
segments, or answering a question asked in the agent's turn. Shared by the PII tests and
``bench/pii_recall.py``; nothing here comes from an evaluation set.

Each entity lists the pieces of text (in turn order) that must all be covered by one type.
"""

from __future__ import annotations

from dataclasses import dataclass

from transcription.pii import PiiSpan, find_pii
from transcription.types import Segment, Transcript, Word


@dataclass(frozen=True)
class Exchange:
    name: str
    turns: tuple[tuple[str, str], ...]  # (speaker, text)
    entities: tuple[tuple[str, tuple[str, ...]], ...]  # (type, pieces)


A, C = "agent", "customer"

EXCHANGES: tuple[Exchange, ...] = (
    Exchange(
        "card in four groups, agent acknowledging",
        (
            (A, "Go ahead with the card number whenever you're ready."),
            (C, "Okay it's 4539"),
            (A, "Mm-hmm."),
            (C, "1488"),
            (A, "Okay."),
            (C, "0343"),
            (A, "Yes."),
            (C, "6467."),
        ),
        (("CARD", ("4539", "1488", "0343", "6467")),),
    ),
    Exchange(
        "card spoken digit by digit over three turns",
        (
            (A, "And the long number on the front of the card?"),
            (C, "four five five six, seven three seven five"),
            (A, "Got it, go on."),
            (C, "eight six eight nine, nine eight five five"),
        ),
        (
            (
                "CARD",
                (
                    "four five five six, seven three seven five",
                    "eight six eight nine, nine eight five five",
                ),
            ),
        ),
    ),
    Exchange(
        "card split by the recogniser inside one sentence",
        (
            (C, "Sure, the card is 5105 1051"),
            (C, "0510 5100 and that's a Mastercard."),
        ),
        (("CARD", ("5105 1051", "0510 5100")),),
    ),
    Exchange(
        "security code asked by the agent",
        (
            (A, "And the three digit security code on the back?"),
            (C, "seven one four"),
        ),
        (("CVV", ("seven one four",)),),
    ),
    Exchange(
        "cvv said with its name",
        ((C, "The CVV is 382."),),
        (("CVV", ("382",)),),
    ),
    Exchange(
        "security code after a pause",
        (
            (A, "What's the verification code, please?"),
            (C, "Hold on, let me flip it over."),
            (C, "It's nine oh six."),
        ),
        (("CVV", ("nine oh six",)),),
    ),
    Exchange(
        "expiry asked, answered with month and year",
        (
            (A, "And when does the card expire?"),
            (C, "oh eight twenty nine"),
        ),
        (("EXPIRY", ("oh eight twenty nine",)),),
    ),
    Exchange(
        "expiry said in the same turn",
        ((C, "Expiration date is 11/28."),),
        (("EXPIRY", ("11/28",)),),
    ),
    Exchange(
        "expiry as a month name",
        ((C, "It's valid through June 2027."),),
        (("EXPIRY", ("June 2027",)),),
    ),
    Exchange(
        "full card details over several turns",
        (
            (A, "I'll need the card number, expiry and the code on the back."),
            (C, "Okay, 4916 3387"),
            (A, "Uh-huh."),
            (C, "6920 8736"),
            (A, "And the expiry?"),
            (C, "Expires oh three twenty seven."),
            (A, "And the code on the back?"),
            (C, "two two one"),
        ),
        (
            ("CARD", ("4916 3387", "6920 8736")),
            ("EXPIRY", ("oh three twenty seven",)),
            ("CVV", ("two two one",)),
        ),
    ),
    Exchange(
        "phone number in two halves",
        (
            (A, "What's the best number to reach you on?"),
            (C, "It's five oh three, two eight one"),
            (A, "Okay."),
            (C, "four four seven two."),
        ),
        (("PHONE", ("five oh three, two eight one", "four four seven two")),),
    ),
    Exchange(
        "social security number split by the recogniser",
        (
            (A, "Can you confirm your social security number?"),
            (C, "Yeah, it's 219 09"),
            (C, "9999."),
        ),
        (("SSN", ("219 09", "9999")),),
    ),
    Exchange(
        "account number in pieces",
        (
            (A, "Could I have the account number, please?"),
            (C, "Sure, three three eight one"),
            (A, "Mm-hmm."),
            (C, "five five two oh."),
        ),
        (("DIGITS", ("three three eight one", "five five two oh")),),
    ),
    Exchange(
        "last four of the card asked by the agent",
        (
            (A, "Can you give me the last four digits of the card on file?"),
            (C, "Sure, 7781."),
        ),
        (("DIGITS", ("7781",)),),
    ),
    Exchange(
        "zip code answered alone",
        (
            (A, "And the zip code on the account?"),
            (C, "nine seven two oh one"),
        ),
        (("DIGITS", ("nine seven two oh one",)),),
    ),
    Exchange(
        "date of birth asked, answered alone",
        (
            (A, "For security, what's your date of birth?"),
            (C, "The twelfth of May, nineteen eighty two."),
        ),
        (("DOB", ("twelfth of May, nineteen eighty two",)),),
    ),
    # Numbers that are not personal data, spread over turns the same way.
    Exchange(
        "amounts and counts over turns",
        (
            (A, "How many lines do you have with us?"),
            (C, "Three."),
            (A, "And how much was the last bill?"),
            (C, "It was $84.50, and the one before $91."),
        ),
        (),
    ),
    Exchange(
        "times and durations",
        (
            (C, "I called at nine."),
            (C, "Then again at ten thirty."),
            (A, "Okay, that's two calls."),
            (C, "Twenty minutes each time."),
        ),
        (),
    ),
    Exchange(
        "menu options and plan names",
        (
            (A, "You can press one for billing or two for support."),
            (C, "I pressed two."),
            (C, "Then four."),
            (A, "The plan is the 5G Plus 60."),
        ),
        (),
    ),
    Exchange(
        "a year and a quantity",
        (
            (C, "I've been a customer since 2015."),
            (C, "Eleven years."),
            (A, "Thank you for staying with us for 11 years."),
        ),
        (),
    ),
    Exchange(
        "the back of the store, not a code",
        (
            (A, "Is the router on the back of the desk?"),
            (C, "Yes, with two cables."),
        ),
        (),
    ),
)


def _segments(turns: tuple[tuple[str, str], ...]) -> tuple[Segment, ...]:
    out, t = [], 0.0
    for speaker, text in turns:
        words = text.split(" ")
        ws = tuple(Word(t + i * 0.4, t + i * 0.4 + 0.35, w) for i, w in enumerate(words))
        out.append(Segment(ws[0].start, ws[-1].end, speaker, text, ws))  # type: ignore[arg-type]
        t = ws[-1].end + 0.6
    return tuple(out)


def transcript_of(ex: Exchange) -> Transcript:
    return Transcript(engine="text", model="", segments=_segments(ex.turns))


@dataclass
class Tally:
    found: dict[str, int]
    total: dict[str, int]
    false_alarms: dict[str, int]
    misses: list[str]

    def recall(self, kind: str) -> float:
        return self.found.get(kind, 0) / max(1, self.total.get(kind, 0))


def _covered(ex: Exchange, spans: list[PiiSpan], kind: str, pieces: tuple[str, ...]) -> bool:
    segs = _segments(ex.turns)
    used_from = 0
    for piece in pieces:
        for si in range(used_from, len(segs)):
            a = segs[si].text.find(piece)
            if a < 0:
                continue
            b = a + len(piece)
            if not any(
                s.segment_index == si and s.type == kind and s.char_start <= a and s.char_end >= b
                for s in spans
            ):
                return False
            used_from = si
            break
        else:
            raise AssertionError(f"{ex.name}: piece {piece!r} is not in any turn")
    return True


def tally(exchanges: tuple[Exchange, ...] = EXCHANGES) -> Tally:
    t = Tally({}, {}, {}, [])
    for ex in exchanges:
        spans = find_pii(transcript_of(ex))
        segs = _segments(ex.turns)
        for kind, pieces in ex.entities:
            t.total[kind] = t.total.get(kind, 0) + 1
            if _covered(ex, spans, kind, pieces):
                t.found[kind] = t.found.get(kind, 0) + 1
            else:
                t.misses.append(f"{ex.name}: {kind}")
        truth = [
            (si, segs[si].text.find(p), segs[si].text.find(p) + len(p))
            for _kind, pieces in ex.entities
            for p in pieces
            for si in range(len(segs))
            if p in segs[si].text
        ]
        for s in spans:
            if not any(
                si == s.segment_index and a < s.char_end and s.char_start < b for si, a, b in truth
            ):
                t.false_alarms[s.type] = t.false_alarms.get(s.type, 0) + 1
                t.misses.append(f"{ex.name}: false {s.type} {s.text!r}")
    return t


# Written after the rules above were final and measured once, unchanged since: the first look
# at exchanges the rules were not built on (bench/RESULTS.md reports that look).
UNSEEN: tuple[Exchange, ...] = (
    Exchange(
        "discover card with pauses",
        (
            (A, "Whenever you're ready with the card."),
            (C, "six oh one one"),
            (A, "Okay."),
            (C, "one one one one"),
            (A, "Mm."),
            (C, "one one one one, one one one seven"),
        ),
        (("CARD", ("six oh one one", "one one one one", "one one one one, one one one seven")),),
    ),
    Exchange(
        "amex read in its own grouping",
        (
            (C, "It's an Amex, 3782"),
            (C, "822463 10005"),
        ),
        (("CARD", ("3782", "822463 10005")),),
    ),
    Exchange(
        "card then code without being asked",
        ((C, "5555 5555 5555 4444 and the three digits on the back are 902."),),
        (("CARD", ("5555 5555 5555 4444",)), ("CVV", ("902",))),
    ),
    Exchange(
        "cvc answered after small talk",
        (
            (A, "Last thing, the CVC."),
            (C, "Sorry, the what?"),
            (A, "The little code on the back of the card."),
            (C, "Oh, four four eight."),
        ),
        (("CVV", ("four four eight",)),),
    ),
    Exchange(
        "expiry said as exp",
        (
            (A, "What's the expiry on that one?"),
            (C, "Ten twenty six."),
        ),
        (("EXPIRY", ("Ten twenty six",)),),
    ),
    Exchange(
        "expiry with the word good through",
        ((C, "It says good thru 09/30."),),
        (("EXPIRY", ("09/30",)),),
    ),
    Exchange(
        "mobile number with double",
        (
            (A, "And a mobile number in case we get cut off?"),
            (C, "Sure, seven one seven"),
            (C, "double five, two nine oh three."),
        ),
        (("PHONE", ("seven one seven", "double five, two nine oh three")),),
    ),
    Exchange(
        "member id in two turns",
        (
            (A, "Can I have your member ID?"),
            (C, "Yes, it's 8812"),
            (A, "Go on."),
            (C, "40675."),
        ),
        (("DIGITS", ("8812", "40675")),),
    ),
    Exchange(
        "birthday answered to a question",
        (
            (A, "Could you confirm the birthday on the account?"),
            (C, "September third, 1990."),
        ),
        (("DOB", ("September third, 1990",)),),
    ),
    Exchange(
        "pin asked",
        (
            (A, "And your four digit PIN for phone banking?"),
            (C, "two five eight zero"),
        ),
        (("DIGITS", ("two five eight zero",)),),
    ),
    Exchange(
        "prices and quantities across turns",
        (
            (A, "The new plan is forty five a month."),
            (C, "And the old one?"),
            (A, "Fifty five."),
            (C, "So I'd save ten."),
        ),
        (),
    ),
    Exchange(
        "opening hours",
        (
            (C, "When do you open?"),
            (A, "Eight thirty."),
            (A, "Until six on weekdays."),
        ),
        (),
    ),
    Exchange(
        "order status talk without numbers being personal",
        (
            (A, "I see two orders here."),
            (C, "Yes, the second one."),
            (A, "That one ships in three to five days."),
        ),
        (),
    ),
    Exchange(
        "flip the card over, no code given",
        (
            (A, "Can you flip the card over for me?"),
            (C, "Okay, it's flipped. There's a signature strip."),
        ),
        (),
    ),
)
