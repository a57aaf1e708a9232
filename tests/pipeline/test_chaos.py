"""The chaos suite, a few rounds: the API and workers killed at random points, Redis and
PostgreSQL restarted, uploads the whole time; every accepted call ends scored or failed with a
reason, exactly once. (bench/chaos.py runs many more rounds and records the figures.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.support.chaos import PG_BIN, run

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_chaos_rounds_lose_nothing_and_duplicate_nothing(tmp_path: Path) -> None:
    for tool in ("redis-server", "runuser"):
        if shutil.which(tool) is None:
            skip_or_fail(f"{tool} is not installed")
    if not (PG_BIN / "initdb").is_file():
        skip_or_fail("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    report = run(tmp_path, rounds=5, calls_per_round=2, seed=11)
    assert report.accepted == 10
    assert (report.lost, report.stuck, report.duplicated) == (0, 0, 0), report.problems
    assert report.failed_without_reason == 0, report.problems
    assert report.scored == 10, report.problems
