"""Reviewing local files in this process: what `callreview review` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from core.errors import CallReviewError
from domains.calls.intake import submit_file
from domains.calls.service import get_call, reset_failed
from domains.kit.services import Services
from domains.reviews.service import load_review
from models.calls import CallStatus
from pipeline.steps import process_call


@dataclass
class ReviewOutcome:
    results: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def review_paths(
    svc: Services,
    files: list[Path],
    *,
    agent: str,
    rubric: str | None = None,
    on_done: Callable[[str], None] | None = None,
    on_step: Callable[[str, str], None] | None = None,
) -> ReviewOutcome:
    """Submit and process each file; a file reviewed before returns its stored review
    (a failed one is retried), so running twice never duplicates anything."""
    outcome = ReviewOutcome()
    for path in files:
        try:
            with svc.unit_of_work() as s:
                submitted = submit_file(svc, s, path, agent=agent, rubric=rubric)
                status = get_call(s, submitted.call_id).status
                if status == CallStatus.failed:
                    reset_failed(s, submitted.call_id)  # processed right here, below
        except CallReviewError as exc:
            outcome.rejected.append((str(path), exc.message))
            if on_done:
                on_done(path.name)
            continue
        if status not in (CallStatus.scored, CallStatus.not_scorable):
            process_call(
                svc, submitted.call_id, on_step=partial(on_step, path.name) if on_step else None
            )
        with svc.session_factory() as s:
            outcome.results.append(load_review(s, submitted.call_id))
        if on_done:
            on_done(path.name)
    return outcome
