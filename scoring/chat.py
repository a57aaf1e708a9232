"""Chat back ends: one protocol, two kinds, used by the model adjudicator and the `llm` evaluator.

- :class:`OpenAICompatibleChat` — any OpenAI-compatible ``/v1/chat/completions`` server (vLLM,
  llama.cpp's ``llama-server``, Ollama, a hosted API). The one HTTP client in the code base.
- :class:`LlamaCppChat` — llama.cpp in this process on CPU through the prebuilt ``xllamacpp``
  wheel; loaded once per process by :func:`load_llama_cpp`.

Back ends are built by the caller from plain values (this package reads no settings). Every
failure that makes a reply unusable is raised as :class:`LLMRejected` with a reason.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.errors import ModelUnavailable

if TYPE_CHECKING:
    import httpx

Message = Mapping[str, str]  # {"role": "system" | "user" | "assistant", "content": "…"}

# Statuses worth another try: the server is busy, starting, or briefly unreachable.
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class LLMRejected(Exception):
    """A model's reply cannot be used; ``reason`` says why (it goes into the rationale)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Completion:
    """One chat completion: the text and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1
    seconds: float = 0.0
    # llama.cpp's own split (servers built on it report it): prompt and generation times.
    prompt_ms: float | None = None
    predicted_ms: float | None = None


class ChatBackend(Protocol):
    """Anything that answers a chat: ``json_schema`` (when given) constrains the reply."""

    name: str

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None,
        max_tokens: int,
    ) -> str: ...


@runtime_checkable
class CompletionBackend(Protocol):
    """A :class:`ChatBackend` that also reports tokens and attempts (both kinds here do)."""

    name: str

    def completion(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None,
        max_tokens: int,
    ) -> Completion: ...


def _usage(data: Mapping[str, Any]) -> tuple[int, int]:
    usage = data.get("usage")
    if not isinstance(usage, Mapping):
        return 0, 0
    p, c = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return (p if isinstance(p, int) else 0), (c if isinstance(c, int) else 0)


def _timings(data: Any) -> tuple[float | None, float | None]:
    t = data.get("timings") if isinstance(data, Mapping) else None
    if not isinstance(t, Mapping):
        return None, None
    p, g = t.get("prompt_ms"), t.get("predicted_ms")
    return (
        float(p) if isinstance(p, (int, float)) else None,
        float(g) if isinstance(g, (int, float)) else None,
    )


def _content(data: Any) -> str:
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMRejected("the endpoint's reply is not a chat completion") from None
    if not isinstance(content, str):
        raise LLMRejected("the chat completion has no text content")
    return content


def response_format(
    json_schema: Mapping[str, Any] | None, *, json_mode: bool
) -> dict[str, Any] | None:
    """The OpenAI ``response_format`` for a schema (vLLM, llama.cpp server and Ollama accept
    it), else plain JSON mode, else none."""
    if json_schema is not None:
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "strict": True, "schema": dict(json_schema)},
        }
    return {"type": "json_object"} if json_mode else None


# ------------------------------------------------------------------------------ HTTP
class OpenAICompatibleChat:
    """POST ``{base_url}/chat/completions`` (``base_url`` up to ``/v1``), temperature 0.

    Timeouts, connection errors, 408/409/425/429 and 5xx are retried ``retries`` times with
    doubling backoff (``backoff_s`` first); any other HTTP error is final. An ``httpx.Client``
    may be passed in (it is then not closed here); otherwise one is opened on first use and
    kept for the process (connection reuse), closed by :meth:`close`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        json_mode: bool = True,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.json_mode = json_mode
        self.name = f"openai:{model}"
        self._client = client
        self._own_client = client is None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        import httpx  # only when an endpoint is used: ~80 ms of every process's start

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout_s)
            return self._client

    def close(self) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None

    def request_body(
        self, messages: Sequence[Message], *, json_schema: Mapping[str, Any] | None, max_tokens: int
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        fmt = response_format(json_schema, json_mode=self.json_mode)
        if fmt is not None:
            body["response_format"] = fmt
        return body

    def completion(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 400,
    ) -> Completion:
        import httpx

        body = self.request_body(messages, json_schema=json_schema, max_tokens=max_tokens)
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        http = self._http()
        t0 = time.perf_counter()
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                resp = http.post(self.url, json=body, headers=headers, timeout=self.timeout_s)
            except httpx.TimeoutException:
                last = f"timed out after {self.timeout_s:g} s"
                continue
            except httpx.TransportError as exc:
                last = f"connection failed: {exc.__class__.__name__}"
                continue
            if resp.status_code in RETRY_STATUS:
                last = f"HTTP {resp.status_code}"
                continue
            if resp.status_code >= 400:
                raise LLMRejected(f"HTTP {resp.status_code} from the LLM endpoint")
            try:
                data = resp.json()
            except ValueError:
                raise LLMRejected("the endpoint's reply is not a chat completion") from None
            text = _content(data)
            p, c = _usage(data) if isinstance(data, Mapping) else (0, 0)
            return Completion(text, p, c, attempt + 1, time.perf_counter() - t0, *_timings(data))
        raise LLMRejected(f"LLM endpoint unavailable ({last}, {self.retries + 1} attempts)")

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 400,
    ) -> str:
        return self.completion(messages, json_schema=json_schema, max_tokens=max_tokens).text


