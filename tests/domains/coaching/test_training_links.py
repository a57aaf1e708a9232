"""Stored XSS through the training catalog: a module's link is http(s) or a path on
this site, checked at import and at render; only admins and QA analysts change the catalog that
every team shares."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.coaching import TrainingModuleRow
from tests.domains.coaching.test_coaching_api import _draft, _history_a, _move, _ready_to_deliver
from tests.support.world import World

IMPORT = "/api/v1/coaching/training-modules/import"


def _import(w: World, who: str, url: str) -> object:
    yaml = f"modules:\n  - {{key: evil, title: Evil, criteria: [empathy], url: '{url}'}}\n"
    return w.client.post(
        IMPORT, headers={**w.headers(who), "Content-Type": "application/yaml"}, content=yaml
    )


def _module(w: World, key: str) -> TrainingModuleRow | None:
    with w.svc.session_factory() as s:
        return s.scalar(select(TrainingModuleRow).where(TrainingModuleRow.key == key))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "https:///evil",
    ],
)
def test_an_import_with_a_script_link_is_refused_naming_the_module(world: World, url: str):
    res = _import(world, "qa", url)
    assert res.status_code == 422  # type: ignore[attr-defined]
    assert res.json()["detail"].startswith(  # type: ignore[attr-defined]
        "modules[0].url (module 'evil'): only http(s) links or paths on this site"
    )
    assert _module(world, "evil") is None


@pytest.mark.parametrize("url", ["https://training.example.com/x?a=1", "/static/guide.pdf"])
def test_http_and_site_links_are_imported(world: World, url: str):
    res = _import(world, "qa", url)
    assert res.status_code == 200  # type: ignore[attr-defined]
    row = _module(world, "evil")
    assert row is not None and row.url == url


def test_only_admins_and_qa_change_the_shared_catalog(world: World):
    w = world
    res = _import(w, "supervisor", "https://ok.example/")
    assert res.status_code == 403  # type: ignore[attr-defined]
    assert _module(w, "evil") is None
    create = w.client.post(
        "/api/v1/coaching/training-modules",
        headers=w.headers("supervisor"),
        json={"key": "team-a-only", "title": "x", "criteria": ["empathy"]},
    )
    assert create.status_code == 403
    assert _module(w, "team-a-only") is None
    mods = w.client.get("/api/v1/coaching/training-modules", headers=w.headers("qa")).json()
    target = mods[0]
    patch = w.client.patch(
        f"/api/v1/coaching/training-modules/{target['id']}",
        headers=w.headers("supervisor"),
        json={"title": "rewritten"},
    )
    assert patch.status_code == 403
    row = _module(w, target["key"])
    assert row is not None and row.title == target["title"]
    assert _import(w, "admin", "https://ok.example/").status_code == 200  # type: ignore[attr-defined]


def test_a_stored_script_link_renders_as_text_on_the_agent_page(world: World):
    w = world
    _history_a(w)
    w.client.get("/api/v1/coaching/training-modules", headers=w.headers("qa"))  # the catalog
    # A link saved before the import checks existed.
    with w.svc.session_factory() as s:
        row = s.scalar(
            select(TrainingModuleRow).where(TrainingModuleRow.key == "empathy-statements")
        )
        assert row is not None
        row.url = "javascript:fetch('/api/v1/audit')"
        s.commit()
    draft = _draft(w, "supervisor", "agent_a")
    urls = {t["key"]: t["url"] for t in draft["training"]}
    assert urls["empathy-statements"] == "javascript:fetch('/api/v1/audit')"
    _ready_to_deliver(w, draft["id"])
    assert _move(w, draft["id"], "ready").status_code == 200
    assert _move(w, draft["id"], "delivered").status_code == 200
    w.client.cookies.set("callreview_token", w.tokens["agent_a"])
    page = w.client.get(f"/coaching/sessions/{draft['id']}")
    assert page.status_code == 200
    assert "javascript:" not in page.text
    assert "Empathy" in page.text  # the module is still listed, as plain text
