from __future__ import annotations

from scoring.text import is_negated, normalize, split_clauses
from scoring.timeline import utterances
from tests.scoring.helpers import make_transcript
from transcription.types import Segment, Transcript, Word


def test_normalize() -> None:
    assert normalize("I\u2019m SORRY - that's  f***ing odd!") == "im sorry thats f***ing odd"


def test_split_clauses() -> None:
    assert split_clauses("I'm sorry you feel that way, but that's the policy. Anything else?") == [
        "I'm sorry you feel that way",
        "but that's the policy.",
        "Anything else?",
    ]


def test_negation_scope() -> None:
    n = normalize("I can't help you with that")
    assert is_negated(n, n.index("help"))
    n = normalize("oh no I'm so sorry")
    assert not is_negated(n, n.index("im"))


def test_turns_are_recut_at_word_gaps() -> None:
    words = (Word(1.0, 1.4, " Okay."), Word(5.0, 5.4, " Done."))
    t = Transcript("x", "y", (Segment(1.0, 5.4, "agent", "Okay. Done.", words),))
    assert [(u.start, u.end, u.text) for u in utterances(t)] == [
        (1.0, 1.4, "Okay."),
        (5.0, 5.4, "Done."),
    ]
    t2 = make_transcript([("customer", 0.0, 1.0, "hi there")])
    assert [u.speaker for u in utterances(t2)] == ["customer"]


def test_numpy_encoder_matches_transformers() -> None:
    """The numpy forward pass gives transformers' own vectors (same weights, same pooling)."""
    from scoring.embedding import NumpyEmbedder, TransformerEmbedder, resolve_model_path

    path = resolve_model_path("all-MiniLM-L6-v2")
    texts = [
        "Thank you for calling Acme Telecom, my name is Sarah.",
        "calm down",
        "I can see two payments of thirty two pounds on your account, so I've refunded one.",
        "",
    ]
    fast = NumpyEmbedder(path).encode(texts)
    ref = TransformerEmbedder(path).encode(texts)
    assert fast.shape == ref.shape == (4, 384)
    cosines = (fast * ref).sum(axis=1)
    assert cosines.min() > 0.9999
