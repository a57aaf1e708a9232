"""Generated test calls whose correct rubric verdicts are known by construction.

A scenario is a list of synth events (turns, silences, hold music) built from a set of
``Behaviours`` (did the agent greet, verify, apologise, ...). Every phrasing comes from one of two
disjoint pools: ``fixture`` (used by the tests) and ``holdout`` (used only by the accuracy bench, so
the bench measures how the scorer generalises to wordings, domains and names it was never tuned
on; a third pool, ``varied``, with realistic phrasing and hard cases, lives in
tests/support/scenarios_varied.py). Phrasings are written so that a behaviour that is *absent*
leaves no
accidental cue: a call without a greeting has no greeting-like words, an unapologetic agent never
says "sorry", etc.

``variant`` seeds every choice (domain, phrasing, voices, speed), so a scenario is reproducible
and the same variant with different behaviours keeps the same domain and voices.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tests.support.synth import (
    Event,
    RenderedCall,
    RenderedTurn,
    Silence,
    Tones,
    Turn,
    cache_key,
    render_call,
)

Pool = Literal["fixture", "holdout", "varied"]  # varied: tests/support/scenarios_varied.py
Hold = Literal["none", "thanked", "unthanked"]
Verdict = Literal["pass", "fail", "na"]

# The default rubric (ARCHITECTURE.md, "contact-center-default"), in its order.
CRITERIA: tuple[str, ...] = (
    "greeting",
    "identity_verification",
    "empathy",
    "hold_etiquette",
    "resolution",
    "closing",
    "professional_language",
    "dead_air",
)
# Criteria whose rules allow N/A; the others are always pass or fail.
NA_CRITERIA: frozenset[str] = frozenset({"empathy", "hold_etiquette"})

SAMPLE_RATE = 16000  # espeak through tiny.en is far less accurate at 8 kHz (MEASURED.md)
CALL_SECONDS = (40.0, 90.0)  # every built scenario's estimated length lies in this range
HOLD_SECONDS = (15.0, 25.0)
DEAD_AIR_SECONDS = (11.5, 13.0)  # plus the next turn's pause: always >= 10 s of silence

VOICE_BASES = ("en-us", "en-gb", "en-gb-x-rp", "en-029", "en-gb-scotland")
VOICE_VARIANTS = tuple(f"m{i}" for i in range(1, 8)) + tuple(f"f{i}" for i in range(1, 6))
SPEED_RANGE = (150, 180)
COMPACT_MIN_SPEED = 172


@dataclass(frozen=True)
class Behaviours:
    greeting: bool = True
    verification: bool = True
    upset: bool = False  # the customer voices frustration
    apology: bool = False  # the agent acknowledges it (only meaningful when upset)
    hold: Hold = "none"
    dead_air: bool = False  # an unannounced ~12 s silence mid-call
    prohibited: bool = False  # "calm down", "not my problem", "nothing I can do"
    resolution: bool = True
    closing: bool = True
    # False: nothing on an account is read or changed (branch hours, a general question,
    # booking an appointment), so identity verification is N/A. Only the varied pool
    # (tests/support/scenarios_varied.py) builds such calls.
    account_work: bool = True


def expected_verdicts(b: Behaviours) -> dict[str, Verdict]:
    """The verdicts the default rubric should give a call with these behaviours."""

    def pass_if(ok: bool) -> Verdict:
        return "pass" if ok else "fail"

    return {
        "greeting": pass_if(b.greeting),
        # A critical criterion must not fail a call that needed no identity check.
        "identity_verification": pass_if(b.verification) if b.account_work else "na",
        "empathy": pass_if(b.apology) if b.upset else "na",
        "hold_etiquette": "na" if b.hold == "none" else pass_if(b.hold == "thanked"),
        "resolution": pass_if(b.resolution),
        "closing": pass_if(b.closing),
        "professional_language": pass_if(not b.prohibited),
        # An announced hold is not dead air, however long.
        "dead_air": pass_if(not b.dead_air),
    }


# --------------------------------------------------------------------------------------------
# Phrase pools. Templates use {agent}, {company}, {title} (Mr Carter), {full_name}, {first},
# {last} and {reason}. Nothing may appear in both pools (tests/support/test_scenarios.py checks).


@dataclass(frozen=True)
class Issue:
    """One customer problem in one business domain."""

    domain: str
    companies: tuple[str, ...]
    description: tuple[str, ...]  # the customer's first statement of the problem
    fillers: tuple[tuple[str, str], ...]  # (agent question, customer answer) pairs
    finding: tuple[str, ...]  # what the agent sees on the account (neutral)
    hold_reason: tuple[str, ...]  # completes "while I {reason}"
    resolved: tuple[str, ...]  # a fix or concrete next steps
    unresolved: tuple[str, ...]  # left hanging: no fix, no next step


@dataclass(frozen=True)
class PhrasePool:
    agents: tuple[str, ...]
    customers: tuple[tuple[str, str, str], ...]  # (first, last, title)
    greetings: tuple[str, ...]
    blunt_openers: tuple[str, ...]  # an opening with no greeting, name or company
    customer_hellos: tuple[str, ...]  # only after a greeting
    upset_lines: tuple[str, ...]
    apologies: tuple[str, ...]
    # (agent asks, customer answers, agent confirms)
    verifications: tuple[tuple[str, str, str], ...]
    lookups: tuple[str, ...]  # the agent starts working on the account
    prohibited: tuple[str, ...]
    prohibited_when_upset: tuple[str, ...]  # "calm down" only makes sense to an upset caller
    hold_announcements: tuple[str, ...]
    hold_consents: tuple[str, ...]
    hold_returns_thanked: tuple[str, ...]
    hold_returns_unthanked: tuple[str, ...]
    resolved_reactions: tuple[str, ...]
    unresolved_reactions: tuple[str, ...]
    closing_offers: tuple[str, ...]
    closing_replies: tuple[str, ...]
    goodbyes: tuple[str, ...]
    issues: tuple[Issue, ...] = field(default=())


FIXTURE_ISSUES = (
    Issue(
        domain="telecom",
        companies=("Brightline Broadband", "Northwind Telecom"),
        description=(
            "I'm calling because my internet keeps dropping out every evening.",
            "My broadband connection has been cutting out for the last week.",
        ),
        fillers=(
            ("When did you first notice it?", "About a week ago, mostly after seven at night."),
            ("Have you tried restarting the router?", "Twice. It works for a bit, then drops."),
            ("Is it every device or just one?", "Every device, the laptop and both phones."),
            ("What colour is the light on the router?", "The internet light goes orange."),
            ("Is the router plugged into the main socket?", "Yes, the one by the front door."),
            ("Do you work from home on that connection?", "Three days a week, so it matters."),
        ),
        finding=(
            "I can see your line has disconnected eleven times since Monday.",
            "I can see the connection dropping most evenings this week.",
        ),
        hold_reason=("check with the network team", "run a line test with our engineers"),
        resolved=(
            "I've booked an engineer for Thursday morning, between eight and twelve. "
            "You'll get a text to confirm the visit.",
            "I've reset the line from our side and added a five pound credit to your next bill. "
            "If it drops again, the engineer visit is already approved.",
        ),
        unresolved=(
            "I'm not sure what's causing that, to be honest. It might just sort itself out.",
            "I can't see anything obviously wrong here. Maybe just see how it goes.",
        ),
    ),
    Issue(
        domain="telecom",
        companies=("Brightline Broadband", "Northwind Telecom"),
        description=(
            "I've been charged twice for my broadband this month.",
            "There are two payments for my broadband on my bank statement this month.",
        ),
        fillers=(
            ("Which dates did the payments go out?", "The first and the third of the month."),
            ("Did you change your payment method recently?", "No, it's the same direct debit."),
            ("Were both payments the same amount?", "Yes, both were thirty two pounds."),
            ("Are you on the monthly plan or the yearly one?", "The monthly one, since last May."),
            ("Has this happened on any earlier bills?", "Not that I noticed, no."),
        ),
        finding=("I can see two payments of thirty two pounds on your account.",),
        hold_reason=("check with the billing team",),
        resolved=(
            "I've refunded the second payment of thirty two pounds. "
            "It will be back in your bank within five working days.",
        ),
        unresolved=("I'm not sure why that's happened, to be honest. It might correct itself.",),
    ),
    Issue(
        domain="retail",
        companies=("Cobalt Fashion", "Parcel Street"),
        description=(
            "I ordered a coat two weeks ago and it still hasn't arrived.",
            "The tracking says my coat was delivered, but I never got it.",
        ),
        fillers=(
            ("Which courier was it sent with?", "It says Swift Parcels on the tracking page."),
            ("Did you check with your neighbours?", "Yes, I asked on both sides, nobody has it."),
            ("Is there a safe place it could have been left?", "Not really, we only have a porch."),
            ("Was it the long navy coat?", "Yes, the navy one in a medium."),
            (
                "Did you get a delivery photo by text?",
                "No, just a message saying it was delivered.",
            ),
        ),
        finding=(
            "I can see the order was marked as delivered on Tuesday afternoon.",
            "I can see the parcel left our warehouse on the fifth.",
        ),
        hold_reason=("check with the warehouse", "contact the courier"),
        resolved=(
            "I've sent out a replacement coat by next day delivery, so it will arrive tomorrow. "
            "You'll get the tracking link by text tonight.",
            "I've issued a full refund of sixty five pounds to your card. "
            "It should show in three to five days.",
        ),
        unresolved=(
            "I'm not sure where it's gone, to be honest. It might still turn up.",
            "I can't really tell what happened with it. Maybe give it a few more days.",
        ),
    ),
    Issue(
        domain="retail",
        companies=("Cobalt Fashion", "Parcel Street"),
        description=(
            "I sent back a pair of shoes a month ago and I haven't had my refund.",
            "I returned some trainers weeks ago and the money still isn't back.",
        ),
        fillers=(
            ("How did you send them back?", "I dropped them at the post office with the label."),
            ("Did you keep the receipt from the post office?", "Yes, I've got it right here."),
            ("Were they the black trainers?", "Yes, the black ones in size eight."),
            ("Did you fill in the returns slip?", "Yes, I ticked the box that said too small."),
            ("Did you pay by card or with a voucher?", "By card, the same one as always."),
        ),
        finding=("I can see the return arrived at our warehouse last Friday.",),
        hold_reason=("check with the returns team",),
        resolved=(
            "I've processed the refund of forty eight pounds today. "
            "You'll see it on your card within three working days.",
        ),
        unresolved=("I'm not sure why it hasn't gone through. It might just take a bit longer.",),
    ),
)

# Holdout: other domains, companies and wordings than the fixture pool.
_HOLDOUT_VAGUE = (
    "Hmm, I don't really know why it's like that. It could change by itself.",
    "It's hard to say what's gone on there. It may look different in a while.",
)

HOLDOUT_ISSUES = (
    Issue(
        domain="bank",
        companies=("Harbor Bank", "Sterling Savings"),
        description=(
            "My debit card got declined at the supermarket this morning.",
            "I tried to pay for my groceries today and my card didn't work.",
        ),
        fillers=(
            ("Were you abroad recently?", "No, I've been at home the whole time."),
            ("Do you still have the card with you?", "Yes, it's in my wallet."),
            ("Have you used the mobile app this week?", "Only to look at my balance."),
            ("Did the machine show any message?", "It just said declined, nothing else."),
            ("Have you bought anything online lately?", "Some concert tickets on Sunday night."),
        ),
        finding=("I see our fraud system put a block on the card yesterday evening.",),
        hold_reason=("speak to our fraud department",),
        resolved=(
            "I've lifted the block, so the card works again right away, and I've sent "
            "a confirmation to your mobile.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="bank",
        companies=("Harbor Bank", "Sterling Savings"),
        description=("There's a payment on my statement that I don't recognise.",),
        fillers=(
            ("Which shop was the payment at?", "It says Metro Online, which I've never used."),
            ("When did it go out?", "Last Thursday, in the afternoon."),
            ("Has anyone else got access to the card?", "No, only me."),
            ("Have you lost the card at any point?", "No, it's never left my purse."),
            ("Do you shop at Metro Online at all?", "Never, I'd never heard of it before."),
        ),
        finding=("There's a payment of one hundred and twenty dollars to Metro Online here.",),
        hold_reason=("look into it with the card team",),
        resolved=(
            "I've cancelled that card and raised a dispute for the one hundred and twenty "
            "dollars. A new card will arrive in four to six days.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="utilities",
        companies=("Evergreen Energy", "Riverside Water"),
        description=(
            "My latest bill is almost double what I normally pay.",
            "I got a letter saying my meter reading is overdue, but I sent it in.",
        ),
        fillers=(
            ("Is it a smart meter or the older kind?", "The older kind, in the hallway cupboard."),
            ("What was your last reading?", "Four five two one, on the first of the month."),
            ("Has anything changed in the property?", "No, same people, same appliances."),
            ("How did you send the reading in?", "Through the website, with a photo."),
            ("Do you pay monthly or each quarter?", "Every quarter, by bank transfer."),
        ),
        finding=(
            "The last bill was based on an estimate rather than your own reading.",
            "Your reading from the first of the month isn't showing here.",
        ),
        hold_reason=("look into it with the metering team", "get the billing department on it"),
        resolved=(
            "I've put your reading on the account and issued a corrected bill, which "
            "is sixty one dollars lower. It'll be posted to you today.",
            "I've added the reading and cancelled the overdue letter. "
            "Your new statement will arrive by post within a week.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="insurance",
        companies=("Shield Insurance", "Keystone Mutual"),
        description=(
            "I made a claim for my windscreen three weeks ago and heard nothing back.",
            "My windscreen claim from last month still hasn't been paid.",
        ),
        fillers=(
            ("Was the windscreen repaired or replaced?", "Replaced, by a garage in town."),
            ("Did you send the invoice from the garage?", "Yes, I sent it the same day."),
            ("Have you made any other claims this year?", "No, this is the first one."),
            ("What caused the damage?", "A stone flew up from a lorry on the motorway."),
            ("Is the car still drivable?", "Yes, the new glass is already in."),
        ),
        finding=("The claim is here, but it's still marked as under review.",),
        hold_reason=("talk to the claims handler",),
        resolved=(
            "I've approved the claim, and three hundred and ten dollars will be paid to "
            "your account by Friday. A letter confirming it is on the way.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="insurance",
        companies=("Shield Insurance", "Keystone Mutual"),
        description=("My car insurance renewal price has gone up by two hundred dollars.",),
        fillers=(
            ("Have you changed your car this year?", "No, it's the same little hatchback."),
            ("Do you park it on the street?", "On the driveway, every night."),
            ("How many miles do you drive a year?", "About six thousand, mostly to work."),
            ("Is anyone else named on the policy?", "Just my partner."),
            ("Have you had any accidents recently?", "None in the last ten years."),
        ),
        finding=("The renewal quote went up because of a change in the area rating.",),
        hold_reason=("review it with the underwriting team",),
        resolved=(
            "I've applied a loyalty discount, so your renewal comes down by one hundred and "
            "forty dollars. The updated documents will be sent out within the hour.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="telecom",
        companies=("Atlas Mobile", "Skyway Wireless"),
        description=("I've been charged roaming fees even though I never left the country.",),
        fillers=(
            ("Do you live close to the border?", "About ten miles from it, yes."),
            ("Is data roaming switched on in your settings?", "I think so, I never touched it."),
            ("Which days were you charged for?", "Most of last week."),
            ("Are you on a contract or pay as you go?", "A two year contract."),
            ("Did you get a text about roaming charges?", "Yes, one welcoming me to France."),
        ),
        finding=("The account shows nine roaming charges from a mast near the border.",),
        hold_reason=("ask the billing specialists",),
        resolved=(
            "I've removed all nine roaming charges, which is twenty seven dollars, and "
            "you'll see the credit on your next statement.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="telecom",
        companies=("Atlas Mobile", "Skyway Wireless"),
        description=("My phone has had no signal at home since last weekend.",),
        fillers=(
            ("Which part of town do you live in?", "Near the station, on the east side."),
            ("Do calls fail too, or just data?", "Both, nothing works indoors."),
            ("Have you switched the phone off and on again?", "Yes, several times."),
            ("Does it work when you go outside?", "A bar or two at the end of the road."),
            ("Is it the same for others in your house?", "Yes, my wife has the same problem."),
        ),
        finding=("There's maintenance work on the mast that serves your street.",),
        hold_reason=("check with the network operations team",),
        resolved=(
            "The mast work finishes on Wednesday, and I've added a week of free data "
            "to your plan starting today.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="retail",
        companies=("Oakwood Furniture", "Maple Home Store"),
        description=("The sofa I ordered arrived with a big tear in one of the cushions.",),
        fillers=(
            ("Have you taken photos of it?", "Yes, I've got three photos on my phone."),
            ("Is it the grey three seater?", "That's right, the grey one."),
            ("Was the packaging damaged too?", "The plastic was ripped at one corner."),
            ("Did you sign for it on the day?", "My son signed, he didn't check it."),
            ("When was it delivered?", "On Saturday, just after lunch."),
        ),
        finding=("The delivery was signed for on Saturday at two in the afternoon.",),
        hold_reason=("contact the furniture workshop",),
        resolved=(
            "I've arranged a replacement cushion, and a technician will fit it next "
            "Monday between nine and one.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
    Issue(
        domain="retail",
        companies=("Oakwood Furniture", "Maple Home Store"),
        description=("I was supposed to get my dining table delivered today and nobody came.",),
        fillers=(
            ("Did the delivery team leave a card?", "No, there was no card or anything."),
            ("What time slot were you given?", "Between eight and twelve."),
            ("Were you home for the whole slot?", "Yes, I took the morning off work."),
            ("Is it the oak table with six chairs?", "Just the table, the chairs come later."),
            ("Did anyone phone you this morning?", "No, my phone didn't ring once."),
        ),
        finding=("The van was rescheduled this morning, but no message went out.",),
        hold_reason=("speak to the delivery depot",),
        resolved=(
            "I've rebooked the delivery for tomorrow morning, first slot, and refunded "
            "the forty dollar delivery charge.",
        ),
        unresolved=_HOLDOUT_VAGUE,
    ),
)

FIXTURE_POOL = PhrasePool(
    agents=("Sarah", "James", "Emma", "David"),
    customers=(
        ("Helen", "Carter", "Mrs Carter"),
        ("Robert", "Hughes", "Mr Hughes"),
        ("Anna", "Fisher", "Ms Fisher"),
    ),
    greetings=(
        "Thank you for calling {company}, my name is {agent}, how can I help you today?",
        "Good morning, you're through to {company}, this is {agent} speaking.",
        "Hello, welcome to {company}. I'm {agent}, what can I do for you?",
    ),
    blunt_openers=("Yeah, go ahead.", "Okay, what's the problem?", "Right, what is it?"),
    customer_hellos=("Hi {agent}.", "Hello there."),
    upset_lines=(
        "This is the third time I've called about it and I'm really fed up.",
        "Honestly, I'm so frustrated, nobody ever sorts this out.",
        "I'm really annoyed, I've wasted my whole morning on this.",
    ),
    apologies=(
        "I'm really sorry to hear that, I can understand how frustrating that must be.",
        "I'm so sorry you've had to call again about this.",
        "I apologise for all the trouble, I'd be annoyed too.",
    ),
    verifications=(
        (
            "Before I go into the account, can I take your full name and date of birth?",
            "It's {full_name}, born the twelfth of June, nineteen eighty four.",
            "Lovely, {title}, that all matches.",
        ),
        (
            "For security, can you give me your postcode and the first line of the address?",
            "It's twenty two Mill Lane, and the postcode is B S three, four Q T.",
            "Great, that's you through security.",
        ),
        (
            "Can you confirm the last four digits of the card on the account?",
            "Sure, it's four, four, one, seven.",
            "Perfect, that's correct.",
        ),
    ),
    lookups=(
        "Okay, I'm pulling up your account now.",
        "Let me bring up your details on the system.",
    ),
    prohibited=(
        "Honestly, that part is not my problem, it's another department's job.",
        "There's nothing I can do about how the system works.",
    ),
    prohibited_when_upset=("Look, you need to calm down.",),
    hold_announcements=(
        "I need to {reason}. Can I put you on hold for a minute or two?",
        "I'm going to place you on a short hold while I {reason}, is that okay?",
    ),
    hold_consents=("Sure, no problem.", "Okay, go ahead."),
    hold_returns_thanked=(
        "Thank you for holding, {title}.",
        "Thanks for waiting, I appreciate your patience.",
    ),
    hold_returns_unthanked=("Right, I've checked with them.", "Okay, I'm back on the line."),
    resolved_reactions=("Okay, that sounds good.", "Great, that works for me."),
    unresolved_reactions=("Right. Okay.", "I see."),
    closing_offers=(
        "Is there anything else I can help you with today?",
        "Can I help with anything else while you're on the line?",
    ),
    closing_replies=("No, that's everything, thanks.", "No, that's all."),
    goodbyes=(
        "Thanks for calling, have a great day. Goodbye.",
        "You're welcome, take care now. Bye.",
    ),
    issues=FIXTURE_ISSUES,
)

HOLDOUT_POOL = PhrasePool(
    agents=("Priya", "Marcus", "Olivia", "Tom", "Grace", "Daniel"),
    customers=(
        ("Michael", "Brennan", "Mr Brennan"),
        ("Sophie", "Turner", "Ms Turner"),
        ("Kevin", "Walsh", "Mr Walsh"),
        ("Linda", "Morgan", "Mrs Morgan"),
    ),
    greetings=(
        "Good afternoon, {company}, you're speaking with {agent}. How may I help?",
        "Hi there, thanks for phoning {company}. My name's {agent}.",
        "Good evening and welcome to {company} customer support, {agent} on the line.",
    ),
    blunt_openers=(
        "Yes? What do you need?",
        "Go on then, what's the issue?",
        "Mm-hm, what's it about?",
    ),
    customer_hellos=("Oh, hi.", "Hiya, {agent}."),
    upset_lines=(
        "To be honest I'm furious, this keeps happening and no one cares.",
        "I'm getting really upset about this, it's been going on for weeks.",
        "This is completely unacceptable and I'm sick of chasing it.",
    ),
    apologies=(
        "Oh, I'm very sorry about that, you shouldn't have had to chase this.",
        "I completely understand why you're upset, and I apologise.",
        "That sounds really stressful, I'm sorry it's been dragging on.",
    ),
    verifications=(
        (
            "To keep your account safe, can you tell me the email address we have on file?",
            "It's {first} dot {last} at mailbox dot com.",
            "Perfect, that matches, you've passed security.",
        ),
        (
            "I'll need to run a quick security check. What was the name of your first school?",
            "That would be Saint Mary's Primary.",
            "That's correct, {title}.",
        ),
        (
            "Could you confirm your zip code and your date of birth for me please?",
            "Zip code is nine oh two one oh, and I was born on the third of November, "
            "nineteen seventy nine.",
            "Okay, that's confirmed.",
        ),
        (
            "Can you verify the home address on the account for me?",
            "Yes, it's fifteen Orchard Road, Kingsbridge.",
            "Good, I've verified that.",
        ),
    ),
    lookups=(
        "Right, I've got your records open in front of me.",
        "I'm opening the customer file now.",
    ),
    prohibited=(
        "Well, that side of it is not my problem.",
        "Listen, there's nothing I can do about what the other team did.",
    ),
    prohibited_when_upset=("Okay, calm down, getting angry won't help.",),
    hold_announcements=(
        "Would you mind holding briefly while I {reason}?",
        "Let me put you on hold so I can {reason}. It won't be long.",
    ),
    hold_consents=("Yes, that's fine.", "Alright, I'll wait."),
    hold_returns_thanked=(
        "Thank you so much for bearing with me.",
        "I'm back, thanks for holding on.",
    ),
    hold_returns_unthanked=("Alright, I've got an answer now.", "Okay, so I spoke with them."),
    resolved_reactions=("Perfect, that's what I needed.", "Alright, that's helpful."),
    unresolved_reactions=("Hmm, okay.", "Alright then."),
    closing_offers=(
        "Is there something else I can do for you?",
        "Anything more I can sort out for you today?",
    ),
    closing_replies=("Nope, you've sorted it.", "No, I'm good, cheers."),
    goodbyes=(
        "Brilliant. Enjoy the rest of your day, bye bye.",
        "My pleasure. Thank you for your call, goodbye.",
    ),
    issues=HOLDOUT_ISSUES,
)

POOLS: dict[str, PhrasePool] = {"fixture": FIXTURE_POOL, "holdout": HOLDOUT_POOL}


# --------------------------------------------------------------------------------------------
# Building


@dataclass(frozen=True)
class Scenario:
    events: tuple[Event, ...]
    expected: Mapping[str, Verdict]
    behaviours: Behaviours
    name: str = ""
    pool: Pool = "fixture"
    variant: int = 0
    domain: str = ""
    voices: Mapping[str, str] = field(default_factory=dict)
    speed: int = 165
    # criterion id -> indices into ``events`` of the lines (or silences) that decide it,
    # so a bench can show what was said where a verdict went wrong.
    cues: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def estimate_seconds(events: Sequence[Event], speed: int) -> float:
    """The rendered length, from word counts: espeak speaks about ``speed`` words a minute, a
    bit faster once trimmed (factor fitted on 30 renders, within 4 s), plus lead-in and tail."""
    total = 1.3
    for ev in events:
        if isinstance(ev, Turn):
            total += ev.pause_before + len(ev.text.split()) * 60.0 / speed * 0.86
        else:
            total += ev.seconds
    return total


class _Builder:
    """Appends events and remembers which ones carry each criterion's cue."""

    def __init__(self, rng: random.Random, pauses: tuple[float, float]) -> None:
        self.rng = rng
        self.pauses = pauses
        self.events: list[Event] = []
        self.cues: dict[str, list[int]] = {}

    def add(self, event: Event, *cue_for: str) -> int:
        self.events.append(event)
        index = len(self.events) - 1
        for criterion in cue_for:
            self.cues.setdefault(criterion, []).append(index)
        return index

    def say(
        self,
        speaker: Literal["agent", "customer"],
        text: str,
        *cue_for: str,
        pause: float | None = None,
    ) -> int:
        if pause is None:
            pause = round(self.rng.uniform(*self.pauses), 2)
        return self.add(Turn(speaker, text, pause), *cue_for)


