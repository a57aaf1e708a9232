"""Speaker helpers without a model: fake-stereo detection and role cues."""

from __future__ import annotations

import numpy as np

from transcription.speakers import content_score, is_fake_stereo


def _tone(seconds: float, hz: float) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_fake_stereo() -> None:
    a, b = _tone(2, 180), _tone(2, 260)
    assert is_fake_stereo(np.stack([a, a]))
    assert is_fake_stereo(np.stack([a, a * 0.999 + 1e-4]))
    assert not is_fake_stereo(np.stack([a, b]))
    # One side silent is a real two-channel call where one party never spoke.
    assert not is_fake_stereo(np.stack([a, np.zeros_like(a)]))
    assert not is_fake_stereo(a[None, :])


def test_content_score_leans_agent_or_customer() -> None:
    assert content_score("Thank you for calling Acme, how can I help you today?") == 6
    assert content_score("Hi, I'm calling about my bill, I was charged twice.") == -4
    assert content_score("Okay.") == 0
    # Callers introduce themselves too: "my name is" alone is weak evidence.
    assert content_score("My name is Violet and I bought a car.") == 0
