"""Human verdicts feed the confidence calibration: every AI verdict a reviewer overrode or
confirmed is a labelled example of how often a verdict reached that way is right on *this*
deployment's calls. ``refit`` adds them to the shipped fit and stores the result, which the
score step then uses for that rubric (scoring/calibration.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.reviews import EvaluationRow
from models.rubrics import RubricRow
from scoring.calibration import Calibration, Labelled, builtin_calibration, fit


def path_for(cache_dir: Path, rubric: str) -> Path:
    return cache_dir / "calibration" / f"{rubric}.json"


def calibration_for(cache_dir: Path, rubric: str) -> Calibration | None:
    """The deployment's refitted calibration of ``rubric`` when there is one, else the shipped
    one (None for a rubric that has neither: the evaluators' own confidences)."""
    path = path_for(cache_dir, rubric)
    if path.is_file():
        return Calibration.from_json(path.read_text())
    return builtin_calibration(rubric)


def human_labelled(session: Session, rubric: str) -> list[Labelled]:
    """The AI's verdicts on calls a human judged, each marked right or wrong by the human's
    verdict on the same call and rubric version."""
    ai_rows = session.scalars(
        select(EvaluationRow)
        .join(RubricRow, EvaluationRow.rubric_id == RubricRow.id)
        .where(RubricRow.name == rubric, EvaluationRow.source == "ai")
        .options(selectinload(EvaluationRow.criteria))
    ).all()
    by_call: dict[tuple[uuid.UUID, uuid.UUID], EvaluationRow] = {}
    calls = {row.call_id for row in ai_rows}
    if calls:
        for human in session.scalars(
            select(EvaluationRow)
            .where(EvaluationRow.source == "human", EvaluationRow.call_id.in_(calls))
            .order_by(EvaluationRow.created_at)
            .options(selectinload(EvaluationRow.criteria))
        ):
            by_call[(human.call_id, human.rubric_id)] = human  # the latest wins
    out = []
    for ai in ai_rows:
        checked = by_call.get((ai.call_id, ai.rubric_id))
        if checked is None:
            continue
        said = {c.criterion_id: c.verdict for c in checked.criteria}
        for c in ai.criteria:
            if c.criterion_id in said:
                correct = c.verdict == said[c.criterion_id]
                out.append(Labelled(c.criterion_id, c.verdict, c.method, correct, c.confidence))
    return out


def refit(session: Session, cache_dir: Path, rubric: str) -> tuple[Calibration, int]:
    """The shipped fit plus this deployment's human verdicts, written where the score step
    reads it; returns it and how many human-checked verdicts it added. Reads only."""
    rows = human_labelled(session, rubric)
    own = fit(rows, rubric, source=f"{len(rows)} human-checked verdicts")
    shipped = builtin_calibration(rubric)
    merged = shipped.merged(own) if shipped is not None else own
    path = path_for(cache_dir, rubric)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(merged.to_json() + "\n")
    tmp.replace(path)
    return merged, len(rows)