def _rng(pool: str, variant: int, slot: str) -> random.Random:
    # One stream per slot: the same variant keeps its domain, names and voices whatever the
    # behaviours, so two fixtures differ only where their behaviours differ.
    return random.Random(f"{pool}|{variant}|{slot}")


def _pick_voices(variant: int, pool: str) -> dict[str, str]:
    rng = _rng(pool, variant, "voices")
    agent_variant = rng.choice(VOICE_VARIANTS)
    # A different voice variant for the customer, so the speakers are distinguishable in mono.
    customer_variant = rng.choice([v for v in VOICE_VARIANTS if v != agent_variant])
    return {
        "agent": f"{rng.choice(VOICE_BASES)}+{agent_variant}",
        "customer": f"{rng.choice(VOICE_BASES)}+{customer_variant}",
    }


def _slug(b: Behaviours) -> str:
    flags = [
        "" if b.greeting else "nogreet",
        "" if b.verification else "noverify",
        ("upset-apology" if b.apology else "upset-noapology") if b.upset else "",
        "" if b.hold == "none" else f"hold-{b.hold}",
        "deadair" if b.dead_air else "",
        "prohibited" if b.prohibited else "",
        "" if b.resolution else "unresolved",
        "" if b.closing else "noclosing",
    ]
    return "-".join(f for f in flags if f) or "clean"


