"""`callreview` commands for the review workflow: rubric versions (`rubric import|list|show`)
and AI-vs-human agreement (`agreement`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from core.errors import CallReviewError


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _services() -> Any:
    from api.cli import _services as build

    return build()


def rubric_import(path: Path) -> None:
    """Store a rubric file as the next version of its name (nothing changes when the latest
    version has the same content). Errors name the field and line."""
    from pipeline.rubric_admin import import_rubric

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"error: cannot read {path}: {exc}", 2) from exc
    svc = _services()
    try:
        with svc.session_factory() as s:
            imported = import_rubric(s, text, origin="cli", by=None, source=str(path))
            s.commit()
    except CallReviewError as exc:
        raise _fail(exc.message) from exc  # the message names the file, field and line
    finally:
        svc.close()
    what = "imported" if imported.created else "unchanged"
    typer.echo(f"{imported.name} version {imported.version} {what} ({imported.criteria} criteria)")


def rubric_list() -> None:
    """Every rubric name with its latest version."""
    from pipeline.rubric_admin import list_rubrics

    svc = _services()
    try:
        with svc.session_factory() as s:
            items = list_rubrics(s)
            s.commit()
    finally:
        svc.close()
    for r in items:
        typer.echo(f"{r['name']}\tv{r['latest_version']}\t{r['versions']} version(s)\t{r['title']}")


def rubric_show(
    name: str,
    version: Annotated[int | None, typer.Option(help="default: the latest")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the parsed form as JSON")] = False,
) -> None:
    """Print one version of a rubric as it was imported (YAML), or its parsed form."""
    from pipeline.rubric_admin import rubric_version

    svc = _services()
    try:
        with svc.session_factory() as s:
            shown = rubric_version(s, name, version)
    except CallReviewError as exc:
        raise _fail(f"error: {exc.message}") from exc
    finally:
        svc.close()
    if as_json:
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
        return
    typer.echo(f"# {shown['name']} version {shown['version']} ({shown['calls_scored']} calls)")
    sys.stdout.write(shown["yaml"].rstrip("\n") + "\n")


def agreement(
    rubric: Annotated[str | None, typer.Option(help="only this rubric name")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """AI-vs-human agreement per criterion and rubric version: accuracy, Cohen's kappa,
    confusion counts and the untrusted flag."""
    from pipeline.agreement import agreement_report
    from pipeline.review_policy import review_policy

    svc = _services()
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
    rubric_app.command("import")(rubric_import)
    rubric_app.command("list")(rubric_list)
    rubric_app.command("show")(rubric_show)
    app.command("agreement")(agreement)
