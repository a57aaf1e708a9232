"""domains.rubrics.backtest on a small hand-labelled set of text transcripts (data/backtest/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domains.rubrics.backtest import backtest, format_report
from scoring import builtin_rubrics, default_rubric, load_rubric

DATA = Path(__file__).parent / "data" / "backtest"
LABELS = DATA / "labels.yaml"


def _candidate(tmp_path: Path) -> Path:
    """The default rubric with "bye" accepted as a polite close, as version 2."""
    text = builtin_rubrics()["contact-center-default"].read_text()
    text = text.replace("version: 1", "version: 2", 1)
    text = text.replace(
        "            cue_sets: [closing]\n",
        "            cue_sets: [closing]\n            phrases: [bye]\n",
        1,
    )
    path = tmp_path / "candidate.yaml"
    path.write_text(text)
    load_rubric(path)
    return path


def test_backtest_counts(tmp_path: Path) -> None:
    report = backtest(None, _candidate(tmp_path), LABELS, baseline_rubric=default_rubric())
    by = {c.id: c for c in report.criteria}
    assert (report.total, report.correct, report.baseline_accuracy) == (18, 17, 17 / 18)
    greeting = by["greeting"]
    assert (greeting.accuracy, greeting.fail_precision, greeting.fail_recall) == (1.0, 1.0, 1.0)
    # "bye" fixes the quiet call's close and breaks the rude call's "Okay bye."
    closing = by["closing"]
    assert (closing.n, closing.correct, closing.fail_precision, closing.fail_recall) == (
        3,
        2,
        None,
        0.0,
    )
    assert dict(closing.confusion) == {("pass", "pass"): 2, ("fail", "pass"): 1}
    assert by["hold_etiquette"].n == 0 and by["hold_etiquette"].accuracy is None
    assert report.unknown_criteria == ["upsell"]
    assert [(c.item, c.criterion, c.baseline, c.candidate, c.effect) for c in report.changes] == [
        ("rude.txt", "closing", "fail", "pass", "broken"),
        ("quiet.txt", "closing", "fail", "pass", "fixed"),
    ]
    assert [(c.item, c.baseline_score, c.score) for c in report.calls] == [
        ("good.txt", 100.0, 100.0),
        ("rude.txt", 0.0, 0.0),
        ("quiet.txt", 84.6, 100.0),
    ]
    text = format_report(report)
    assert "overall: 17/18 verdicts right (94%); baseline 94%" in text
    assert "  quiet.txt  closing: fail -> pass (expected pass: fixed)" in text


def test_cli_backtest_prints_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import app

    # its own database, never a callreview.db left in the working directory
    monkeypatch.setenv("CALLREVIEW_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    args = ["rubric", "backtest", str(_candidate(tmp_path)), str(LABELS)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Backtest of contact-center-default v2 against contact-center-default v1\n"
    )
    assert "closing                3  67%       67%            -               0%" in result.output
