"""The `llm` evaluator's protocol: one OpenAI-compatible chat completion per criterion, a JSON
verdict with quoted evidence, and the check that every quote is really in the transcript.

The endpoint comes in as plain data (:class:`LLMConfig`); this package never reads settings or
the environment. Any failure (no endpoint, timeouts after retries, an HTTP error, a reply that is
not the JSON asked for, a quote that is not in the transcript) is reported as
:class:`LLMRejected` with a reason, and the engine falls back to the criterion's rule evaluator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from core.timefmt import clock
from scoring.chat import LLMRejected, OpenAICompatibleChat
from scoring.rubric import Criterion, LLMEvaluator
from scoring.text import normalize
from scoring.timeline import Utterance

SYSTEM_PROMPT = (
    "You are a contact-center quality analyst. You judge one criterion of a QA rubric on one "
    "call transcript. Answer with one JSON object only, no prose around it."
)
_MIN_QUOTE_WORDS = 2


@dataclass(frozen=True)
class LLMConfig:
    """Where to send chat completions: ``base_url`` up to ``/v1`` (``…/chat/completions`` is
    appended), the model name, an optional bearer key. ``timeout_s``/``retries`` override the
    criterion's own values when set; ``backoff_s`` is the first retry's wait (doubling)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float | None = None
    retries: int | None = None
    backoff_s: float = 0.5
    json_mode: bool = True  # send response_format={"type": "json_object"}


@dataclass(frozen=True)
class Quote:
    text: str
    utt: Utterance
    ratio: float


@dataclass(frozen=True)
class LLMVerdict:
    verdict: str  # pass | fail | na
    confidence: float
    rationale: str
    quotes: tuple[Quote, ...]
    scale_value: float | None = None
    attempts: int = 1


# ------------------------------------------------------------------------------ prompt
def transcript_lines(utts: Sequence[Utterance]) -> str:
    return "\n".join(f"[{u.index}] {clock(u.start)} {u.speaker}: {u.text}" for u in utts)


def build_messages(
    crit: Criterion, ev: LLMEvaluator, utts: Sequence[Utterance]
) -> list[dict[str, str]]:
    verdicts = '"pass" or "fail"' + (' or "na" (not applicable)' if crit.na_allowed else "")
    lines = [
        f"Criterion: {crit.question.strip()}",
    ]
    if crit.guidance:
        lines.append(f"Guidance: {crit.guidance.strip()}")
    if crit.na_allowed and crit.na_when:
        lines.append(f"It is not applicable when: {crit.na_when.strip()}")
    if ev.instructions:
        lines.append(ev.instructions.strip())
    schema: dict[str, Any] = {
        "verdict": verdicts,
        "confidence": "a number from 0 to 1",
        "evidence": [{"turn": "the [number] of the turn", "quote": "words copied exactly"}],
        "rationale": "one sentence",
    }
    if crit.scale:
        levels = ", ".join(f"{lv.value:g} = {lv.label}" for lv in crit.scale)
        lines.append(f"Also rate it on this scale: {levels}.")
        schema["level"] = "one of " + ", ".join(f"{lv.value:g}" for lv in crit.scale)
    lines += [
        "Quote the transcript word for word: every quote must be copied exactly from the turn "
        "it cites, or the answer is discarded. A pass or fail needs at least one quote.",
        f"Answer as JSON: {json.dumps(schema)}",
        "",
        "Transcript ([turn] time speaker: text):",
        transcript_lines(utts),
    ]
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "\n".join(lines)},
    ]


if TYPE_CHECKING:
    import httpx


# ------------------------------------------------------------------------------ transport
def chat(
    config: LLMConfig,
    messages: list[dict[str, str]],
    *,
    timeout_s: float,
    retries: int,
    max_tokens: int,
    client: httpx.Client | None = None,
) -> tuple[str, int]:
    """POST one chat completion through the shared client (:class:`OpenAICompatibleChat`);
    return the message content and the attempts it took."""
    backend = OpenAICompatibleChat(
        config.base_url,
        config.model,
        api_key=config.api_key,
        timeout_s=timeout_s,
        retries=retries,
        backoff_s=config.backoff_s,
        json_mode=config.json_mode,
        client=client,
    )
    try:
        done = backend.completion(messages, json_schema=None, max_tokens=max_tokens)
    finally:
        backend.close()
    return done.text, done.attempts


# ------------------------------------------------------------------------------ checking
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def parse_json_object(content: str) -> dict[str, Any]:
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMRejected("the reply holds no JSON object")
    try:
        obj = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        raise LLMRejected("the reply's JSON does not parse") from None
    if not isinstance(obj, dict):
        raise LLMRejected("the reply's JSON is not an object")
    return obj


