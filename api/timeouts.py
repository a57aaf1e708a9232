"""Request time bounds as pure ASGI middleware.

- A client that stops sending its body (a slow-drip upload holding a worker thread and a
  spool file) is cut off after ``request_idle_timeout_s`` without a byte: 408.
- A handler that has not started its response after ``request_timeout_s`` gets 504 with a
  clear message; the work it started is cancelled where it can be (async) and abandoned where
  it cannot (a thread finishes on its own; its result is discarded). Once a response has
  started (a recording streaming to a slow player), no limit applies.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _ClientStalled(BaseException):
    """Not an Exception: the app's error handlers must not turn it into a 500 response."""


class RequestTimeout:
    def __init__(self, app: ASGIApp, *, total_s: float, idle_s: float) -> None:
        self.app = app
        self.total_s = total_s
        self.idle_s = idle_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = asyncio.Event()
        answered = False

        async def timed_receive() -> Message:
            try:
                return await asyncio.wait_for(receive(), timeout=self.idle_s)
            except TimeoutError:
                raise _ClientStalled from None

        async def watched_send(message: Message) -> None:
            if answered:
                return  # we answered for it already; a late handler's reply goes nowhere
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, timed_receive, watched_send))
        waiter = asyncio.ensure_future(started.wait())
        done, _ = await asyncio.wait(
            {task, waiter}, timeout=self.total_s, return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        if done:
            try:
                await task
            except BaseException as exc:
                if not _is_stall(exc):
                    raise
                if not started.is_set():
                    answered = True
                    await _answer(send, 408, f"no data from the client for {self.idle_s:g} s")
            return
        # No response started in time: answer now; a handler running in a thread cannot be
        # stopped, so it finishes on its own and what it sends is dropped.
        answered = True
        task.cancel()
        task.add_done_callback(_swallow)
        await _answer(send, 504, f"the request took longer than {self.total_s:g} s")


def _is_stall(exc: BaseException) -> bool:
    # Middleware built on task groups wraps it in an exception group.
    if isinstance(exc, BaseExceptionGroup):
        return any(_is_stall(e) for e in exc.exceptions)
    return isinstance(exc, _ClientStalled)


def _swallow(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
