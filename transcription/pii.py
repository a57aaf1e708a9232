"""Find and redact personal data in a transcript, and mute it in the audio.

Rules, not a model: what a caller says aloud has a small grammar (digit words, "double five",
"john dot smith at gmail dot com"), and a rule can say why it fired. Detection runs on each
segment's text; spans map back to the segment's words for their times, so the same span can
mute the audio. Order matters: emails, dates of birth, card expiry dates and addresses claim
their tokens first, then what is left of each digit run is a card (Luhn), an SSN, a phone
number, a card security code (in its context) or plain digits.

Callers read numbers in pieces ("4111" … "okay" … "1111 …") and the recogniser splits a run of
digits over two segments, so a second pass reads each speaker's consecutive segments as one
stream (joined while the other side only acknowledges) with the conversation before it as
context; a run found there is redacted in every segment it touches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, cast

import numpy as np

from transcription.types import Segment, Transcript, Word

PiiType = Literal[
    "CARD", "SSN", "PHONE", "EMAIL", "DOB", "DIGITS", "ADDRESS", "CVV", "EXPIRY"
]  # fmt: skip
PII_TYPES: tuple[PiiType, ...] = (
    "CARD", "SSN", "PHONE", "EMAIL", "DOB", "DIGITS", "ADDRESS", "CVV", "EXPIRY"
)  # fmt: skip
DEFAULT_TYPES: frozenset[PiiType] = frozenset(PII_TYPES)


@dataclass(frozen=True)
class PiiSpan:
    type: PiiType
    segment_index: int
    char_start: int  # in the segment's original text
    char_end: int
    start_s: float  # audio time of the words it covers (segment time when it has no words)
    end_s: float
    text: str


# --- tokens ---------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_WEAK_ZERO = {"oh", "o"}  # zero only inside a run of other digits ("Oh, I see" is not a digit)
_REPEAT = {"double": 2, "triple": 3}
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
}  # fmt: skip
_ORDINALS = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth",
}  # fmt: skip
_STREET = {
    "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "boulevard",
    "blvd", "court", "ct", "way", "place", "pl", "terrace", "circle", "parkway", "highway",
    "hwy", "close", "crescent", "square", "grove",
}  # fmt: skip
_TLDS = r"com|net|org|edu|gov|io|co|uk|us|info|biz|me"


_EDGE = '.,;:!?"()[]{}'


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    raw: str
    norm: str  # lower case, edge punctuation stripped
    segment: int = -1  # which segment, in the cross-segment pass


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        core = raw.strip(_EDGE)
        if not core:
            continue
        # Spans cover the token without its edge punctuation ("1111." -> "1111").
        start = m.start() + raw.index(core)
        out.append(_Token(start, start + len(core), core, core.lower().replace("’", "'")))
    return out


def _digit_value(tokens: Sequence[_Token], i: int) -> tuple[str, int] | None:
    """The digits that tokens[i:] spell, and how many tokens they use; None if not a number.
    Handles "4111", "555-1234", "four", "oh", "double five", "twenty one", "twenty-one"."""
    t = tokens[i].norm
    if re.fullmatch(r"\+?[\d\-()./]*\d[\d\-()./]*", t):
        return re.sub(r"\D", "", t), 1
    if t in _REPEAT and i + 1 < len(tokens):
        nxt = _digit_value(tokens, i + 1)
        if nxt is not None and len(nxt[0]) == 1:
            return nxt[0] * _REPEAT[t], 1 + nxt[1]
        return None
    if t in _UNITS:
        return str(_UNITS[t]), 1
    if t in _WEAK_ZERO:
        return "0", 1
    if t in _TEENS:
        return str(_TEENS[t]), 1
    if "-" in t:  # twenty-one
        a, _, b = t.partition("-")
        if a in _TENS and b in _UNITS and b != "zero":
            return str(_TENS[a] + _UNITS[b]), 1
    if t in _TENS:
        if i + 1 < len(tokens) and tokens[i + 1].norm in _UNITS and tokens[i + 1].norm != "zero":
            return str(_TENS[t] + _UNITS[tokens[i + 1].norm]), 2
        return str(_TENS[t]), 1
    if t in {"hundred", "thousand"}:
        return "", 1  # handled by the run builder, which knows the previous group
    return None


@dataclass
class _Run:
    first: int  # token indices, inclusive
    last: int
    digits: str
    spelled: int  # tokens that were single spoken digits ("four", "oh", "double five")
    written: str  # the raw text of the run


def _digit_runs(tokens: Sequence[_Token], taken: set[int]) -> list[_Run]:
    runs: list[_Run] = []
    i = 0
    while i < len(tokens):
        if (
            i in taken
            or _digit_value(tokens, i) is None
            or tokens[i].norm in {"hundred", "thousand"}
        ):
            i += 1
            continue
        first, digits, spelled, pending = i, "", 0, 0
        last = i
        while i < len(tokens) and i not in taken:
            got = _digit_value(tokens, i)
            if got is None:
                break
            value, used = got
            norm = tokens[i].norm
            if norm in {"hundred", "thousand"}:
                if not digits:
                    break
                pending = 2 if norm == "hundred" else 3
                digits += "0" * pending
            elif pending and len(value) <= pending:
                digits = digits[: len(digits) - len(value)] + value
                pending = 0
            else:
                digits += value
                pending = 0
                if len(value) == 1 and not re.search(r"\d", norm):
                    spelled += 1 if norm not in _REPEAT else used - 1
            last = i + used - 1
            i += used
        # "oh" at either end of a run is an interjection, not a zero.
        while first <= last and tokens[first].norm in _WEAK_ZERO:
            first, digits, spelled = first + 1, digits[1:], spelled - 1
        while (
            last >= first
            and tokens[last].norm in _WEAK_ZERO
            and not (len(digits) > 3 and _ends_segment(tokens, last))
        ):
            last, digits, spelled = last - 1, digits[:-1], spelled - 1
        if first <= last and digits:
            written = " ".join(t.raw for t in tokens[first : last + 1])
            runs.append(_Run(first, last, digits, spelled, written))
        i = max(i, first + 1)
    return runs


def _ends_segment(tokens: Sequence[_Token], i: int) -> bool:
    """A final "oh" that closes what was said ("… five two oh.") is the last digit."""
    return i + 1 == len(tokens) or tokens[i + 1].segment != tokens[i].segment


def luhn_ok(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch)
        if k % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_SSN_CONTEXT = re.compile(r"social security|social|\bssn\b|\bs s n\b")
_PHONE_CONTEXT = re.compile(r"\b(phone|cell|mobile|call|reach|number|contact)\b")
_PHONE_WORDS = re.compile(r"\b(phone|cell|mobile|reach|call)\b")
_ACCOUNT_CONTEXT = re.compile(
    r"\b(account|card|member|policy|reference|order|routing|zip|postcode|id)\b"
)
_DIGITS_CONTEXT = re.compile(
    r"\b(account|card|digits|pin|code|number|member|policy|reference|order|zip|postcode|id)\b"
)
_SSN_WRITTEN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_PHONE_WRITTEN = re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b|\b\d{3}-\d{4}\b")


_CVV_CONTEXT = re.compile(
    r"\b(cvv|cvc|cv2|c v v|c v c|security code|verification code|three digits|3 digits"
    r"|on the back|back of the card)\b"
)


def _context(tokens: Sequence[_Token], first: int, before: int = 8) -> str:
    return " ".join(t.norm for t in tokens[max(0, first - before) : first])


def _classify(run: _Run, tokens: Sequence[_Token], ctx: str | None = None) -> PiiType | None:
    n = len(run.digits)
    ctx = _context(tokens, run.first) if ctx is None else ctx
    if 13 <= n <= 19 and luhn_ok(run.digits):
        return "CARD"
    if n == 9 and (_SSN_WRITTEN.search(run.written) or _SSN_CONTEXT.search(ctx)):
        return "SSN"
    if n == 10 or (n == 11 and run.digits[0] == "1"):
        return "PHONE"
    # Asked-for numbers: Whisper often drops a repeated digit, so accept 7-11 in context.
    # "number" alone is a phone number unless the talk is about an account or a card.
    phone_ctx = bool(_PHONE_CONTEXT.search(ctx)) and (
        bool(_PHONE_WORDS.search(ctx)) or not _ACCOUNT_CONTEXT.search(ctx)
    )
    if 7 <= n <= 11 and (_PHONE_WRITTEN.search(run.written) or phone_ctx):
        return "PHONE"
    if _PHONE_WRITTEN.search(run.written):
        return "PHONE"
    if "$" in run.written or re.search(r"\d,\d{3}\b", run.written):
        return None  # money and thousands are amounts, not identifiers
    if n in (3, 4) and _CVV_CONTEXT.search(ctx):
        return "CVV"
    # Digit runs: spelled digit by digit, long written numbers, or numbers asked for.
    if run.spelled >= 4 or n >= 5 or (n >= 4 and _DIGITS_CONTEXT.search(ctx)):
        return "DIGITS"
    return None


# --- emails, dates of birth, addresses -------------------------------------------------------

_PART = r"[a-z0-9_+\-]+"
_SEP = r"(?:\s*\.\s*|\s+(?:dot|underscore|dash|hyphen)\s+)"
_EMAIL = re.compile(
    rf"\b{_PART}(?:{_SEP}{_PART})*(?:\s*@\s*|\s+at\s+){_PART}(?:(?:\s*\.\s*|\s+dot\s+){_PART})*"
    rf"(?:\s*\.\s*|\s+dot\s+)(?:{_TLDS})\b"
)
# Whisper often hears "at" as a dot: "jong.miss.gmail.com". A known mail provider after a
# dotted name is an address all the same.
_EMAIL_NO_AT = re.compile(
    rf"\b{_PART}(?:{_SEP}{_PART})*{_SEP}(?:gmail|yahoo|hotmail|outlook|icloud|aol|protonmail)"
    rf"(?:\s*\.\s*|\s+dot\s+)(?:{_TLDS})\b"
)
_DOB_TRIGGER = re.compile(
    r"date of birth|birth ?date|birthday|born (on|in)|\bdob\b|\bd o b\b|native birth"
)
_EXPIRY_TRIGGER = re.compile(
    r"expir\w*|exp date|valid (thru|through|until)|good (thru|through)|\bexp\b"
)
_DATE_FILLERS = {"the", "of", "on", "is", "it's", "its", "and", ","}


def _is_date_token(tokens: Sequence[_Token], i: int) -> bool:
    t = tokens[i].norm
    return (
        t in _MONTHS
        or t in _ORDINALS
        or bool(re.fullmatch(r"\d{1,2}(st|nd|rd|th)", t))
        or bool(re.fullmatch(r"\d{1,4}([/.\-]\d{1,4}){0,2}", t))
        or (t.partition("-")[0] in _TENS and t.partition("-")[2] in _ORDINALS)
        or t in _UNITS
        or t in _TEENS
        or t in _TENS
        or t in {"hundred", "thousand", "slash"}
        or (t in _WEAK_ZERO and i + 1 < len(tokens) and tokens[i + 1].norm in _UNITS)
    )


def _date_spans(
    tokens: Sequence[_Token], lower: str, trigger: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Date tokens right after a trigger phrase ("date of birth is …", "expires …")."""
    spans = []
    for m in trigger.finditer(lower):
        after = next((k for k, t in enumerate(tokens) if t.start >= m.end()), None)
        if after is not None and (found := _date_from(tokens, after)) is not None:
            spans.append(found)
    return spans


