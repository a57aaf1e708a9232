"""Coaching sessions, goals, tasks, training. Filled in by issue 8."""

from __future__ import annotations
