"""How many password guesses per minute one client gets against one account, with login
throttling off (limits so high they never trigger: what the service did before throttling) and
on (the defaults), side by side in one run. The real app through Starlette's TestClient on a
fresh SQLite file; each phase hammers ``POST /api/v1/auth/token`` with wrong passwords for
``--seconds``.

    .venv/bin/python -m bench.login_throttle --seconds 10
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from bench.common import machine_line
from core.settings import Settings
from domains.accounts.users import create_user

EMAIL = "target@bench.example"


def hammer(settings: Settings, seconds: float) -> dict[str, float]:
    app = create_app(settings)
    with TestClient(app) as client:
        with app.state.services.unit_of_work() as s:
            create_user(
                s, email=EMAIL, name="Target", role="agent", password="the real password is long"
            )
        counts = {200: 0, 401: 0, 429: 0}
        t0 = time.perf_counter()
        n = 0
        while (elapsed := time.perf_counter() - t0) < seconds:
            res = client.post(
                "/api/v1/auth/token", data={"username": EMAIL, "password": f"guess-{n:08d}"}
            )
            counts[res.status_code] = counts.get(res.status_code, 0) + 1
            n += 1
    minutes = elapsed / 60
    return {
        "requests": n,
        "checked": counts[401] + counts[200],  # guesses whose password was actually tried
        "refused": counts[429],
        "guesses_per_min": (counts[401] + counts[200]) / minutes,
        "requests_per_min": n / minutes,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    print(machine_line())
    rows = {}
    for label, limits in (
        (
            "throttling off",
            {"login_max_failures_per_account": 10**9, "login_max_failures_per_ip": 10**9},
        ),
        ("throttling on (defaults)", {}),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                database_url=f"sqlite:///{Path(tmp) / 'db'}",
                storage_dir=Path(tmp) / "storage",
                environment="test",
                seed_demo=False,
                secret_key=secrets.token_urlsafe(48),
                **limits,  # type: ignore[arg-type]
            )
            rows[label] = hammer(settings, args.seconds)
    print(f"{'phase':<26} {'requests':>9} {'checked':>8} {'429':>6} {'guesses/min':>12}")
    for label, r in rows.items():
        print(
            f"{label:<26} {r['requests']:>9.0f} {r['checked']:>8.0f} {r['refused']:>6.0f}"
            f" {r['guesses_per_min']:>12.1f}"
        )
    off, on = rows["throttling off"], rows["throttling on (defaults)"]
    print(f"ratio off/on: {off['guesses_per_min'] / max(on['guesses_per_min'], 1e-9):.0f}x")
    defaults = Settings()
    per_min = defaults.login_max_failures_per_account / (defaults.login_window_s / 60)
    print(
        f"sustained with throttling on: {defaults.login_max_failures_per_account} guesses per"
        f" {defaults.login_window_s} s per account = {per_min:.2f} guesses/min"
    )


if __name__ == "__main__":
    main()
