"""`/api/v1/rubrics`: admins and QA analysts only; import is the next version; errors name the
field and line."""

from __future__ import annotations

from domains.rubrics.service import builtin_rubrics
from tests.support.factories import make_call
from tests.support.world import ROLES, World

NAME = "contact-center-default"
MANAGERS = (200, 200, 403, 403, 403, 401)


def _text(**swap: str) -> str:
    text = builtin_rubrics()[NAME].read_text(encoding="utf-8")
    for old, new in swap.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _edited(n: int) -> str:
    return _text(**{"title: ": f"title: Edit {n} — "})


def test_role_matrix(world: World):
    w = world
    make_call(w.svc, agent=w.users["agent_a"])  # stores the built-in rubric as version 1
    rows = [
        ("GET", "/api/v1/rubrics", {}, MANAGERS),
        ("GET", f"/api/v1/rubrics/{NAME}", {}, MANAGERS),
        ("GET", f"/api/v1/rubrics/{NAME}/versions/1", {}, MANAGERS),
        ("GET", "/api/v1/rubrics/nope", {}, (404, 404, 403, 403, 403, 401)),
        ("GET", f"/api/v1/rubrics/{NAME}/versions/9", {}, (404, 404, 403, 403, 403, 401)),
        # The first import is version 2; the same content again changes nothing (200).
        ("POST", "/api/v1/rubrics", {"json": {"yaml": _edited(1)}}, (201, 200, 403, 403, 403, 401)),
    ]
    failures = []
    for method, url, kwargs, expected in rows:
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.request(method, url, headers=w.headers(who), **kwargs)
            if res.status_code != want:
                failures.append(f"{method} {url} as {who}: {res.status_code} != {want} {res.text}")
    assert not failures, "\n".join(failures)


def test_import_as_json_file_or_raw_body_and_versions(world: World):
    w = world
    h = w.headers("qa")
    res = w.client.post("/api/v1/rubrics", json={"yaml": _edited(1)}, headers=h)
    assert res.status_code == 201, res.text
    # Nothing of this name was stored yet (no call scored): the edit is version 1.
    assert res.json() == {
        "name": NAME,
        "version": 1,
        "created": True,
        "declared_version": 1,
        "criteria": 8,
    }
    res = w.client.post(
        "/api/v1/rubrics", files={"file": ("r.yaml", _edited(2).encode())}, headers=h
    )
    assert (res.status_code, res.json()["version"]) == (201, 2)
    res = w.client.post(
        "/api/v1/rubrics",
        content=_edited(3).encode(),
        headers={**h, "Content-Type": "application/yaml"},
    )
    assert (res.status_code, res.json()["version"]) == (201, 3)
    res = w.client.post("/api/v1/rubrics", json={"yaml": _edited(3)}, headers=h)
    assert (res.status_code, res.json()["version"], res.json()["created"]) == (200, 3, False)

    listed = w.client.get("/api/v1/rubrics", headers=h).json()
    assert [(r["name"], r["latest_version"], r["versions"]) for r in listed] == [(NAME, 3, 3)]
    versions = w.client.get(f"/api/v1/rubrics/{NAME}", headers=h).json()
    assert [v["version"] for v in versions["versions"]] == [1, 2, 3]
    assert {v["created_by"] for v in versions["versions"]} == {str(w.id("qa"))}
    v2 = w.client.get(f"/api/v1/rubrics/{NAME}/versions/2", headers=h).json()
    assert v2["yaml"] == _edited(2)
    assert v2["title"].startswith("Edit 2 — ")
    assert v2["criteria"][0]["id"] == "greeting"

    audit = w.client.get(
        "/api/v1/audit", params={"entity": "rubric"}, headers=w.headers("admin")
    ).json()
    assert sorted(e["action"] for e in audit["items"]) == [
        "rubric.edit",
        "rubric.edit",
        "rubric.import",
    ]
    assert {e["actor_id"] for e in audit["items"]} == {str(w.id("qa"))}


def test_bad_rubrics_are_422_naming_field_and_line(world: World):
    w = world
    h = w.headers("admin")
    res = w.client.post("/api/v1/rubrics", json={"yaml": "name: x\nversion: [1\n"}, headers=h)
    assert res.status_code == 422
    assert "invalid YAML" in res.json()["detail"] and "(line 3)" in res.json()["detail"]
    bad = _text(**{"points: 10": "points: -1"})
    res = w.client.post("/api/v1/rubrics", json={"yaml": bad}, headers=h)
    assert res.status_code == 422
    assert res.json()["detail"] == (
        "sections[0].criteria[0].points: input should be greater than 0 (line 19)"
    )
    res = w.client.post("/api/v1/rubrics", json={"nope": 1}, headers=h)
    assert res.status_code == 422
    res = w.client.post("/api/v1/rubrics", content=b"\xff\xfe", headers=h)
    assert res.status_code == 422
    assert w.client.get("/api/v1/rubrics", headers=h).json() == [
        {**r, "versions": 1, "latest_version": 1}
        for r in w.client.get("/api/v1/rubrics", headers=h).json()
    ]
