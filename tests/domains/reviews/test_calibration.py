"""Calibration sessions: blind scoring, then spread per criterion and distance per analyst."""

from __future__ import annotations

import uuid

from domains.auth.dependencies import issue_token
from models.accounts import Role
from tests.support.factories import CLEAN, add_transcript, make_call, make_user
from tests.support.world import ROLES, World


def _analysts(w: World) -> list[str]:
    for key, name in (("qa2", "Quinn Two"), ("qa3", "Quinn Three")):
        w.users[key] = make_user(w.svc, name=name, role=Role.qa_analyst)
        w.tokens[key] = issue_token(w.users[key], w.svc.settings)
    return ["qa2", "qa3", "supervisor"]


def _create(w: World, call, who: str = "qa", people=("qa2", "qa3", "supervisor")):
    return w.client.post(
        "/api/v1/calibrations",
        json={"call_id": str(call), "participants": [str(w.id(p)) for p in people], "title": "W1"},
        headers=w.headers(who),
    )


def _submit(w: World, sid: str, who: str, **changes: str):
    return w.client.put(
        f"/api/v1/calibrations/{sid}/answers",
        json={"answers": {**CLEAN, **changes}, "notes": {"greeting": "no name"}},
        headers=w.headers(who),
    )


def test_blind_then_spread_and_distance(world: World):
    w = world
    _analysts(w)
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"closing": "fail"})
    res = _create(w, call)
    assert res.status_code == 201, res.text
    sid = res.json()["id"]

    # Blind: questions but no AI verdicts, no colleague's answers, and the call is closed.
    view = w.client.get(f"/api/v1/calibrations/{sid}", headers=w.headers("qa2")).json()
    assert view["blind"] is True and "ai_verdicts" not in view
    assert [c["id"] for c in view["criteria"]][:2] == ["greeting", "identity_verification"]
    assert w.client.get(f"/api/v1/calls/{call}", headers=w.headers("qa2")).status_code == 403
    assert w.client.get(f"/calls/{call}", headers=w.headers("qa2")).status_code == 403

    assert _submit(w, sid, "qa2", greeting="fail").status_code == 200
    assert _submit(w, sid, "qa2").status_code == 409  # once
    view = w.client.get(f"/api/v1/calibrations/{sid}", headers=w.headers("qa3")).json()
    assert view["blind"] is True
    others = [p for p in view["participants"] if p["name"] != "Quinn Three"]
    assert all("answers" not in p for p in others)
    # After submitting, qa2 sees the AI verdicts and the call again.
    view = w.client.get(f"/api/v1/calibrations/{sid}", headers=w.headers("qa2")).json()
    assert view["blind"] is False and view["ai_verdicts"]["closing"] == "fail"
    assert w.client.get(f"/api/v1/calls/{call}", headers=w.headers("qa2")).status_code == 200

    assert _submit(w, sid, "qa3", greeting="fail", empathy="fail").status_code == 200
    assert _submit(w, sid, "supervisor").status_code == 200
    # Only the lead closes; the lead settles greeting, empathy goes to the majority.
    assert (
        w.client.post(f"/api/v1/calibrations/{sid}/close", headers=w.headers("qa2")).status_code
        == 403
    )
    res = w.client.post(
        f"/api/v1/calibrations/{sid}/close",
        json={"final": {"greeting": "pass"}},
        headers=w.headers("qa"),
    )
    assert res.status_code == 200, res.text
    out = res.json()["results"]
    by_id = {c["id"]: c for c in out["criteria"]}
    assert by_id["greeting"] == {
        "id": "greeting",
        "counts": {"pass": 1, "fail": 2, "na": 0},
        "spread": 0.3333,
        "agreed": "pass",
        "agreed_by": "lead",
        "matching_agreed": 1,
    }
    assert (by_id["empathy"]["agreed"], by_id["empathy"]["agreed_by"]) == ("pass", "majority")
    assert by_id["empathy"]["spread"] == 0.3333
    assert by_id["closing"]["spread"] == 0.0
    distances = {
        a["name"]: (a["mismatches"], a["compared"], a["distance"]) for a in out["analysts"]
    }
    assert distances == {
        "Quinn Two": (1, 8, 0.125),
        "Quinn Three": (2, 8, 0.25),
        "Sam Supervisor": (0, 8, 0.0),
    }
    assert _submit(w, sid, "supervisor").status_code == 409  # closed
    page = w.client.get(f"/calibrations/{sid}", headers=w.headers("qa"))
    assert page.status_code == 200 and "calibration-distance" in page.text


