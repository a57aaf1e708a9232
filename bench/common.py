"""Shared plumbing of the benchmarks: where audio goes, how the CLI is run, how results map back."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GENERATED = REPO / "bench" / "_generated"  # git-ignored
RENDER_CACHE = GENERATED / "cache"


def cli_command(override: str | None = None) -> list[str]:
    """The `callreview` console script of this venv, else the module (before installation)."""
    if override:
        return override.split()
    script = Path(sys.executable).with_name("callreview")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "api.cli"]


def bench_env(workdir: Path) -> dict[str, str]:
    """A fresh database and storage per run: `review` returns a stored review for a file it has
    seen before, which would time a lookup and score yesterday's code."""
    env = dict(os.environ)
    env.update(
        {
            "CALLREVIEW_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "CALLREVIEW_STORAGE_DIR": str(workdir / "storage"),
            "CALLREVIEW_SEED_DEMO": "false",
            # Idle OpenMP threads must not spin on a shared 2-core machine (MEASURED.md).
            "OMP_WAIT_POLICY": "PASSIVE",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        }
    )
    return env


@dataclass
class ReviewRun:
    results: list[dict[str, Any]]
    wall_s: float
    returncode: int
    stderr: str


class BenchError(RuntimeError):
    pass


def run_review(
    inputs: Sequence[Path], *, cli: list[str], extra_args: Sequence[str] = ()
) -> ReviewRun:
    """Run `callreview review INPUTS --format json` on a fresh database; time the whole process."""
    with tempfile.TemporaryDirectory(prefix="callreview-bench-") as tmp:
        cmd = [*cli, "review", *map(str, inputs), "--format", "json", *extra_args]
        started = time.perf_counter()
        proc = subprocess.run(
            cmd, cwd=REPO, env=bench_env(Path(tmp)), capture_output=True, text=True
        )
        wall = time.perf_counter() - started
    try:
        results = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise BenchError(
            f"`{' '.join(cmd)}` exited {proc.returncode} without a JSON array on stdout:\n"
            f"{proc.stderr[-3000:]}"
        ) from exc
    if not isinstance(results, list):
        raise BenchError(f"expected a JSON array on stdout, got {type(results).__name__}")
    # `review` exits 1 when a call failed but still prints the others: report, don't abort.
    return ReviewRun(results, wall, proc.returncode, proc.stderr)


def match_results(
    results: list[dict[str, Any]], files: Sequence[Path]
) -> dict[Path, dict[str, Any]]:
    """Pair each reviewed file with its result: by the result's `filename`, else by position
    (a folder is reviewed in name order)."""
    by_name = {Path(str(r.get("filename") or "")).name: r for r in results}
    if all(f.name in by_name for f in files):
        return {f: by_name[f.name] for f in files}
    if len(results) == len(files):
        return dict(zip(sorted(files), results, strict=True))
    raise BenchError(f"{len(results)} results for {len(files)} files and no file names to match")


def link_into(src: Path, dst: Path) -> Path:
    """Put a cached render into a run folder without copying the bytes when possible."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    return dst


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def machine_line() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.node()} · {os.cpu_count()} CPUs {model} · Python {platform.python_version()}"
        f" · load average {load}"
    )


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)