def _date_from(tokens: Sequence[_Token], after: int) -> tuple[int, int] | None:
    """The date that starts within a few words of ``tokens[after]``, as token indices."""
    first = last = None
    k = after
    while k < len(tokens) and k < after + 14:
        if _is_date_token(tokens, k):
            first = k if first is None else first
            last = k
        elif tokens[k].norm in _DATE_FILLERS or (first is None and k < after + 4):
            pass  # "date of birth is the fourth of March", "born on, uh, ..."
        else:
            break
        k += 1
    if first is None or last is None:
        return None
    # One spoken word is not a date ("the expiry on that one?"); one written one can be.
    if first == last and not re.search(r"\d", tokens[first].norm):
        return None
    return first, last


def _address_spans(tokens: Sequence[_Token], taken: set[int]) -> list[tuple[int, int]]:
    spans = []
    for k, t in enumerate(tokens):
        if t.norm not in _STREET or k == 0:
            continue
        # Up to three name words back to a house number ("12 North Main Street", "nine Elm Road").
        for back in range(1, 4):
            j = k - back
            if j < 0 or j in taken or _digit_value(tokens, j) is None:
                continue
            name = tokens[j + 1 : k]
            if not name or any(_digit_value(tokens, x) is not None for x in range(j + 1, k)):
                continue
            if not all(re.fullmatch(r"[a-z][a-z'\-]*", x.norm) for x in name):
                continue
            first = j
            while first - 1 >= 0 and first - 1 not in taken and _digit_value(tokens, first - 1):
                first -= 1
            end = k
            # "..., apartment 4B" / "unit 12"
            if end + 2 < len(tokens) and tokens[end + 1].norm in {
                "apartment",
                "apt",
                "unit",
                "suite",
            }:
                end += 2
            spans.append((first, end))
            break
    return spans


