"""Coaching through the API on a generated history: weeks of scored calls for two agents with
known weak criteria. Exact numbers: the draft's focus, clips, baselines and targets; goal
progress and impact after delivery; who may see and do what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.coaching_history import SPANS, scored_call
from tests.support.world import World

DAY = timedelta(days=1)


def _history_a(w: World) -> dict[str, list[Any]]:
    """20 calls over ~26 days: empathy passes 8 of 20 (0.4), closing 12 of 20 (0.6)."""
    now = datetime.now(UTC)
    out: dict[str, list[Any]] = {"empathy_fail": [], "all": []}
    for i in range(20):  # i = 0 is the most recent
        verdicts = {}
        if i % 5 in (0, 1, 2):
            verdicts["empathy"] = "fail"
        if i % 5 in (3, 4):
            verdicts["closing"] = "fail"
        at = now - DAY * (1 + i * 1.3)
        cid = scored_call(w.svc, agent=w.users["agent_a"], at=at, verdicts=verdicts)
        out["all"].append(cid)
        if "empathy" in verdicts:
            out["empathy_fail"].append(cid)
    return out


def _history_b(w: World) -> None:
    """10 calls: greeting 5/10, dead air 7/10, resolution 9/10 (too good to be a focus)."""
    now = datetime.now(UTC)
    for i in range(10):
        verdicts = {}
        if i % 2 == 0:
            verdicts["greeting"] = "fail"
        if i in (1, 3, 5):
            verdicts["dead_air"] = "fail"
        if i == 7:
            verdicts["resolution"] = "fail"
        scored_call(w.svc, agent=w.users["agent_b"], at=now - DAY * (1 + i * 2), verdicts=verdicts)


def _draft(w: World, who: str, agent: str) -> dict[str, Any]:
    res = w.client.post(
        "/api/v1/coaching/drafts", json={"agent_id": str(w.id(agent))}, headers=w.headers(who)
    )
    assert res.status_code == 201, res.text
    return dict(res.json())


def _ready_to_deliver(w: World, sid: str) -> None:
    body = {
        "action_plan": [
            {"owner": "coach", "text": "Role-play two upset customers together."},
            {"owner": "agent", "text": "Acknowledge the customer's feelings before the fix."},
        ],
        "next_meeting_at": (datetime.now(UTC) + 14 * DAY).isoformat(),
        "private_notes": "Alice is covering two queues this month.",
    }
    res = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}", json=body, headers=w.headers("supervisor")
    )
    assert res.status_code == 200, res.text


def _move(w: World, sid: str, to: str, who: str = "supervisor", **extra: Any) -> Any:
    return w.client.post(
        f"/api/v1/coaching/sessions/{sid}/transition",
        json={"to": to, **extra},
        headers=w.headers(who),
    )


def test_draft_picks_the_weak_criteria_with_their_evidence(world: World) -> None:
    w = world
    hist = _history_a(w)
    _history_b(w)
    s = _draft(w, "supervisor", "agent_a")
    assert s["status"] == "draft" and s["calls"] == 20
    assert s["coach_id"] == str(w.id("supervisor"))
    assert [f["criterion"] for f in s["focus"]] == ["empathy", "closing"]
    empathy, closing = s["focus"]
    assert (empathy["pass_rate"], empathy["passed"], empathy["applicable"]) == (0.4, 8, 20)
    assert (empathy["points_lost"], closing["points_lost"]) == (180.0, 80.0)
    assert closing["pass_rate"] == 0.6
    # Clips: the three most recent failing calls, each at the failing evidence's span.
    clips = empathy["evidence"]
    assert [c["call_id"] for c in clips] == [str(c) for c in hist["empathy_fail"][:3]]
    for c in clips:
        assert (c["start"], c["end"]) == SPANS["empathy"]
        assert c["text"] == "empathy fail words"
        assert c["clip_url"] == f"/api/v1/calls/{c['call_id']}/clip?start=0.8&end=1.2"
    clip = w.client.get(clips[0]["clip_url"], headers=w.headers("supervisor"))
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/wav"

    # Goals: baselines are the measured pass rates; targets a bounded step.
    progress = w.client.get(
        f"/api/v1/agents/{w.id('agent_a')}/progress", headers=w.headers("supervisor")
    ).json()
    measured = {c["id"]: c["pass_rate"] for c in progress["criteria"]}
    goals = {g.get("criterion") or g["metric"]: g for g in s["goals"]}
    assert goals["empathy"]["baseline"] == measured["empathy"] == 0.4
    assert goals["closing"]["baseline"] == measured["closing"] == 0.6
    assert (goals["empathy"]["target"], goals["closing"]["target"]) == (0.7, 0.8)
    assert goals["average_score"]["baseline"] == progress["average_score"]
    for g in s["goals"]:
        assert 0 < g["target"] - g["baseline"] <= (0.3 if g["metric"] != "average_score" else 15)
        assert g["current"] == g["baseline"] and g["status"] == "on_track"
    assert progress["goals"] == []  # nothing delivered yet
    # Strengths with examples; training matched by criterion; a plan for both sides.
    assert s["strengths"][0].startswith("Greeting: passed on 20 of 20 calls (100%)")
    assert {t["key"] for t in s["training"]} == {"empathy-statements", "closing-the-call"}
    assert {a["owner"] for a in s["action_plan"]} == {"coach", "agent"}
    assert "8 of 20 calls (40%)" in s["feedback"] and '"empathy fail words"' in s["feedback"]
    assert s["wording"] == {"source": "template", "rejected": None}

    b = _draft(w, "admin", "agent_b")
    assert [f["criterion"] for f in b["focus"]] == ["greeting", "dead_air"]
    assert [f["pass_rate"] for f in b["focus"]] == [0.5, 0.7]


def test_delivery_needs_a_plan_and_goals_measure_themselves(world: World) -> None:
    w = world
    _history_a(w)
    s = _draft(w, "supervisor", "agent_a")
    sid = s["id"]
    # Invalid moves are refused with a clear message.
    res = _move(w, sid, "acknowledged")
    assert res.status_code == 409
    assert res.json()["detail"] == (
        "a draft session cannot move to acknowledged; from draft it can go to: ready"
    )
    assert _move(w, sid, "delivered").status_code == 409
    w.client.patch(
        f"/api/v1/coaching/sessions/{sid}",
        json={"action_plan": [], "next_meeting_at": None},
        headers=w.headers("supervisor"),
    )
    assert _move(w, sid, "ready").status_code == 200
    res = _move(w, sid, "delivered")
    assert res.status_code == 422
    assert res.json()["detail"] == (
        "cannot deliver yet: add an action plan with at least one item for the coach and one "
        "for the agent; set the next meeting date"
    )
    # A target that is a leap is refused; the baseline is always measured.
    res = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}",
        json={
            "goals": [
                {
                    "metric": "criterion_pass_rate",
                    "criterion": "empathy",
                    "target": 0.9,
                    "due": "2099-01-01",
                }
            ]
        },
        headers=w.headers("supervisor"),
    )
    assert res.status_code == 422 and "is a leap" in res.json()["detail"]
    # said in words, counted as the form shows goals, and pointing at the field
    assert res.json()["detail"].startswith("Goal 1: ")
    assert res.json()["field"] == "goals.0.target"
    bad = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}",
        json={"goals": [{"metric": "criterion_pass_rate", "target": 0.5, "due": "x"}] * 2},
        headers=w.headers("supervisor"),
    )
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("Goal 1, due: ")
    assert bad.json()["field"] == "goals.0.due"
    due = (datetime.now(UTC) + 30 * DAY).date().isoformat()
    res = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}",
        json={
            "goals": [
                {
                    "metric": "criterion_pass_rate",
                    "criterion": "empathy",
                    "baseline": 0.99,
                    "target": 0.7,
                    "due": due,
                },
                {
                    "metric": "criterion_pass_rate",
                    "criterion": "closing",
                    "target": 0.8,
                    "due": due,
                },
            ]
        },
        headers=w.headers("supervisor"),
    )
    assert res.status_code == 200, res.text
    assert [g["baseline"] for g in res.json()["goals"]] == [0.4, 0.6]
    _ready_to_deliver(w, sid)
    res = _move(w, sid, "delivered")
    assert res.status_code == 200, res.text
    # Frozen once delivered: the agent has seen it.
    res = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}", json={"feedback": "x"}, headers=w.headers("supervisor")
    )
    assert res.status_code == 409 and "cannot change once the session is delivered" in res.text
    assert "amend it with a reason" in res.text
    # An amendment changes what the agent sees, with a reason, on the record.
    before = w.client.get(f"/api/v1/coaching/sessions/{sid}", headers=w.headers("agent_a")).json()
    res = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}",
        json={"feedback": "Corrected: the refund was on time.", "amend_reason": "  "},
        headers=w.headers("supervisor"),
    )
    assert res.status_code == 409  # a blank reason is no reason
    res = w.client.patch(
        f"/api/v1/coaching/sessions/{sid}",
        json={"feedback": "Corrected: the refund was on time.", "amend_reason": "wrong call cited"},
        headers=w.headers("supervisor"),
    )
    assert res.status_code == 200, res.text
    seen = w.client.get(f"/api/v1/coaching/sessions/{sid}", headers=w.headers("agent_a")).json()
    assert (before["feedback"] != seen["feedback"], seen["feedback"]) == (
        True,
        "Corrected: the refund was on time.",
    )
    amended = w.client.get(
        "/api/v1/audit", params={"action": "coaching.amended"}, headers=w.headers("admin")
    ).json()
    entries = amended["items"] if isinstance(amended, dict) else amended
    assert [(e["details"]["reason"], e["details"]["amended"]) for e in entries] == [
        ("wrong call cited", ["feedback"])
    ]

    # Four calls after delivery: empathy passes on all, closing on two, dead air fails once.
    for verdicts in [{}, {"closing": "fail"}, {"dead_air": "fail"}, {"closing": "fail"}]:
        scored_call(w.svc, agent=w.users["agent_a"], at=datetime.now(UTC), verdicts=verdicts)
    progress = w.client.get(
        f"/api/v1/agents/{w.id('agent_a')}/progress", headers=w.headers("agent_a")
    ).json()
    goals = {g["criterion"]: g for g in progress["goals"]}
    assert (
        goals["empathy"]["baseline"],
        goals["empathy"]["current"],
        goals["empathy"]["target"],
        goals["empathy"]["status"],
    ) == (0.4, 1.0, 0.7, "met")
    assert goals["empathy"]["measured_calls"] == 4 and goals["empathy"]["progress"] == 1.0
    assert (goals["closing"]["current"], goals["closing"]["status"]) == (0.5, "behind")
    assert goals["closing"]["progress"] == 0.0

    report = w.client.get("/api/v1/coaching/impact", headers=w.headers("supervisor")).json()
    (row,) = report["sessions"]
    assert row["coached_criteria"] == ["closing", "empathy"]
    assert row["coached"]["before"] == {"pass_rate": 0.5, "passed": 20, "applicable": 40}
    assert row["coached"]["after"] == {"pass_rate": 0.75, "passed": 6, "applicable": 8}
    assert row["uncoached"]["before"]["pass_rate"] == 1.0
    assert row["uncoached"]["after"] == {"pass_rate": 0.95, "passed": 19, "applicable": 20}
    assert (row["coached"]["change"], row["uncoached"]["change"], row["effect"]) == (
        0.25,
        -0.05,
        0.3,
    )
    assert report["agents"][0]["effect"] == report["coaches"][0]["effect"] == 0.3
    assert report["teams"][0]["name"] == "A" and report["overall"]["sessions"] == 1

    # The agent acknowledges with their own view; the follow-up opens with it.
    res = _move(w, sid, "acknowledged", who="supervisor")
    assert res.status_code == 403
    res = _move(
        w,
        sid,
        "acknowledged",
        who="agent_a",
        agent_feedback="The hold queue makes me rush the end of calls.",
    )
    assert res.status_code == 200 and res.json()["status"] == "acknowledged"
    res = w.client.post(
        f"/api/v1/coaching/sessions/{sid}/follow-up", headers=w.headers("supervisor")
    )
    assert res.status_code == 201, res.text
    fu = res.json()
    assert fu["previous_id"] == sid and fu["calls"] == 4
    assert fu["follow_up"]["agent_feedback"] == "The hold queue makes me rush the end of calls."
    assert {g["criterion"]: g["status"] for g in fu["follow_up"]["goals"]} == {
        "empathy": "met",
        "closing": "behind",
    }
    assert "Empathy is up from 40% to 100% on 4 calls" in fu["recognition"][0]
    assert _move(w, sid, "closed").status_code == 200
    inbox = w.client.get("/api/v1/coaching/inbox", headers=w.headers("supervisor")).json()
    assert [d["id"] for d in inbox["drafts"]] == [fu["id"]]


def test_agents_never_see_drafts_private_notes_or_others_sessions(world: World) -> None:
    w = world
    _history_a(w)
    sid = _draft(w, "supervisor", "agent_a")["id"]
    url = f"/api/v1/coaching/sessions/{sid}"
    assert w.client.get(url, headers=w.headers("agent_a")).status_code == 404
    assert w.client.get("/api/v1/coaching/sessions", headers=w.headers("agent_a")).json() == []
    assert (
        w.client.get(f"/coaching/sessions/{sid}", headers=w.headers("agent_a")).status_code == 404
    )
    assert (
        w.client.patch(url, json={"feedback": "x"}, headers=w.headers("agent_a")).status_code == 403
    )
    assert _move(w, sid, "ready", who="agent_a").status_code == 404
    _ready_to_deliver(w, sid)
    assert _move(w, sid, "ready").status_code == 200
    assert _move(w, sid, "delivered").status_code == 200
    mine = w.client.get(url, headers=w.headers("agent_a"))
    assert mine.status_code == 200 and "private_notes" not in mine.json()
    assert (
        "Alice is covering"
        not in w.client.get(f"/coaching/sessions/{sid}", headers=w.headers("agent_a")).text
    )
    assert w.client.get(url, headers=w.headers("supervisor")).json()["private_notes"] == (
        "Alice is covering two queues this month."
    )
    assert w.client.get(url, headers=w.headers("agent_b")).status_code == 404
    assert w.client.get("/api/v1/coaching/sessions", headers=w.headers("agent_b")).json() == []
    assert (
        w.client.post(
            "/api/v1/coaching/drafts",
            json={"agent_id": str(w.id("agent_b"))},
            headers=w.headers("supervisor"),
        ).status_code
        == 404
    )
    assert w.client.get("/api/v1/coaching/inbox", headers=w.headers("agent_a")).status_code == 403
    assert w.client.get("/api/v1/coaching/impact", headers=w.headers("agent_a")).status_code == 403
    assert w.client.get(url, headers=w.headers("anonymous")).status_code == 401
    # The agent ticks their own tasks; not someone else's.
    assert (
        w.client.post(
            f"{url}/tasks/0/done", json={"done": True}, headers=w.headers("agent_a")
        ).json()["tasks"][0]["done"]
        is True
    )
    assert (
        w.client.post(
            f"{url}/tasks/0/done", json={"done": True}, headers=w.headers("agent_b")
        ).status_code
        == 404
    )


@pytest.mark.parametrize("kind", ["pdf", "text", "huge"])
def test_attachments_are_typed_and_size_checked(world: World, kind: str) -> None:
    w = world
    call = scored_call(w.svc, agent=w.users["agent_a"], at=datetime.now(UTC) - DAY)
    sid = _draft(w, "supervisor", "agent_a")["id"]
    url = f"/api/v1/coaching/sessions/{sid}/attachments"
    payload = {
        "pdf": b"%PDF-1.4\n%...\n",
        "text": b"just some notes",
        "huge": b"%PDF-1.4\n" + b"0" * (2 << 20),
    }[kind]
    res = w.client.post(
        url, files={"file": ("notes.pdf", payload)}, headers=w.headers("supervisor")
    )
    assert res.status_code == {"pdf": 201, "text": 415, "huge": 413}[kind], res.text
    if kind == "pdf":
        (att,) = res.json()["attachments"]
        assert att["content_type"] == "application/pdf" and att["filename"] == "notes.pdf"
        assert w.client.get(att["url"], headers=w.headers("supervisor")).content == payload
        res = w.client.post(
            f"{url}/clip",
            json={"call_id": str(call), "start": 0.5, "end": 1.5},
            headers=w.headers("supervisor"),
        )
        assert res.status_code == 201
        assert res.json()["attachments"][1]["url"] == f"/api/v1/calls/{call}/clip?start=0.5&end=1.5"


def test_training_catalog_and_modules(world: World) -> None:
    w = world
    mods = w.client.get("/api/v1/coaching/training-modules", headers=w.headers("agent_a")).json()
    assert "empathy-statements" in {m["key"] for m in mods}
    res = w.client.post(
        "/api/v1/coaching/training-modules",
        headers=w.headers("qa"),  # the shared catalog: admins and QA analysts (not supervisors)
        json={"key": "csat-basics", "title": "CSAT basics", "criteria": ["resolution"]},
    )
    assert res.status_code == 201
    assert (
        w.client.post(
            "/api/v1/coaching/training-modules",
            headers=w.headers("agent_a"),
            json={"key": "x", "title": "x"},
        ).status_code
        == 403
    )
    res = w.client.post(
        "/api/v1/coaching/training-modules/import",
        headers={**w.headers("qa"), "Content-Type": "application/yaml"},
        content="modules:\n  - {key: hold-basics, title: Hold, criteria: [hold_etiquette]}\n",
    )
    assert res.status_code == 200 and res.json() == {"modules": 1}
    res = w.client.post(
        "/api/v1/coaching/training-modules/import",
        headers={**w.headers("qa"), "Content-Type": "application/yaml"},
        content="modules:\n  - {key: Bad Key, title: x, criteria: []}\n",
    )
    assert res.status_code == 422 and "modules[0].key" in res.json()["detail"]


def test_the_session_carries_what_reviewers_said_on_the_agents_calls(world: World) -> None:
    w = world
    now = datetime.now(UTC)
    recent = scored_call(w.svc, agent=w.users["agent_a"], at=now - 2 * DAY, verdicts={})
    older = scored_call(w.svc, agent=w.users["agent_a"], at=now - 10 * DAY, verdicts={})
    long_ago = scored_call(w.svc, agent=w.users["agent_a"], at=now - 60 * DAY, verdicts={})
    bobs = scored_call(w.svc, agent=w.users["agent_b"], at=now - 2 * DAY, verdicts={})

    def comment(call: Any, body: str, **extra: Any) -> None:
        res = w.client.post(
            f"/api/v1/calls/{call}/comments", json={"body": body, **extra}, headers=w.headers("qa")
        )
        assert res.status_code == 201, res.text

    comment(older, "Lovely warm greeting.", criterion_id="greeting")
    comment(recent, "Clear next steps; check the hold etiquette.")
    comment(recent, "Talk to Sam before the session.", internal=True)
    comment(long_ago, "Outside the period.")
    comment(bobs, "Bob's call.")

    s = _draft(w, "supervisor", "agent_a")
    said = [(c["call_id"], c["criterion_id"], c["body"]) for c in s["reviewer_comments"]]
    assert said == [
        (str(recent), None, "Clear next steps; check the hold etiquette."),
        (str(older), "greeting", "Lovely warm greeting."),
    ]
    assert s["reviewer_comments"][0]["author"] == "Quinn Analyst"
    editor = w.client.get(f"/coaching/sessions/{s['id']}", headers=w.headers("supervisor")).text
    assert "What reviewers said" in editor
    assert f'href="/calls/{older}#criterion-greeting"' in editor
    assert "Talk to Sam" not in editor
