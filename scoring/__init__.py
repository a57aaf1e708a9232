"""Rubric scoring: the rubric format and loader, criterion evaluators, aggregation and flagged
moments. Pure: plain data in, plain data out."""

from scoring.embedding import Embedder, get_embedder
from scoring.engine import evaluate
from scoring.moments import find_moments
from scoring.rubric import (
    Criterion,
    Rubric,
    Section,
    builtin_rubrics,
    default_rubric,
    load_rubric,
    resolve_rubric,
)

__all__ = [
    "Criterion",
    "Embedder",
    "Rubric",
    "Section",
    "builtin_rubrics",
    "default_rubric",
    "evaluate",
    "find_moments",
    "get_embedder",
    "load_rubric",
    "resolve_rubric",
]