# --- public API -----------------------------------------------------------------------------


def find_pii_in_text(
    text: str, types: Iterable[PiiType] = DEFAULT_TYPES
) -> list[tuple[PiiType, int, int]]:
    """(type, char_start, char_end) for every entity in one piece of text, in order."""
    wanted = set(types)
    tokens = _tokens(text)
    lower = text.lower()
    found: list[tuple[PiiType, int, int]] = []
    taken: set[int] = set()

    def claim(kind: PiiType, first: int, last: int) -> None:
        taken.update(range(first, last + 1))
        if kind in wanted:
            found.append((kind, tokens[first].start, tokens[last].end))

    for m in [*_EMAIL.finditer(lower), *_EMAIL_NO_AT.finditer(lower)]:
        idx = [k for k, t in enumerate(tokens) if t.end > m.start() and t.start < m.end()]
        if idx and not taken.intersection(idx):
            claim("EMAIL", idx[0], idx[-1])
    dated: tuple[tuple[PiiType, re.Pattern[str]], ...] = (
        ("DOB", _DOB_TRIGGER),
        ("EXPIRY", _EXPIRY_TRIGGER),
    )
    for date_kind, trigger in dated:
        for first, last in _date_spans(tokens, lower, trigger):
            if not taken.intersection(range(first, last + 1)):
                claim(date_kind, first, last)
    for first, last in _address_spans(tokens, taken):
        claim("ADDRESS", first, last)
    for run in _digit_runs(tokens, taken):
        number_kind = _classify(run, tokens)
        if number_kind is not None:
            claim(number_kind, run.first, run.last)
    found.sort(key=lambda f: f[1])
    return found