def test_roles_and_bad_input(world: World):
    w = world
    _analysts(w)
    a = make_call(w.svc, agent=w.users["agent_a"])
    b = make_call(w.svc, agent=w.users["agent_b"])
    body = {"participants": [str(w.id("qa2")), str(w.id("qa3"))]}
    failures = []
    for url, payload, expected in [
        ("/api/v1/calibrations", {**body, "call_id": str(a)}, (201, 201, 403, 403, 403, 401)),
        (
            "/api/v1/calibrations",
            {**body, "call_id": str(uuid.uuid4())},
            (404, 404, 403, 403, 403, 401),
        ),
    ]:
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.post(url, json=payload, headers=w.headers(who))
            if res.status_code != want:
                failures.append(f"POST {url} as {who}: {res.status_code} != {want} {res.text}")
    sid = w.client.get("/api/v1/calibrations", headers=w.headers("qa")).json()[0]["id"]
    for url, expected in [
        ("/api/v1/calibrations", (200, 200, 200, 403, 403, 401)),
        (f"/api/v1/calibrations/{sid}", (200, 200, 404, 403, 403, 401)),
        (f"/api/v1/calibrations/{uuid.uuid4()}", (404, 404, 404, 403, 403, 401)),
    ]:
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.get(url, headers=w.headers(who))
            if res.status_code != want:
                failures.append(f"GET {url} as {who}: {res.status_code} != {want} {res.text}")
    assert not failures, "\n".join(failures)
    # A supervisor of team A cannot score team B's call; an agent is never an analyst.
    res = _create(w, b, people=("qa2", "supervisor"))
    assert res.status_code == 422 and "Sam Supervisor" in res.json()["detail"]
    assert _create(w, a, people=("qa2", "agent_a")).status_code == 422
    assert _create(w, a, people=("qa2",)).status_code == 422
    sid = _create(w, a).json()["id"]
    assert _submit(w, sid, "qa2", greeting="na").status_code == 422  # N/A not allowed
    assert _submit(w, sid, "qa2", nope="pass").status_code == 422
    assert _submit(w, sid, "admin").status_code == 403  # not an analyst of this session
    assert _submit(w, sid, "qa2").status_code == 200
    # One submission is not enough to close.
    assert (
        w.client.post(f"/api/v1/calibrations/{sid}/close", headers=w.headers("qa")).status_code
        == 409
    )


def test_blind_call_stays_out_of_the_csv_export_and_the_list_score(world: World):
    w = world
    _analysts(w)
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"closing": "fail"})
    other = make_call(w.svc, agent=w.users["agent_a"], audio=b"RIFF-other")
    sid = _create(w, call).json()["id"]

    def exported(who: str) -> set[str]:
        res = w.client.get("/api/v1/exports/evaluations.csv", headers=w.headers(who))
        assert res.status_code == 200
        return {line.split(",")[0] for line in res.text.splitlines()[1:]}

    def listed_score(who: str) -> dict[str, float | None]:
        items = w.client.get("/api/v1/calls", headers=w.headers(who)).json()["items"]
        return {i["call_id"]: i["score"] for i in items}

    assert exported("qa2") == {str(other)}
    assert listed_score("qa2")[str(call)] is None  # listed, but its score stays closed
    assert exported("qa") == {str(call), str(other)}  # the lead is not scoring blind
    assert listed_score("qa")[str(call)] is not None
    assert _submit(w, sid, "qa2").status_code == 200
    assert exported("qa2") == {str(call), str(other)}
    assert listed_score("qa2")[str(call)] is not None


def test_the_blind_form_has_the_recording_and_the_transcript_but_no_verdicts(world: World):
    w = world
    _analysts(w)
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"closing": "fail"})
    add_transcript(
        w.svc,
        call,
        [
            ("agent", 0.0, 2.0, "Northwind, Priya speaking."),
            ("customer", 2.5, 4.0, "My meter reading is wrong."),
        ],
    )
    page = w.client.get(f"/calls/{call}", headers=w.headers("qa")).text
    assert f'href="/calibrations?call_id={call}"' in page  # started from the call itself
    sid = _create(w, call).json()["id"]
    form = w.client.get(f"/calibrations/{sid}", headers=w.headers("qa2"))
    assert form.status_code == 200
    assert f'<audio id="player" controls preload="metadata" src="/api/v1/calls/{call}/audio">' in (
        form.text
    )
    assert "My meter reading is wrong." in form.text
    assert 'id="calibration-form"' in form.text
    # blind: neither the AI's verdicts nor its rationale are on the page
    assert "closing fail" not in form.text.lower() and "rationale" not in form.text.lower()
