"""gzip for the text the app sends (pages, JSON, CSS, JS), as a thin layer over Starlette's
GZipMiddleware, which by itself compresses every content type it does not know to exclude.

Only the types below are compressed. Recordings, clips, attachments and exports go out as
they are: a recording answers Range requests (206 + Content-Range of the stored bytes), and
anything sent as a download keeps its stored bytes and length.

BREACH (a secret in a compressed page beside text an attacker chose) does not apply to the
pages: the session cookie is SameSite=Strict, so a page another site makes the browser load is
unauthenticated and carries no CSRF token or user data.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEXT_TYPES = frozenset(
    {
        "text/html",
        "application/json",
        "text/css",
        "text/javascript",
        "application/javascript",
    }
)
# Below about a packet, compressing saves no round trip and costs a header and CPU.
MINIMUM_SIZE = 1024
# zlib's default. The 557 KiB review page of a 60-minute call: 30.2 KiB in 4 ms here, against
# 29.9 KiB in 5 ms at 9 (Starlette's default) and 37.9 KiB in 2 ms at 1.
COMPRESS_LEVEL = 6


def compressible(start: Message) -> bool:
    """Whether the response that ``start`` begins is text sent whole, as compression wants."""
    headers = Headers(raw=start.get("headers", []))
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return (
        media_type in TEXT_TYPES
        and start["status"] != 206
        and "content-range" not in headers
        and "content-encoding" not in headers
        and "content-disposition" not in headers  # a download: its bytes as stored
    )


class _TextResponder(GZipResponder):
    """Starlette's responder for text; anything else passes through untouched."""

    passthrough = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_encoded(message: Message) -> None:
            if message["type"] == "http.response.start" and not self.passthrough:
                _weaken_etag_if_encoded(message)
            await send(message)

        await super().__call__(scope, receive, send_encoded)

    async def send_with_compression(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.passthrough = not compressible(message)
        if self.passthrough:
            await self.send(message)
            return
        await super().send_with_compression(message)


def _weaken_etag_if_encoded(start: Message) -> None:
    # A static file's ETag names its stored bytes; the gzipped body is another representation,
    # so it may carry only a weak validator (StaticFiles accepts W/ tags in If-None-Match).
    headers = MutableHeaders(raw=start["headers"])
    etag = headers.get("etag")
    if "content-encoding" in headers and etag and not etag.startswith("W/"):
        headers["etag"] = f"W/{etag}"


class CompressText:
    """ASGI middleware: gzip text responses for clients that accept it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            await self.app(scope, receive, send)
            return
        responder = _TextResponder(self.app, MINIMUM_SIZE, compresslevel=COMPRESS_LEVEL)
        await responder(scope, receive, send)
