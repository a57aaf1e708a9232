"""Amounts and clock times as people say them ("a hundred and one dollars", "three forty five
p m", "$25"), read from normalised text, so that a confirmation can be checked against what the
customer asked for: an agent who confirms "a hundred dollars" for a request of a hundred and one
has confirmed something else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["money", "time", "day", "weekday"]

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_CURRENCY = re.compile(r"^(dollars?|bucks|pounds?|euros?|quid)$")
_MERIDIEM = {"am": "am", "pm": "pm", "a m": "am", "p m": "pm"}
_NUMBER_WORD = set(_UNITS) | set(_TENS) | set(_SCALES)


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january february march april may june july august september october november december"
).split()


@dataclass(frozen=True)
class Value:
    kind: Kind
    # money: the amount; time: minutes after 12:00 on a 12-hour clock; day: day of the month;
    # weekday: 0 = Monday
    amount: float
    text: str
    # "from": the value the customer is moving away from ("from the twelfth to the fourteenth")
    role: str = ""


def _day(tokens: list[str], i: int) -> tuple[int | None, int]:
    """A day of the month: "the fourteenth", "twenty first", "14th"."""
    w = tokens[i]
    m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)", w)
    if m and 1 <= int(m[1]) <= 31:
        return int(m[1]), i + 1
    if w in _ORDINALS:
        return _ORDINALS[w], i + 1
    if w in ("twenty", "thirty") and i + 1 < len(tokens) and tokens[i + 1] in _ORDINALS:
        day = _TENS[w] + _ORDINALS[tokens[i + 1]]
        return (day, i + 2) if day <= 31 else (None, i)
    return None, i


def _read_number(tokens: list[str], i: int) -> tuple[float | None, int]:
    """The number spoken from ``tokens[i]`` on, and the index after it."""
    if i < len(tokens) and re.fullmatch(r"\d+(\.\d+)?", tokens[i].replace(",", "")):
        return float(tokens[i].replace(",", "")), i + 1
    total = 0.0
    current = 0.0
    seen = False
    j = i
    while j < len(tokens):
        w = tokens[j]
        if w == "a" and j + 1 < len(tokens) and tokens[j + 1] in _SCALES:
            current = max(current, 1)
            seen = True
        elif w in _UNITS and w != "oh":
            if seen and current % 10 and current < 100 and current % 100 >= 10:
                break  # "twenty one" is read, "eleven twelve" stops
            current += _UNITS[w]
            seen = True
        elif w in _TENS:
            if seen and current % 100:
                break
            current += _TENS[w]
            seen = True
        elif w in _SCALES and seen:
            scale = _SCALES[w]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        elif w == "and" and seen and j + 1 < len(tokens) and tokens[j + 1] in _NUMBER_WORD:
            pass
        else:
            break
        j += 1
    if not seen:
        return None, i
    return total + current, j


def _minutes(tokens: list[str], j: int) -> tuple[int | None, int]:
    """Minutes after an hour: "forty five", "oh five", "fifteen", "30"."""
    if j < len(tokens) and tokens[j] == "oh" and j + 1 < len(tokens) and tokens[j + 1] in _UNITS:
        return _UNITS[tokens[j + 1]], j + 2
    if j < len(tokens) and re.fullmatch(r"\d\d", tokens[j]):
        return int(tokens[j]), j + 1
    if j < len(tokens) and tokens[j] in _TENS:
        m = _TENS[tokens[j]]
        if j + 1 < len(tokens) and tokens[j + 1] in _UNITS and 0 < _UNITS[tokens[j + 1]] < 10:
            return m + _UNITS[tokens[j + 1]], j + 2
        return m, j + 1
    if j < len(tokens) and tokens[j] in _UNITS and 10 <= _UNITS[tokens[j]] < 60:
        return _UNITS[tokens[j]], j + 1
    return None, j


def _meridiem(tokens: list[str], j: int) -> tuple[str | None, int]:
    two = " ".join(tokens[j : j + 2])
    if two in _MERIDIEM:
        return _MERIDIEM[two], j + 2
    if j < len(tokens) and tokens[j] in _MERIDIEM:
        return _MERIDIEM[tokens[j]], j + 1
    if two in ("o clock",) or (j < len(tokens) and tokens[j] == "oclock"):
        return "", j + (2 if two == "o clock" else 1)
    return None, j


def values(norm: str) -> list[Value]:
    """Money amounts (a number before a currency word) and clock times (an hour with minutes
    and/or a.m./p.m./o'clock, or "12:30") in normalised text."""
    tokens = norm.split()
    out: list[Value] = []
    i = 0
    while i < len(tokens):
        role = "from" if "from" in tokens[max(0, i - 3) : i] else ""
        if tokens[i] in _WEEKDAYS or tokens[i].rstrip("s") in _WEEKDAYS:
            out.append(Value("weekday", _WEEKDAYS.index(tokens[i].rstrip("s")), tokens[i], role))
            i += 1
            continue
        day, j = _day(tokens, i)
        prev = tokens[i - 1] if i else ""
        if day is not None and (prev in ("the", "on", "of") or prev in _MONTHS):
            out.append(Value("day", day, " ".join(tokens[max(0, i - 1) : j]), role))
            i = j
            continue
        clock = re.fullmatch(r"(\d{1,2}):(\d\d)", tokens[i])
        if clock:
            out.append(Value("time", (int(clock[1]) % 12) * 60 + int(clock[2]), tokens[i]))
            i += 1
            continue
        number, j = _read_number(tokens, i)
        if number is None:
            i += 1
            continue
        if j < len(tokens) and _CURRENCY.match(tokens[j]):
            cents = 0.0
            k = j + 1
            if k + 1 < len(tokens) and tokens[k] == "and":
                c, k2 = _read_number(tokens, k + 1)
                if c is not None and k2 < len(tokens) and tokens[k2].startswith("cent"):
                    cents, k = c, k2 + 1
            out.append(Value("money", number + cents / 100, " ".join(tokens[i:k])))
            i = k
            continue
        if 1 <= number <= 12 and number == int(number):
            minutes, k = _minutes(tokens, j)
            mer, k2 = _meridiem(tokens, k)
            if mer is not None or (
                minutes is not None and i > 0 and tokens[i - 1] in ("at", "for")
            ):
                total = (int(number) % 12) * 60 + (minutes or 0)
                out.append(Value("time", total, " ".join(tokens[i:k2])))
                i = k2
                continue
        i = max(j, i + 1)
    return out


def contradicted(stated: list[Value], asked: list[Value]) -> tuple[Value, Value] | None:
    """A value the agent stated that differs from every value of its kind the customer asked
    for (when they asked for one) — an origin ("from the twelfth") is not asked for: the first
    such pair (stated, asked)."""
    for v in stated:
        if v.role == "from":
            continue
        wanted = [a for a in asked if a.kind == v.kind and a.role != "from"]
        if wanted and all(abs(a.amount - v.amount) > 1e-6 for a in wanted):
            return v, wanted[-1]
    return None
