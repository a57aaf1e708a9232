"""YAML from outside is loaded within bounds: an alias bomb is refused before it expands."""

from __future__ import annotations

import time

import pytest

from coaching.training import parse_catalog
from core.errors import InvalidInput, RubricError
from core.yamlsafe import YamlTooLarge, expanded_size, safe_load
from scoring.rubric import parse_rubric

# Nine levels of nine aliases: 1.4 KB that stands for ~400 million nodes.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def test_an_alias_bomb_is_refused_quickly() -> None:
    assert len(BOMB) < 1500
    t0 = time.perf_counter()
    with pytest.raises(YamlTooLarge, match="expands to over"):
        safe_load(BOMB)
    assert time.perf_counter() - t0 < 5  # refused from the node graph, not by expanding it
    with pytest.raises(InvalidInput, match="training catalog refused"):
        parse_catalog("modules:\n" + "  - " + BOMB.replace("\n", "\n    "))
    with pytest.raises(RubricError, match="expands to over"):
        parse_rubric(BOMB)


def test_ordinary_aliases_and_size_limits() -> None:
    assert safe_load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
    assert expanded_size(None) == 0
    with pytest.raises(YamlTooLarge, match="over 1 KB"):
        safe_load("a: " + "x" * 2000, max_bytes=1000)