def quote_ratio(quote: str, utt_norm: str) -> float:
    """How well normalised ``quote`` matches its best same-length run of words in the turn
    (1.0 = verbatim). ASR text and LLM copying differ in case, punctuation and the odd word."""
    q = normalize(quote)
    if not q:
        return 0.0
    if q in utt_norm:
        return 1.0
    qw = q.split()
    uw = utt_norm.split()
    if not uw:
        return 0.0
    n = len(qw)
    best = 0.0
    for size in {max(1, n - 1), n, n + 1}:
        for i in range(max(1, len(uw) - size + 1)):
            cand = " ".join(uw[i : i + size])
            best = max(best, SequenceMatcher(None, q, cand, autojunk=False).ratio())
    return best


def find_quote(
    quote: str, utts: Sequence[Utterance], min_match: float, turn: int | None = None
) -> Quote | None:
    """The turn that holds ``quote`` (the cited one first, then any), or None."""
    if len(normalize(quote).split()) < _MIN_QUOTE_WORDS:
        # A one-word quote ("yes") proves nothing unless it is the whole turn.
        for u in utts:
            if (turn is None or u.index == turn) and u.norm and u.norm == normalize(quote):
                return Quote(quote, u, 1.0)
        return None
    ordered = sorted(utts, key=lambda u: (u.index != turn, u.index))
    best: Quote | None = None
    for u in ordered:
        r = quote_ratio(quote, u.norm)
        if r >= min_match and (best is None or r > best.ratio):
            best = Quote(quote, u, r)
            if r == 1.0:
                break
    return best


def _turn_of(item: dict[str, Any]) -> int | None:
    raw = item.get("turn")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        m = re.search(r"\d+", raw)
        return int(m.group(0)) if m else None
    return None


def check_verdict(
    obj: dict[str, Any], crit: Criterion, ev: LLMEvaluator, utts: Sequence[Utterance]
) -> LLMVerdict:
    """Validate the JSON verdict against the rubric and the transcript."""
    verdict = str(obj.get("verdict", "")).strip().lower()
    level: float | None = None
    if crit.scale and verdict != "na":
        raw = obj.get("level", obj.get("scale"))
        try:
            level = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise LLMRejected(f"no level on the scale (got {raw!r})") from None
        if level not in [lv.value for lv in crit.scale]:
            raise LLMRejected(f"level {level:g} is not on the criterion's scale")
        verdict = crit.level_verdict(level)
    if verdict not in ("pass", "fail", "na"):
        raise LLMRejected(f"verdict {verdict!r} is not pass, fail or na")
    if verdict == "na" and not crit.na_allowed:
        raise LLMRejected("answered N/A for a criterion that is always applicable")
    raw_conf = obj.get("confidence", 0.7)
    try:
        conf = float(raw_conf)
    except (TypeError, ValueError):
        conf = 0.7
    conf = min(max(conf, 0.5), ev.max_confidence)
    evidence = obj.get("evidence") or []
    if isinstance(evidence, (str, dict)):
        evidence = [evidence]
    if not isinstance(evidence, list):
        raise LLMRejected("evidence is not a list of quotes")
    quotes: list[Quote] = []
    for item in evidence:
        text = (
            item
            if isinstance(item, str)
            else (item.get("quote") if isinstance(item, dict) else None)
        )
        if not isinstance(text, str) or not text.strip():
            raise LLMRejected("an evidence item has no quote")
        turn = _turn_of(item) if isinstance(item, dict) else None
        found = find_quote(text, utts, ev.min_match, turn)
        if found is None:
            short = text if len(text) <= 60 else text[:57] + "..."
            raise LLMRejected(f'quoted evidence not found in the transcript: "{short}"')
        quotes.append(found)
    if verdict != "na" and not quotes:
        raise LLMRejected("a pass or fail verdict came without quoted evidence")
    rationale = str(obj.get("rationale") or "").strip().replace("\n", " ")
    return LLMVerdict(verdict, conf, rationale[:300], tuple(quotes), level)


def ask(
    config: LLMConfig,
    crit: Criterion,
    ev: LLMEvaluator,
    utts: Sequence[Utterance],
    *,
    client: httpx.Client | None = None,
) -> LLMVerdict:
    """One criterion, one request; raises :class:`LLMRejected` when the verdict is unusable."""
    if not utts:
        raise LLMRejected("no turns to judge in the criterion's window")
    content, attempts = chat(
        config,
        build_messages(crit, ev, utts),
        timeout_s=config.timeout_s or ev.timeout_s,
        retries=ev.retries if config.retries is None else config.retries,
        max_tokens=ev.max_tokens,
        client=client,
    )
    v = check_verdict(parse_json_object(content), crit, ev, utts)
    return LLMVerdict(v.verdict, v.confidence, v.rationale, v.quotes, v.scale_value, attempts)
