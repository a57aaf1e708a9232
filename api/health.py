from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get("/healthz", response_model=HealthOut)
def healthz(request: Request) -> dict[str, str]:
    svc = request.app.state.services
    with svc.session_factory() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
