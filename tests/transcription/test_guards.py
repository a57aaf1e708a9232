"""The hallucination guards on hand-made engine output (no model needed)."""

from __future__ import annotations

import numpy as np

from transcription.asr import AsrSegment, AsrWord
from transcription.guards import clean_segments, cut_loops
from transcription.turns import cut

SR = 16000


def _audio(seconds: float, loud: list[tuple[float, float]]) -> np.ndarray:
    x = np.zeros(int(seconds * SR), dtype=np.float32)
    t = np.arange(len(x)) / SR
    for a, b in loud:
        span = (t >= a) & (t < b)
        x[span] = 0.3 * np.sin(2 * np.pi * 150 * t[span])
    return x


def _seg(words: list[tuple[float, float, str]], **scores: float) -> AsrSegment:
    ws = tuple(AsrWord(a, b, f" {w}", 0.9) for a, b, w in words)
    return AsrSegment(
        start=ws[0].start,
        end=ws[-1].end,
        text="".join(w.word for w in ws).strip(),
        words=ws,
        avg_logprob=scores.get("avg_logprob", -0.2),
        no_speech_prob=scores.get("no_speech_prob", 0.1),
        compression_ratio=scores.get("compression_ratio", 1.3),
    )


def test_words_over_digital_silence_are_dropped() -> None:
    x = _audio(10, [(1.0, 3.0)])
    seg = _seg([(1.1, 1.5, "Hello"), (1.6, 2.9, "there."), (6.0, 6.4, "Bye.")])
    [kept] = clean_segments([seg], x, SR)
    assert kept.text == "Hello there."
    assert (kept.start, kept.end) == (1.1, 2.9)


def test_known_silence_hallucinations_are_dropped() -> None:
    x = _audio(10, [(0.0, 10.0)])
    segs = [
        _seg([(0.0, 0.5, "Thank"), (0.5, 0.8, "you"), (0.8, 1.0, "for"), (1.0, 1.5, "watching.")]),
        _seg(
            [
                (2.0, 2.5, "Yes,"),
                (2.5, 3, "nothing"),
                (3, 3.2, "is"),
                (3.2, 3.5, "higher"),
                (3.5, 3.7, "than"),
                (3.7, 4, "that."),
            ]
        ),
        _seg([(5.0, 5.3, "You")], no_speech_prob=0.5),
        _seg([(6.0, 6.3, "Okay,"), (6.3, 6.6, "great.")]),
    ]
    assert [s.text for s in clean_segments(segs, x, SR)] == ["Okay, great."]


def test_bad_scores_drop_segments() -> None:
    x = _audio(10, [(0.0, 10.0)])
    segs = [
        _seg([(0.0, 1.0, "mumble")], no_speech_prob=0.8, avg_logprob=-0.9),
        _seg([(1.0, 2.0, "guess")], avg_logprob=-1.8),
        _seg([(2.0, 3.0, "la")], compression_ratio=3.1),
        _seg([(3.0, 4.0, "kept")], no_speech_prob=0.8, avg_logprob=-0.3),
    ]
    assert [s.text for s in clean_segments(segs, x, SR)] == ["kept"]


def test_repetition_loops_are_cut() -> None:
    text = ["I'm", "sorry"] * 4 + ["about", "that"]
    words = [AsrWord(i * 0.3, i * 0.3 + 0.2, w, 0.9) for i, w in enumerate(text)]
    assert [w.word for w in cut_loops(words)] == ["I'm", "sorry", "about", "that"]
    no_no = [AsrWord(i, i + 0.5, "no", 0.9) for i in range(3)]
    assert len(cut_loops(no_no)) == 3  # three "no"s is speech, not a loop


def test_turns_are_cut_at_word_gaps() -> None:
    seg = _seg(
        [
            (0.0, 0.4, "Please"),
            (0.4, 0.8, "hold."),
            (13.8, 14.2, "Thanks"),
            (14.2, 14.6, "for"),
            (14.6, 15.0, "holding."),
        ]
    )
    pieces = cut([seg], max_gap=1.0)
    assert [(p.start, p.end, p.text) for p in pieces] == [
        (0.0, 0.8, "Please hold."),
        (13.8, 15.0, "Thanks for holding."),
    ]
