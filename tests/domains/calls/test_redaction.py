"""PII as the pipeline applies it: redacted stored text, pii_spoken moments, a muted audio copy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from domains.kit.services import Services, build_services
from models.calls import Call
from pipeline.review import review_paths
from tests.conftest import make_settings
from tests.support.synth import Turn, render_call
from transcription import decode_audio

CALL_WITH_PII = """\
Agent: Thank you for calling Northwind Bank, my name is Dan, how can I help?
Customer: Hi, I need to update my card, the number is 4111 1111 1111 1111.
Agent: Thanks. Can you confirm the email on file?
Customer: It's jane.doe@example.com and my phone is 07700 900123.
Agent: Thank you, that's verified. I've ordered your new card, it arrives in five days.
Agent: Is there anything else I can help with today?
Customer: No thanks.
Agent: Thanks for calling, goodbye.
"""


def test_stored_text_is_redacted_and_moments_mark_the_spans(svc: Services, tmp_path: Path):
    path = tmp_path / "pii.txt"
    path.write_text(CALL_WITH_PII)
    [result] = review_paths(svc, [path], agent="Dan").results
    text = json.dumps(result["transcript"])
    for secret in ("4111", "jane.doe", "example.com", "900123"):
        assert secret not in text
    lines = [s["text"] for s in result["transcript"]["segments"]]
    assert "[CARD]" in lines[1]
    assert "[EMAIL]" in lines[3] and "[PHONE]" in lines[3]
    kinds = sorted(
        m["description"].split(" was spoken")[0]
        for m in result["moments"]
        if m["type"] == "pii_spoken"
    )
    assert kinds == ["a card number", "a phone number", "an e-mail address"]
    assert result["evaluation"]["score"] == 100.0  # redaction does not cost the agent points


@pytest.mark.slow
def test_audio_copy_is_muted_where_pii_was_spoken(tmp_path: Path):
    rendered = render_call(
        [
            Turn("agent", "Thank you for calling Northwind Bank, this is Dan speaking."),
            # Digits without zeros: espeak says "nought", which Whisper base hears as a word.
            Turn("customer", "Hello, my phone number is 7 7 5 1, 9 2 8, 1 2 3 4."),
            Turn("agent", "Thank you, I have updated it for you."),
        ],
        tmp_path / "pii.wav",
    )
    settings = make_settings(
        f"sqlite:///{tmp_path}/r.db",
        tmp_path / "storage",
        pii_audio="mute",
        keep_original_audio=False,
    )
    svc = build_services(settings)
    try:
        [result] = review_paths(svc, [rendered.path], agent="Dan").results
        pii = [m for m in result["moments"] if m["type"] == "pii_spoken"]
        assert [m["description"] for m in pii] == ["a phone number was spoken here (redacted)."]
        with svc.session_factory() as s:
            call = s.scalars(select(Call)).one()
            assert call.redacted_storage_key is not None
            assert call.storage_key == call.redacted_storage_key  # the original was dropped
        originals = list((tmp_path / "storage").rglob("*.wav"))
        assert [p.name for p in originals] == [Path(call.redacted_storage_key).name]
        muted, _ = decode_audio(svc.storage.path(call.redacted_storage_key))
        original, _ = decode_audio(rendered.path)
        a, b = int(pii[0]["start"] * 16000), int(pii[0]["end"] * 16000)
        assert np.sqrt((muted[:, a:b] ** 2).mean()) == 0.0
        assert np.sqrt((original[:, a:b] ** 2).mean()) > 0.01
        customer_turn = rendered.turns[1]
        assert a / 16000 < customer_turn.end and b / 16000 > customer_turn.start
    finally:
        svc.close()
