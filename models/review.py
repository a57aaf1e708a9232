"""Review workflow tables: disputes, calibration sessions (issue 5)."""

from __future__ import annotations