def _word_offsets(segment: Segment) -> list[tuple[int, int]]:
    """Character span of each word in the segment text (words are the text's tokens in order;
    a word not found keeps the previous position)."""
    offsets, pos = [], 0
    lower = segment.text.lower()
    for w in segment.words:
        at = lower.find(w.word.lower(), pos)
        if at < 0:
            offsets.append((pos, pos))
            continue
        offsets.append((at, at + len(w.word)))
        pos = at + len(w.word)
    return offsets


def _span(seg: Segment, si: int, kind: PiiType, a: int, b: int) -> PiiSpan:
    offsets = _word_offsets(seg)
    hit = [w for w, (wa, wb) in zip(seg.words, offsets, strict=True) if wb > a and wa < b]
    start = hit[0].start if hit else seg.start
    end = max(w.end for w in hit) if hit else seg.end
    return PiiSpan(kind, si, a, b, start, end, seg.text[a:b])


def find_pii(transcript: Transcript, types: Iterable[PiiType] = DEFAULT_TYPES) -> list[PiiSpan]:
    types = tuple(types)
    spans: list[PiiSpan] = []
    for si, seg in enumerate(transcript.segments):
        for kind, a, b in find_pii_in_text(seg.text, types):
            spans.append(_span(seg, si, kind, a, b))
    spans += _across_segments(transcript, set(types), spans)
    return _merge(spans)


