"""One error shape per audience: JSON ``{"detail": …}`` for the API, a page for people.
A page that needs a login sends the browser to it instead."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from domains.kit.templating import templates

_NOT_PAGES = ("/api/", "/static/", "/docs", "/redoc", "/openapi.json", "/healthz")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(_NOT_PAGES)


class RejectNulInQuery:
    """PostgreSQL text cannot hold NUL characters; a query string with one is refused up front
    (422) instead of reaching the database as a 500. Found by the schemathesis fuzzing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%00" in scope.get("query_string", b""):
            response = error_response(
                Request(scope), 422, "NUL characters are not allowed in query parameters"
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if not is_page(request):
        extra = dict(headers or {})
        if status == 401:
            extra["WWW-Authenticate"] = "Bearer"
        return JSONResponse({"detail": message}, status_code=status, headers=extra or None)
    if status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None},
        status_code=status,
        headers=dict(headers or {}) or None,
    )
