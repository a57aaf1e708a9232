"""Cue sets as rubric data: named sets of regular expressions over :func:`scoring.text.normalize`
output, kept in versioned YAML (``scoring/rubrics/cues/<library>.yaml``, merged into each rubric
so that the rubric's fingerprint covers every pattern), and the ASR confusions that are undone
before matching ("native birth" is how tiny.en hears "date of birth").

A :class:`CueBook` is one rubric's cue sets compiled once, with its confusions; evaluators,
moments and sentiment all match through it, so a rule lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

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


def compile_set(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _phrase(text: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in text.split()) + r"\b")


class CueBook:
    """Compiled cue sets and confusion rewrites of one rubric (or of a library)."""

    def __init__(
        self, sets: Mapping[str, Sequence[str]], confusions: Sequence[tuple[str, str]] = ()
    ) -> None:
        self._sources = {k: tuple(v) for k, v in sets.items()}
        self._compiled: dict[str, tuple[re.Pattern[str], ...]] = {}
        # Longest first, so "bare with me" is rewritten before a shorter overlapping phrase.
        self._confusions = tuple(
            (_phrase(h), m) for h, m in sorted(confusions, key=lambda c: -len(c[0]))
        )

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._sources)

    def __call__(self, name: str) -> tuple[re.Pattern[str], ...]:
        """The compiled patterns of one set; KeyError for an unknown name."""
        got = self._compiled.get(name)
        if got is None:
            got = self._compiled[name] = compile_set(self._sources[name])
        return got

    def sets(self, names: Iterable[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(p for n in names for p in self(n))

    def heard_as_meant(self, norm: str) -> str:
        """``norm`` with the known ASR confusions undone."""
        for pattern, meant in self._confusions:
            norm = pattern.sub(meant, norm)
        return norm

    def search(
        self, patterns: Iterable[re.Pattern[str]], norm: str, *, negatable: bool = True
    ) -> re.Match[str] | None:
        """The first match of ``patterns`` in ``norm`` (confusions undone) that is not negated
        when ``negatable``."""
        text = self.heard_as_meant(norm)
        for p in patterns:
            for m in p.finditer(text):
                if negatable and is_negated(text, m.start()):
                    continue
                return m
        return None

    def any(self, names: Iterable[str], norm: str, *, negatable: bool = True) -> bool:
        return self.search(self.sets(names), norm, negatable=negatable) is not None


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
