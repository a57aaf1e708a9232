"""Operations commands (`callreview worker`, `callreview batch`). Filled in by issue 7."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main CLI."""
