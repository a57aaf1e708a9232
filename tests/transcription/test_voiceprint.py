"""Voiceprints (Resemblyzer's encoder, read from its weights) and mono attribution on the true
turn times of generated calls: no Whisper, so the voices alone are tested."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from tests.support.scenarios import repeatable_sox
from tests.support.synth import Event, RenderedCall, Turn, _speak, render_call
from transcription import speakers, voiceprint
from transcription.speakers import Unit, VoiceFeatures, attribute

needs_encoder = pytest.mark.skipif(
    not voiceprint.available(), reason="Resemblyzer (the voice encoder's weights) not installed"
)

AGENT_FIRST: list[Event] = [
    Turn("agent", "Thank you for calling Acme Telecom, my name is Sarah, how can I help?"),
    Turn("customer", "Hi, my internet keeps dropping out every evening."),
    Turn("agent", "I'm sorry about that. Can I take your postcode to find your account?"),
    Turn("customer", "It's S W one, two A B."),
    Turn("agent", "Thank you. I can see a fault on your line, an engineer will fix it tomorrow."),
    Turn("customer", "Great, thanks for sorting that out. I was worried about my bill."),
    Turn("agent", "You're welcome. Is there anything else I can help you with today?"),
    Turn("customer", "No, that's all, thank you."),
    Turn("agent", "Have a lovely day."),
]


def _render(tmp: Path, name: str, voices: dict[str, str]) -> tuple[RenderedCall, np.ndarray]:
    with repeatable_sox():
        call = render_call(AGENT_FIRST, tmp / f"{name}.wav", stereo=False, voices=voices)
    with wave.open(str(call.path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return call, pcm.astype(np.float32) / 32768.0


def _attribute(call: RenderedCall, x: np.ndarray) -> speakers.Attribution:
    units = [Unit(t.start, t.end, t.text) for t in call.turns]
    return attribute(units, VoiceFeatures(x, 16000))


def test_mel_filterbank_is_librosas_slaney_layout() -> None:
    # Reference values from librosa 0.11 (filters.mel / feature.melspectrogram, sr=16000,
    # n_fft=400, hop 160, 40 mels), which the encoder was trained with.
    basis = voiceprint._mel_basis()
    assert basis.shape == (40, 201)
    assert basis.max(axis=1)[[0, 10, 39]] == pytest.approx(
        [0.0124045, 0.0118795, 0.0017249], rel=1e-4
    )
    assert basis.sum() == pytest.approx(0.9994972)
    assert list(np.flatnonzero(basis[0])) == [1, 2, 3]
    t = np.arange(16000) / 16000
    mel = voiceprint.mel_frames(0.1 * np.sin(2 * np.pi * 1000 * t).astype(np.float32))
    assert mel.shape == (101, 40)
    assert int(mel[50].argmax()) == 13


@needs_encoder
def test_voiceprints_tell_a_voice_from_another() -> None:
    say = [
        "I would like to check the balance on my account please.",
        "The engineer will come round on Tuesday morning between eight and twelve.",
    ]
    clips = {
        (v, i): _speak(s, v, 165, 16000) / 32768.0
        for v in ("en-us+m3", "en-us+f3")
        for i, s in enumerate(say)
    }
    x = np.concatenate(list(clips.values())).astype(np.float32)
    prints = voiceprint.Voiceprints(x)
    spans, at = [], 0
    for clip in clips.values():
        spans.append(np.arange(at, at + len(clip)) // 160)
        at += len(clip)
    e = prints.embed([np.unique(s) for s in spans])
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    same_m, same_f = float(e[0] @ e[1]), float(e[2] @ e[3])
    across = max(float(e[i] @ e[j]) for i in (0, 1) for j in (2, 3))
    # Measured: one voice 0.91 / 0.86 across two sentences, the two voices 0.68.
    assert min(same_m, same_f) > 0.8, (same_m, same_f)
    assert across < min(same_m, same_f) - 0.15, (same_m, same_f, across)


@needs_encoder
@pytest.mark.parametrize(
    "voices",
    [
        # Fixed in bench/mono_speakers.py's UNSEEN_PAIRS before development.
        {"agent": "en-us+m7", "customer": "en-us+f1"},
        {"agent": "en-gb-x-rp+m6", "customer": "en-us+m5"},  # two men
    ],
    ids=["unseen-mixed", "unseen-two-men"],
)
def test_unseen_voices_on_true_turns(tmp_path: Path, voices: dict[str, str]) -> None:
    call, x = _render(tmp_path, "pair", voices)
    got = _attribute(call, x)
    assert got.speakers == tuple(t.speaker for t in call.turns)
    assert min(got.confidences) >= 0.9


@needs_encoder
def test_one_voice_is_unknown(tmp_path: Path) -> None:
    call, x = _render(tmp_path, "one", {"agent": "en-us+m3", "customer": "en-us+m3"})
    got = _attribute(call, x)
    assert set(got.speakers) == {"unknown"}


def test_numpy_fallback_without_the_encoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(voiceprint, "available", lambda: False)
    monkeypatch.setattr(voiceprint, "Voiceprints", None)  # must not be touched
    call, x = _render(tmp_path, "pair", {"agent": "en-us+m7", "customer": "en-us+f1"})
    got = _attribute(call, x)
    assert got.speakers == tuple(t.speaker for t in call.turns)
