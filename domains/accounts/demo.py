"""First-start demo data for `make run`: accounts for each role and the sample calls."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select

from core.passwords import hash_password
from domains.calls.intake import AUDIO_SUFFIXES, submit_file
from domains.kit.services import Services
from domains.kit.unit_of_work import enqueue_after_commit
from models.accounts import Role, User
from models.calls import Call

DEMO_PASSWORD = "callreview-demo"
DEMO_TEAM = "demo"
DEMO_USERS = (
    ("admin@example.com", "Ada Admin", Role.admin, None),
    ("qa@example.com", "Quinn Analyst", Role.qa_analyst, None),
    ("lead@example.com", "Lee Supervisor", Role.supervisor, DEMO_TEAM),
    ("agent@example.com", "demo-agent", Role.agent, DEMO_TEAM),
)


def seed_demo(svc: Services, samples_dir: Path) -> list[uuid.UUID]:
    """Only into an empty database, in one unit of work. Returns the ids of the sample calls
    (enqueued once it has committed)."""
    with svc.unit_of_work() as s:
        if s.scalar(select(func.count()).select_from(Call)) or s.scalar(
            select(func.count()).select_from(User)
        ):
            return []
        for email, name, role, team in DEMO_USERS:
            s.add(
                User(
                    email=email,
                    name=name,
                    role=role,
                    team=team,
                    password_hash=hash_password(DEMO_PASSWORD),
                )
            )
        s.flush()
        files = sorted(p for p in samples_dir.glob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
        call_ids = [submit_file(svc, s, path, agent="demo-agent").call_id for path in files]
        for call_id in call_ids:
            enqueue_after_commit(s, call_id)
        return call_ids
