from __future__ import annotations

import pytest

from scoring import Embedder, Rubric, evaluate
from scoring.types import Evaluation, Evidence
from tests.support.scoring_calls import BAD, GOOD, A, C, bad_call, good_call
from tests.support.scoring_helpers import make_transcript, script
from transcription.types import AudioInfo

# Timing criteria judge recordings; a transcript with no audio is N/A for them.
AUDIO = AudioInfo(duration_s=30.0, channels=2, sample_rate=16000)


def verdicts(ev: Evaluation) -> dict[str, str]:
    return {c.id: c.verdict for c in ev.criteria}


def run(lines: list, rubric: Rubric, embedder: Embedder) -> Evaluation:  # type: ignore[type-arg]
    return evaluate(make_transcript(script(lines)), rubric, embedder=embedder)


def replace(lines: list, old: str, new: str | None) -> list:  # type: ignore[type-arg]
    out = []
    found = False
    for item in lines:
        if isinstance(item, tuple) and item[1] == old:
            found = True
            if new is not None:
                out.append((item[0], new))
        else:
            out.append(item)
    assert found, old
    return out


def test_good_call_passes_everything(rubric: Rubric, embedder: Embedder) -> None:
    ev = evaluate(good_call(), rubric, embedder=embedder)
    assert verdicts(ev) == dict.fromkeys(verdicts(ev), "pass")
    assert (ev.score, ev.auto_failed, ev.rubric, ev.rubric_version, ev.source) == (
        100.0,
        False,
        "contact-center-default",
        1,
        "ai",
    )
    greeting = ev.criteria[0]
    assert greeting.evidence == (
        Evidence(
            0.5,
            5.86,
            "agent",
            "Thank you for calling Acme Telecom, my name is Sarah, how can I help?",
        ),
    )
    for c in ev.criteria:
        assert 0.0 <= c.confidence <= 1.0 and c.rationale
        assert c.points == c.max_points


def test_bad_call_fails_and_is_auto_failed(rubric: Rubric, embedder: Embedder) -> None:
    ev = evaluate(bad_call(), rubric, embedder=embedder)
    assert verdicts(ev) == {
        "greeting": "fail",
        "identity_verification": "fail",
        "empathy": "fail",
        "hold_etiquette": "na",
        "resolution": "fail",
        "closing": "fail",
        "professional_language": "fail",
        "dead_air": "fail",
    }
    assert ev.auto_failed is True and ev.score == 0.0
    dead = next(c for c in ev.criteria if c.id == "dead_air")
    (silence,) = dead.evidence
    assert (silence.start, silence.end, silence.speaker) == (13.05, 25.67, "unknown")
    prof = next(c for c in ev.criteria if c.id == "professional_language")
    # Evidence is the sentence that was said, not the whole turn around it.
    assert [e.text for e in prof.evidence] == [
        "Calm down.",
        "Okay so there's nothing I can do, you'll have to call back.",
    ]
    greeting = ev.criteria[0]  # an absence cites the span it judged: the agent's opening
    assert [e.text for e in greeting.evidence] == [
        "Yeah, what do you want?",
        "Calm down. What's the account?",
    ]


def test_score_arithmetic_with_na_and_misses(rubric: Rubric, embedder: Embedder) -> None:
    # No hold (na, 10 pts out), no frustration (na, 15 pts out), no closing (fail, 10 pts).
    lines = [
        (A, "Good morning, you're through to Northwind Bank, this is Dan."),
        (C, "Hi, I'd like to change the address on my account."),
        (A, "Of course. Can you confirm the postcode on the account?"),
        (C, "It's S W one A two A A."),
        (A, "Thanks. I've updated the address and sent you a confirmation email."),
        (C, "Okay."),
        (A, "Right."),
    ]
    ev = run(lines, rubric, embedder)
    assert verdicts(ev) == {
        "greeting": "pass",
        "identity_verification": "pass",
        "empathy": "na",
        "hold_etiquette": "na",
        "resolution": "pass",
        "closing": "fail",
        "professional_language": "pass",
        "dead_air": "pass",
    }
    # earned 10+15+20+10+10 = 65 of applicable 75
    assert ev.score == 86.7 and ev.auto_failed is False


