"""Text normalisation, clause splitting and negation scope for rule matching.

Regexes in ``scoring.cues`` and in rubric files are matched against :func:`normalize`'s output:
lower case, apostrophes dropped ("can't" -> "cant", "I'm" -> "im"), hyphens and punctuation turned
into single spaces, ``*`` kept (Whisper writes masked swear words as ``f***``). Numbers are left as
spoken or written; patterns spell both forms (``(4|four)``).
"""

from __future__ import annotations

import re
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_DROP_APOS = re.compile(r"'")
_NON_WORD = re.compile(r"[^a-z0-9*\s]+")
_SPACES = re.compile(r"\s+")

# Sentence ends, then contrastive conjunctions that start a new clause.
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\s+-\s+|\u2026\s*")
_CLAUSE_SPLIT = re.compile(
    r",?\s+(?=(?:but|however|although|though|except|unfortunately|otherwise)\b)", re.IGNORECASE
)
_LONG_CLAUSE_WORDS = 28

NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "cant",
        "cannot",
        "wont",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "shouldnt",
        "couldnt",
        "wouldnt",
        "unable",
        "nothing",
        "nobody",
        "neither",
        "nor",
        "without",
    }
)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    t = text.translate(_APOSTROPHES).lower()
    t = _DROP_APOS.sub("", t)
    t = t.replace("-", " ")
    t = _NON_WORD.sub(" ", t)
    return _SPACES.sub(" ", t).strip()


def split_clauses(text: str) -> list[str]:
    """Split a turn into sentences, and sentences at "but"/"however"/...; very long run-ons
    (ASR output often lacks punctuation) are cut at commas."""
    out: list[str] = []
    for sentence in _SENTENCE_SPLIT.split(text.strip()):
        for clause in _CLAUSE_SPLIT.split(sentence):
            clause = clause.strip(" ,")
            if not clause:
                continue
            if len(clause.split()) > _LONG_CLAUSE_WORDS and "," in clause:
                out.extend(p.strip() for p in clause.split(",") if p.strip())
            else:
                out.append(clause)
    return out


# "no" that negates nothing: "oh no", "no problem", "no worries", "no no".
_HARMLESS_NO = re.compile(r"\b(oh no|no (problem|problems|worries|worry|rush|doubt|no|bother)\b)")


def _negating_words(norm: str) -> list[str]:
    return _HARMLESS_NO.sub(" ", norm).split()


def is_negated(norm: str, start: int, *, window: int = 3) -> bool:
    """Whether one of the ``window`` words before character ``start`` of ``norm`` negates it.
    A comma-free ASR run-on is why this looks at words, not at syntax."""
    before = _negating_words(norm[:start])[-window:]
    return any(w in NEGATORS for w in before)


def has_negator(norm: str) -> bool:
    return any(w in NEGATORS for w in _negating_words(norm))


def word_count(text: str) -> int:
    return len(normalize(text).split())


_QUESTION_START = re.compile(
    r"^(and |so |okay |ok |alright |um |uh |now |also |then )*"
    r"(what|which|who|whom|whose|when|where|why|how|can|could|would|will|do|does|did|is|are|"
    r"was|were|may|shall|should|have|has)\b"
)


_ASKING = re.compile(
    r"\b(would you like|do you want|would you prefer|do you need|can i get|may i)\b"
)


def is_question(clause: str) -> bool:
    """A clause that asks rather than tells: a question mark, or (ASR text often has no
    punctuation) an opening wh-word or inverted auxiliary, or "would you like"."""
    if clause.rstrip().endswith("?"):
        return True
    norm = normalize(clause)
    return bool(_QUESTION_START.match(norm) or _ASKING.search(norm))
