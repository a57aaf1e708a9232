"""Coaching: per-call feedback (and, elsewhere, per-agent drafts). Pure: plain data in and out."""

from coaching.feedback import Feedback, Improvement, call_feedback

__all__ = ["Feedback", "Improvement", "call_feedback"]
