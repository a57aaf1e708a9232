"""One error shape per audience: JSON ``{"detail": …}`` for the API, a page for people.
A page that needs a login sends the browser to it instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    request: Request,
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    field: str | None = None,
) -> Response:
    if not is_page(request):
        extra = dict(headers or {})
        if status == 401:
            extra["WWW-Authenticate"] = "Bearer"
        body = {"detail": message, **({"field": field} if field else {})}
        return JSONResponse(body, status_code=status, headers=extra or None)
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


# How a person names an item of a list in a request ("goals", 4 -> "Goal 5").
ITEM_NAMES = {
    "goals": "Goal",
    "tasks": "Task",
    "training": "Training",
    "action_plan": "Action",
    "focus": "Focus area",
    "strengths": "Strength",
    "recognition": "Recognition line",
    "evidence": "Clip",
}


def worded_location(loc: Sequence[object]) -> str:
    """A validation error's location in words: ("body", "goals", 4, "target") -> "Goal 5,
    target" (counting from 1, as the form shows them)."""
    parts = [x for x in loc if x not in ("body", "query", "path", "form")]
    words: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, int):
            continue
        after = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(after, int):
            words.append(f"{ITEM_NAMES.get(str(part), str(part).replace('_', ' '))} {after + 1}")
        else:
            words.append(str(part))  # a parameter's own name, as the client sent it
    return ", ".join(words) or "request"
