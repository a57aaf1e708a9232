"""Reviewers' comments on a call: per criterion and on the whole call, internal ones hidden
from the agent, edits and deletions by the author only, every change audited; the review page
shows them where they belong."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from models.audit import AuditEvent
from tests.support.factories import make_call
from tests.support.world import ROLES, World


def _comment(w: World, call: uuid.UUID, who: str = "qa", **body):
    return w.client.post(
        f"/api/v1/calls/{call}/comments",
        json={"body": "Good recovery after the hold.", **body},
        headers=w.headers(who),
    )


def _listed(w: World, call: uuid.UUID, who: str) -> list[dict]:
    res = w.client.get(f"/api/v1/calls/{call}/comments", headers=w.headers(who))
    assert res.status_code == 200, res.text
    return res.json()["items"]


def test_who_may_comment_and_read(world: World):
    w = world
    a = make_call(w.svc, agent=w.users["agent_a"])
    b = make_call(w.svc, agent=w.users["agent_b"])
    failures = []
    # admin, qa, supervisor (team A), agent_a, agent_b, anonymous
    for call, expected in (
        (a, (201, 201, 201, 403, 404, 401)),
        (b, (201, 201, 404, 404, 403, 401)),
    ):
        for who, want in zip(ROLES, expected, strict=True):
            headers = w.headers(who) if who != "anonymous" else {}
            res = w.client.post(
                f"/api/v1/calls/{call}/comments", json={"body": f"from {who}"}, headers=headers
            )
            if res.status_code != want:
                failures.append(f"POST on {call} as {who}: {res.status_code} != {want}")
    assert not failures, "\n".join(failures)
    refused = _comment(w, a, "agent_a")
    assert "dispute" in refused.json()["detail"]
    assert [c["body"] for c in _listed(w, a, "agent_a")] == [
        "from admin",
        "from qa",
        "from supervisor",
    ]
    assert (
        w.client.get(f"/api/v1/calls/{a}/comments", headers=w.headers("agent_b")).status_code == 404
    )


def test_a_criterion_thread_and_the_overall_one(world: World):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"empathy": "fail"})
    overall = _comment(w, call, body="A calm call; the close was rushed.")
    assert overall.status_code == 201, overall.text
    assert overall.json()["criterion_id"] is None
    on_empathy = _comment(
        w, call, body="You named her worry before fixing it.", criterion_id="empathy"
    )
    assert on_empathy.status_code == 201
    assert on_empathy.json()["criterion_id"] == "empathy"
    assert on_empathy.json()["author"] == "Quinn Analyst"

    unknown = _comment(w, call, criterion_id="not_a_criterion")
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "criterion_id"
    assert "not scored on this call" in unknown.json()["detail"]
    blank = _comment(w, call, body="   ")
    assert blank.status_code == 422 and blank.json()["field"] == "body"
    too_long = _comment(w, call, body="x" * 4001)
    assert too_long.status_code == 422

    assert [(c["criterion_id"], c["body"]) for c in _listed(w, call, "agent_a")] == [
        (None, "A calm call; the close was rushed."),
        ("empathy", "You named her worry before fixing it."),
    ]


def test_a_call_without_verdicts_takes_only_an_overall_comment(world: World):
    from models.calls import CallStatus

    w = world
    call = make_call(w.svc, agent=w.users["agent_a"], status=CallStatus.failed, error="boom")
    assert _comment(w, call, body="The recording cuts out at 2:10.").status_code == 201
    res = _comment(w, call, criterion_id="empathy")
    assert res.status_code == 422
    assert "no verdicts yet" in res.json()["detail"]


def test_internal_comments_stay_with_the_reviewers(world: World):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"])
    _comment(w, call, body="Visible to Alice.")
    _comment(w, call, body="Check with Sam before coaching this.", internal=True)
    assert [c["body"] for c in _listed(w, call, "agent_a")] == ["Visible to Alice."]
    assert [c["internal"] for c in _listed(w, call, "supervisor")] == [False, True]
    page = w.client.get(f"/calls/{call}", headers=w.headers("agent_a")).text
    assert "Visible to Alice." in page
    assert "Check with Sam" not in page
    assert 'name="body"' not in page  # no form for the agent


def test_only_the_author_or_an_admin_changes_a_comment(world: World):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"])
    cid = _comment(w, call, body="First words.").json()["id"]
    url = f"/api/v1/calls/{call}/comments/{cid}"
    assert (
        w.client.patch(
            url, json={"body": "Sam's words"}, headers=w.headers("supervisor")
        ).status_code
        == 403
    )
    edited = w.client.patch(
        url, json={"body": "Second words.", "internal": True}, headers=w.headers("qa")
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "Second words."
    assert edited.json()["internal"] is True
    assert edited.json()["edited_at"] is not None
    other_call = make_call(w.svc, agent=w.users["agent_a"])
    wrong_call = w.client.delete(
        f"/api/v1/calls/{other_call}/comments/{cid}", headers=w.headers("qa")
    )
    assert wrong_call.status_code == 404
    assert w.client.delete(url, headers=w.headers("agent_a")).status_code == 403
    assert w.client.delete(url, headers=w.headers("admin")).status_code == 204
    assert _listed(w, call, "qa") == []
    assert w.client.delete(url, headers=w.headers("admin")).status_code == 404

    with w.svc.session_factory() as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == str(call), AuditEvent.action.like("comment.%"))
            .order_by(AuditEvent.at)
        ).all()
    assert [e.action for e in events] == ["comment.added", "comment.edited", "comment.deleted"]
    assert events[1].details["before"] == {"body": "First words.", "internal": False}
    assert events[2].details["body"] == "Second words."


def test_deleting_the_call_takes_its_comments(world: World):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"])
    _comment(w, call)
    res = w.client.delete(f"/api/v1/calls/{call}?reason=test", headers=w.headers("admin"))
    assert res.status_code == 204
    from models.reviews import ReviewComment

    with w.svc.session_factory() as s:
        assert s.scalars(select(ReviewComment).where(ReviewComment.call_id == call)).all() == []


def test_the_review_page_shows_each_thread_where_it_belongs(world: World):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"], verdicts={"empathy": "fail"})
    _comment(w, call, body="Overall: warm and clear.")
    _comment(w, call, body="Name the worry first.", criterion_id="empathy")
    _comment(w, call, body="And again here.", criterion_id="empathy")
    page = w.client.get(f"/calls/{call}", headers=w.headers("qa")).text
    overall = page.index('id="comments-overall"')
    empathy = page.index('id="comments-empathy"')
    assert overall < page.index("Overall: warm and clear.") < empathy
    assert empathy < page.index("Name the worry first.") < page.index("And again here.")
    assert '<span class="comment-count small" data-role="comment-count">2 comments</span>' in page
    assert page.count('class="comment-form stack"') >= 2  # overall + each criterion


def test_the_agent_hears_of_comments_once_per_call_and_never_of_internal_ones(world: World):
    w = world
    call = make_call(w.svc, agent=w.users["agent_a"])

    def inbox() -> list[dict]:
        res = w.client.get("/api/v1/notifications", headers=w.headers("agent_a"))
        assert res.status_code == 200, res.text
        return [n for n in res.json()["items"] if n["kind"] == "comment.added"]

    _comment(w, call, body="Reviewers only.", internal=True)
    assert inbox() == []
    _comment(w, call, body="Nice close.")
    _comment(w, call, body="And a warm greeting.", criterion_id="greeting")
    [notice] = inbox()
    assert notice["text"] == "Quinn Analyst commented on your call call.wav"
    assert notice["link"] == f"/calls/{call}"
    # once read, the next comment is news again
    read = w.client.post(f"/api/v1/notifications/{notice['id']}/read", headers=w.headers("agent_a"))
    assert read.status_code == 200, read.text
    _comment(w, call, "supervisor", body="Agreed.")
    newest, older = inbox()
    assert newest["text"] == "Sam Supervisor commented on your call call.wav"
    assert older["read"] is True
