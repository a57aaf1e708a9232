"""Rubric versions on real SQLite and PostgreSQL, scoring real transcript calls: an edit is a
new version, old evaluations keep theirs, new calls use the latest, the same content is no
new version."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import RubricError
from domains.kit.services import Services
from domains.reviews.service import load_review
from domains.rubrics.admin import import_rubric, rubric_version, rubric_versions
from domains.rubrics.service import builtin_rubrics, call_rubric_row
from models.audit import AuditEvent
from models.calls import CallStatus
from models.rubrics import RubricRow, RubricSource
from pipeline.steps import process_call
from tests.pipeline.test_pipeline import GOOD_CALL
from tests.support.pipeline_calls import submit

NAME = "contact-center-default"
OLD_QUESTION = "Did the agent open with a greeting that names themselves or the company?"
NEW_QUESTION = "Did the agent greet the caller by name of agent or company, warmly?"


def _edited_default() -> str:
    text = builtin_rubrics()[NAME].read_text(encoding="utf-8")
    assert OLD_QUESTION in text
    # The YAML keeps its own "version: 1": the stored number is assigned, not taken from it.
    return text.replace(OLD_QUESTION, NEW_QUESTION)


def _score(svc: Services, tmp_path: Path, name: str) -> uuid.UUID:
    path = tmp_path / name
    path.write_text(GOOD_CALL + f"Customer: Bye ({name}).\n")  # another recording each time
    call_id = submit(svc, path, agent="Priya").call_id
    assert process_call(svc, call_id) == CallStatus.scored
    return call_id


def _greeting(review: dict) -> dict:
    return next(c for c in review["evaluation"]["criteria"] if c["id"] == "greeting")


def test_edit_makes_v2_old_call_renders_v1_new_call_uses_v2(svc: Services, tmp_path: Path):
    first = _score(svc, tmp_path, "first.txt")  # imports the built-in rubric as version 1
    with svc.session_factory() as s:
        imported = import_rubric(s, _edited_default(), origin="api", by=None)
        s.commit()
    assert (imported.name, imported.version, imported.created) == (NAME, 2, True)
    assert imported.declared_version == 1
    second = _score(svc, tmp_path, "second.txt")

    with svc.session_factory() as s:
        old, new = load_review(s, first), load_review(s, second)
        assert old["evaluation"]["rubric_version"] == 1
        assert _greeting(old)["question"] == OLD_QUESTION
        assert new["evaluation"]["rubric_version"] == 2
        assert _greeting(new)["question"] == NEW_QUESTION
        versions = rubric_versions(s, NAME)
        assert [(v["version"], v["calls_scored"]) for v in versions["versions"]] == [(1, 1), (2, 1)]
        assert [v["origin"] for v in versions["versions"]] == ["builtin", "api"]
        shown = rubric_version(s, NAME, 2)
        assert shown["yaml"] == _edited_default()  # the document as imported, comments and all
        assert shown["rubric"]["version"] == 2
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "rubric.edit"))
        assert event.details["version"] == 2 and event.details["previous_version"] == 1


def test_same_content_is_no_new_version_whatever_its_number(svc: Services):
    edited = _edited_default()
    with svc.session_factory() as s:
        call_rubric_row(s, NAME)  # first use imports the built-in
        a = import_rubric(s, edited, origin="cli", by=None)
        b = import_rubric(s, edited.replace("version: 1", "version: 7", 1), origin="cli", by=None)
        c = import_rubric(s, builtin_rubrics()[NAME].read_text(), origin="cli", by=None)
        s.commit()
        assert (a.version, a.created) == (2, True)
        assert (b.version, b.created) == (2, False)
        # Going back to the shipped text is an edit too: the latest version was different.
        assert (c.version, c.created) == (3, True)
        # ...and scoring uses it; the built-in is not imported again (it is stored).
        assert call_rubric_row(s, NAME).version == 3
        assert s.scalar(select(func.count()).select_from(RubricRow)) == 3
        assert s.scalar(select(func.count()).select_from(RubricSource)) == 3


def test_rubric_file_scores_with_exactly_its_content(svc: Services, tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text(_edited_default())
    with svc.session_factory() as s:
        row = call_rubric_row(s, str(path))
        assert (row.name, row.version) == (NAME, 1)  # nothing was stored under the name yet
        # The team's own version of a built-in name is never replaced by the shipped one.
        assert call_rubric_row(s, NAME).version == 1
        import_rubric(s, builtin_rubrics()[NAME].read_text(), origin="api", by=None)
        s.commit()
        assert call_rubric_row(s, NAME).version == 2
        assert call_rubric_row(s, str(path)).version == 1  # the file still means its content


def test_invalid_rubric_names_field_and_line(svc: Services):
    bad = builtin_rubrics()[NAME].read_text().replace("points: 10", "points: -1", 1)
    with svc.session_factory() as s, pytest.raises(RubricError) as err:
        import_rubric(s, bad, origin="cli", by=None)
    assert "sections[0].criteria[0].points" in err.value.message
    assert "(line " in err.value.message
    with svc.session_factory() as s, pytest.raises(RubricError, match=r"invalid YAML.*line 2"):
        import_rubric(s, "name: x\n  version: [1\n", origin="cli", by=None)


def test_rubric_vocabulary_joins_the_settings_vocabulary(svc: Services, tmp_path: Path):
    from dataclasses import replace

    from domains.rubrics.service import rubric_fingerprint
    from pipeline.steps import with_rubric_vocabulary
    from scoring import default_rubric, load_rubric

    text = builtin_rubrics()[NAME].read_text(encoding="utf-8")
    path = tmp_path / "dealer.yaml"
    path.write_text(
        text.replace(f"name: {NAME}", "name: dealer", 1)
        + ('vocabulary: ["Big Jim\'s Auto", Travis]\n')
    )
    assert load_rubric(path).vocabulary == ("Big Jim's Auto", "Travis")
    # A rubric without a vocabulary keeps the digest it had before the key existed.
    assert "vocabulary" not in rubric_fingerprint(default_rubric())[0]
    base = svc.transcription_options
    with svc.session_factory() as s:
        got = with_rubric_vocabulary(replace(base, vocabulary=("Travis", "Acme")), s, str(path))
        assert got.vocabulary == ("Travis", "Acme", "Big Jim's Auto")
        assert with_rubric_vocabulary(base, s, NAME) is base
    with pytest.raises(RubricError, match="vocabulary"):
        load_rubric(text + "vocabulary: ['']\n")


def test_a_batch_rescores_calls_with_the_new_version_and_leaves_reviewed_ones(
    svc: Services, tmp_path: Path
):
    from domains.batches import service as batches
    from domains.reviews.queue import confirm_verdict
    from models.accounts import Role, User
    from models.calls import Call
    from pipeline.embedded import EmbeddedRunner
    from tests.support.factories import make_user
    from tests.support.pipeline_calls import start_batch_with

    plain = _score(svc, tmp_path, "plain.txt")
    reviewed = _score(svc, tmp_path, "reviewed.txt")
    qa = make_user(svc, name="Quinn Analyst", role=Role.qa_analyst)
    with svc.unit_of_work() as s:
        call = s.get(Call, reviewed)
        by = s.get(User, qa.id)
        assert call is not None and by is not None
        confirm_verdict(s, call, "greeting", note="checked", by=by)
        import_rubric(s, _edited_default(), origin="api", by=None)
    runner = EmbeddedRunner(svc, workers=1)
    try:
        created = start_batch_with(
            svc, runner, batches.BatchFilters(statuses=("outdated",)), trigger="api"
        )
        assert created.total == 1  # the reviewed call keeps its human verdicts
        final = batches.wait(svc, runner, created.batch_id, timeout_s=120, poll_s=0.1)
    finally:
        runner.shutdown()
    assert (final.state, final.done) == ("finished", 1)
    with svc.session_factory() as s:
        assert load_review(s, plain)["evaluation"]["rubric_version"] == 2
        assert _greeting(load_review(s, plain))["question"] == NEW_QUESTION
        assert load_review(s, reviewed)["evaluation"]["rubric_version"] == 1
    again = start_batch_with(
        svc, runner, batches.BatchFilters(statuses=("outdated",)), trigger="api"
    )
    assert again.total == 0  # nothing older than the latest version is left
