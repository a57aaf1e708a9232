"""The OpenAPI document types every JSON answer, and the two contracts ARCHITECTURE.md fixes
(the review result, the coaching session) carry every field name it lists."""

from __future__ import annotations

from typing import Any

import pytest

from api.app import create_app
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("openapi")
    app = create_app(make_settings(f"sqlite:///{tmp / 'x.db'}", tmp / "storage"))
    return app.openapi()  # no lifespan: nothing is started


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _untyped(doc: dict[str, Any], schema: dict[str, Any] | None) -> bool:
    """Missing, ``{}``, or an object with neither properties nor typed values."""
    if not schema:
        return True
    schema = _resolve(doc, schema)
    if "anyOf" in schema:
        return any(_untyped(doc, s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return _untyped(doc, schema.get("items"))
    if schema.get("type") == "object" and not schema.get("properties"):
        values = schema.get("additionalProperties")
        return not isinstance(values, dict) or _untyped(doc, values)
    return False


def _json_answers(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    found = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for code, answer in op.get("responses", {}).items():
                json_body = (answer.get("content") or {}).get("application/json")
                if code.startswith("2") and json_body is not None:
                    found.append((f"{method.upper()} {path} {code}", json_body.get("schema")))
    return found


def test_every_json_answer_has_a_typed_schema(openapi: dict[str, Any]) -> None:
    answers = _json_answers(openapi)
    assert len(answers) >= 50
    assert [name for name, schema in answers if _untyped(openapi, schema)] == []


def test_files_are_documented_as_files(openapi: dict[str, Any]) -> None:
    audio = openapi["paths"]["/api/v1/calls/{call_id}/audio"]["get"]["responses"]["200"]
    clip = openapi["paths"]["/api/v1/calls/{call_id}/clip"]["get"]["responses"]["200"]
    assert "application/json" not in audio["content"] and "audio/*" in audio["content"]
    assert list(clip["content"]) == ["audio/wav"]


def _fields(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schema = _resolve(doc, schema)
    if "anyOf" in schema:
        schema = next(_resolve(doc, s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return _fields(doc, schema["items"])
    return dict(schema["properties"])


def _names(doc: dict[str, Any], schema: dict[str, Any], shape: dict[str, Any]) -> list[str]:
    """Every field name of ``shape`` (a nested sketch) that ``schema`` lacks, dotted."""
    fields = _fields(doc, schema)
    missing = []
    for name, inner in shape.items():
        if name not in fields:
            missing.append(name)
        elif inner:
            missing += [f"{name}.{m}" for m in _names(doc, fields[name], inner)]
    return missing


def _answer(doc: dict[str, Any], path: str, method: str, code: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["paths"][path][method]["responses"][code]["content"][
        "application/json"
    ]["schema"]
    return schema


REVIEW = {  # ARCHITECTURE.md "The review result (JSON)": none of these may be renamed
    "call_id": {}, "status": {}, "agent": {},
    "audio": {"duration_s": {}, "channels": {}, "sample_rate": {}},
    "transcript": {"engine": {}, "model": {}, "segments": {
        "start": {}, "end": {}, "speaker": {}, "text": {},
        "words": {"start": {}, "end": {}, "word": {}}}},
    "evaluation": {"rubric": {}, "rubric_version": {}, "source": {}, "score": {},
        "auto_failed": {}, "criteria": {
            "id": {}, "verdict": {}, "confidence": {}, "points": {}, "max_points": {},
            "rationale": {}, "evidence": {"start": {}, "end": {}, "speaker": {}, "text": {}}}},
    "moments": {"type": {}, "start": {}, "end": {}, "severity": {}, "description": {},
        "criterion": {}},
    "feedback": {"strengths": {}, "improvements": {"criterion": {}, "text": {},
        "evidence": {"start": {}, "end": {}}}},
}  # fmt: skip

SESSION = {  # ARCHITECTURE.md "Coaching": these keep their names
    "id": {}, "agent_id": {}, "coach_id": {}, "status": {}, "period": {"since": {}, "until": {}},
    "focus": {"criterion": {}, "pass_rate": {}, "trend": {},
        "evidence": {"call_id": {}, "start": {}, "end": {}, "text": {}}},
    "strengths": {}, "recognition": {}, "feedback": {},
    "goals": {"metric": {}, "criterion": {}, "baseline": {}, "target": {}, "due": {},
        "current": {}, "status": {}},
    "tasks": {"text": {}, "due": {}, "done": {}}, "training": {"module_id": {}, "due": {}},
    "action_plan": {"owner": {}, "text": {}}, "next_meeting_at": {}, "private_notes": {},
    "agent_feedback": {}, "attachments": {"kind": {}, "call_id": {}, "start": {}, "end": {}},
}  # fmt: skip


def test_the_review_result_keeps_every_contract_name(openapi: dict[str, Any]) -> None:
    schema = _answer(openapi, "/api/v1/calls/{call_id}", "get", "200")
    assert _names(openapi, schema, REVIEW) == []


def test_the_coaching_session_keeps_every_contract_name(openapi: dict[str, Any]) -> None:
    schema = _answer(openapi, "/api/v1/coaching/sessions/{session_id}", "get", "200")
    assert _names(openapi, schema, SESSION) == []


def test_verdicts_are_exactly_pass_fail_na(openapi: dict[str, Any]) -> None:
    review = _answer(openapi, "/api/v1/calls/{call_id}", "get", "200")
    criteria = _fields(openapi, _fields(openapi, review)["evaluation"])["criteria"]
    verdict = _resolve(openapi, _fields(openapi, criteria)["verdict"])
    assert verdict["enum"] == ["pass", "fail", "na"]


def test_errors_are_documented_as_sent(openapi: dict[str, Any]) -> None:
    answers = openapi["paths"]["/api/v1/calls/{call_id}"]["get"]["responses"]
    for code in ("422", "default"):
        schema = _resolve(openapi, answers[code]["content"]["application/json"]["schema"])
        assert schema["properties"]["detail"] == {"type": "string", "title": "Detail"}
        assert schema["required"] == ["detail"]
        # optional: the request field the problem is in, for a form to show it beside
        field = schema["properties"]["field"]
        assert field["anyOf"] == [{"type": "string"}, {"type": "null"}]
        assert set(schema["properties"]) == {"detail", "field"}
