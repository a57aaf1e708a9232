from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    svc = request.app.state.services
    with svc.session_factory() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
