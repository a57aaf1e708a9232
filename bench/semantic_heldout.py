"""Held-out verdict check: hand-written calls in phrasings the rubric was not tuned on, some
lower-cased and unpunctuated like tiny.en output. Prints per-criterion balanced accuracy.

    .venv/bin/python bench/semantic_heldout.py
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring import default_rubric, evaluate, get_embedder
from tests.support.scoring_helpers import make_transcript, script

A, C = "agent", "customer"
G, IV, E, H, R, CL, P, D = (
    "greeting",
    "identity_verification",
    "empathy",
    "hold_etiquette",
    "resolution",
    "closing",
    "professional_language",
    "dead_air",
)

CALLS = [
    (
        {G: "pass", IV: "pass", E: "pass", H: "pass", R: "pass", CL: "pass", P: "pass", D: "pass"},
        [
            (A, "good afternoon northwind broadband you're speaking with kelly"),
            (C, "hi yeah my connection keeps dropping and i'm honestly sick of it"),
            (A, "oh that's not good at all i'm sorry you've been dealing with that"),
            (A, "just so i can access the account what's the postcode there"),
            (C, "it's l s six four j h"),
            (A, "lovely if you could bear with me for a sec i'll run a line test"),
            14.0,
            (
                A,
                "thanks for waiting so the line had a fault and i've sent a reset "
                "it should be stable now",
            ),
            (C, "okay brilliant"),
            (A, "anything else i can do for you"),
            (C, "no that's it"),
            (A, "cheers for calling have a lovely evening"),
        ],
    ),
    (
        {G: "fail", IV: "fail", E: "na", H: "na", R: "pass", CL: "pass", P: "pass", D: "pass"},
        [
            (A, "yes hello"),
            (C, "hi i want to move my payment date to the fifteenth"),
            (A, "sure that's done your payment date is now the fifteenth"),
            (C, "great thanks"),
            (A, "no problem is there anything else"),
            (C, "no thanks bye"),
            (A, "take care bye"),
        ],
    ),
    (
        {G: "pass", IV: "pass", E: "fail", H: "na", R: "fail", CL: "fail", P: "fail", D: "fail"},
        [
            (A, "Fabrikam Insurance, Joe speaking."),
            (C, "My claim has been sitting there for six weeks. This is a disgrace."),
            (A, "Right. Can you read me the policy number and your date of birth?"),
            (C, "P K 4 4 1 9, and the third of June 1971."),
            (A, "Look, claims take as long as they take, you should have sent the photos sooner."),
            13.0,
            (A, "Yeah so it's still pending."),
            (C, "So what happens now?"),
            (A, "Dunno, ring back next week."),
        ],
    ),
    (
        {G: "pass", IV: "pass", E: "na", H: "fail", R: "pass", CL: "pass", P: "pass", D: "pass"},
        [
            (A, "Hi there, welcome to City Water, I'm Lena."),
            (C, "Hello, I need a copy of my last bill."),
            (A, "Of course. Could you confirm the email address on your account?"),
            (C, "It's tom dot baker at mail dot com."),
            (A, "Great. Let me pull that up, just one moment."),
            20.0,
            (A, "Okay, I've emailed the bill to you just now."),
            (C, "Got it, thanks."),
            (A, "You're welcome. Anything else today?"),
            (C, "No."),
            (A, "Have a great day."),
        ],
    ),
    (
        {G: "pass", IV: "fail", E: "fail", H: "na", R: "pass", CL: "pass", P: "pass", D: "pass"},
        [
            (A, "thank you for calling zenith bank my name is raj"),
            (C, "i'm really worried someone has used my card"),
            (A, "i'm sorry you feel that way but we can't do anything without a police report"),
            (A, "anyway i've blocked the card and a new one will arrive in five working days"),
            (C, "okay"),
            (A, "is there anything else i can help with today"),
            (C, "no"),
            (A, "thanks for calling zenith bye"),
        ],
    ),
    (
        {G: "pass", IV: "pass", E: "pass", H: "pass", R: "pass", CL: "fail", P: "pass", D: "pass"},
        [
            (A, "Morning, Apex Energy, this is Sam."),
            (C, "I've been overcharged again, this is the third time, I'm really annoyed."),
            (A, "I completely understand, that must be really frustrating."),
            (A, "Can I just take the first line of your address for security?"),
            (C, "Twelve Mill Lane."),
            (A, "Thanks. Is it okay if I put you on a short hold while I check the readings?"),
            (C, "Fine."),
            25.0,
            (
                A,
                "Thank you for your patience. "
                "I've corrected the reading and credited forty pounds.",
            ),
            (C, "Okay."),
            (A, "Okay."),
        ],
    ),
    (
        {G: "pass", IV: "pass", E: "na", H: "na", R: "fail", CL: "pass", P: "fail", D: "pass"},
        [
            (A, "hello you've reached orbit mobile support tina speaking"),
            (C, "hi my phone won't connect to the network"),
            (A, "can you give me the last four digits on the account please"),
            (C, "nine nine one two"),
            (A, "that's not my department honestly i can't help you with that"),
            (C, "oh okay"),
            (A, "thanks for calling have a nice day"),
        ],
    ),
    (
        {G: "pass", IV: "pass", E: "pass", H: "pass", R: "pass", CL: "pass", P: "pass", D: "fail"},
        [
            (A, "Thanks for calling Delta Travel, Mike here."),
            (C, "My flight got cancelled and nobody told me, I'm furious."),
            (A, "Oh no, I'm so sorry, that's awful."),
            (A, "Could you confirm your booking reference and surname?"),
            (C, "It's X Y Z one two three, Patel."),
            (A, "Okay, please hold for a moment while I look for alternatives."),
            30.0,
            (A, "Thanks for holding. I've rebooked you on the 6 pm flight tomorrow."),
            15.0,
            (C, "Hello? Are you still there?"),
            (A, "Yes sorry. Is there anything else I can help with?"),
            (C, "No."),
            (A, "Thanks for flying with us, goodbye."),
        ],
    ),
]


def main() -> None:
    emb = get_embedder()
    rubric = default_rubric()
    right: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    total = ok = 0
    times = []
    for expected, lines in CALLS:
        t = make_transcript(script(lines))
        t0 = time.perf_counter()
        ev = evaluate(t, rubric, embedder=emb)
        times.append(time.perf_counter() - t0)
        for c in ev.criteria:
            exp = expected[c.id]
            cell = right[c.id][exp]
            cell[1] += 1
            total += 1
            if c.verdict == exp:
                cell[0] += 1
                ok += 1
            else:
                print(f"MISS {c.id}: expected {exp}, got {c.verdict} - {c.rationale}")
    print(f"verdicts right: {ok}/{total} = {ok / total:.1%}")
    for cid, cells in right.items():
        bal = sum(a / b for a, b in cells.values()) / len(cells)
        print(f"  {cid:22} balanced accuracy {bal:.2f}  {dict(cells)}")
    times.sort()
    print(f"per-call scoring time: first {times[0]:.3f}s median {times[len(times) // 2]:.3f}s")


if __name__ == "__main__":
    main()
