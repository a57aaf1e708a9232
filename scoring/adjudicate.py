"""Adjudication (ARCHITECTURE.md, "How a verdict is reached", stage 2): where the evidence is
unsure, a model answers one focused yes/no question on a short excerpt of the call.

Back ends (:mod:`scoring.chat`) are built by the caller and passed in: an in-process llama.cpp
model (:class:`LlamaCppChat`) or any OpenAI-compatible server (:class:`OpenAICompatibleChat`:
vLLM, llama.cpp server, Ollama — the same client). This module is pure: no settings, no
environment, no database. Questions and their guidance are data the caller passes (the rubric
owns criterion texts).

The reply is constrained by a JSON schema and checked: the answer is yes / no (or na when the
question allows it), every quote must be found in the excerpt (``find_quote``), and a yes or no
needs at least one verified quote. Anything else raises :class:`LLMRejected`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from scoring.chat import (
    ChatBackend,
    Completion,
    CompletionBackend,
    LlamaCppChat,
    LLMRejected,
    OpenAICompatibleChat,
    load_llama_cpp,
)
from scoring.llm import Quote, find_quote, parse_json_object
from scoring.timeline import Utterance

AnswerValue = Literal["yes", "no", "na"]

BASE_SYSTEM_PROMPT = (
    "You review contact-center calls for quality assurance. You answer one yes/no question "
    "about a short excerpt of a call transcript, using only what the excerpt says. You back "
    "your answer with quotes copied word for word from the excerpt. Reply with one JSON object."
)
# One worked "no" (small models answer yes to almost anything without it; bench/RESULTS.md).
EXAMPLE_NO = """

