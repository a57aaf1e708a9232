"""Rubric management commands beyond `validate` (import, list, show, backtest). Issue 5."""

from __future__ import annotations

import typer


def register(rubric_app: typer.Typer, app: typer.Typer) -> None:
    """Add this module's commands to `callreview rubric …` (and top-level ones to ``app``)."""