# ------------------------------------------------------------------------------ in-process
def gguf_label(path: str | Path) -> str:
    """``Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf`` → ``qwen2.5-coder-1.5b-instruct-q4_k_m``."""
    return Path(path).name.removesuffix(".gguf").lower()


def llama_params(
    path: Path,
    *,
    n_threads: int,
    n_ctx: int,
    host: str = "127.0.0.1",
    port: int = 0,
    api_keys: Sequence[str] = (),
) -> Any:
    """xllamacpp's ``CommonParams`` for one CPU slot of ``n_ctx`` tokens; quiet logs. With no
    ``api_keys`` its HTTP port answers anyone who can reach ``host``."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(path)
    params.model_alias = {gguf_label(path)}
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = n_threads
    params.cpuparams_batch.n_threads = n_threads
    params.warmup = False
    params.verbosity = -1
    params.hostnames = [host]
    params.port = port
    params.api_keys = list(api_keys)
    return params


class LlamaCppChat:
    """llama.cpp in this process (``xllamacpp``), CPU only. ``n_threads`` threads for prompt and
    generation (one is fastest on a shared machine, MEASURED.md); ``n_ctx`` tokens of context
    bound the prompt plus the answer; a request that does not fit is rejected, not cut.

    Requests are answered one at a time (a lock): one model, one slot, one thread."""

    def __init__(self, model_path: str | Path, *, n_threads: int = 1, n_ctx: int = 4096) -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelUnavailable(f"no GGUF model file at {path}")
        try:
            import xllamacpp as xlc
        except ImportError as exc:  # the optional extra is not installed
            raise ModelUnavailable(
                "the in-process LLM needs the xllamacpp package: pip install 'callreview[llm]'"
            ) from exc
        # llama.cpp's server core also listens on a loopback port; a random key closes it,
        # while the in-process calls below do not go through HTTP and need none.
        params = llama_params(
            path, n_threads=n_threads, n_ctx=n_ctx, api_keys=[secrets.token_urlsafe(24)]
        )
        self._server = xlc.Server(params)
        self.model_path = path
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.name = f"llama.cpp:{gguf_label(path)}"
        self._lock = threading.Lock()

    def completion(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 400,
    ) -> Completion:
        body: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        fmt = response_format(json_schema, json_mode=True)
        if fmt is not None:
            body["response_format"] = fmt
        t0 = time.perf_counter()
        with self._lock:
            data = self._server.handle_chat_completions(body)
        seconds = time.perf_counter() - t0
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise LLMRejected("llama.cpp returned no JSON") from None
        if isinstance(data, Mapping) and "error" in data and "choices" not in data:
            err = data["error"]
            msg = err.get("message") if isinstance(err, Mapping) else err
            raise LLMRejected(f"llama.cpp refused the request: {msg}")
        text = _content(data)
        p, c = _usage(data) if isinstance(data, Mapping) else (0, 0)
        return Completion(text, p, c, 1, seconds, *_timings(data))

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: Mapping[str, Any] | None = None,
        max_tokens: int = 400,
    ) -> str:
        return self.completion(messages, json_schema=json_schema, max_tokens=max_tokens).text


@lru_cache(maxsize=2)
def load_llama_cpp(model_path: str, n_threads: int = 1, n_ctx: int = 4096) -> LlamaCppChat:
    """The process's one in-process model for these arguments (loading takes ~2 s, 1.8 GB)."""
    return LlamaCppChat(model_path, n_threads=n_threads, n_ctx=n_ctx)


def serve_gguf(
    model_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    n_threads: int = 1,
    n_ctx: int = 4096,
    api_key: str | None = None,
) -> Any:
    """Start llama.cpp's OpenAI-compatible HTTP server (``/v1/chat/completions``, ``/health``)
    on ``host:port`` from the xllamacpp wheel, in this process; returns the server object (it
    serves until dropped). With ``api_key`` requests must carry it as a bearer token."""
    try:
        import xllamacpp as xlc
    except ImportError as exc:
        raise ModelUnavailable(
            "the llama.cpp server needs the xllamacpp package: pip install 'callreview[llm]'"
        ) from exc
    params = llama_params(
        Path(model_path),
        n_threads=n_threads,
        n_ctx=n_ctx,
        host=host,
        port=port,
        api_keys=[api_key] if api_key else [],
    )
    return xlc.Server(params)
