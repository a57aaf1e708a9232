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
        if settings.seed_demo and settings.environment == "development":
            from pipeline.demo import seed_demo

            for call_id in seed_demo(svc, SAMPLES_DIR):
                app.state.runner.enqueue(call_id)
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
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
            parts.append(f"{where}: {err.get('msg')}")
        return JSONResponse({"detail": "; ".join(parts) or "invalid request"}, status_code=422)

    from api.routes import auth, calls, health

    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1")
    app.include_router(calls.router, prefix="/api/v1")
    return app