def build_scenario(b: Behaviours, *, variant: int, pool: Pool, name: str | None = None) -> Scenario:
    """A call that shows exactly the behaviours in ``b``, worded from ``pool``."""
    phrases = POOLS[pool]
    issue = _rng(pool, variant, "issue").choice(phrases.issues)
    people = _rng(pool, variant, "people")
    first, last, title = people.choice(phrases.customers)
    fields = {
        "agent": people.choice(phrases.agents),
        "company": people.choice(issue.companies),
        "first": first,
        "last": last,
        "full_name": f"{first} {last}",
        "title": title,
        "reason": people.choice(issue.hold_reason),
    }

    def say(slot: str, options: Sequence[str], short: bool = False) -> str:
        # One random stream per slot: a behaviour never changes another slot's wording.
        # ``short`` takes the fewest words instead, for calls that would run too long.
        if short:
            text = min(options, key=lambda t: len(t.split()))
        else:
            text = _rng(pool, variant, slot).choice(options)
        return text.format(**fields)

    fillers = list(issue.fillers)
    _rng(pool, variant, "fillers").shuffle(fillers)
    coin = _rng(pool, variant, "coin")
    hold_music = coin.random() < 0.5
    react_at_end = coin.random() < 0.5  # without a closing: does the customer get a last word?
    timing = _rng(pool, variant, "timing")
    hold_seconds = round(timing.uniform(*HOLD_SECONDS), 1)
    dead_air_seconds = round(timing.uniform(*DEAD_AIR_SECONDS), 1)
    speed = _rng(pool, variant, "speed").randint(*SPEED_RANGE)

    def assemble(n_fillers: int, hold_s: float, compact: bool) -> _Builder:
        # Compact calls (so much went on that they would run too long) use the shortest
        # wordings and keep only the lines that carry a cue.
        c = _Builder(
            random.Random(f"{pool}|{variant}|pauses"), (0.3, 0.5) if compact else (0.35, 0.9)
        )
        if b.greeting:
            c.say("agent", say("greeting", phrases.greetings, compact), "greeting", pause=0.0)
        else:
            c.say("agent", say("opener", phrases.blunt_openers, compact), "greeting", pause=0.0)
        opening = say("description", issue.description, compact)
        if b.greeting and not compact:
            opening = f"{say('hello', phrases.customer_hellos)} {opening}"
        if b.upset:
            opening = f"{opening} {say('upset', phrases.upset_lines, compact)}"
        c.say("customer", opening, "empathy")
        if b.upset and b.apology:
            c.say("agent", say("apology", phrases.apologies, compact), "empathy")
        if b.verification:
            if compact:
                verification = min(phrases.verifications, key=lambda v: len(" ".join(v).split()))
            else:
                verification = _rng(pool, variant, "verification").choice(phrases.verifications)
            ask, answer, confirm = (part.format(**fields) for part in verification)
            c.say("agent", ask, "identity_verification")
            c.say("customer", answer, "identity_verification")
            if not compact:
                c.say("agent", confirm, "identity_verification")
        c.say("agent", say("lookup", phrases.lookups, compact), "identity_verification")
        exchanges = (
            sorted(fillers, key=lambda qa: len(" ".join(qa).split())) if compact else fillers
        )
        for question, answer in exchanges[:n_fillers]:
            c.say("agent", question)
            c.say("customer", answer)
        finding = say("finding", issue.finding, compact)
        # Without a check, the finding read out is the account work that went unverified.
        unverified = () if b.verification else ("identity_verification",)
        if b.dead_air:
            # Right after the customer spoke: nothing the agent said announces this silence.
            c.add(Silence(DEAD_AIR_SECONDS[0] if compact else dead_air_seconds), "dead_air")
            c.say("agent", finding, "dead_air", *unverified, pause=0.4)
        else:
            c.say("agent", finding, *unverified)
        if b.prohibited:
            options = phrases.prohibited + (phrases.prohibited_when_upset if b.upset else ())
            c.say("agent", say("prohibited", options, compact), "professional_language")
        if b.hold != "none":
            announcement = say("announce", phrases.hold_announcements, compact)
            c.say("agent", announcement, "hold_etiquette")
            c.say("customer", say("consent", phrases.hold_consents, compact), "hold_etiquette")
            c.add(
                Tones(hold_s, "music") if hold_music else Silence(hold_s),
                "hold_etiquette",
                "dead_air",
            )
            returns = (
                phrases.hold_returns_thanked
                if b.hold == "thanked"
                else phrases.hold_returns_unthanked
            )
            c.say("agent", say("return", returns, compact), "hold_etiquette", pause=0.5)
        outcomes = issue.resolved if b.resolution else issue.unresolved
        c.say("agent", say("outcome", outcomes, compact), "resolution", "closing")
        reactions = phrases.resolved_reactions if b.resolution else phrases.unresolved_reactions
        if b.closing:
            if not compact:
                c.say("customer", say("reaction", reactions))
            c.say("agent", say("offer", phrases.closing_offers, compact), "closing")
            c.say("customer", say("reply", phrases.closing_replies, compact), "closing")
            c.say("agent", say("goodbye", phrases.goodbyes, compact), "closing")
        elif react_at_end and not compact:
            c.say("customer", say("reaction", reactions), "closing")
        return c

    def length(c: _Builder) -> float:
        return estimate_seconds(c.events, speed)

    # Add filler exchanges up to a target length; if the behaviours alone make the call too
    # long, drop fillers, then shorten the hold, then go compact (and speak a bit faster).
    target = _rng(pool, variant, "length").uniform(48.0, 62.0)
    longest = CALL_SECONDS[1] - 5.5  # the estimate is within about 4 s of the rendered length
    # The dead air must follow a customer line: an agent's "let me bring up your details"
    # right before it would sound like an announced pause.
    fewest_fillers = 1 if b.dead_air else 0
    for compact in (False, True):
        if compact:
            speed = max(speed, COMPACT_MIN_SPEED)
        n_fillers = fewest_fillers
        built = assemble(n_fillers, hold_seconds, compact)
        while n_fillers < len(fillers) and length(built) < target:
            n_fillers += 1
            built = assemble(n_fillers, hold_seconds, compact)
        while n_fillers > fewest_fillers and length(built) > longest:
            n_fillers -= 1
            built = assemble(n_fillers, hold_seconds, compact)
        if b.hold != "none" and length(built) > longest:
            shorter = max(HOLD_SECONDS[0], hold_seconds - (length(built) - longest))
            built = assemble(n_fillers, math.floor(shorter * 10) / 10, compact)
        if length(built) <= longest:
            break

    return Scenario(
        events=tuple(built.events),
        expected=expected_verdicts(b),
        behaviours=b,
        name=name or f"{pool}-v{variant}-{_slug(b)}",
        pool=pool,
        variant=variant,
        domain=issue.domain,
        voices=_pick_voices(variant, pool),
        speed=speed,
        cues={k: tuple(v) for k, v in built.cues.items()},
    )


