"""Rubric scoring: the rubric format and loader, criterion evaluators, aggregation and flagged
moments. Pure: plain data in, plain data out."""

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time each loads when first used
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

_EXPORTS = {
    "DEFAULT_REVIEW_THRESHOLD": "confidence",
    "Embedder": "embedding",
    "get_embedder": "embedding",
    "criterion_points": "engine",
    "evaluate": "engine",
    "exemplar_texts": "engine",
    "score_results": "engine",
    "LLMConfig": "llm",
    "find_moments": "moments",
    "Criterion": "rubric",
    "Rubric": "rubric",
    "Section": "rubric",
    "builtin_rubrics": "rubric",
    "default_rubric": "rubric",
    "load_rubric": "rubric",
    "resolve_rubric": "rubric",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

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
