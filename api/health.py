"""Liveness (`/healthz`) and the site icon."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import text

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico on every page (and a 404 fills the logs)."""
    return RedirectResponse("/static/favicon.svg", status_code=308)


@router.get("/healthz", response_model=HealthOut)
def healthz(request: Request) -> dict[str, str]:
    svc = request.app.state.services
    with svc.session_factory() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