@pytest.mark.parametrize(
    ("opening", "verdict"),
    [
        ("Hello, you've reached Contoso Energy, Tom speaking.", "pass"),
        ("thank you for calling akmi telecom this is Asia here how can I help", "pass"),
        ("Hi, this is Maria from customer support.", "pass"),
        ("Acme Telecom has a new app you can download.", "fail"),  # company name only
        ("Hello? What's the problem?", "fail"),
    ],
)
def test_greeting(opening: str, verdict: str, rubric: Rubric, embedder: Embedder) -> None:
    lines = replace(GOOD, GOOD[0][1], opening)  # type: ignore[index]
    assert verdicts(run(lines, rubric, embedder))["greeting"] == verdict


@pytest.mark.parametrize(
    ("ask", "answer", "verdict"),
    [
        (
            "I'm so sorry about that. Can I take your date of birth please?",
            "Sure, it's the twelfth of March nineteen eighty five.",
            "pass",
        ),
        ("sorry about that can you confirm your native birth", "yes 5th of May 1990", "pass"),
        ("I'm sorry. What's the zip code on the account?", "It's nine oh two one oh.", "pass"),
        ("Sorry. Can you give me the last four digits of the card?", "4 4 1 2", "pass"),
        ("Sorry. What's the email address we have on file?", "jo at example dot com", "pass"),
        (
            "Sorry. Please answer your security question, what was your first pet?",
            "Biscuit.",
            "pass",
        ),
        ("I'm sorry. I don't need your date of birth, let's just go ahead.", "Okay.", "fail"),
        ("I'm sorry. Can I take your date of birth please?", "I don't know it, sorry.", "fail"),
        ("I'm so sorry about that, let me look.", "Okay.", "fail"),
    ],
)
def test_identity_verification(
    ask: str, answer: str, verdict: str, rubric: Rubric, embedder: Embedder
) -> None:
    lines = replace(GOOD, GOOD[2][1], ask)  # type: ignore[index]
    lines = replace(lines, GOOD[3][1], answer)  # type: ignore[index]
    assert verdicts(run(lines, rubric, embedder))["identity_verification"] == verdict


@pytest.mark.parametrize(
    ("customer", "agent", "verdict"),
    [
        (
            "This is the third time I've called and I'm fed up.",
            "I completely understand how "
            "frustrating that must be. Can I take your date of birth please?",
            "pass",
        ),
        (
            "I'm really upset about this charge.",
            "I'm sorry you feel that way, but that's the "
            "policy. Can I take your date of birth please?",
            "fail",
        ),  # non-apology
        (
            "I'm really upset about this charge.",
            "Sorry, but there's nothing we can change. Can I take your date of birth please?",
            "fail",
        ),
        (
            "Hi, I'd like to check a charge on my bill.",
            "Sure. Can I take your date of birth please?",
            "na",
        ),
        (
            "No worries, I'm not upset, just checking a charge.",
            "Sure. Can I take your date of birth please?",
            "na",
        ),
    ],
)
def test_empathy(
    customer: str, agent: str, verdict: str, rubric: Rubric, embedder: Embedder
) -> None:
    lines = replace(GOOD, GOOD[1][1], customer)  # type: ignore[index]
    lines = replace(lines, GOOD[2][1], agent)  # type: ignore[index]
    ev = run(lines, rubric, embedder)
    assert verdicts(ev)["empathy"] == verdict


@pytest.mark.parametrize(
    ("announce", "back", "verdict"),
    [
        (
            "Thank you. Let me put you on hold for a moment while I check.",
            "Thanks for holding. I've processed a refund, you'll see it within three to five days.",
            "pass",
        ),
        (
            "thank you can I put you unfold for a second",
            "sorry for the wait I've processed a refund you'll see it within three to five days",
            "pass",
        ),
        (
            "Thank you. Bear with me one moment.",
            "Okay, so I've processed a refund, you'll see it within three to five days.",
            "fail",
        ),
        # "hold on to your receipt" is no hold; the silence after it is dead air
        (
            "Thank you. Please hold on to your receipt.",
            "Okay, so I've processed a refund, you'll see it within three to five days.",
            "na",
        ),
    ],
)
def test_hold_etiquette(
    announce: str, back: str, verdict: str, rubric: Rubric, embedder: Embedder
) -> None:
    lines = replace(GOOD, GOOD[4][1], announce)  # type: ignore[index]
    lines = replace(lines, GOOD[6][1], back)  # type: ignore[index]
    v = verdicts(run(lines, rubric, embedder))
    assert v["hold_etiquette"] == verdict
    assert v["dead_air"] == ("fail" if verdict == "na" else "pass")


