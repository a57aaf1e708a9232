"""Verdicts from the conversation: a verification exchange before account work, answers to
requests, read-backs, contradictions, several requests, and real Harper Valley Bank calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import Embedder, Rubric, evaluate
from scoring.types import Evaluation
from tests.support.scoring_helpers import make_transcript, script
from transcription.transcript_files import load_transcript_file

A, C = "agent", "customer"
HVB = Path(__file__).resolve().parents[3] / "shared" / "data" / "hvb_qa_dev"


def verdict(lines: list, rubric: Rubric, embedder: Embedder, criterion: str) -> str:  # type: ignore[type-arg]
    ev = evaluate(make_transcript(script(lines)), rubric, embedder=embedder)
    return next(c.verdict for c in ev.criteria if c.id == criterion)


OPEN = (A, "Thanks for calling Northwind Bank, this is Dan, how can I help?")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a detail collected for the task is not verification
        (
            [
                OPEN,
                (C, "Hi, I need a new checkbook."),
                (A, "What address should we send it to?"),
                (C, "Twelve Elm Street."),
                (A, "Your new checkbook has been ordered and will arrive in five days."),
            ],
            "fail",
        ),
        # the same detail asked as verification is
        (
            [
                OPEN,
                (C, "Hi, I need a new checkbook."),
                (A, "For security, can you confirm the address on file?"),
                (C, "Twelve Elm Street."),
                (A, "Your new checkbook has been ordered and will arrive in five days."),
            ],
            "pass",
        ),
        # a factor that verifies whatever the framing, but only before the account work
        (
            [
                OPEN,
                (C, "What's my balance please?"),
                (A, "Your balance is two hundred dollars."),
                (A, "Can you give me your date of birth?"),
                (C, "Fifth of May nineteen ninety."),
            ],
            "fail",
        ),
        # a name alone verifies nothing
        (
            [
                OPEN,
                (C, "I want to check my balance."),
                (A, "Can I have your name please?"),
                (C, "Jo Smith."),
                (A, "Your balance is two hundred dollars."),
            ],
            "fail",
        ),
        # no account work at all: not applicable
        (
            [
                OPEN,
                (C, "What time does the branch on Main Street close today?"),
                (A, "The Main Street branch closes at five p m today."),
            ],
            "na",
        ),
        # a refusal is an answer, but not a verification
        (
            [
                OPEN,
                (C, "I want to move some money to my savings."),
                (A, "For security, what's your date of birth?"),
                (C, "I'd rather not give that out."),
                (A, "Okay."),
            ],
            "fail",
        ),
    ],
)
def test_verification_exchange(
    lines: list,  # type: ignore[type-arg]
    expected: str,
    rubric: Rubric,
    embedder: Embedder,
) -> None:
    assert verdict(lines, rubric, embedder, "identity_verification") == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # information asked for, given
        (
            [
                OPEN,
                (C, "I need to check my account balance."),
                (A, "Which account?"),
                (C, "My savings."),
                (A, "Your savings account balance is eighty four dollars."),
            ],
            "pass",
        ),
        # only reading the request back, then moving on
        (
            [
                OPEN,
                (C, "I'd like to schedule an appointment."),
                (A, "What day would you like?"),
                (C, "Wednesday."),
                (A, "Wednesday."),
                (A, "Is there anything else I can help you with?"),
            ],
            "fail",
        ),
        # a confirmation that contradicts the amount asked for
        (
            [
                OPEN,
                (C, "I want to transfer money to my savings."),
                (A, "What is the transfer amount?"),
                (C, "A hundred and one dollars."),
                (A, "Okay, a hundred dollars has been transferred to your savings."),
            ],
            "fail",
        ),
        # the same confirmation with the right amount
        (
            [
                OPEN,
                (C, "I want to transfer money to my savings."),
                (A, "What is the transfer amount?"),
                (C, "A hundred and one dollars."),
                (A, "Okay, a hundred and one dollars has been transferred to your savings."),
            ],
            "pass",
        ),
        # two requests: the second one is left unanswered
        (
            [
                OPEN,
                (C, "I lost my card, can you send me a new one?"),
                (A, "Your replacement card is on its way and will arrive in five days."),
                (C, "Oh, and while I've got you, what's the interest rate on my savings?"),
                (A, "Hmm, I'm not really sure about that one."),
                (A, "Anything else?"),
            ],
            "fail",
        ),
    ],
)
def test_resolution_answers_each_request(
    lines: list,  # type: ignore[type-arg]
    expected: str,
    rubric: Rubric,
    embedder: Embedder,
) -> None:
    assert verdict(lines, rubric, embedder, "resolution") == expected


def _hvb(sid: str, rubric: Rubric, embedder: Embedder) -> Evaluation:
    return evaluate(load_transcript_file(HVB / "calls" / f"{sid}.json"), rubric, embedder=embedder)


@pytest.mark.skipif(not HVB.is_dir(), reason="../shared/data is not here")
def test_real_bank_calls_match_the_qa_lead(rubric: Rubric, embedder: Embedder) -> None:
    """Every verdict on the 20 labelled Harper Valley dev calls (human transcripts) as the QA
    lead gave it — the set this scorer was developed on, so a regression test, not a measure."""
    labels = json.loads((HVB / "labels.json").read_text())
    wrong = []
    for sid, lab in sorted(labels.items()):
        got = {c.id: c.verdict for c in _hvb(sid, rubric, embedder).criteria}
        wrong += [(sid, k, v, got[k]) for k, v in lab["labels"].items() if got[k] != v]
    assert wrong == []


@pytest.mark.skipif(not HVB.is_dir(), reason="../shared/data is not here")
def test_real_call_evidence(rubric: Rubric, embedder: Embedder) -> None:
    # A balance read out after only a name: no verification; the balance answers the request.
    ev = _hvb("05c6e20d983b4804", rubric, embedder)
    by = {c.id: c for c in ev.criteria}
    assert by["identity_verification"].verdict == "fail"
    assert by["identity_verification"].evidence[0].text == (
        "your savings account balances eighty four dollars"
    )
    assert by["resolution"].evidence[0].text == "your savings account balances eighty four dollars"
    assert (by["dead_air"].verdict, ev.auto_failed) == ("na", True)
    # Branch hours need no account: identity is not applicable and nothing auto-fails.
    ev = _hvb("07c661a60f194d1b", rubric, embedder)
    by = {c.id: c for c in ev.criteria}
    assert (by["identity_verification"].verdict, ev.auto_failed, ev.score) == ("na", False, 100.0)


def test_a_long_call_costs_each_turn_once(
    rubric: Rubric, embedder: Embedder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Work grows with the call, not with its square: every (detector, turn) question is
    answered once however many candidate answers look back over the call (an 800 KB
    transcript once took 51 s because each candidate re-read every earlier turn)."""
    from scoring.context import CallContext

    calls: list[tuple[int, int]] = []
    real = CallContext._detect

    def counting(self, det, utt):  # type: ignore[no-untyped-def]
        calls.append((id(det), utt.index))
        return real(self, det, utt)

    monkeypatch.setattr(CallContext, "_detect", counting)
    lines = (HVB / "calls" / "0188295665114e74.txt").read_text().splitlines()
    path = tmp_path / "long_call.txt"
    path.write_text("\n".join(lines * 20))
    transcript = load_transcript_file(path)
    ev = evaluate(transcript, rubric, embedder=embedder)
    assert {c.id for c in ev.criteria} >= {"identity_verification", "resolution"}
    assert len(calls) == len(set(calls))  # no question asked twice of the same turn
    turns = len({u for _, u in calls})
    assert len(calls) <= 30 * turns  # a few dozen detectors at most, each once per turn
