"""Browser-facing protections as pure ASGI middleware: security headers (with a strict Content
Security Policy) on every response, and CSRF tokens on cookie-authenticated unsafe requests.

The CSRF token is per session: an HMAC of the session's token cookie under the secret key, so it
changes at every login and dies with the session. Pages carry it in ``<meta name="csrf-token">``
(the scripts send it as ``X-CSRF-Token``) and in a hidden ``csrf_token`` field of their forms.
Requests with a bearer token (API clients) need none: a browser never adds that header on its
own."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from core.errors import Unauthorized
from core.settings import Settings
from domains.auth.dependencies import TOKEN_COOKIE, decode_token
from domains.kit.templating import templates

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A page form is small; anything larger is not read for its token (and is refused).
_MAX_FORM_BYTES = 64 * 1024

# No inline script or style anywhere: the pages' scripts and styles are files under /static,
# and computed positions are set through the CSSOM (app.js), which the policy allows.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from their CDN with an inline starter
# script; they show no user data, so they get a policy that lets exactly that through.
_DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {_DOCS_CDN} https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
_DOCS_PATHS = ("/docs", "/redoc")
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(path: str, settings: Settings) -> list[tuple[str, str]]:
    headers = [
        ("content-security-policy", DOCS_CSP if path.startswith(_DOCS_PATHS) else CSP),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("permissions-policy", PERMISSIONS_POLICY),
        ("cross-origin-opener-policy", "same-origin"),
    ]
    if settings.environment == "production":
        headers.append(("strict-transport-security", HSTS))
    return headers


class SecurityHeaders:
    """Adds the headers above to every HTTP response (pages, API, static files, errors); a
    header a route set itself is left as it is."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""), self.settings)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(session_token: str | None, settings: Settings) -> str:
    """The CSRF token of the session whose token cookie is ``session_token`` ('' without one)."""
    if not session_token:
        return ""
    key = settings.secret_key.get_secret_value().encode()
    digest = hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_context(request: Request) -> dict[str, str]:
    """Jinja context processor: ``csrf_token`` for the page's meta tag and forms."""
    svc = getattr(request.app.state, "services", None)
    if svc is None:
        return {"csrf_token": ""}
    return {"csrf_token": csrf_token(request.cookies.get(TOKEN_COOKIE), svc.settings)}


templates.context_processors.append(csrf_context)  # every page's forms carry the token


def _cookie(scope: Scope, name: str) -> str | None:
    raw = Headers(scope=scope).get("cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _same_origin(headers: Headers) -> bool:
    """A browser's cross-site request says where it comes from; same-site ones may not."""
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    hosts = {headers.get("host", ""), headers.get("x-forwarded-host", "")}
    return urlsplit(origin).netloc in hosts


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]] | None:
    """The whole body (and the messages it came in), or None past ``limit`` bytes."""
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return body, messages
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return body, messages


def _replay(messages: Iterable[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class CsrfProtection:
    """Unsafe requests that a browser's session cookie authenticates must carry the session's
    CSRF token (header ``X-CSRF-Token``, or field ``csrf_token`` of a page's form) and must not
    come from another origin. Refused with 403 before the route runs."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _same_origin(headers):
            await self._refuse(scope, receive, send, "cross-origin request refused")
            return
        if headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)  # an API client: no ambient credentials
            return
        session = _cookie(scope, TOKEN_COOKIE)
        if not session:
            await self.app(scope, receive, send)  # not signed in: nothing to ride on
            return
        expected = csrf_token(session, self.settings)
        sent = headers.get(CSRF_HEADER)
        content_type = headers.get("content-type", "")
        if sent is None and content_type.startswith("application/x-www-form-urlencoded"):
            read = await _read_body(receive, _MAX_FORM_BYTES)
            if read is not None:
                body, messages = read
                receive = _replay(messages, receive)
                values = parse_qs(body.decode("latin-1")).get(CSRF_FIELD)
                sent = values[0] if values else None
        if sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
            await self._refuse(
                scope, receive, send, "missing or wrong CSRF token: reload the page and try again"
            )
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
        response = error_response(Request(scope), 403, message)
        await response(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its limit; FastAPI lets an HTTPException from
    body reading through, so the app's handler answers 413 (the guard does where it cannot)."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


# Unsafe API routes that need no token.
PUBLIC_WRITES = frozenset({"/api/v1/auth/token"})
# Webhook deliveries carry an HMAC signature of their body instead (checked by the route).
SIGNED_WRITES_PREFIX = "/api/v1/ingest/"
NOT_AUTHENTICATED = "not authenticated: send 'Authorization: Bearer <token>'"
_MULTIPART_OVERHEAD = 64 * 1024


class RequestGuard:
    """Before a request body is read: an unsafe API request must carry a valid, unexpired token
    (bearer or the session cookie; 401 otherwise) and declare no more than the upload limit
    (413). While it is read, its bytes are counted, so a chunked body without Content-Length
    stops at the limit too. Nothing is spooled to disk for a request that will be refused. The
    route still checks the user (revocation, activity, role) as before; page forms and the
    login endpoint get a small body limit instead of a token check."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.upload_limit = settings.max_upload_mb * (1 << 20) + _MULTIPART_OVERHEAD
        self.upload_message = f"upload exceeds the limit of {settings.max_upload_mb} MB"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = Headers(scope=scope)
        if (
            path.startswith("/api/")
            and path not in PUBLIC_WRITES
            and not path.startswith(SIGNED_WRITES_PREFIX)
        ):
            authorization = headers.get("authorization", "")
            scheme, _, bearer = authorization.partition(" ")
            token = bearer.strip() if scheme.lower() == "bearer" else ""
            token = token or _cookie(scope, TOKEN_COOKIE) or ""
            if not token:
                await _answer(scope, receive, send, 401, NOT_AUTHENTICATED)
                return
            try:
                decode_token(token, self.settings)
            except Unauthorized as exc:
                await _answer(scope, receive, send, 401, exc.message)
                return
            limit, message = self.upload_limit, self.upload_message
        else:
            limit, message = _MAX_FORM_BYTES, "request body too large"
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _answer(scope, receive, send, 400, "invalid Content-Length")
                return
            if int(declared) > limit:
                await _answer(scope, receive, send, 413, message)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge(message)
            return msg

        async def watched(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, watched)
        except _BodyTooLarge:
            if started:
                raise
            await _answer(scope, receive, send, 413, message)


async def _answer(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    response = error_response(Request(scope), status, message)
    if status == 413:
        response.headers["connection"] = "close"  # the rest of the body is not read
    await response(scope, receive, send)
