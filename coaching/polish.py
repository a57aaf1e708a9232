"""Optional polish of a draft's wording by an OpenAI-compatible chat endpoint, and the check
that keeps it honest: every quote must exist in the agent's transcripts, every number must be
one the template stated, and harsh or belittling words are refused. Any failure keeps the
template (the reason says why)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

HARSH = re.compile(
    r"\b(lazy|stupid|idiot\w*|incompetent|useless|pathetic|careless|sloppy|terrible|awful|"
    r"horrible|unacceptable|disgrace\w*|hopeless|clueless|dumb|worthless|ridiculous|"
    r"embarrassing|shameful|rude|bad attitude|poor attitude|no excuse|should know better|"
    r"always fail\w*|never (listen|get|do)\w*|disappoint\w*)\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[\"“]([^\"”]{3,})[\"”]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)?%?")
SYSTEM_PROMPT = (
    "You edit coaching feedback for a contact-center agent. Keep every fact, number, date, "
    "time and quotation exactly as given; do not add new facts or quotes. Make it warm, "
    "specific and encouraging; never harsh. Reply with the edited text only."
)


@dataclass(frozen=True)
class PolishConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 20.0


@dataclass(frozen=True)
class Wording:
    text: str
    source: str  # template | llm
    rejected: str | None = None  # why the LLM's text was not used


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").lower()
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def check_polished(template: str, polished: str, transcripts: Iterable[str]) -> str | None:
    """Why ``polished`` may not replace ``template`` (None: it may)."""
    if not polished.strip():
        return "the polished text is empty"
    harsh = HARSH.search(polished)
    if harsh:
        return f"harsh or belittling wording: {harsh.group(0)!r}"
    corpus = " \n ".join(_norm(t) for t in transcripts)
    allowed_quotes = {_norm(q.removesuffix("...")) for q in _QUOTE.findall(template)}
    for q in _QUOTE.findall(polished):
        said = _norm(q.removesuffix("..."))
        if said in allowed_quotes:
            continue  # the template's own example phrasing or a transcript quote it used
        if said not in corpus:
            return f"the quote {q!r} is not in the agent's transcripts"
    stated = set(_NUMBER.findall(template))
    for n in _NUMBER.findall(polished):
        if n not in stated:
            return f"the number {n!r} is not in the data"
    return None


def polish(
    template: str,
    transcripts: Iterable[str],
    config: PolishConfig | None,
    *,
    client: httpx.Client | None = None,
) -> Wording:
    """The LLM's wording when it passes the check, else the template with the reason."""
    if config is None:
        return Wording(template, "template")
    try:
        polished = _ask(template, config, client)
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        return Wording(template, "template", f"the polish request failed: {exc}")
    problem = check_polished(template, polished, list(transcripts))
    if problem:
        return Wording(template, "template", problem)
    return Wording(polished.strip(), "llm")


def _ask(template: str, config: PolishConfig, client: httpx.Client | None) -> str:
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    body = {
        "model": config.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": template},
        ],
    }
    url = config.base_url.rstrip("/") + "/chat/completions"
    own = client is None
    http = client or httpx.Client(timeout=config.timeout_s)
    try:
        res = http.post(url, json=body, headers=headers)
        res.raise_for_status()
        return str(res.json()["choices"][0]["message"]["content"])
    finally:
        if own:
            http.close()
