"""Agreement (accuracy, Cohen's kappa, confusion) from human-checked verdicts, the untrusted
flag feeding the needs-review queue, confirming a verdict, and the queue's threshold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from core.settings import get_settings
from domains.rubrics.admin import import_rubric
from domains.rubrics.service import builtin_rubrics
from models.reviews import EvaluationRow
from tests.support.factories import make_call
from tests.support.world import ROLES, World

REVIEWERS = (200, 200, 200, 403, 403, 401)


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The review settings are deployment-wide (read through get_settings)."""

    def setenv(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"CALLREVIEW_{key.upper()}", value)
        get_settings.cache_clear()

    monkeypatch.setattr(monkeypatch, "set_policy", setenv, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _override(w: World, call_id, crit: str, verdict: str) -> None:
    res = w.client.put(
        f"/api/v1/calls/{call_id}/criteria/{crit}",
        json={"verdict": verdict, "reason": "listened"},
        headers=w.headers("qa"),
    )
    assert res.status_code == 200, res.text


def _confirm(w: World, call_id, crit: str) -> dict:
    res = w.client.post(
        f"/api/v1/calls/{call_id}/criteria/{crit}/confirm",
        json={"note": "agree"},
        headers=w.headers("qa"),
    )
    assert res.status_code == 200, res.text
    return res.json()


def _greeting_reviews(w: World) -> list:
    """Six reviewed greeting verdicts: AI p p p p p f, humans p p p f f f.
    By hand: n = 6, agreed 4, accuracy 4/6; AI pass 5 fail 1, humans pass 3 fail 3;
    p_o = 2/3, p_e = (5*3 + 1*3) / 36 = 1/2, kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3."""
    ai = ["pass"] * 5 + ["fail"]
    human = ["pass"] * 3 + ["fail"] * 3
    calls = []
    for i, (a, h) in enumerate(zip(ai, human, strict=True)):
        call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"greeting": a}, filename=f"{i}")
        if a == h:
            _confirm(w, call, "greeting")
        else:
            _override(w, call, "greeting", h)
        calls.append(call)
    return calls


def test_agreement_numbers_untrusted_flag_and_queue(world: World, policy):
    w = world
    policy.set_policy(agreement_min_reviews="6", agreement_bar="0.6")
    _greeting_reviews(w)
    fresh = make_call(w.svc, agent=w.users["agent_a"], filename="fresh.wav")
    report = w.client.get("/api/v1/analytics/agreement", headers=w.headers("supervisor")).json()
    assert (report["metric"], report["bar"], report["min_reviews"]) == ("kappa", 0.6, 6)
    [rubric] = report["rubrics"]
    assert (rubric["rubric"], rubric["version"], rubric["reviewed_calls"]) == (
        "contact-center-default",
        1,
        6,
    )
    [greeting] = rubric["criteria"]
    assert greeting == {
        "id": "greeting",
        "reviewed": 6,
        "agreed": 4,
        "accuracy": 0.6667,
        "kappa": 0.3333,
        "confusion": {
            "pass": {"pass": 3, "fail": 2, "na": 0},
            "fail": {"pass": 0, "fail": 1, "na": 0},
            "na": {"pass": 0, "fail": 0, "na": 0},
        },
        "untrusted": True,
    }
    # Untrusted: the fresh call's confident greeting waits for a human; nothing else does.
    queue = w.client.get("/api/v1/reviews/queue", headers=w.headers("qa")).json()
    assert queue["total"] == 1
    [item] = queue["items"]
    assert item["call_id"] == str(fresh)
    assert item["criteria"] == [
        {"id": "greeting", "verdict": "pass", "confidence": 0.9, "why": ["untrusted_criterion"]}
    ]
    listed = w.client.get(
        "/api/v1/calls", params={"needs_review": "true"}, headers=w.headers("qa")
    ).json()
    assert [c["call_id"] for c in listed["items"]] == [str(fresh)]
    dash = w.client.get("/api/v1/dashboard", headers=w.headers("qa")).json()
    assert dash["needs_review"]["verdicts"] == 1
    # Agents do not see the queue; a supervisor sees only the team's calls (fresh is team A).
    assert w.client.get("/api/v1/reviews/queue", headers=w.headers("agent_a")).status_code == 403

    # Accuracy 0.667 clears a 0.6 accuracy bar; one review short of the minimum is no flag.
    policy.set_policy(agreement_metric="accuracy")
    assert not _flag(w)
    policy.set_policy(agreement_metric="kappa", agreement_min_reviews="7")
    assert not _flag(w)
    assert w.client.get("/api/v1/reviews/queue", headers=w.headers("qa")).json()["total"] == 0

    # Confirming the fresh verdict takes it out of the queue and counts as agreement.
    policy.set_policy(agreement_min_reviews="6")
    out = _confirm(w, fresh, "greeting")
    assert (out["verdict"], out["previous_verdict"], out["score"]) == ("pass", "pass", 100.0)
    assert w.client.get("/api/v1/reviews/queue", headers=w.headers("qa")).json()["total"] == 0
    report = w.client.get("/api/v1/analytics/agreement", headers=w.headers("qa")).json()
    assert report["rubrics"][0]["criteria"][0]["reviewed"] == 7
    audit = w.client.get(
        "/api/v1/audit", params={"action": "criterion.confirm"}, headers=w.headers("admin")
    ).json()
    assert audit["total"] == 5  # the four agreeing greetings of the six, and the fresh one


