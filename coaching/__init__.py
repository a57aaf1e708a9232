"""Coaching: per-call feedback, per-agent drafts, session rules, goals, progress, impact and
training. Pure: plain data in and out; no database, no settings, no environment."""

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time each loads when first used
    from coaching.feedback import Feedback, Improvement, call_feedback

_EXPORTS = {
    "Feedback": "feedback",
    "Improvement": "feedback",
    "call_feedback": "feedback",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["Feedback", "Improvement", "call_feedback"]
