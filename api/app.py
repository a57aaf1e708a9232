"""The FastAPI application: built by ``create_app()``; engines and workers start in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.errors import CallReviewError
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"


def seed_demo(app: FastAPI) -> int:
    """First start only: an agent and the sample calls, queued for review."""
    from sqlalchemy import func, select

    from models.orm import Call
    from pipeline.intake import AUDIO_SUFFIXES, submit_file

    svc = app.state.services
    with svc.session_factory() as s:
        if s.scalar(select(func.count()).select_from(Call)):
            return 0
    files = sorted(p for p in SAMPLES_DIR.glob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    n = 0
    for path in files:
        submitted = submit_file(svc, path, agent="demo-agent")
        app.state.runner.enqueue(submitted.call_id)
        n += 1
    return n


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from pipeline.embedded import EmbeddedRunner
        from pipeline.services import build_services

        svc = build_services(settings)
        app.state.services = svc
        app.state.runner = EmbeddedRunner(svc, workers=settings.workers)
        resumed = app.state.runner.resume()
        if resumed:
            log.info("resumed %d pending calls", resumed)
        if settings.seed_demo:
            seeded = seed_demo(app)
            if seeded:
                log.info("seeded %d demo calls", seeded)
        try:
            yield
        finally:
            app.state.runner.shutdown()
            svc.close()

    app = FastAPI(
        title="callreview",
        version="0.1.0",
        description="AI-assisted call review for contact centers.",
        lifespan=lifespan,
    )

    @app.exception_handler(CallReviewError)
    async def _callreview_error(_: Request, exc: CallReviewError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
            parts.append(f"{where}: {err.get('msg')}")
        return JSONResponse({"detail": "; ".join(parts) or "invalid request"}, status_code=422)

    from api.routes import calls, health

    app.include_router(health.router)
    app.include_router(calls.router, prefix="/api/v1")
    return app