# The named scenarios the tests use. Together they give every criterion a pass and a fail,
# and the two N/A-able criteria an N/A.
FIXTURE_BEHAVIOURS: dict[str, tuple[Behaviours, int]] = {
    "perfect": (Behaviours(), 1),
    "no_greeting_no_verification": (Behaviours(greeting=False, verification=False), 2),
    "upset_apology_hold_thanked": (Behaviours(upset=True, apology=True, hold="thanked"), 3),
    "upset_no_apology": (Behaviours(upset=True, apology=False), 4),
    "hold_unthanked_dead_air": (Behaviours(hold="unthanked", dead_air=True), 5),
    # variant 12: a voice tiny.en hears clearly (Scottish voices garble the phrase itself)
    "prohibited_phrase": (Behaviours(prohibited=True), 12),
    "unresolved_abrupt": (Behaviours(resolution=False, closing=False), 7),
    "upset_calm_down_hold_thanked": (
        Behaviours(upset=True, apology=False, prohibited=True, hold="thanked"),
        8,
    ),
    "everything_wrong": (
        Behaviours(
            greeting=False,
            verification=False,
            upset=True,
            apology=False,
            hold="unthanked",
            dead_air=True,
            prohibited=True,
            resolution=False,
            closing=False,
        ),
        9,
    ),
}


