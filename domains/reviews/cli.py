"""`callreview agreement`: AI-vs-human agreement per criterion and rubric version."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from domains.kit.services import services_from_environment


def agreement(
    rubric: Annotated[str | None, typer.Option(help="only this rubric name")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """AI-vs-human agreement per criterion and rubric version: accuracy, Cohen's kappa,
    confusion counts and the untrusted flag."""
    from domains.reviews.agreement import agreement_report
    from domains.reviews.policy import review_policy

    svc = services_from_environment()
    try:
        with svc.session_factory() as s:
            report = agreement_report(s, review_policy(), rubric=rubric)
    finally:
        svc.close()
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    if not report["rubrics"]:
        typer.echo("no verdict has been reviewed by a human yet")
        return
    for r in report["rubrics"]:
        typer.echo(f"{r['rubric']} v{r['version']} — {r['reviewed_calls']} reviewed calls")
        typer.echo(f"  {'criterion':<24}{'n':>5}{'accuracy':>10}{'kappa':>8}  flag")
        for c in r["criteria"]:
            kappa = "–" if c["kappa"] is None else f"{c['kappa']:.2f}"
            flag = "UNTRUSTED" if c["untrusted"] else ""
            typer.echo(
                f"  {c['id']:<24}{c['reviewed']:>5}{c['accuracy'] * 100:>9.0f}%{kappa:>8}  {flag}"
            )


def register(rubric_app: typer.Typer, app: typer.Typer) -> None:
    """Add this module's commands to the CLI (`rubric_app` is `callreview rubric …`)."""
    app.command("agreement")(agreement)
