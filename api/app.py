"""The FastAPI application: built by ``create_app()``; engines and workers start in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import import_module
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.compression import CompressText
from api.errors import RejectNulInQuery, error_response, worded_location
from api.security import CsrfProtection, RequestGuard, SecurityHeaders
from api.timeouts import RequestTimeout
from core.errors import CallReviewError, TooManyRequests
from core.settings import Settings, get_settings
from domains.kit.schemas import API_ERRORS

log = logging.getLogger(__name__)
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.ensure_servable()  # outside development: a strong secret, no demo accounts

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from domains.kit.services import build_services
        from pipeline.dispatch import make_dispatcher

        svc = build_services(settings)
        app.state.services = svc
        app.state.runner = make_dispatcher(svc)  # embedded pool, or Celery when a broker is set
        resumed = app.state.runner.resume()
        if resumed:
            log.info("resumed %d pending calls", resumed)
        if settings.demo_enabled:
            from domains.accounts.demo import seed_demo

            seed_demo(svc, SAMPLES_DIR)  # its calls are enqueued once seeded
        try:
            yield
        finally:
            svc.attach_dispatcher(None)
            app.state.runner.shutdown()
            svc.close()

    app = FastAPI(
        title="callreview",
        version="0.1.0",
        description="AI-assisted call review for contact centers.",
        lifespan=lifespan,
    )

    @app.exception_handler(CallReviewError)
    async def _callreview_error(request: Request, exc: CallReviewError) -> Response:
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return error_response(request, exc.status_code, exc.message, headers, field=exc.field)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        log.warning("database pool exhausted: %s", exc)
        return error_response(
            request, 503, "the service is busy; retry in a few seconds", {"Retry-After": "5"}
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        parts = [f"{worded_location(err.get('loc', ()))}: {err.get('msg')}" for err in errors]
        first = (
            [str(x) for x in errors[0].get("loc", ()) if x not in ("body", "query")]
            if errors
            else []
        )
        return error_response(
            request, 422, "; ".join(parts) or "invalid request", field=".".join(first) or None
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), exc.headers)

    app.add_middleware(RejectNulInQuery)
    app.add_middleware(CsrfProtection, settings=settings)
    app.add_middleware(RequestGuard, settings=settings)  # token and size before any body
    app.add_middleware(
        RequestTimeout,
        total_s=settings.request_timeout_s,
        idle_s=settings.request_idle_timeout_s,
    )
    # Outside the timeout, so compressing an answer never counts as the handler's time; inside
    # the security headers, which go on every response, compressed or not.
    app.add_middleware(CompressText)
    app.add_middleware(SecurityHeaders, settings=settings)  # outermost: on every response
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_domains(app)
    return app


# Every domain's routers: its REST routes under /api/v1 (errors documented on each), its pages
# at the site root.
API_ROUTERS = (
    "domains.auth.routes",
    "domains.calls.routes",
    "domains.calls.waveform",
    "domains.accounts.routes",
    "domains.audit.routes",
    "domains.analytics.routes",
    "domains.batches.routes",
    "domains.rubrics.routes",
    "domains.reviews.routes",
    "domains.coaching.routes",
    "domains.notifications.routes",
    "domains.assignments.routes",
    "domains.ingestion.routes",
)
PAGE_ROUTERS = (
    "domains.auth.pages",
    "domains.calls.pages",
    "domains.analytics.pages",
    "domains.reviews.pages",
    "domains.accounts.pages",
    "domains.coaching.pages",
    "domains.notifications.pages",
    "domains.assignments.pages",
    "domains.ingestion.pages",
)


def _include_domains(app: FastAPI) -> None:
    from api import health

    app.include_router(health.router, responses=API_ERRORS)
    for name in API_ROUTERS:
        app.include_router(import_module(name).router, prefix="/api/v1", responses=API_ERRORS)
    for name in PAGE_ROUTERS:
        app.include_router(import_module(name).router)