def fixture_scenarios() -> dict[str, Scenario]:
    return {
        name: build_scenario(b, variant=variant, pool="fixture", name=name)
        for name, (b, variant) in FIXTURE_BEHAVIOURS.items()
    }


def random_behaviours(rng: random.Random) -> Behaviours:
    upset = rng.random() < 0.5
    holds: tuple[Hold, ...] = ("none", "thanked", "unthanked")
    return Behaviours(
        greeting=rng.random() < 0.6,
        verification=rng.random() < 0.6,
        upset=upset,
        apology=upset and rng.random() < 0.5,
        hold=rng.choice(holds),
        dead_air=rng.random() < 0.35,
        prohibited=rng.random() < 0.3,
        resolution=rng.random() < 0.6,
        closing=rng.random() < 0.6,
    )


def holdout_scenarios(n: int, seed: int = 0) -> list[Scenario]:
    """``n`` random behaviour combinations worded from the holdout pool."""
    rng = random.Random(f"holdout-combos|{seed}")
    scenarios = []
    for i in range(n):
        b = random_behaviours(rng)
        variant = rng.randrange(1_000_000)
        scenarios.append(
            build_scenario(b, variant=variant, pool="holdout", name=f"holdout-s{seed}-{i:03d}")
        )
    return scenarios


