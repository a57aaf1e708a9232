"""`callreview review --format table` on narrow terminals: wrapped, never truncated."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from domains.reviews.table import print_reviews

RATIONALE = (
    "The agent asked for the date of birth and the last four digits of the card before "
    "reading the account balance back to the caller."
)


def _review() -> dict:
    criteria = [
        {
            "id": cid,
            "critical": cid == "identity_verification",
            "verdict": verdict,
            "confidence": 0.87,
            "points": points,
            "max_points": 10,
            "evidence": [{"start": 12.0, "end": 19.5}, {"start": 61.2, "end": 64.0}],
            "rationale": RATIONALE,
        }
        for cid, verdict, points in (
            ("identity_verification", "pass", 10),
            ("empathy_and_tone", "fail", 0),
            ("hold_etiquette", "na", 0),
        )
    ]
    return {
        "call_id": "c1",
        "filename": "call.wav",
        "agent": "Priya",
        "status": "scored",
        "audio": {"duration_s": 182.0},
        "evaluation": {
            "score": 66.7,
            "auto_failed": False,
            "rubric": "contact-center-default",
            "rubric_version": 1,
            "criteria": criteria,
        },
        "moments": [],
        "feedback": {},
    }


@pytest.mark.parametrize("width", [80, 100, 160])
def test_every_verdict_and_the_whole_rationale_show_at_any_width(width: int):
    out = io.StringIO()
    print_reviews([_review()], Console(file=out, width=width, color_system=None))
    text = out.getvalue()
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    verdicts = re.findall(
        r"\b(?:identity_verification \*|empathy_and_tone|hold_etiquette)"
        r"[\s│]+(pass|fail|na)\b",
        text,
    )
    assert verdicts == ["pass", "fail", "na"]
    # every word of each rationale is there, whole (wrapping moves words, never cuts them)
    tokens = re.findall(r"[\w.]+", text)
    for word in re.findall(r"[\w.]+", RATIONALE):
        assert tokens.count(word) >= 3, word