# A speaker's segments are read as one stream while the other side only acknowledges
# ("okay", "mhm, go on") and the pauses stay short: a number read in pieces stays one number.
JOIN_GAP_S = 15.0
JOIN_MAX_OTHER_WORDS = 6
_NUMBER_KINDS = frozenset({"CARD", "SSN", "PHONE", "DIGITS", "CVV"})
# When two findings overlap, the more specific one names the merged span.
_PRIORITY = {k: i for i, k in enumerate(("CARD", "SSN", "PHONE", "CVV", "EXPIRY", "DIGITS"))}


def _across_segments(
    transcript: Transcript, wanted: set[PiiType], found: Sequence[PiiSpan]
) -> list[PiiSpan]:
    segs = transcript.segments
    order = sorted(range(len(segs)), key=lambda i: (segs[i].start, i))
    asked = _asked_before(transcript, order)
    out = [sp for sp in _answered_dates(transcript, asked, found) if sp.type in wanted]
    conv: list[_Token] = []
    for si in order:
        conv += [replace(t, segment=si) for t in _tokens(segs[si].text)]
    # Tokens already claimed by an email, a date or an address stay theirs.
    claims = [*found, *out]
    claimed = [
        any(
            sp.segment_index == t.segment
            and sp.type not in _NUMBER_KINDS
            and sp.char_start < t.end
            and t.start < sp.char_end
            for sp in claims
        )
        for t in conv
    ]
    for lane in _lanes(transcript, order, conv):
        tokens = [conv[i] for i in lane]
        taken = {k for k, i in enumerate(lane) if claimed[i]}
        for run in _digit_runs(tokens, taken):
            for part, first in _parts(run, tokens):
                ctx = f"{asked.get(tokens[first].segment, '')} {_context(conv, lane[first])}"
                kind = _classify(part, tokens, ctx)
                if kind is None or kind not in wanted:
                    continue
                pieces = tokens[part.first : part.last + 1]
                for si in dict.fromkeys(t.segment for t in pieces):
                    mine = [t for t in pieces if t.segment == si]
                    out.append(_span(segs[si], si, kind, mine[0].start, mine[-1].end))
    return out


def _parts(run: _Run, tokens: Sequence[_Token]) -> list[tuple[_Run, int]]:
    """A run over several segments is one number only when every piece is a group of three
    or more digits ("4539" "1488", not "at nine" "ten thirty"); otherwise each piece is
    judged alone. Returns the runs to classify with the index of their first token."""
    pieces: list[_Run] = []
    for si in dict.fromkeys(t.segment for t in tokens[run.first : run.last + 1]):
        idx = [k for k in range(run.first, run.last + 1) if tokens[k].segment == si]
        sub = [replace(r, first=r.first + idx[0], last=r.last + idx[0])
               for r in _digit_runs(tokens[idx[0] : idx[-1] + 1], set())]  # fmt: skip
        pieces += sub
    if len(pieces) > 1 and all(len(p.digits) >= 3 for p in pieces):
        return [(run, run.first)]
    return [(p, p.first) for p in pieces]