def test_new_rubric_version_resets_the_flag(world: World, policy):
    w = world
    policy.set_policy(agreement_min_reviews="6")
    _greeting_reviews(w)
    fresh = make_call(w.svc, agent=w.users["agent_a"], filename="fresh.wav")
    text = builtin_rubrics()["contact-center-default"].read_text()
    with w.svc.session_factory() as s:
        v2 = import_rubric(s, text.replace("title: ", "title: Fixed ", 1), origin="api", by=None)
        # The fresh call as if scored with the fixed version.
        s.execute(
            update(EvaluationRow)
            .where(EvaluationRow.call_id == fresh)
            .values(rubric_id=v2.rubric_id)
        )
        s.commit()
        assert s.scalar(select(EvaluationRow.rubric_id).where(EvaluationRow.call_id == fresh))
    queue = w.client.get("/api/v1/reviews/queue", headers=w.headers("qa")).json()
    assert queue["total"] == 0, queue
    assert _flag(w)  # version 1 stays untrusted


def _flag(w: World) -> bool:
    report = w.client.get("/api/v1/analytics/agreement", headers=w.headers("qa")).json()
    return bool(report["rubrics"][0]["criteria"][0]["untrusted"])


def test_low_confidence_threshold_setting(world: World, policy):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"], confidence={"empathy": 0.7, "closing": 0.5})
    queue = w.client.get("/api/v1/reviews/queue", headers=w.headers("admin")).json()
    assert queue["confidence_threshold"] == 0.6
    assert [c["id"] for c in queue["items"][0]["criteria"]] == ["closing"]
    policy.set_policy(review_confidence_threshold="0.75")
    queue = w.client.get("/api/v1/reviews/queue", headers=w.headers("admin")).json()
    assert [c["id"] for c in queue["items"][0]["criteria"]] == ["empathy", "closing"]
    assert queue["items"][0]["criteria"][0]["why"] == ["low_confidence"]
    _override(w, call, "empathy", "fail")
    _confirm(w, call, "closing")
    assert w.client.get("/api/v1/reviews/queue", headers=w.headers("admin")).json()["total"] == 0


def test_role_matrix(world: World):
    w = world
    a = make_call(w.svc, agent=w.users["agent_a"])
    b = make_call(w.svc, agent=w.users["agent_b"])
    rows = [
        ("GET", "/api/v1/reviews/queue", REVIEWERS),
        ("GET", "/api/v1/analytics/agreement", REVIEWERS),
        ("POST", f"/api/v1/calls/{a}/criteria/greeting/confirm", REVIEWERS),
        ("POST", f"/api/v1/calls/{b}/criteria/greeting/confirm", (200, 200, 404, 403, 403, 401)),
        ("POST", f"/api/v1/calls/{a}/criteria/nope/confirm", (404, 404, 404, 403, 403, 401)),
    ]
    failures = []
    for method, url, expected in rows:
        for who, want in zip(ROLES, expected, strict=True):
            res = w.client.request(method, url, headers=w.headers(who))
            if res.status_code != want:
                failures.append(f"{method} {url} as {who}: {res.status_code} != {want} {res.text}")
    assert not failures, "\n".join(failures)
