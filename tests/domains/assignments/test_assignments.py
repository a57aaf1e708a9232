"""Work assignment: QA leads' sampling rules fill each analyst's queue (a call once per
analyst, due in N days); an analyst's verdict marks the call graded; rules are audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.factories import make_call, tone_wav
from tests.support.world import World


def _call(w: World, agent: str, i: int, **verdicts: str):
    return str(
        make_call(
            w.svc,
            agent=w.users[agent],
            verdicts=verdicts,
            filename=f"{agent}-{i}.wav",
            created_at=datetime.now(UTC) - timedelta(hours=10 - i),
            audio=tone_wav(0.2, hz=150.0 + 20 * i + (0 if agent == "agent_a" else 7)),
        )
    )


def _rule(w: World, who: str = "qa", **body):
    return w.client.post(
        "/api/v1/sampling-rules",
        json={"name": "rule", "analyst_id": str(w.id("qa")), **body},
        headers=w.headers(who),
    )


def _queue(w: World, who: str = "qa") -> dict:
    res = w.client.get("/api/v1/assignments/mine", headers=w.headers(who))
    assert res.status_code == 200, res.text
    return res.json()


def test_rules_fill_the_queue_once_and_a_verdict_grades_the_call(world: World):
    w = world
    low = _call(w, "agent_a", 1, empathy="fail", closing="fail", resolution="fail")
    _call(w, "agent_a", 2)
    _call(w, "agent_a", 3)
    b1 = _call(w, "agent_b", 4)
    # who may set rules: QA leads (QA analysts, admins)
    assert _rule(w, "supervisor", kind="auto_fails").status_code == 403
    bad = _rule(w, kind="score_below")
    assert bad.status_code == 422 and bad.json()["field"] == "value"
    assert _rule(w, kind="score_below", value=70, name="Under 70").status_code == 201
    assert _rule(w, kind="per_agent_per_week", per_week=1, name="One a week").status_code == 201
    run = w.client.post("/api/v1/assignments/run", headers=w.headers("qa"))
    # under 70: the low call; one a week: the oldest of each agent not yet assigned
    # (Alice's oldest is the low call, already assigned, so Alice gets no second one)
    assert run.json() == {"assigned": 2}
    q = _queue(w)
    assert (q["open"], q["overdue"], q["done_this_week"]) == (2, 0, 0)
    assert sorted(i["call_id"] for i in q["items"]) == sorted([low, b1])
    assert {i["rule"] for i in q["items"]} == {"Under 70", "One a week"}
    # applying again assigns nothing new
    again = w.client.post("/api/v1/assignments/run", headers=w.headers("qa"))
    assert again.json() == {"assigned": 0}

    # the analyst confirms a verdict: the call is graded
    res = w.client.post(
        f"/api/v1/calls/{low}/criteria/greeting/confirm", json={}, headers=w.headers("qa")
    )
    assert res.status_code == 200, res.text
    q = _queue(w)
    assert (q["open"], q["done_this_week"]) == (1, 1)
    assert q["items"][0]["call_id"] == b1  # open ones first
    # someone else's verdict does not grade the analyst's call
    w.client.post(
        f"/api/v1/calls/{b1}/criteria/greeting/confirm", json={}, headers=w.headers("admin")
    )
    assert _queue(w)["open"] == 1
    page = w.client.get("/queue", headers=w.headers("qa"))
    assert page.status_code == 200 and "1</strong> to grade" in page.text
    events = w.client.get(
        "/api/v1/audit", params={"action": "sampling_rule.created"}, headers=w.headers("admin")
    ).json()["items"]
    assert len(events) == 2


def test_a_switched_off_rule_assigns_nothing_and_agents_have_no_queue(world: World):
    w = world
    _call(w, "agent_a", 1, closing="fail")
    rule = _rule(w, kind="score_below", value=100).json()
    off = w.client.patch(
        f"/api/v1/sampling-rules/{rule['id']}", json={"enabled": False}, headers=w.headers("qa")
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert w.client.post("/api/v1/assignments/run", headers=w.headers("qa")).json() == {
        "assigned": 0
    }
    assert w.client.get("/api/v1/assignments/mine", headers=w.headers("agent_a")).status_code == 403


def test_a_weekly_sample_is_drawn_at_random_and_spread_over_the_week(world: World):
    """Calls arrive all week; the rule runs each day. Five a week means one a day for five
    days, each drawn at random from the calls waiting, never simply the oldest."""
    from domains.assignments.service import apply_rules

    w = world
    assert _rule(w, kind="per_agent_per_week", per_week=5, name="Five a week").status_code == 201
    monday = (datetime.now(UTC) - timedelta(days=10)).replace(hour=0, minute=0, second=0)
    arrived: list[str] = []
    made = []
    for day in range(7):
        for hour in range(1, 5):
            at = monday + timedelta(days=day, hours=hour)
            arrived.append(
                str(
                    make_call(
                        w.svc,
                        agent=w.users["agent_a"],
                        created_at=at,
                        filename=f"d{day}h{hour}.wav",
                        audio=tone_wav(0.1, hz=100.0 + 10 * day + hour),
                    )
                )
            )
        noon = monday + timedelta(days=day, hours=12)
        with w.svc.unit_of_work() as session:
            made.append(apply_rules(session, now=noon))
        with w.svc.unit_of_work() as session:  # again the same day: nothing more
            assert apply_rules(session, now=noon + timedelta(hours=3)) == 0
    assert made == [1, 1, 1, 1, 1, 0, 0]
    picked = [i["call_id"] for i in _queue(w)["items"]]
    assert len(picked) == 5
    # "oldest first" with the same daily share would have taken Monday's first five calls
    assert sorted(picked) != sorted(arrived[:5])
    assert len({c for c in picked if c in arrived[4:]}) >= 1


def test_the_review_page_goes_on_to_the_next_call_to_grade(world: World):
    w = world
    calls = [_call(w, "agent_a", i, closing="fail") for i in range(1, 4)]
    assert _rule(w, kind="score_below", value=100, name="All under 100").status_code == 201
    assert w.client.post("/api/v1/assignments/run", headers=w.headers("qa")).json() == {
        "assigned": 3
    }
    due_order = [i["call_id"] for i in _queue(w)["items"]]
    first, second, third = due_order

    page = w.client.get(f"/calls/{first}", headers=w.headers("qa")).text
    assert "My calls to grade: 2 more" in page
    assert f'href="/calls/{second}" id="next-call-link"' in page
    # grading the second takes it off; from the first, the next is then the third
    w.client.post(
        f"/api/v1/calls/{second}/criteria/closing/confirm", json={}, headers=w.headers("qa")
    )
    page = w.client.get(f"/calls/{first}", headers=w.headers("qa")).text
    assert "My calls to grade: 1 more" in page
    assert f'href="/calls/{third}" id="next-call-link"' in page
    # nothing else to grade: no link; an agent never sees one
    w.client.post(
        f"/api/v1/calls/{third}/criteria/closing/confirm", json={}, headers=w.headers("qa")
    )
    assert 'id="next-call"' not in w.client.get(f"/calls/{first}", headers=w.headers("qa")).text
    assert sorted(due_order) == sorted(calls)
    agent_page = w.client.get(f"/calls/{first}", headers=w.headers("agent_a")).text
    assert 'id="next-call"' not in agent_page
