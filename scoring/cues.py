"""Cue sets as rubric data: named sets of regular expressions over :func:`scoring.text.normalize`
output, kept in versioned YAML (``scoring/rubrics/cues/<library>.yaml``, merged into each rubric
so that the rubric's fingerprint covers every pattern), and the ASR confusions that are undone
before matching ("native birth" is how tiny.en hears "date of birth").

A :class:`CueBook` is one rubric's cue sets compiled once, with its confusions; evaluators,
moments and sentiment all match through it, so a rule lives in one place.

Patterns run on the ``regex`` engine with a time limit per search: a rubric imported by QA is
data from outside, and one pathological pattern must not stall a worker (a 27-character line
once froze the API for 8 s). Import rejects a pattern that is slow on hostile text
(:func:`check_pattern`); a search that still runs out of time counts as no match and is logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import regex
import yaml

from core.errors import RubricError
from scoring.text import is_negated

DEFAULT_LIBRARY = "contact-center"


def library_path(name: str) -> Path:
    return Path(str(resources.files("scoring") / "rubrics" / "cues" / f"{name}.yaml"))


def library_names() -> list[str]:
    folder = resources.files("scoring") / "rubrics" / "cues"
    return sorted(e.name.rsplit(".", 1)[0] for e in folder.iterdir() if e.name.endswith(".yaml"))


@cache
def load_library(name: str) -> dict[str, Any]:
    """A built-in cue library: ``{"cues": {set: [pattern, ...]}, "asr_confusions": [...]}``."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name) or name not in library_names():
        known = ", ".join(library_names())
        raise RubricError(f"cue_library: unknown cue library {name!r} (built in: {known})")
    data = yaml.safe_load(library_path(name).read_text(encoding="utf-8")) or {}
    return {
        "cues": {k: list(v) for k, v in (data.get("cues") or {}).items()},
        "asr_confusions": list(data.get("asr_confusions") or []),
    }


log = logging.getLogger(__name__)

# A compiled cue (a ``regex`` pattern; the module ships no type information).
Pattern = Any
MATCH_TIMEOUT_S = 0.05  # per search of one turn; normal cues take microseconds
# A search over its budget is run once more with this one before it counts as no match: the
# clock also runs while another thread holds the interpreter or the machine is busy, and a
# missed cue is a wrong verdict. A pattern that is really slow costs at most this per turn.
MATCH_RETRY_TIMEOUT_S = 0.5
# The import check's budget per hostile text, and a second, longer one before refusing: the
# clock runs while a busy machine's thread waits for a core, and a catastrophic pattern takes
# far longer than either (exponential in the text's length).
CHECK_TIMEOUT_S = 0.2
RECHECK_TIMEOUT_S = 2.0
# Text a catastrophic pattern chokes on: long runs of one word, of letters, of digits.
_HOSTILE = ("word " * 400, "a" * 3000 + "!", "1" * 3000 + "x", "a " * 1500 + "!")


def compile_pattern(pattern: str) -> Pattern:
    return regex.compile(pattern, regex.VERSION0)


def compile_set(patterns: Iterable[str]) -> tuple[Pattern, ...]:
    return tuple(compile_pattern(p) for p in patterns)


def phrase_pattern(text: str) -> Pattern:
    """Words matched as a phrase (whitespace between them), at word boundaries."""
    return compile_pattern(r"\b" + r"\s+".join(regex.escape(w) for w in text.split()) + r"\b")


def check_pattern(pattern: str) -> None:
    """Raise ValueError for a pattern that does not compile, or that backtracks for too long on
    hostile text (catastrophic backtracking)."""
    try:
        compiled = compile_pattern(pattern)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    for text in _HOSTILE:
        if not (_runs_within(compiled, text, CHECK_TIMEOUT_S)
                or _runs_within(compiled, text, RECHECK_TIMEOUT_S)):  # fmt: skip
            raise ValueError(
                f"regular expression {pattern!r} is too slow on long text (catastrophic "
                "backtracking): simplify its nested repetitions"
            )


def _runs_within(compiled: Pattern, text: str, seconds: float) -> bool:
    try:
        for _ in compiled.finditer(text, timeout=seconds):
            pass
    except TimeoutError:
        return False
    return True


class CueBook:
    """Compiled cue sets and confusion rewrites of one rubric (or of a library)."""

    def __init__(
        self, sets: Mapping[str, Sequence[str]], confusions: Sequence[tuple[str, str]] = ()
    ) -> None:
        self._sources = {k: tuple(v) for k, v in sets.items()}
        self._compiled: dict[str, tuple[Pattern, ...]] = {}
        # Longest first, so "bare with me" is rewritten before a shorter overlapping phrase.
        self._confusions = tuple(
            (phrase_pattern(h), m) for h, m in sorted(confusions, key=lambda c: -len(c[0]))
        )

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._sources)

    def __call__(self, name: str) -> tuple[Pattern, ...]:
        """The compiled patterns of one set; KeyError for an unknown name."""
        got = self._compiled.get(name)
        if got is None:
            got = self._compiled[name] = compile_set(self._sources[name])
        return got

    def sets(self, names: Iterable[str]) -> tuple[Pattern, ...]:
        return tuple(p for n in names for p in self(n))

    def heard_as_meant(self, norm: str) -> str:
        """``norm`` with the known ASR confusions undone."""
        for pattern, meant in self._confusions:
            norm = pattern.sub(meant, norm)
        return norm

    def search(self, patterns: Iterable[Pattern], norm: str, *, negatable: bool = True) -> Any:
        """The first match of ``patterns`` in ``norm`` (confusions undone) that is not negated
        when ``negatable``; None when there is none."""
        text = self.heard_as_meant(norm)
        for p in patterns:
            for budget in (MATCH_TIMEOUT_S, MATCH_RETRY_TIMEOUT_S):
                try:
                    found = _first_match(p, text, negatable, budget)
                except TimeoutError:
                    continue
                if found is not None:
                    return found
                break
            else:
                log.warning("cue %r ran out of time on a %d-character turn", p.pattern, len(text))
        return None

    def any(self, names: Iterable[str], norm: str, *, negatable: bool = True) -> bool:
        return self.search(self.sets(names), norm, negatable=negatable) is not None


def _first_match(pattern: Pattern, text: str, negatable: bool, seconds: float) -> Any:
    for m in pattern.finditer(text, timeout=seconds):
        if negatable and is_negated(text, m.start()):
            continue
        return m
    return None


@lru_cache(maxsize=32)
def book_for(
    sets: tuple[tuple[str, tuple[str, ...]], ...], confusions: tuple[tuple[str, str], ...]
) -> CueBook:
    return CueBook(dict(sets), confusions)


@cache
def default_book() -> CueBook:
    """The built-in library alone, for callers that have no rubric at hand."""
    lib = load_library(DEFAULT_LIBRARY)
    return CueBook(lib["cues"], [(c["heard"], c["meant"]) for c in lib["asr_confusions"]])
