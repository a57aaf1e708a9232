"""`callreview rubric …` beyond `validate`: import, list, show, backtest, calibrate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import CallReviewError
from domains.kit.cli import fail
from domains.kit.services import services_from_environment


def register(rubric_app: typer.Typer, app: typer.Typer) -> None:
    """Add this module's commands to `callreview rubric …` (and top-level ones to ``app``)."""
    rubric_app.command("import")(rubric_import)
    rubric_app.command("list")(rubric_list)
    rubric_app.command("show")(rubric_show)
    rubric_app.command("backtest")(rubric_backtest)
    rubric_app.command("calibrate")(rubric_calibrate)


def rubric_calibrate(
    rubric: Annotated[str, typer.Argument(help="Rubric name.")] = "contact-center-default",
) -> None:
    """Refit RUBRIC's confidence calibration with the AI verdicts reviewers overrode or
    confirmed (added to the shipped fit); print how the AI's confidence matched them."""
    from core.settings import get_settings
    from domains.kit.services import build_services
    from domains.reviews.confidence import human_labelled, refit
    from scoring.calibration import expected_calibration_error, reliability

    settings = get_settings()
    svc = build_services(settings, migrate=False)
    try:
        with svc.unit_of_work() as session:
            rows = human_labelled(session, rubric)
            merged, added = refit(session, settings.cache_dir, rubric)
    finally:
        svc.close()
    pairs = [(r.confidence, r.correct) for r in rows]
    typer.echo(f"{rubric}: {added} human-checked AI verdicts, {merged.size} in the fit")
    if pairs:
        right = sum(ok for _, ok in pairs)
        typer.echo(
            f"AI right on {right} of {len(pairs)}; ECE {expected_calibration_error(pairs):.3f}"
        )
        for b in reliability(pairs):
            typer.echo(
                f"  {b.low:.1f}-{b.high:.1f}: {b.n} verdicts, confidence {b.mean_confidence:.2f}, "
                f"right {b.accuracy:.2f}"
            )


def rubric_backtest(
    rubric: Annotated[str, typer.Argument(help="Rubric name or YAML path to test.")],
    labels: Annotated[Path, typer.Argument(help="YAML/JSON labels: items of path + expected.")],
    baseline: Annotated[
        str | None,
        typer.Option(
            help="Rubric to compare with (name or YAML path). Default: the built-in rubric of "
            "the same name, when the tested one differs from it."
        ),
    ] = None,
) -> None:
    """Re-score a labelled set with RUBRIC: per-criterion accuracy, precision/recall of
    `fail`, confusion counts, and what changed against the baseline. Stores nothing."""
    from core.runtime import limit_threads
    from core.settings import get_settings
    from domains.kit.services import build_services
    from domains.rubrics.backtest import backtest, format_report
    from domains.rubrics.service import load_call_rubric, rubric_fingerprint
    from scoring import builtin_rubrics, resolve_rubric

    limit_threads()
    try:
        cand = load_call_rubric(rubric)
        base = None
        if baseline is not None:
            base = load_call_rubric(baseline)
        elif cand.name in builtin_rubrics():
            builtin = resolve_rubric(cand.name)
            if rubric_fingerprint(builtin)[1] != rubric_fingerprint(cand)[1]:
                base = builtin
        svc = build_services(get_settings(), migrate=False)
        try:
            report = backtest(svc, cand, labels, baseline_rubric=base)
        finally:
            svc.close()
    except CallReviewError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(format_report(report))


def rubric_import(path: Path) -> None:
    """Store a rubric file as the next version of its name (nothing changes when the latest
    version has the same content). Errors name the field and line."""
    from domains.rubrics.admin import import_rubric

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"error: cannot read {path}: {exc}", 2) from exc
    svc = services_from_environment()
    try:
        with svc.unit_of_work() as s:
            imported = import_rubric(s, text, origin="cli", by=None, source=str(path))
    except CallReviewError as exc:
        raise fail(exc.message) from exc  # the message names the file, field and line
    finally:
        svc.close()
    what = "imported" if imported.created else "unchanged"
    typer.echo(f"{imported.name} version {imported.version} {what} ({imported.criteria} criteria)")


def rubric_list() -> None:
    """Every rubric name with its latest version."""
    from domains.rubrics.admin import list_rubrics

    svc = services_from_environment()
    try:
        with svc.unit_of_work() as s:  # the shipped rubrics are stored on first use
            items = list_rubrics(s)
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
    from domains.rubrics.admin import rubric_version

    svc = services_from_environment()
    try:
        with svc.session_factory() as s:
            shown = rubric_version(s, name, version)
    except CallReviewError as exc:
        raise fail(f"error: {exc.message}") from exc
    finally:
        svc.close()
    if as_json:
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
        return
    typer.echo(f"# {shown['name']} version {shown['version']} ({shown['calls_scored']} calls)")
    sys.stdout.write(shown["yaml"].rstrip("\n") + "\n")
