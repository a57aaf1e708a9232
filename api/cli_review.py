"""`callreview` commands for the review workflow (filled in by its issue)."""

from __future__ import annotations

import typer


def register(rubric_app: typer.Typer, app: typer.Typer) -> None:
    """Add this module's commands to the CLI (`rubric_app` is `callreview rubric …`)."""
