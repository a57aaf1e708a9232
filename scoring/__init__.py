"""Rubric scoring: the rubric format and loader, criterion evaluators, aggregation and flagged
moments. Pure: plain data in, plain data out."""

from scoring.confidence import DEFAULT_REVIEW_THRESHOLD
from scoring.embedding import Embedder, get_embedder
from scoring.engine import criterion_points, evaluate, exemplar_texts, score_results
from scoring.llm import LLMConfig
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
    "DEFAULT_REVIEW_THRESHOLD",
    "Criterion",
    "Embedder",
    "LLMConfig",
    "Rubric",
    "Section",
    "builtin_rubrics",
    "criterion_points",
    "default_rubric",
    "evaluate",
    "exemplar_texts",
    "find_moments",
    "get_embedder",
    "load_rubric",
    "resolve_rubric",
    "score_results",
]
