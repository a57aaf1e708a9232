"""Which transcript lines may be quoted to an agent as an example of good work.

A verdict's evidence is the line the evaluator leaned on, not necessarily a line worth praising:
a closing can pass on a curt, dismissive line and identity on a bare greeting with a name.
Praise quotes only a line that is a real sentence of the agent's, not dismissive, exasperated or
sarcastic (the scorer's own cue sets), and not the evidence of anything that failed on the same
call.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.cues import default_book
from scoring.text import normalize

# Shorter than this, a line is a greeting or a filler, not an example of a skill.
MIN_WORDS = 4

# Cue sets of the scorer that mark a line as dismissive, exasperated or sarcastic.
UNFIT_FOR_PRAISE = ("dissatisfaction", "sarcasm", "frustration")


def praise_worthy(
    text: str, *, failed_spans: Iterable[tuple[float, float]] = (), at: float = -1.0
) -> bool:
    """True when ``text`` (said by the agent at ``at`` seconds) may be quoted as a strength:
    at least MIN_WORDS words, nothing dismissive in it, and not inside the evidence span of a
    criterion that failed on the same call (``failed_spans``)."""
    norm = normalize(text)
    if len(norm.split()) < MIN_WORDS:
        return False
    if default_book().any(UNFIT_FOR_PRAISE, norm, negatable=False):
        return False
    return not any(start - 0.05 <= at <= end + 0.05 for start, end in failed_spans)
