"""The pipeline on real SQLite and PostgreSQL, with transcript inputs (no ASR) and bad audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, NotFound, UnsupportedMediaType
from domains.kit.services import Services
from models.calls import Call, CallStatus, TranscriptRow
from models.reviews import EvaluationRow, MomentRow
from pipeline.review import review_paths
from pipeline.steps import process_call, score, transcribe
from tests.support.pipeline_calls import retry_call, submit

GOOD_CALL = """\
Agent: Thank you for calling Northwind Energy, my name is Priya, how can I help you today?
Customer: Hi, my bill doubled this month and I'm really upset about it.
Agent: I'm so sorry about that, I understand how frustrating a surprise bill is.
Agent: Before I look at the account, can you confirm your date of birth and postcode please?
Customer: Sure, it's the fourth of May nineteen eighty, and the postcode is N1 4AB.
Agent: Thank you, that's verified. I can see an estimated reading was used.
Agent: I've corrected it to your actual reading, so the bill drops back to forty two pounds.
Agent: You'll get a corrected bill by email within two working days.
Customer: Oh good, thank you.
Agent: Is there anything else I can help you with today?
Customer: No, that's all.
Agent: Thank you for calling Northwind Energy, have a lovely day.
"""


def _counts(svc: Services) -> dict[str, int]:
    with svc.session_factory() as s:
        return {
            name: s.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("calls", Call),
                ("transcripts", TranscriptRow),
                ("evaluations", EvaluationRow),
                ("moments", MomentRow),
            )
        }


@pytest.fixture
def good_call(tmp_path: Path) -> Path:
    path = tmp_path / "good-call.txt"
    path.write_text(GOOD_CALL)
    return path


def test_transcript_file_is_reviewed_into_the_contract_shape(svc: Services, good_call: Path):
    outcome = review_paths(svc, [good_call], agent="Priya")
    assert outcome.rejected == []
    [result] = outcome.results
    assert result["status"] == "scored"
    assert result["agent"] == "Priya"
    assert result["transcript"]["engine"] == "text"
    assert [s["speaker"] for s in result["transcript"]["segments"]][:2] == ["agent", "customer"]
    ev = result["evaluation"]
    assert ev["rubric"] == "contact-center-default"
    assert ev["rubric_version"] == 1
    assert ev["source"] == "ai"
    ids = [c["id"] for c in ev["criteria"]]
    assert ids == [
        "greeting",
        "identity_verification",
        "empathy",
        "hold_etiquette",
        "resolution",
        "closing",
        "professional_language",
        "dead_air",
    ]
    verdicts = {c["id"]: c["verdict"] for c in ev["criteria"]}
    assert verdicts == {
        "greeting": "pass",
        "identity_verification": "pass",
        "empathy": "pass",
        "hold_etiquette": "na",
        "resolution": "pass",
        "closing": "pass",
        "professional_language": "pass",
        "dead_air": "pass",
    }
    assert ev["score"] == 100.0
    assert ev["auto_failed"] is False
    for c in ev["criteria"]:
        assert 0.0 <= c["confidence"] <= 1.0
        assert c["rationale"]
        for e in c["evidence"]:
            assert 0.0 <= e["start"] <= e["end"] <= result["audio"]["duration_s"] + 0.01
    assert result["feedback"]["strengths"]


def test_reviewing_twice_duplicates_nothing(svc: Services, good_call: Path):
    first = review_paths(svc, [good_call], agent="Priya").results[0]
    before = _counts(svc)
    second = review_paths(svc, [good_call], agent="Priya").results[0]
    assert _counts(svc) == before
    assert before["calls"] == 1 and before["transcripts"] == 1 and before["evaluations"] == 1
    assert second["call_id"] == first["call_id"]
    assert second["evaluation"] == first["evaluation"]


def test_steps_run_twice_write_once(svc: Services, good_call: Path):
    call_id = submit(svc, good_call, agent="Priya").call_id
    assert process_call(svc, call_id) == CallStatus.scored
    before = _counts(svc)
    transcribe(svc, call_id)
    score(svc, call_id)
    process_call(svc, call_id)
    assert _counts(svc) == before


def test_same_file_for_another_agent_is_another_call(svc: Services, good_call: Path):
    a = submit(svc, good_call, agent="Priya")
    b = submit(svc, good_call, agent="Priya")
    c = submit(svc, good_call, agent="Omar")
    assert a.created and not b.created and c.created
    assert a.call_id == b.call_id != c.call_id


def test_truncated_wav_fails_keeps_upload_and_retry_resumes(svc: Services, tmp_path: Path):
    bad = tmp_path / "truncated.wav"
    # A WAV header that promises data which is not there.
    bad.write_bytes(
        b"RIFF\x24\x80\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00"
        b"\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x80\x00\x00"
    )
    call_id = submit(svc, bad, agent="Priya").call_id
    assert process_call(svc, call_id) == CallStatus.failed
    with svc.session_factory() as s:
        call = s.get(Call, call_id)
        assert call is not None
        assert call.failed_step == "transcribe"
        assert call.error == (
            "could not decode 'truncated.wav': no audio frames (header only or truncated file)"
        )
        stored = svc.storage.path(call.storage_key)
    assert stored.read_bytes() == bad.read_bytes()
    assert _counts(svc) == {"calls": 1, "transcripts": 0, "evaluations": 0, "moments": 0}
    retry_call(svc, call_id)
    with svc.session_factory() as s:
        assert s.get(Call, call_id).status == CallStatus.queued  # type: ignore[union-attr]
    assert process_call(svc, call_id) == CallStatus.failed
    with svc.session_factory() as s:
        assert s.get(Call, call_id).attempts == 2  # type: ignore[union-attr]


def test_failed_scoring_step_is_retried_without_transcribing_again(
    svc: Services, good_call: Path, tmp_path: Path
):
    from scoring import default_rubric

    rubric_path = tmp_path / "team.yaml"
    rubric_path.write_text("name: team\nversion: 1\nsections: [\n")  # broken YAML
    call_id = submit(svc, good_call, agent="Priya", rubric=str(rubric_path)).call_id
    assert process_call(svc, call_id) == CallStatus.failed
    with svc.session_factory() as s:
        call = s.get(Call, call_id)
        assert call is not None and call.failed_step == "score"
        assert "line" in (call.error or "")
        transcript_id = s.scalar(select(TranscriptRow.id))
    import yaml

    body = default_rubric().model_dump(mode="json")
    body["name"] = "team"
    rubric_path.write_text(yaml.safe_dump(body))
    retry_call(svc, call_id)
    assert process_call(svc, call_id) == CallStatus.scored
    with svc.session_factory() as s:
        assert s.scalar(select(TranscriptRow.id)) == transcript_id
    assert _counts(svc)["transcripts"] == 1


def test_rejected_inputs_leave_the_database_unchanged(svc: Services, tmp_path: Path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is a shopping list, not audio\neggs\nmilk\n")
    outcome = review_paths(svc, [empty, text], agent="Priya")
    assert outcome.results == []
    reasons = dict(outcome.rejected)
    assert "empty" in reasons[str(empty)]
    assert "neither audio" in reasons[str(text)]
    assert _counts(svc) == {"calls": 0, "transcripts": 0, "evaluations": 0, "moments": 0}
    with pytest.raises(UnsupportedMediaType):
        submit(svc, text, agent="Priya")


def test_retry_refuses_calls_that_did_not_fail(svc: Services, good_call: Path):
    call_id = submit(svc, good_call, agent="Priya").call_id
    with pytest.raises(Conflict):
        retry_call(svc, call_id)
    import uuid

    with pytest.raises(NotFound):
        retry_call(svc, uuid.uuid4())


@pytest.mark.parametrize("kind", ["silence", "music", "dtmf"])
def test_audio_without_speech_is_not_scorable_and_keeps_its_empty_transcript(
    svc: Services, tmp_path: Path, kind: str
):
    """20 s of silence or of hold-music-like tones: no invented words; the call is not
    scorable (not failed: a retry would find the same nothing), says why, keeps the upload
    and its empty transcript, and writes no evaluation."""
    from tests.support.synth import Silence, Tones, render_call

    event = Silence(20.0) if kind == "silence" else Tones(20.0, kind)  # type: ignore[arg-type]
    rendered = render_call([event], tmp_path / f"{kind}.wav", stereo=True)
    outcome = review_paths(svc, [rendered.path], agent="Priya")
    [result] = outcome.results
    assert result["status"] == "not_scorable"
    assert "error" not in result
    assert result["scorable"] is False
    scorability = result["scorability"]
    assert (scorability["reason"], scorability["confidence"], scorability["score_anyway"]) == (
        "no_speech",
        0.99,
        False,
    )
    assert scorability["detail"].startswith("No speech was found in 21.")
    assert result["transcript"]["segments"] == [] and result["evaluation"] is None
    assert _counts(svc) == {"calls": 1, "transcripts": 1, "evaluations": 0, "moments": 0}
    import uuid

    with pytest.raises(Conflict):
        retry_call(svc, uuid.UUID(result["call_id"]))


@pytest.mark.slow
def test_a_speech_is_not_scorable_and_keeps_its_transcript(svc: Services):
    """A real recording that is not a call (JFK's inaugural address): transcribed, kept, not
    scored, and it says why; the review result's existing fields keep their shape."""
    from tests.support.realsets import JFK

    [result] = review_paths(svc, [JFK], agent="Priya").results
    assert (result["status"], result["scorable"], result["evaluation"]) == (
        "not_scorable",
        False,
        None,
    )
    assert result["scorability"]["reason"] == "one_voice"
    assert result["scorability"]["detail"].startswith("Only one voice was heard")
    assert "fellow Americans" in " ".join(s["text"] for s in result["transcript"]["segments"])
    assert (result["moments"], result["feedback"]) == ([], None)
    assert _counts(svc) == {"calls": 1, "transcripts": 1, "evaluations": 0, "moments": 0}