# --------------------------------------------------------------------------------------------
# Rendering


def _synth_fingerprint() -> str:
    # Changing the synthesiser must invalidate cached renders.
    return cache_key((Path(__file__).parent / "synth.py").read_text())


@contextmanager
def repeatable_sox() -> Iterator[None]:
    """Make synth's sox calls deterministic while rendering: sox dithers its 16-bit output
    with a random seed unless run with -R, so the same script gave different bytes (and
    could give a different transcript) on every render."""
    before = os.environ.get("SOX_OPTS")
    os.environ["SOX_OPTS"] = f"{before} -R" if before else "-R"
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOX_OPTS"]
        else:
            os.environ["SOX_OPTS"] = before


def render_scenario(
    s: Scenario, out_dir: Path, *, stereo: bool = True
) -> tuple[RenderedCall, dict[str, Verdict]]:
    """Render to ``out_dir`` (16 kHz WAV), reusing an earlier render of the same content."""
    key = cache_key(
        s.events,
        sorted(s.voices.items()),
        s.speed,
        stereo,
        SAMPLE_RATE,
        _synth_fingerprint(),
        "sox -R",
    )
    layout = "stereo" if stereo else "mono"
    wav = out_dir / f"{s.name}-{layout}-{key}.wav"
    meta = wav.with_suffix(".json")
    if wav.exists() and meta.exists():
        return _load_rendered(wav, meta), dict(s.expected)
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = wav.with_name(f".{wav.name}.{os.getpid()}.partial.wav")
    with repeatable_sox():
        rendered = render_call(
            list(s.events),
            partial,
            stereo=stereo,
            sample_rate=SAMPLE_RATE,
            voices=dict(s.voices),
            speed=s.speed,
        )
    # Publish the audio before its metadata: the metadata's presence marks a complete render.
    partial.replace(wav)
    rendered.path = wav
    _write_meta(rendered, meta)
    return rendered, dict(s.expected)


