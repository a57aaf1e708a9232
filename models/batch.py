"""Batches of calls enqueued together (the nightly run, `callreview batch`). Filled in by issue 7."""

from __future__ import annotations
