"""Rubric management commands beyond `validate` (import, list, show, backtest). Issue 5."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.errors import CallReviewError


def register(rubric_app: typer.Typer, app: typer.Typer) -> None:
    """Add this module's commands to `callreview rubric …` (and top-level ones to ``app``)."""
    rubric_app.command("backtest")(rubric_backtest)
    rubric_app.command("calibrate")(rubric_calibrate)


def rubric_calibrate(
    rubric: Annotated[str, typer.Argument(help="Rubric name.")] = "contact-center-default",
) -> None:
    """Refit RUBRIC's confidence calibration with the AI verdicts reviewers overrode or
    confirmed (added to the shipped fit); print how the AI's confidence matched them."""
    from core.settings import get_settings
    from pipeline.confidence import human_labelled, refit
    from pipeline.services import build_services
    from scoring.calibration import expected_calibration_error, reliability

    settings = get_settings()
    svc = build_services(settings, migrate=False)
    try:
        with svc.session_factory() as session:
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
    from pipeline.backtest import backtest, format_report
    from pipeline.rubrics import load_call_rubric, rubric_fingerprint
    from pipeline.services import build_services
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
