"""Mono calls end to end (espeak + real tiny.en): who said each word, turns that never glue two
speakers together, and the agent found by what they say. Each call is transcribed once."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from tests.support.scenarios import repeatable_sox
from tests.support.synth import Event, RenderedCall, RenderedTurn, Turn, render_call
from transcription import Transcript, transcribe_file
from transcription.asr import AsrWord
from transcription.speakers import VoiceFeatures, role_score, split_at_pauses
from transcription.turns import Piece

# An outbound call: the customer answers, so the first voice is NOT the agent's.
CUSTOMER_FIRST: list[Event] = [
    Turn("customer", "Hello?"),
    Turn("agent", "Hi, this is Tom from Acme Energy. Am I speaking with Mister Brown?"),
    Turn("customer", "Yes, speaking. What is this about?"),
    Turn("agent", "It's about your last bill. Can I have your date of birth to verify?"),
    Turn("customer", "Sure, the second of May, nineteen seventy."),
    Turn("agent", "Thanks. I can see we charged your account twice this month."),
    Turn("customer", "Oh, I was wondering why my bill was so high. Can you fix it?"),
    Turn("agent", "Yes, I have refunded the second payment to your card just now."),
    Turn("customer", "Great. How long will it take to reach my bank?"),
    Turn("agent", "It should arrive within three to five working days."),
    Turn("customer", "Okay, that is fine."),
    Turn("agent", "Is there anything else I can help you with today?"),
    Turn("customer", "No, that's all, thank you. Bye."),
]
AGENT_FIRST: list[Event] = [
    Turn("agent", "Thank you for calling Acme Telecom, my name is Sarah, how can I help?"),
    Turn("customer", "Hi, my internet keeps dropping out every evening."),
    Turn("agent", "I'm sorry about that. Can I take your postcode to find your account?"),
    Turn("customer", "It's S W one, two A B."),
    Turn("agent", "Thank you. I can see a fault on your line, an engineer will fix it tomorrow."),
    Turn("customer", "Great, thanks for sorting that out."),
    Turn("agent", "You're welcome. Have a lovely day."),
]
# Two male voices about 100 Hz apart by a few Hz (en-gb ignores +f too): the hard case.
SIMILAR_MEN = {"agent": "en-us+m3", "customer": "en-gb+m4"}
MAN_AND_WOMAN = {"agent": "en-gb-x-rp+m2", "customer": "en-us+f4"}
# Two of bench/mono_speakers.py's UNSEEN_PAIRS, fixed before the voiceprint work began.
UNSEEN_TWO_MEN = {"agent": "en-gb-x-rp+m6", "customer": "en-us+m5"}
UNSEEN_MIXED = {"agent": "en-us+m7", "customer": "en-us+f1"}
ONE_VOICE = {"agent": "en-us+m3", "customer": "en-us+m3"}
TWO_VOICES = ["similar_men", "man_and_woman", "unseen_two_men", "unseen_mixed"]

pytestmark = pytest.mark.slow  # real Whisper


def _owner(turns: list[RenderedTurn], t: float) -> str:
    """The turn holding ``t``, else the nearest one (Whisper puts some words in the pause)."""
    inside = [u for u in turns if u.start <= t <= u.end]
    if inside:
        return inside[0].speaker
    return min(turns, key=lambda u: min(abs(t - u.start), abs(t - u.end))).speaker


def _owners(call: RenderedCall, tr: Transcript) -> list[tuple[str, Counter[str]]]:
    """(labelled speaker, true speakers of its words) per segment."""
    return [
        (s.speaker, Counter(_owner(call.turns, (w.start + w.end) / 2) for w in s.words))
        for s in tr.segments
    ]


def _word_accuracy(call: RenderedCall, tr: Transcript) -> float:
    pairs = _owners(call, tr)
    right = sum(truth[label] for label, truth in pairs)
    return right / max(1, sum(sum(truth.values()) for _, truth in pairs))


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RenderedCall, Transcript]]:
    out = tmp_path_factory.mktemp("mono_speakers")
    found = {}
    for name, events, voices in (
        ("similar_men", CUSTOMER_FIRST, SIMILAR_MEN),
        ("man_and_woman", AGENT_FIRST, MAN_AND_WOMAN),
        ("unseen_two_men", CUSTOMER_FIRST, UNSEEN_TWO_MEN),
        ("unseen_mixed", AGENT_FIRST, UNSEEN_MIXED),
        ("one_voice", AGENT_FIRST, ONE_VOICE),
    ):
        with repeatable_sox():  # sox dithers at random otherwise: other bytes, other words
            call = render_call(events, out / f"{name}.wav", stereo=False, voices=voices)
        found[name] = (call, transcribe_file(call.path))
    return found


@pytest.mark.parametrize("name", TWO_VOICES)
def test_words_go_to_the_right_speaker(
    calls: dict[str, tuple[RenderedCall, Transcript]], name: str
) -> None:
    call, tr = calls[name]
    assert tr.speaker_method == "mono-clustering"
    accuracy = _word_accuracy(call, tr)
    assert accuracy >= 0.9, (accuracy, [(s.speaker, s.text) for s in tr.segments])
    assert all(0.5 <= s.speaker_confidence <= 1.0 for s in tr.segments)
    assert not [s for s in tr.segments if s.speaker == "unknown" and s.end - s.start > 2.0]


@pytest.mark.parametrize("name", TWO_VOICES)
def test_no_segment_spans_two_speakers(
    calls: dict[str, tuple[RenderedCall, Transcript]], name: str
) -> None:
    call, tr = calls[name]
    for (label, truth), seg in zip(_owners(call, tr), tr.segments, strict=True):
        minority = sum(truth.values()) - max(truth.values(), default=0)
        assert minority <= 1, (label, seg.text, truth)


def test_agent_found_by_content_when_the_customer_speaks_first(
    calls: dict[str, tuple[RenderedCall, Transcript]],
) -> None:
    call, tr = calls["similar_men"]
    assert call.turns[0].speaker == "customer"
    assert tr.segments[0].speaker == "customer", tr.segments[0]
    agent_text = " ".join(s.text for s in tr.segments if s.speaker == "agent").lower()
    assert "anything else" in agent_text


@pytest.mark.parametrize(
    ("name", "agent_says", "customer_says"),
    [
        ("unseen_two_men", "anything else", "reach my bank"),
        ("unseen_mixed", "how can i help", "keeps dropping"),
    ],
)
def test_roles_on_unseen_voices(
    calls: dict[str, tuple[RenderedCall, Transcript]],
    name: str,
    agent_says: str,
    customer_says: str,
) -> None:
    call, tr = calls[name]
    assert tr.segments[0].speaker == call.turns[0].speaker, tr.segments[0]
    agent_text = " ".join(s.text for s in tr.segments if s.speaker == "agent").lower()
    customer_text = " ".join(s.text for s in tr.segments if s.speaker == "customer").lower()
    assert agent_says in agent_text and agent_says not in customer_text
    assert customer_says in customer_text and customer_says not in agent_text


def test_one_voice_gives_unknown(calls: dict[str, tuple[RenderedCall, Transcript]]) -> None:
    # Both roles read by one voice: no voice evidence can tell them apart, so no guess.
    _, tr = calls["one_voice"]
    assert tr.segments
    assert {s.speaker for s in tr.segments} == {"unknown"}
    assert "mono: could not tell two voices apart; speakers are unknown" in tr.notes


def test_role_score_weighs_your_against_my() -> None:
    assert role_score("Can you confirm your address and your postcode?") > 0
    assert role_score("My card was declined at my local shop.") < 0


def _word(start: float, end: float, text: str) -> AsrWord:
    return AsrWord(start, end, f" {text}", 0.9)


def test_words_are_cut_and_clipped_at_a_pause_whisper_ran_over() -> None:
    # Sound 0-1 s and 1.5-2.5 s; Whisper's second word runs from 0.9 s over the pause.
    sr = 16000
    t = np.arange(int(2.6 * sr)) / sr
    x = (0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    x[(t > 1.0) & (t < 1.5)] = 0.0
    words = (_word(0.0, 0.5, "one"), _word(0.5, 0.9, "two"), _word(0.9, 2.0, "three"))
    piece = Piece(words, 0.0, 2.0, "one two three", -0.2, 0.01, 1.2)
    units = split_at_pauses([piece], VoiceFeatures(x, sr))
    assert [u.text for u in units] == ["one two", "three"]
    assert units[1].start == pytest.approx(1.5, abs=0.03)
    assert units[0].words[-1].end <= 1.01
