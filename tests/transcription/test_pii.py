"""PII: a generated set with known entities (recall and precision), redaction that keeps the
other words, and audio that is really silent where an entity was spoken."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.support.synth import Turn, render_call
from transcription import TranscriptionOptions, decode_audio, transcribe_file
from transcription.pii import (
    PII_TYPES,
    PiiSpan,
    find_pii,
    find_pii_in_text,
    luhn_ok,
    mute_spans,
    redact_transcript,
)
from transcription.types import Segment, Transcript, Word

_SPOKEN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _spoken(digits: str, rng: random.Random) -> str:
    out, i = [], 0
    while i < len(digits):
        d = digits[i]
        if i + 1 < len(digits) and digits[i + 1] == d and rng.random() < 0.3:
            out.append(f"double {_SPOKEN[int(d)]}")
            i += 2
            continue
        out.append("oh" if d == "0" and rng.random() < 0.5 else _SPOKEN[int(d)])
        i += 1
    return " ".join(out)


def _card(rng: random.Random) -> str:
    body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    check = next(str(c) for c in range(10) if luhn_ok(body + str(c)))
    return body + check


@dataclass(frozen=True)
class Case:
    text: str
    entities: tuple[tuple[str, str], ...]  # (type, exact substring)


def _cases(seed: int = 7, n: int = 40) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for _ in range(n):
        card = _card(rng)
        grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
        phone = "".join(rng.choice("23456789") for _ in range(10))
        ssn = "".join(rng.choice("0123456789") for _ in range(9))
        four = "".join(rng.choice("0123456789") for _ in range(4))
        first = rng.choice(["john", "maria", "wei", "aisha", "sam"])
        last = rng.choice(["smith", "garcia", "chen", "khan", "lee"])
        domain = rng.choice(["gmail", "yahoo", "acme", "outlook"])
        month = rng.choice(["March", "July", "October", "January"])
        day = rng.choice(["fourth", "21st", "third", "twelfth"])
        year = rng.choice(["nineteen eighty", "1975", "two thousand one", "1999"])
        street = rng.choice(["Elm Road", "North Main Street", "Oak Avenue", "Park Lane"])
        house = rng.choice(["12", "nine", "4410", "twenty two"])
        expiries = ["04/27", "oh four twenty seven", "March 2028", "eleven slash twenty six"]
        for text, ents in [
            (f"Sure, my card number is {grouped}.", [("CARD", grouped)]),
            (
                f"You can reach me at {phone[:3]}-{phone[3:6]}-{phone[6:]}.",
                [("PHONE", f"{phone[:3]}-{phone[3:6]}-{phone[6:]}")],
            ),
            (f"My phone number is {(p := _spoken(phone, rng))}.", [("PHONE", p)]),
            (
                f"My social is {ssn[:3]}-{ssn[3:5]}-{ssn[5:]}.",
                [("SSN", f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}")],
            ),
            (f"Social security number {(s := _spoken(ssn, rng))}.", [("SSN", s)]),
            (f"The last four digits are {(f := _spoken(four, rng))}.", [("DIGITS", f)]),
            (
                f"My email is {first} dot {last} at {domain} dot com, thanks.",
                [("EMAIL", f"{first} dot {last} at {domain} dot com")],
            ),
            (
                f"Email {first}.{last}@{domain}.com please.",
                [("EMAIL", f"{first}.{last}@{domain}.com")],
            ),
            (
                f"My date of birth is the {day} of {month}, {year}.",
                [("DOB", f"{day} of {month}, {year}")],
            ),
            (f"I was born on {month} {day} {year}.", [("DOB", f"{month} {day} {year}")]),
            (f"I live at {house} {street}.", [("ADDRESS", f"{house} {street}")]),
            (
                f"The security code on the back is {(c := _spoken(four[:3], rng))}.",
                [("CVV", c)],
            ),
            (f"It expires {(e := rng.choice(expiries))}, I think.", [("EXPIRY", e)]),
            # Negatives: numbers and words that are not personal data.
            ("Oh, I see. I paid $1,200 in 2019 for two phones.", []),
            ("It took twenty minutes and I have three kids.", []),
            ("Please hold for about five minutes, it is on the second floor.", []),
            ("Thank you for calling, how can I help you today?", []),
            ("We walked down the street at four o'clock.", []),
        ]:
            cases.append(Case(text, tuple(ents)))
        spoken_card = _spoken(card, rng)
        cases.append(Case(f"It's {spoken_card}, that's the card.", (("CARD", spoken_card),)))
    return cases


def _score(cases: list[Case]) -> tuple[float, float, dict[str, tuple[int, int, int]]]:
    tp = fp = fn = 0
    per: dict[str, list[int]] = {t: [0, 0, 0] for t in PII_TYPES}
    for case in cases:
        found = find_pii_in_text(case.text)
        truth = []
        for kind, sub in case.entities:
            a = case.text.index(sub)
            truth.append((kind, a, a + len(sub)))
        matched = set()
        for kind, a, b in truth:
            hit = [i for i, f in enumerate(found) if f[0] == kind and f[1] <= a and f[2] >= b]
            if hit:
                tp += 1
                per[kind][0] += 1
                matched.update(hit)
            else:
                fn += 1
                per[kind][2] += 1
        for i, f in enumerate(found):
            if i not in matched:
                fp += 1
                per[f[0]][1] += 1
    recall = tp / max(1, tp + fn)
    precision = tp / max(1, tp + fp)
    return recall, precision, {k: (v[0], v[1], v[2]) for k, v in per.items()}


def test_generated_set_recall_and_precision() -> None:
    cases = _cases()
    recall, precision, per = _score(cases)
    assert sum(len(c.entities) for c in cases) >= 400
    assert recall >= 0.9 and precision >= 0.9, (recall, precision, per)
    # Every type is really exercised and found.
    for kind in PII_TYPES:
        assert per[kind][0] >= 30, (kind, per[kind])


@pytest.mark.parametrize(
    ("text", "kind", "covered"),
    [
        ("card 4111 1111 1111 1111", "CARD", "4111 1111 1111 1111"),
        ("card 4111 1111 1111 1112", "DIGITS", "4111 1111 1111 1112"),  # fails Luhn
        ("double five five, one two oh four", "DIGITS", "double five five, one two oh four"),
        ("my number is five five five one two one two", "PHONE", "five five five one two one two"),
        ("call (555) 123-4567 today", "PHONE", "555) 123-4567"),
        ("write to j.smith@example.org", "EMAIL", "j.smith@example.org"),
        ("date of birth, 03/04/1980", "DOB", "03/04/1980"),
        (
            "I live at 12 North Main Street, apartment 4B.",
            "ADDRESS",
            "12 North Main Street, apartment 4B",
        ),
    ],
)
def test_single_entities(text: str, kind: str, covered: str) -> None:
    found = find_pii_in_text(text)
    assert [(k, text[a:b]) for k, a, b in found] == [(kind, covered)]


@pytest.mark.parametrize(
    "text",
    ["Oh, okay.", "I waited 45 minutes", "In 2019 we moved", "press one for sales", "$2,500"],
)
def test_no_false_alarms(text: str) -> None:
    assert find_pii_in_text(text) == []


def _segment(text: str, start: float) -> Segment:
    words = text.split(" ")
    ws = tuple(Word(start + i * 0.5, start + i * 0.5 + 0.4, w) for i, w in enumerate(words))
    return Segment(ws[0].start, ws[-1].end, "customer", " ".join(words), ws)


def test_redaction_replaces_entities_and_keeps_other_words() -> None:
    seg = _segment("Sure, my card is 4111 1111 1111 1111 and my email is a@b.com thanks", 10)
    other = _segment("Thank you for calling Acme", 0)
    tr = Transcript("faster-whisper", "tiny.en", (other, seg))
    red = redact_transcript(tr)
    assert red.segments[0] == other
    assert red.segments[1].text == "Sure, my card is [CARD] and my email is [EMAIL] thanks"
    words = [w.word for w in red.segments[1].words]
    assert words == [
        "Sure,",
        "my",
        "card",
        "is",
        "[CARD]",
        "and",
        "my",
        "email",
        "is",
        "[EMAIL]",
        "thanks",
    ]
    card = red.segments[1].words[4]
    # The placeholder spans the four number words' time: 4111 starts at 12.0, last ends 13.9.
    assert (card.start, card.end) == (12.0, 13.9)
    assert red.notes[-1] == "PII redacted: 2 span(s)"
    # Types are configurable: only emails.
    only_email = redact_transcript(tr, types=["EMAIL"])
    assert "4111" in only_email.segments[1].text and "[EMAIL]" in only_email.segments[1].text


def test_mute_and_bleep() -> None:
    sr = 8000
    x = np.full((2, sr * 4), 0.5, dtype=np.float32)
    span = PiiSpan("CARD", 0, 0, 4, 1.0, 2.0, "1234")
    muted = mute_spans(x, sr, [span], pad_s=0.1)
    assert np.all(muted[:, int(0.9 * sr) : int(2.1 * sr)] == 0)
    assert np.all(muted[:, : int(0.89 * sr)] == 0.5) and np.all(muted[:, int(2.11 * sr) :] == 0.5)
    assert np.all(x == 0.5)  # a copy, the original stays
    bleep = mute_spans(x[0], sr, [(1.0, 2.0)], mode="bleep", pad_s=0)
    tone = bleep[sr : 2 * sr]
    assert np.sqrt(np.mean(tone**2)) == pytest.approx(0.1 / np.sqrt(2), rel=0.01)
    with pytest.raises(ValueError, match="mode"):
        mute_spans(x, sr, [span], mode="beep")  # type: ignore[arg-type]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


@pytest.mark.slow
def test_spoken_pii_is_redacted_and_muted_end_to_end(gen_dir: Path) -> None:
    # Spoken slowly: tiny.en on espeak drops repeated digits ("four one one one" -> "41") and
    # hears "at" as a dot; the rules must still catch what it writes.
    call = render_call(
        [
            Turn("agent", "Thank you for calling Acme Bank, how can I help you today?"),
            Turn("agent", "Thank you. And your email address please?"),
            Turn("customer", "It is john dot smith at gmail dot com."),
            Turn(
                "customer", "My phone number is five five five, one two three, four five six seven."
            ),
        ],
        gen_dir / "pii_call.wav",
        stereo=True,
        speed=130,
        voices={"customer": "en-us+m3"},
    )
    tr = transcribe_file(call.path, TranscriptionOptions())
    spans = find_pii(tr)
    kinds = {s.type for s in spans}
    assert {"EMAIL", "PHONE"} <= kinds, [s.text for s in tr.segments]
    red = redact_transcript(tr)
    text = " ".join(s.text for s in red.segments)
    assert "gmail" not in text.lower() and not any(ch.isdigit() for ch in text), text
    assert text.startswith("Thank you for calling")  # other words untouched
    samples, _ = decode_audio(call.path)
    muted = mute_spans(samples, 16000, spans)
    for kind, turn in (("EMAIL", call.turns[2]), ("PHONE", call.turns[3])):
        span = next(s for s in spans if s.type == kind)
        a, b = int(span.start_s * 16000), int(span.end_s * 16000)
        assert _rms(samples[1, a:b]) > 0.02  # speech was there
        assert _rms(muted[:, a:b]) < 1e-4  # and is gone, on both channels
        # The span covers the turn's spoken entity, not somewhere else.
        assert turn.start - 0.5 <= span.start_s and span.end_s <= turn.end + 0.5
    g = call.turns[0]
    ga, gb = int(g.start * 16000), int(g.end * 16000)
    assert np.array_equal(muted[:, ga:gb], samples[:, ga:gb])