def _write_meta(r: RenderedCall, meta: Path) -> None:
    data = {
        "turns": [[t.speaker, t.text, t.start, t.end] for t in r.turns],
        "duration_s": r.duration_s,
        "channels": r.channels,
        "sample_rate": r.sample_rate,
        "spans": [list(span) for span in r.spans],
    }
    partial = meta.with_name(f".{meta.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(data))
    partial.replace(meta)


def _load_rendered(wav: Path, meta: Path) -> RenderedCall:
    data = json.loads(meta.read_text())
    return RenderedCall(
        path=wav,
        turns=[RenderedTurn(sp, text, start, end) for sp, text, start, end in data["turns"]],
        duration_s=data["duration_s"],
        channels=data["channels"],
        sample_rate=data["sample_rate"],
        spans=[(kind, start, end) for kind, start, end in data["spans"]],
    )


def event_times(s: Scenario, rendered: RenderedCall) -> list[tuple[float, float]]:
    """(start, end) in the audio of every event of ``s``, in order."""
    turns = iter(rendered.turns)
    spans = iter(rendered.spans)
    times = []
    for ev in s.events:
        if isinstance(ev, Turn):
            t = next(turns)
            times.append((t.start, t.end))
        else:
            _, start, end = next(spans)
            times.append((start, end))
    return times