def _asked_before(transcript: Transcript, order: list[int]) -> dict[int, str]:
    """For each segment, the last thing the other side said before it (lower case): an
    answer's meaning is often in the question ("And the code on the back?" "Seven one four")."""
    segs = transcript.segments
    last_by: dict[str, str] = {}
    asked: dict[int, str] = {}
    for si in order:
        speaker = segs[si].speaker
        others = [text for who, text in last_by.items() if who != speaker]
        asked[si] = others[-1] if others else ""
        last_by.pop(speaker, None)
        last_by[speaker] = segs[si].text.lower()
    return asked


def _answered_dates(
    transcript: Transcript, asked: dict[int, str], found: Sequence[PiiSpan]
) -> list[PiiSpan]:
    """A date said as the whole answer to "what's your date of birth?" / "when does it
    expire?" — the trigger was in the question, not in the answer."""
    out: list[PiiSpan] = []
    for si, seg in enumerate(transcript.segments):
        question = asked.get(si, "")
        kind: PiiType | None = (
            "DOB" if _DOB_TRIGGER.search(question)
            else "EXPIRY" if _EXPIRY_TRIGGER.search(question)
            else None
        )  # fmt: skip
        if kind is None or any(sp.segment_index == si for sp in found):
            continue
        tokens = _tokens(seg.text)
        got = _date_from(tokens, 0)
        if got is None:
            continue
        first, last = got
        dated = sum(_is_date_token(tokens, k) for k in range(first, last + 1))
        if dated >= 2 and len(tokens) - (last - first + 1) <= 3:
            out.append(_span(seg, si, kind, tokens[first].start, tokens[last].end))
    return out


def _lanes(transcript: Transcript, order: list[int], conv: Sequence[_Token]) -> list[list[int]]:
    """Indices into ``conv`` of each stretch one speaker talks in, joined across segments."""
    segs = transcript.segments
    by_segment: dict[int, list[int]] = {}
    for k, t in enumerate(conv):
        by_segment.setdefault(t.segment, []).append(k)
    open_lanes: dict[str, tuple[list[int], float, int]] = {}  # speaker -> lane, end, others
    lanes: list[list[int]] = []
    for si in order:
        seg, idx = segs[si], by_segment.get(si, [])
        for other, (lane, end, words) in list(open_lanes.items()):
            if other != seg.speaker:
                open_lanes[other] = (lane, end, words + len(idx))
        current = open_lanes.get(seg.speaker)
        if (
            current is not None
            and seg.start - current[1] <= JOIN_GAP_S
            and current[2] <= JOIN_MAX_OTHER_WORDS
        ):
            current[0].extend(idx)
            open_lanes[seg.speaker] = (current[0], seg.end, 0)
        else:
            lane = list(idx)
            lanes.append(lane)
            open_lanes[seg.speaker] = (lane, seg.end, 0)
    return lanes