Example. Excerpt:
[0] agent: good morning, you're through to billing
[1] customer: hi, i want to pay my electricity bill
[2] agent: okay, that payment has been made
Question: Did the agent ask the caller for their account number?
Reply: {"rationale": "No turn of the agent asks for an account number; the agent goes \
straight to the payment.", "evidence": [{"turn": 2, "quote": "that payment has been made"}], \
"answer": "no", "confidence": 0.9}"""
DEFAULT_SYSTEM_PROMPT = BASE_SYSTEM_PROMPT + EXAMPLE_NO
# The order of the JSON fields is the order the model writes them (the schema's grammar keeps
# it): evidence or rationale first makes the model read before it answers. Measured in
# bench/adjudicate_bench.py (bench/RESULTS.md): with the packaged 1.5B model, answer-first was
# right 2/16 times (all "yes"), evidence-first 5/16, question first + rationale first 5/16,
# and that plus the worked example above (the default) 7/16.
ANSWER_FIRST = ("answer", "confidence", "evidence", "rationale")
EVIDENCE_FIRST = ("evidence", "rationale", "answer", "confidence")
RATIONALE_FIRST = ("rationale", "evidence", "answer", "confidence")
DEFAULT_MIN_MATCH = 0.85


@dataclass(frozen=True)
class Question:
    criterion_id: str
    question: str  # one focused yes/no question in plain language
    utterances: tuple[Utterance, ...]  # a short excerpt (typically 4-14 turns)
    guidance: str = ""  # what counts / what does not, from the rubric
    allow_na: bool = False  # may answer "na" (the situation did not occur)


@dataclass(frozen=True)
class Answer:
    answer: AnswerValue
    confidence: float  # the model's own, 0..1 (calibrated later)
    quotes: tuple[Quote, ...]  # each verified to exist in the excerpt
    rationale: str
    backend: str  # "llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m", "openai:<model>"
    seconds: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1
    # llama.cpp's own split of the time, when the back end reports it (ms).
    prompt_ms: float | None = None
    predicted_ms: float | None = None


class Adjudicator(Protocol):
    name: str

    def ask(self, q: Question) -> Answer: ...  # raises LLMRejected when unusable


# ------------------------------------------------------------------------------ prompt
def excerpt_lines(utts: Sequence[Utterance]) -> str:
    return "\n".join(f"[{u.index}] {u.speaker}: {u.text.strip()}" for u in utts)


def answer_schema(
    *,
    allow_na: bool,
    order: Sequence[str] = ANSWER_FIRST,
    max_quotes: int = 2,
    max_chars: int = 200,
) -> dict[str, Any]:
    """The JSON schema of a reply (its property order is the order the model writes)."""
    props: dict[str, Any] = {
        "answer": {"type": "string", "enum": ["yes", "no", "na"] if allow_na else ["yes", "no"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "turn": {"type": "integer"},
                    "quote": {"type": "string", "maxLength": max_chars},
                },
                "required": ["turn", "quote"],
                "additionalProperties": False,
            },
            "minItems": 0 if allow_na else 1,
            "maxItems": max_quotes,
        },
        "rationale": {"type": "string", "maxLength": max_chars},
    }
    if sorted(order) != sorted(props):
        raise ValueError(f"order must name each of {sorted(props)} once")
    return {
        "type": "object",
        "properties": {k: props[k] for k in order},
        "required": list(order),
        "additionalProperties": False,
    }


def build_messages(
    q: Question,
    *,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
    order: Sequence[str] = ANSWER_FIRST,
    question_first: bool = False,
) -> list[dict[str, str]]:
    """System prompt, then the excerpt (first, so questions on one excerpt share a cached
    prefix), the question, its guidance and the reply's shape; ``question_first`` puts the
    question and its guidance before the excerpt instead."""
    answers = '"yes" or "no"'
    if q.allow_na:
        answers += ', or "na" if what the question is about did not happen in the excerpt'
    fields = {
        "answer": '"yes" | "no"' + (' | "na"' if q.allow_na else ""),
        "confidence": "0.0-1.0",
        "evidence": '[{"turn": <number>, "quote": "<words copied exactly from that turn>"}]',
        "rationale": '"<one short sentence>"',
    }
    shape = "{" + ", ".join(f'"{k}": {fields[k]}' for k in order) + "}"
    excerpt = ["Call excerpt ([turn] speaker: text):", excerpt_lines(q.utterances)]
    ask = [f"Question: {q.question.strip()}"]
    if q.guidance.strip():
        ask.append(f"Guidance: {q.guidance.strip()}")
    ask += [
        f"Answer {answers}.",
        "Evidence: the turn number and a quote copied word for word from that turn"
        + ("." if q.allow_na else "; a yes or a no needs at least one quote."),
        f"Reply as JSON: {shape}",
    ]
    lines = [*ask, "", *excerpt] if question_first else [*excerpt, "", *ask]
    return [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": "\n".join(lines)},
    ]


# ------------------------------------------------------------------------------ checking
_LABEL = re.compile(r"^\s*(?:\[\d+\]\s*)?(?:[a-z]+\s*:\s*)?", re.IGNORECASE)


def _strip_label(quote: str, utts: Sequence[Utterance]) -> str:
    """Drop a copied ``[3] customer:`` line prefix: small models quote the line as shown."""
    m = _LABEL.match(quote)
    if not m or not m.group(0).strip():
        return quote
    label = m.group(0).strip().split("]")[-1].strip().rstrip(":").strip().lower()
    if label and label not in {u.speaker.lower() for u in utts}:
        return quote.lstrip().split("]", 1)[-1] if quote.lstrip().startswith("[") else quote
    return quote[m.end() :]


def _turn(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("[").rstrip("]").isdigit():
        return int(raw.strip().lstrip("[").rstrip("]"))
    return None


def check_answer(
    obj: Mapping[str, Any], q: Question, *, min_match: float = DEFAULT_MIN_MATCH
) -> tuple[AnswerValue, float, tuple[Quote, ...], str]:
    """Validate a parsed reply against the question and its excerpt."""
    raw = str(obj.get("answer", "")).strip().lower()
    if raw not in ("yes", "no", "na"):
        raise LLMRejected(f"answer {raw!r} is not yes, no or na")
    if raw == "na" and not q.allow_na:
        raise LLMRejected("answered na to a question that must be answered yes or no")
    answer: AnswerValue = "yes" if raw == "yes" else "no" if raw == "no" else "na"
    try:
        conf = float(obj.get("confidence", 0.5))
    except (TypeError, ValueError):
        conf = 0.5
    conf = min(max(conf, 0.0), 1.0)
    evidence = obj.get("evidence") or []
    if isinstance(evidence, Mapping):
        evidence = [evidence]
    if not isinstance(evidence, list):
        raise LLMRejected("evidence is not a list of quotes")
    quotes: list[Quote] = []
    for item in evidence:
        if not isinstance(item, Mapping):
            raise LLMRejected("an evidence item is not an object with a turn and a quote")
        text = item.get("quote")
        if not isinstance(text, str) or not text.strip():
            continue  # an empty quote cites nothing; a yes/no without any is rejected below
        text = _strip_label(text, q.utterances)
        found = find_quote(text, q.utterances, min_match, _turn(item.get("turn")))
        if found is None:
            short = text if len(text) <= 60 else text[:57] + "..."
            raise LLMRejected(f'quoted evidence not found in the excerpt: "{short}"')
        if all((found.utt.index, found.text) != (x.utt.index, x.text) for x in quotes):
            quotes.append(found)
    if answer != "na" and not quotes:
        raise LLMRejected(f'a "{answer}" answer came without quoted evidence')
    rationale = " ".join(str(obj.get("rationale") or "").split())
    return answer, conf, tuple(quotes), rationale[:300]


# ------------------------------------------------------------------------------ adjudicator
class ModelAdjudicator:
    """Asks a chat back end; one request per question, JSON-schema constrained."""

    def __init__(
        self,
        backend: ChatBackend,
        *,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        order: Sequence[str] = RATIONALE_FIRST,
        question_first: bool = True,
        max_tokens: int = 200,
        min_match: float = DEFAULT_MIN_MATCH,
    ) -> None:
        answer_schema(allow_na=False, order=order)  # validate the order now, not per question
        self.backend = backend
        self.name = backend.name
        self.system_prompt = system_prompt
        self.order = tuple(order)
        self.question_first = question_first
        self.max_tokens = max_tokens
        self.min_match = min_match

    def ask(self, q: Question) -> Answer:
        if not q.utterances:
            raise LLMRejected("no turns in the excerpt")
        messages = build_messages(
            q,
            system_prompt=self.system_prompt,
            order=self.order,
            question_first=self.question_first,
        )
        schema = answer_schema(allow_na=q.allow_na, order=self.order)
        t0 = time.perf_counter()
        if isinstance(self.backend, CompletionBackend):
            done = self.backend.completion(messages, json_schema=schema, max_tokens=self.max_tokens)
        else:
            text = self.backend.complete(messages, json_schema=schema, max_tokens=self.max_tokens)
            done = Completion(text)
        answer, conf, quotes, rationale = check_answer(
            parse_json_object(done.text), q, min_match=self.min_match
        )
        return Answer(
            answer=answer,
            confidence=conf,
            quotes=quotes,
            rationale=rationale,
            backend=self.backend.name,
            seconds=time.perf_counter() - t0,
            prompt_tokens=done.prompt_tokens,
            completion_tokens=done.completion_tokens,
            attempts=done.attempts,
            prompt_ms=done.prompt_ms,
            predicted_ms=done.predicted_ms,
        )


__all__ = [
    "ANSWER_FIRST",
    "BASE_SYSTEM_PROMPT",
    "DEFAULT_SYSTEM_PROMPT",
    "EVIDENCE_FIRST",
    "RATIONALE_FIRST",
    "Adjudicator",
    "Answer",
    "ChatBackend",
    "LLMRejected",
    "LlamaCppChat",
    "ModelAdjudicator",
    "OpenAICompatibleChat",
    "Question",
    "build_messages",
    "load_llama_cpp",
]
