"""Times as people read them on a call's timeline."""

from __future__ import annotations


def clock(seconds: float | None) -> str:
    """m:ss (``""`` for no time): 75.4 -> "1:15"."""
    if seconds is None:
        return ""
    m, s = divmod(round(float(seconds)), 60)
    return f"{m}:{s:02d}"
