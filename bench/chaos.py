"""The chaos suite at length: N rounds of uploads and faults (API or worker killed -9, Redis and
PostgreSQL restarted) on a private PostgreSQL, a private Redis, the API and two workers; then
every call must end scored or failed with a reason, once. Prints the figures.

    .venv/bin/python -m bench.chaos [--rounds 30] [--calls 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.chaos import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--calls", type=int, default=2, help="uploads per round")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="callreview-chaos-") as work:
        r = run(Path(work), rounds=args.rounds, calls_per_round=args.calls, seed=args.seed)
    faults = ", ".join(f"{k} {v}" for k, v in sorted(r.faults.items()))
    print(f"rounds {r.rounds} ({r.seconds:.0f} s) · faults: {faults}")
    print(
        f"calls accepted {r.accepted} (upload retries {r.upload_retries}) · scored {r.scored}"
        f" · failed {r.failed} (without reason {r.failed_without_reason}) · stuck {r.stuck}"
        f" · lost {r.lost} · duplicated {r.duplicated} · settled in {r.settle_s:.0f} s"
    )
    for line in r.problems[:20]:
        print("   ", line[:2000])
    sys.exit(0 if r.ok else 1)


if __name__ == "__main__":
    main()