def test_no_hold_at_all_is_na(rubric: Rubric, embedder: Embedder) -> None:
    lines = [x for x in GOOD if not isinstance(x, float)]
    lines = replace(lines, GOOD[4][1], "Thank you, I can see the account.")  # type: ignore[index]
    v = verdicts(run(lines, rubric, embedder))
    assert (v["hold_etiquette"], v["dead_air"]) == ("na", "pass")


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Thanks for holding. I've reset your password, you can log in now.", "pass"),
        ("Thanks for holding. A technician will visit on Tuesday morning.", "pass"),
        ("Thanks for holding. I can't help you with that, you'll have to call back.", "fail"),
        ("Thanks for holding. I'm not sure what to tell you.", "fail"),
        ("Thanks for holding. I haven't been able to refund it.", "fail"),
    ],
)
def test_resolution(text: str, verdict: str, rubric: Rubric, embedder: Embedder) -> None:
    lines = replace(GOOD, GOOD[6][1], text)  # type: ignore[index]
    assert verdicts(run(lines, rubric, embedder))["resolution"] == verdict


@pytest.mark.parametrize(
    ("last", "verdict"),
    [
        (
            [
                "Is there anything else I can help you with today?",
                "Thanks for calling Acme, have a great day.",
            ],
            "pass",
        ),
        (["You're welcome, take care.", None], "pass"),
        (["There's nothing else I can do for you.", "Okay bye."], "fail"),
        (["Okay.", "Bye."], "fail"),
    ],
)
def test_closing(last: list, verdict: str, rubric: Rubric, embedder: Embedder) -> None:  # type: ignore[type-arg]
    lines = replace(GOOD, GOOD[8][1], last[0])  # type: ignore[index]
    lines = replace(lines, GOOD[10][1], last[1])  # type: ignore[index]
    assert verdicts(run(lines, rubric, embedder))["closing"] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Okay, well that's your fault for not reading the email.", "fail"),
        ("It's not my problem, honestly.", "fail"),
        ("What the hell, just read it to me.", "fail"),
        ("Don't worry, it's not your fault at all.", "pass"),
        ("Let me see what I can do for you.", "pass"),
    ],
)
def test_professional_language(text: str, verdict: str, rubric: Rubric, embedder: Embedder) -> None:
    lines = replace(GOOD, GOOD[8][1], text)  # type: ignore[index]
    ev = run(lines, rubric, embedder)
    assert verdicts(ev)["professional_language"] == verdict
    assert ev.auto_failed is (verdict == "fail")
    assert ev.score == (0.0 if verdict == "fail" else 100.0)


def test_customer_words_are_not_the_agents(rubric: Rubric, embedder: Embedder) -> None:
    lines = replace(
        GOOD, GOOD[7][1], "Great, thank you, and calm down about it, it's not your problem."
    )  # type: ignore[index]
    assert verdicts(run(lines, rubric, embedder))["professional_language"] == "pass"


def test_dead_air_from_word_times_inside_a_long_segment(rubric: Rubric, embedder: Embedder) -> None:
    # One Whisper segment spans a 13 s silence; only the word times reveal it.
    from transcription.types import Segment, Transcript, Word

    t = make_transcript(
        [
            ("agent", 0.5, 4.0, "Thanks for calling Acme, this is Sam."),
            ("customer", 4.6, 7.0, "Hi, my bill looks wrong."),
        ]
    )
    words = (
        Word(7.5, 7.9, " Okay,"),
        Word(8.0, 8.4, " right."),
        Word(21.4, 21.9, " Found"),
        Word(22.0, 22.4, " it."),
    )
    seg = Segment(7.5, 22.4, "agent", "Okay, right. Found it.", words)
    ev = evaluate(Transcript("x", "y", (*t.segments, seg), AUDIO), rubric, embedder=embedder)
    dead = next(c for c in ev.criteria if c.id == "dead_air")
    assert dead.verdict == "fail"
    assert [(e.start, e.end, e.speaker) for e in dead.evidence] == [(8.4, 21.4, "unknown")]