def _merge(spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """One span per overlapping group in a segment: the union of their text and time, named
    by the most specific type (a card read in pieces beats each piece's "digits")."""
    out: list[PiiSpan] = []
    for sp in sorted(spans, key=lambda s: (s.segment_index, s.char_start, -s.char_end)):
        last = out[-1] if out else None
        if last is None or last.segment_index != sp.segment_index or sp.char_start >= last.char_end:
            out.append(sp)
            continue
        kind = min(last.type, sp.type, key=lambda k: _PRIORITY.get(k, -1))
        end = max(last.char_end, sp.char_end)
        out[-1] = replace(
            last,
            type=kind,
            char_end=end,
            start_s=min(last.start_s, sp.start_s),
            end_s=max(last.end_s, sp.end_s),
            text=last.text + sp.text[len(sp.text) - (end - last.char_end) :],
        )
    return out


def _redact_segment(seg: Segment, spans: Sequence[PiiSpan]) -> Segment:
    text = seg.text
    for sp in sorted(spans, key=lambda s: s.char_start, reverse=True):
        text = text[: sp.char_start] + f"[{sp.type}]" + text[sp.char_end :]
    if not seg.words:
        return replace(seg, text=text)
    offsets = _word_offsets(seg)
    words: list[Word] = []
    done: set[int] = set()
    for w, (wa, wb) in zip(seg.words, offsets, strict=True):
        sp_i = next(
            (k for k, sp in enumerate(spans) if wb > sp.char_start and wa < sp.char_end), None
        )
        if sp_i is None:
            words.append(w)
        elif sp_i not in done:
            # One placeholder word over the entity's whole time, so the span stays locatable.
            done.add(sp_i)
            sp = spans[sp_i]
            words.append(Word(sp.start_s, sp.end_s, f"[{sp.type}]", w.probability))
    return replace(seg, text=text, words=tuple(words))


def redact_transcript(
    transcript: Transcript, types: Iterable[PiiType] = DEFAULT_TYPES
) -> Transcript:
    """A copy with each entity's text and words replaced by ``[TYPE]``; times unchanged."""
    spans = find_pii(transcript, types)
    by_segment: dict[int, list[PiiSpan]] = {}
    for sp in spans:
        by_segment.setdefault(sp.segment_index, []).append(sp)
    segments = tuple(
        _redact_segment(seg, by_segment[i]) if i in by_segment else seg
        for i, seg in enumerate(transcript.segments)
    )
    note = f"PII redacted: {len(spans)} span(s)" if spans else "PII redaction: nothing found"
    return replace(transcript, segments=segments, notes=(*transcript.notes, note))


BLEEP_HZ = 1000.0
BLEEP_LEVEL = 0.1  # -20 dBFS: audible, not painful
# Word times are good to ~0.1-0.3 s (measured); pad so the edges of a number are not heard.
PAD_S = 0.2


def mute_spans(
    samples: np.ndarray,
    sample_rate: int,
    spans: Iterable[PiiSpan | tuple[float, float]],
    mode: Literal["mute", "bleep"] = "mute",
    pad_s: float = PAD_S,
) -> np.ndarray:
    """A copy of ``samples`` (``[channels, n]`` or 1-D) with every span silenced or replaced by
    a tone on ALL channels (a caller's digits leak into the agent's channel as echo)."""
    if mode not in ("mute", "bleep"):
        raise ValueError(f"mode must be 'mute' or 'bleep', not {mode!r}")
    out = np.array(samples, dtype=np.float32, copy=True)
    n = out.shape[-1]
    for sp in spans:
        start, end = (sp.start_s, sp.end_s) if isinstance(sp, PiiSpan) else sp
        a = max(0, int((start - pad_s) * sample_rate))
        b = min(n, int(np.ceil((end + pad_s) * sample_rate)))
        if b <= a:
            continue
        if mode == "mute":
            out[..., a:b] = 0.0
        else:
            t = np.arange(a, b) / sample_rate
            out[..., a:b] = (BLEEP_LEVEL * np.sin(2 * np.pi * BLEEP_HZ * t)).astype(np.float32)
    return out


_PLACEHOLDER = re.compile(r"^\[(" + "|".join(PII_TYPES) + r")\]$")


def redacted_spans(transcript: Transcript) -> list[tuple[PiiType, float, float]]:
    """(type, start, end) of every placeholder a redacted transcript carries: where PII was
    spoken, found again without keeping the PII itself."""
    out: list[tuple[PiiType, float, float]] = []
    for seg in transcript.segments:
        for w in seg.words:
            m = _PLACEHOLDER.match(w.word.strip())
            if m:
                out.append((cast(PiiType, m.group(1)), w.start, w.end))
    return out


def parse_types(names: str) -> frozenset[PiiType]:
    """``"card,ssn,email"`` (any case) → the PII types; unknown names are an error."""
    wanted = {n.strip().upper() for n in names.split(",") if n.strip()}
    unknown = wanted - set(PII_TYPES)
    if unknown:
        raise ValueError(f"unknown PII types: {', '.join(sorted(unknown))}")
    return frozenset(cast(PiiType, n) for n in wanted)
