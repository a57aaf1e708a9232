"""Coaching: per-call feedback, per-agent drafts, session rules, goals, progress, impact and
training. Pure: plain data in and out; no database, no settings, no environment."""

from coaching.feedback import Feedback, Improvement, call_feedback

__all__ = ["Feedback", "Improvement", "call_feedback"]