def test_stretched_word_does_not_hide_silence(rubric: Rubric, embedder: Embedder) -> None:
    from transcription.types import Segment, Transcript, Word

    words = (Word(0.5, 0.9, " Hello,"), Word(1.0, 15.0, " sorry."), Word(15.1, 15.5, " Yes."))
    seg = Segment(0.5, 15.5, "agent", "Hello, sorry. Yes.", words)
    ev = evaluate(Transcript("x", "y", (seg,), AUDIO), rubric, embedder=embedder)
    dead = next(c for c in ev.criteria if c.id == "dead_air")
    assert [(e.start, e.end) for e in dead.evidence] == [(1.6, 14.4)]


def test_lexical_only_rubric_needs_no_embedder() -> None:
    from scoring import load_rubric

    r = load_rubric(
        "name: lex\nversion: 1\ntitle: Lex\nsections:\n  - id: s\n    title: S\n    criteria:\n"
        "      - id: disclosure\n        question: Recorded-line disclosure?\n        points: 5\n"
        "        evaluator:\n          type: lexical\n          mode: require\n"
        "          window: {speaker: agent, first_turns: 2}\n"
        "          detect: {phrases: [this call may be recorded]}\n"
    )
    ev = evaluate(bad_call(), r)
    assert [(c.id, c.verdict, c.points, c.max_points) for c in ev.criteria] == [
        ("disclosure", "fail", 0.0, 5.0)
    ]
    lines = [(A, "Hi, this call may be recorded for training."), *BAD[1:]]
    ev = evaluate(make_transcript(script(lines)), r)
    assert ev.score == 100.0


def test_identity_answer_counts_when_speakers_are_unknown(
    rubric: Rubric, embedder: Embedder
) -> None:
    """A mono call whose voices could not be told apart: every turn is `unknown`. The
    question and the answer are still there, and the verification happened."""
    U = "unknown"
    lines = [
        (U, "Thank you for calling Northwind Bank, this is Dan, how can I help?"),
        (U, "Hi, I want to check a payment."),
        (U, "Sure, can you confirm your date of birth for me?"),
        (U, "It's the fourth of May nineteen eighty."),
        (U, "Thank you. I can see the payment went out yesterday."),
    ]
    ev = evaluate(make_transcript(script(lines)), rubric, embedder=embedder)
    verification = next(c for c in ev.criteria if c.id == "identity_verification")
    assert verification.verdict == "pass"
    asked, answered = verification.evidence
    assert asked.text == "Sure, can you confirm your date of birth for me?"
    assert answered.text == "It's the fourth of May nineteen eighty."


def test_hold_announced_in_a_turn_of_unsure_speaker(rubric: Rubric, embedder: Embedder) -> None:
    """Mono attribution left the announcing turn `unknown`: its words still announce the hold,
    so the silence is a hold (not dead air) and its etiquette is judged."""
    lines = [
        (A, "Thank you for calling Northwind Bank, this is Dan, how can I help?"),
        (C, "Hi, my card was declined this morning."),
        ("unknown", "Let me put you on hold for a moment while I check with the card team."),
        (C, "Sure."),
        18.0,
        (A, "Thank you for holding. I've unblocked the card, it works again now."),
        (A, "Is there anything else I can help with?"),
        (C, "No, thanks, bye."),
    ]
    ev = evaluate(make_transcript(script(lines)), rubric, embedder=embedder)
    verdicts = {c.id: c.verdict for c in ev.criteria}
    assert (verdicts["hold_etiquette"], verdicts["dead_air"]) == ("pass", "pass")
