"""Backtest a rubric before publishing it: re-score a labelled set of calls and compare the
verdicts with what humans said (and with the baseline rubric, usually the current version).

The labels file (YAML or JSON) lists items; paths are relative to the labels file::

    items:
      - path: calls/001.txt          # a transcript file, or audio (transcribed here)
        expected: {greeting: pass, identity_verification: fail, empathy: na}
      - path: calls/002.wav
        expected: {greeting: fail}

Nothing is stored: transcripts are read (or transcribed) and scored in this process.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import InvalidInput
from core.yamlsafe import YamlTooLarge, safe_load
from domains.rubrics.service import load_call_rubric
from scoring import Rubric, evaluate, get_embedder
from scoring.types import VERDICTS, Evaluation
from transcription import is_transcript_file, load_transcript_file, transcribe_file
from transcription.types import Transcript

FAIL = "fail"


@dataclass(frozen=True)
class LabelledItem:
    path: Path
    expected: dict[str, str]


@dataclass
class CriterionStats:
    id: str
    n: int = 0  # labelled verdicts for this criterion in the set
    correct: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, got)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    @property
    def fail_precision(self) -> float | None:
        """Of the AI's fails, the share that humans also failed."""
        said = sum(v for (e, g), v in self.confusion.items() if g == FAIL)
        right = self.confusion[(FAIL, FAIL)]
        return right / said if said else None

    @property
    def fail_recall(self) -> float | None:
        """Of the humans' fails, the share the AI caught."""
        real = sum(v for (e, g), v in self.confusion.items() if e == FAIL)
        right = self.confusion[(FAIL, FAIL)]
        return right / real if real else None


@dataclass(frozen=True)
class Change:
    item: str
    criterion: str
    expected: str | None
    baseline: str
    candidate: str

    @property
    def effect(self) -> str:
        if self.expected is None:
            return "changed"
        if self.candidate == self.expected:
            return "fixed"
        if self.baseline == self.expected:
            return "broken"
        return "changed"


@dataclass(frozen=True)
class CallOutcome:
    item: str
    score: float
    auto_failed: bool
    verdicts: dict[str, str]
    baseline_score: float | None = None
    baseline_verdicts: dict[str, str] | None = None


@dataclass
class BacktestReport:
    rubric: str
    rubric_version: int
    baseline: str | None
    baseline_version: int | None
    criteria: list[CriterionStats]
    calls: list[CallOutcome]
    baseline_criteria: list[CriterionStats] | None = None
    changes: list[Change] = field(default_factory=list)
    unknown_criteria: list[str] = field(default_factory=list)  # labelled, not in the rubric

    @property
    def total(self) -> int:
        return sum(c.n for c in self.criteria)

    @property
    def correct(self) -> int:
        return sum(c.correct for c in self.criteria)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    @property
    def baseline_accuracy(self) -> float | None:
        if self.baseline_criteria is None:
            return None
        n = sum(c.n for c in self.baseline_criteria)
        return sum(c.correct for c in self.baseline_criteria) / n if n else None


# ------------------------------------------------------------------------------ labels
def load_labels(path: str | Path) -> list[LabelledItem]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read labels file {p}: {exc.strerror}") from None
    try:
        doc: Any = json.loads(text) if p.suffix == ".json" else safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError, YamlTooLarge) as exc:
        raise InvalidInput(f"{p}: not valid YAML/JSON: {exc}") from None
    raw = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{p}: expected a non-empty list under 'items'")
    items: list[LabelledItem] = []
    for i, entry in enumerate(raw):
        where = f"{p}: items[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise InvalidInput(f"{where}: needs 'path' (a transcript or audio file)")
        expected = entry.get("expected")
        if not isinstance(expected, dict) or not expected:
            raise InvalidInput(f"{where}: needs 'expected' (criterion id -> pass|fail|na)")
        clean: dict[str, str] = {}
        for cid, verdict in expected.items():
            v = str(verdict).strip().lower()
            if v not in VERDICTS:
                raise InvalidInput(f"{where}.expected.{cid}: {verdict!r} is not pass, fail or na")
            clean[str(cid)] = v
        item_path = Path(entry["path"])
        if not item_path.is_absolute():
            item_path = p.parent / item_path
        if not item_path.is_file():
            raise InvalidInput(f"{where}: no such file {item_path}")
        items.append(LabelledItem(item_path, clean))
    return items


# ------------------------------------------------------------------------------ scoring
def _transcript(svc: Any, path: Path) -> Transcript:
    if is_transcript_file(path):
        return load_transcript_file(path)
    if svc is None:
        raise InvalidInput(f"{path.name} is audio: backtesting audio needs the services")
    return transcribe_file(path, svc.transcription_options)


