"""What every domain's commands share."""

from __future__ import annotations

import typer


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr; the command exits with ``code`` when this is raised."""
    typer.echo(message, err=True)
    return typer.Exit(code)