def _stats(
    rubric: Rubric, items: list[LabelledItem], evals: list[Evaluation]
) -> list[CriterionStats]:
    stats = {c.id: CriterionStats(c.id) for _, c in rubric.criteria}
    for item, ev in zip(items, evals, strict=True):
        got = {c.id: c.verdict for c in ev.criteria}
        for cid, want in item.expected.items():
            if cid not in stats:
                continue
            st = stats[cid]
            st.n += 1
            st.correct += int(got[cid] == want)
            st.confusion[(want, got[cid])] += 1
    return list(stats.values())


def _resolve(rubric: Rubric | str | Path) -> Rubric:
    return rubric if isinstance(rubric, Rubric) else load_call_rubric(str(rubric))


def backtest(
    svc: Any,
    rubric: Rubric | str | Path,
    labels_path: str | Path,
    *,
    baseline_rubric: Rubric | str | Path | None = None,
) -> BacktestReport:
    """Score every labelled item with ``rubric`` (and ``baseline_rubric``) and compare.
    ``svc`` (pipeline Services) supplies the embedding model and, for audio items, the
    transcription options; it may be None for a set of transcript files."""
    cand = _resolve(rubric)
    base = _resolve(baseline_rubric) if baseline_rubric is not None else None
    items = load_labels(labels_path)
    embedder = (
        get_embedder(
            svc.settings.embedding_model, svc.settings.embedding_backend, svc.settings.models_dir
        )
        if svc is not None
        else get_embedder()
    )
    transcripts = [_transcript(svc, it.path) for it in items]
    evals = [evaluate(t, cand, embedder=embedder, review_threshold=None) for t in transcripts]
    base_evals = (
        [evaluate(t, base, embedder=embedder, review_threshold=None) for t in transcripts]
        if base is not None
        else None
    )
    known = {c.id for _, c in cand.criteria}
    report = BacktestReport(
        rubric=cand.name,
        rubric_version=cand.version,
        baseline=base.name if base else None,
        baseline_version=base.version if base else None,
        criteria=_stats(cand, items, evals),
        calls=[],
        baseline_criteria=_stats(base, items, base_evals) if base and base_evals else None,
        unknown_criteria=sorted({cid for it in items for cid in it.expected} - known),
    )
    for i, (item, ev) in enumerate(zip(items, evals, strict=True)):
        name = item.path.name
        verdicts: dict[str, str] = {c.id: c.verdict for c in ev.criteria}
        bev = base_evals[i] if base_evals is not None else None
        bverdicts: dict[str, str] | None = (
            {c.id: c.verdict for c in bev.criteria} if bev is not None else None
        )
        report.calls.append(
            CallOutcome(
                name,
                ev.score,
                ev.auto_failed,
                verdicts,
                bev.score if bev is not None else None,
                bverdicts,
            )
        )
        if bverdicts is None:
            continue
        for cid in sorted(set(verdicts) | set(bverdicts)):
            old, new = bverdicts.get(cid, "-"), verdicts.get(cid, "-")
            if old != new:
                report.changes.append(Change(name, cid, item.expected.get(cid), old, new))
    return report


# ------------------------------------------------------------------------------ printing
def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def format_report(report: BacktestReport) -> str:
    head = f"Backtest of {report.rubric} v{report.rubric_version}"
    if report.baseline:
        head += f" against {report.baseline} v{report.baseline_version}"
    lines = [head, ""]
    base = {c.id: c for c in report.baseline_criteria or []}
    cols = ["criterion", "n", "accuracy", "fail precision", "fail recall", "confusion (exp>got)"]
    if base:
        cols.insert(3, "baseline acc.")
    rows: list[list[str]] = []
    for c in report.criteria:
        conf = " ".join(f"{e}>{g}:{n}" for (e, g), n in sorted(c.confusion.items()))
        row = [c.id, str(c.n), _pct(c.accuracy), _pct(c.fail_precision), _pct(c.fail_recall)]
        if base:
            row.insert(3, _pct(base[c.id].accuracy) if c.id in base else "-")
        rows.append([*row, conf or "-"])
    widths = [max(len(r[i]) for r in [cols, *rows]) for i in range(len(cols))]
    lines.append("  ".join(h.ljust(w) for h, w in zip(cols, widths, strict=True)))
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    overall = f"overall: {report.correct}/{report.total} verdicts right ({_pct(report.accuracy)})"
    if report.baseline_accuracy is not None:
        overall += f"; baseline {_pct(report.baseline_accuracy)}"
    lines += ["", overall]
    if report.unknown_criteria:
        lines.append("labelled but not in the rubric: " + ", ".join(report.unknown_criteria))
    if report.baseline:
        lines += ["", f"Changed verdicts against the baseline ({len(report.changes)}):"]
        for ch in report.changes:
            exp = ch.expected or "unlabelled"
            lines.append(
                f"  {ch.item}  {ch.criterion}: {ch.baseline} -> {ch.candidate} "
                f"(expected {exp}: {ch.effect})"
            )
        moved = [c for c in report.calls if c.baseline_score != c.score]
        if moved:
            lines.append("Score changes:")
            for call in moved:
                lines.append(f"  {call.item}: {call.baseline_score} -> {call.score}")
    return "\n".join(lines)
