"""The phrasings of the ``varied`` scenario pool (tests/support/scenarios_varied.py explains the
rules).

Every tuple of options here is split by position: even positions (0, 2, 4, ...) are ``dev``
templates, odd positions are ``unseen`` templates (``half``). A request is one option of its
domain's tuple (counted among the account requests, and separately among the information
requests), so a whole request script belongs to one split. Nothing here may appear
in the ``fixture`` or ``holdout`` pools, and no option string may be used by both splits
(tests/support/test_scenarios_varied.py checks both).

Placeholders: {agent} {company} {first} {last} {full} {title} {spelled} (the last name spelled
out) {dob} {last4} {zip} {phone} {street} {email} {reason} (completes "while I {reason}").
Numbers and names are written as people say them ("four four one seven", "oh-two").
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal, TypeVar

Split = Literal["dev", "unseen"]
Resolved = Literal["answer", "action", "next-steps"]
T = TypeVar("T")


def half(options: tuple[T, ...], split: Split) -> tuple[T, ...]:
    """The options of ``split``: even positions are dev, odd positions unseen."""
    return options[0::2] if split == "dev" else options[1::2]


@dataclass(frozen=True)
class Request:
    """One thing a caller wants, in one domain, with every way the agent may answer it."""

    key: str
    account: bool  # True: the agent reads or changes an account to handle it
    asks: tuple[str, ...]  # the customer states it (plain, rambling, clipped ...)
    details: tuple[tuple[str, str], ...]  # (agent question, customer answer), neutral
    answers: tuple[tuple[Resolved, str], ...]  # resolved: the answer, the action, next steps
    vague: tuple[str, ...]  # unresolved: no answer, no action, no step
    echo: str  # unresolved: the agent only repeats the caller's values back
    finding: tuple[str, ...] = ()  # account requests: what the agent reads on the account
    slot: tuple[str, str] | None = None  # a value the task needs, asked as a task slot
    wrong: str = ""  # unresolved: confirms something other than what was asked
    hold_reason: tuple[str, ...] = ()  # unset: one of the pool's generic_hold_reasons


@dataclass(frozen=True)
class Domain:
    name: str
    companies: tuple[str, ...]
    # Split by position among the account requests and, separately, among the information
    # requests, so each split gets both kinds.
    requests: tuple[Request, ...]
    # (agent asks, customer answers, agent acknowledges): verification in this domain's terms
    verifications: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class VariedPool:
    agents: tuple[str, ...]
    customers: tuple[tuple[str, str, str, str], ...]  # first, last, title, spelled last name
    dobs: tuple[str, ...]
    last4s: tuple[str, ...]
    zips: tuple[str, ...]
    phones: tuple[str, ...]
    streets: tuple[str, ...]
    emails: tuple[str, ...]
    # greeting
    greetings: tuple[str, ...]  # names the agent and/or the company
    bare_openers: tuple[str, ...]  # a hello with no name or company
    caller_name_openers: tuple[str, ...]  # greets the caller by name (caller ID), no own name
    company_mentions: tuple[str, ...]  # the company named later in the call, not in the opening
    customer_hellos: tuple[str, ...]
    asides: tuple[str, ...]  # rambling, neutral
    # empathy
    frustrations_explicit: tuple[str, ...]
    frustrations_indirect: tuple[str, ...]
    frustrations_mid_call: tuple[str, ...]  # exasperation later in the call
    calm_preambles: tuple[str, ...]  # a problem mentioned calmly
    acknowledgements: tuple[str, ...]  # genuine empathy, phrased unusually
    sorry_repeats: tuple[tuple[str, str], ...]  # "sorry, say again?" + the caller repeats
    polite_sorries: tuple[str, ...]  # an agent's "sorry" to a caller who voiced nothing
    sorry_you_feel: tuple[str, ...]  # non-apology, dismissive: only in prohibited calls
    # identity
    verifications: tuple[tuple[str, str, str], ...]
    corrected_verifications: tuple[tuple[str, str, str], ...]  # the caller corrects themself
    name_only: tuple[tuple[str, str, str], ...]  # a name alone, which is no verification
    refusals: tuple[tuple[str, str, str], ...]  # asked as verification, refused, work goes on
    unknowns: tuple[tuple[str, str, str], ...]  # asked, "I don't know", work goes on
    task_slots: tuple[tuple[str, str], ...]  # a contact value for the task, not verification
    lookups: tuple[str, ...]  # the agent starts on the account
    info_starts: tuple[str, ...]  # the agent starts on a question that needs no account
    # hold
    hold_asks: tuple[str, ...]
    generic_hold_reasons: tuple[str, ...]
    hold_consents: tuple[str, ...]
    hold_returns_thanked: tuple[str, ...]
    hold_returns_unthanked: tuple[str, ...]
    quick_checks: tuple[tuple[str, str], ...]  # "one sec" and, at once, the agent goes on
    # professional language
    prohibited: tuple[str, ...]  # blame, dismissive, listed phrases, profanity
    prohibited_when_upset: tuple[str, ...]
    near_misses: tuple[str, ...]  # sound like prohibited phrases, are not
    customer_swears: tuple[str, ...]  # only customers: never counts against the agent
    # resolution and closing
    second_requests: tuple[str, ...]  # the caller brings up one more thing
    anything_else_moves: tuple[str, ...]  # the agent moves on without confirming anything
    resolved_reactions: tuple[str, ...]
    unresolved_reactions: tuple[str, ...]
    closing_offers: tuple[str, ...]
    closing_replies: tuple[str, ...]
    goodbyes: tuple[str, ...]
    signoffs: tuple[str, ...]  # a courteous sign-off without an offer of more help
    customer_byes: tuple[str, ...]  # the caller's goodbye, left unanswered
    curt_ends: tuple[str, ...]  # the agent's last words on an abrupt call
    fillers_after_dead_air: tuple[str, ...]  # the agent goes on after an unannounced silence
    domains: tuple[Domain, ...] = ()

    def for_split(self, split: Split) -> VariedPool:
        """The templates of one split: half of every option tuple (domains keep their name,
        and their companies, requests and verifications are halved)."""
        halved = {
            f.name: half(getattr(self, f.name), split) for f in fields(self) if f.name != "domains"
        }
        domains = tuple(
            replace(
                d,
                companies=half(d.companies, split),
                requests=half(tuple(r for r in d.requests if r.account), split)
                + half(tuple(r for r in d.requests if not r.account), split),
                verifications=half(d.verifications, split),
            )
            for d in self.domains
        )
        return VariedPool(**halved, domains=domains)


# --------------------------------------------------------------------------------------------
# Domains: four account requests and two information requests each.

BANK = Domain(
    name="bank",
    companies=(
        "Cedar Ridge Credit Union",
        "First Lakeshore Bank",
        "Prairie State Bank",
        "Bluewater Federal",
    ),
    requests=(
        Request(
            key="bank-balance",
            account=True,
            asks=(
                "I just wanted to check what's in my savings, I'm about to move some money over.",
                "So yeah I was- I was wondering, um, what the balance is on my checking, "
                "because I've got rent coming out Friday.",
                "Balance on checking, please.",
            ),
            details=(
                ("Is that the regular checking or the joint one?", "Just the regular, mine."),
                ("Are you wanting the available or the posted?", "Uh, whatever I can spend."),
            ),
            slot=("And which account did you want me to look at?", "The checking, yeah."),
            finding=("Okay, I've got the checking up here.",),
            answers=(
                (
                    "answer",
                    "So your available balance is two thousand and forty one dollars and "
                    "sixteen cents, and there's nothing pending against it.",
                ),
                (
                    "answer",
                    "Alright, you've got eight hundred twelve fifty available right now, and "
                    "the rent check hasn't hit yet.",
                ),
            ),
            vague=("Hmm, the numbers here are kind of all over the place, it's hard to say.",),
            echo="Okay, so the checking, the regular one, got it.",
            hold_reason=("get the pending items from the back office",),
        ),
        Request(
            key="bank-hours",
            account=False,
            asks=(
                "Hi, yeah, is the branch on Fulton open on Saturdays?",
                "I'm trying to figure out if I can come in on a Saturday morning, like which "
                "branch would even be open.",
            ),
            details=(("Which part of town are you in?", "I'm over by the high school."),),
            answers=(
                (
                    "answer",
                    "The Fulton branch is open Saturdays from nine to one, and the drive-up "
                    "stays open till two.",
                ),
            ),
            vague=("Saturdays are kind of different branch to branch, I'm not really sure.",),
            echo="Okay, so a Saturday, over by the high school.",
            hold_reason=("check the branch schedule",),
        ),
        Request(
            key="bank-dispute",
            account=True,
            asks=(
                "There's a charge for sixty-four ninety-nine from some streaming thing, and I "
                "never signed up for that.",
                "Okay so, um, I was going through my statement last night, which, I don't "
                "usually do that, and there's this charge from a company called Streamly, "
                "sixty-four ninety-nine, and I have no idea what that is.",
            ),
            details=(
                ("Did anybody else in the house maybe sign up?", "No, it's just me and the cat."),
                ("Do you still have the card on you?", "Yep, it's right here in my hand."),
            ),
            finding=("Yep, I see it, Streamly, posted on the ninth.",),
            answers=(
                (
                    "action",
                    "Okay, I've filed the dispute for the sixty-four ninety-nine and put a "
                    "temporary credit back on your account, you'll see it tonight.",
                ),
                (
                    "next-steps",
                    "So I've blocked that merchant, and the dispute form's going to your email "
                    "in the next hour, once you sign it the credit posts within ten business "
                    "days.",
                ),
            ),
            vague=("Yeah, those streaming ones pop up a lot, it could be anything really.",),
            echo="Okay, sixty-four ninety-nine, Streamly, on the ninth.",
            wrong="Okay, I've gone ahead and renewed that Streamly subscription for you.",
            hold_reason=("loop in the disputes team",),
        ),
        Request(
            key="bank-branch-info",
            account=False,
            asks=(
                "Quick question, do you guys do notary stuff at the branches?",
                "I need something notarized for my mom's house, and somebody told me the bank "
                "does that for free, is that true?",
            ),
            details=(("Are you a member already?", "Yeah, for like ten years."),),
            answers=(
                (
                    "answer",
                    "Yes, notary is free for members at every branch, just bring a photo ID and "
                    "don't sign the document until you're in front of the notary.",
                ),
            ),
            vague=("I think some places do it, it kind of depends on who's working.",),
            echo="Okay, a notary, for your mom's house.",
        ),
        Request(
            key="bank-checkbook",
            account=True,
            asks=(
                "I need to order more checks.",
                "Yeah hi, I'm down to my last like three checks and I need a new book before "
                "the end of the month.",
            ),
            details=(
                ("Same style as last time?", "Yeah, the plain blue ones are fine."),
                ("Just the one box?", "One box, yeah."),
            ),
            slot=("What address should we mail them to?", "Send them to {street}."),
            finding=("Okay, I see your last order was back in March.",),
            answers=(
                (
                    "action",
                    "Alright, that order's placed, one box of the blue, it ships tomorrow and "
                    "it'll be there in five to seven business days.",
                ),
            ),
            vague=("Checks, yeah, um, those take a while usually, I don't know.",),
            echo="Okay, so one box, the blue ones, to {street}.",
            wrong="Okay, I've cancelled the checkbook on that account for you.",
            hold_reason=("get the order form up",),
        ),
        Request(
            key="bank-transfer",
            account=True,
            asks=(
                "I want to move five hundred from savings into checking.",
                "Can you, um, can you transfer some money for me? Like five hundred bucks from "
                "savings to checking, the app keeps logging me out.",
            ),
            details=(
                ("Did you want that today or scheduled?", "Today, if you can."),
                ("Five hundred even?", "Five hundred even."),
            ),
            finding=("Okay, savings has plenty in it for that.",),
            answers=(
                (
                    "action",
                    "Done, five hundred moved from savings to checking, it's available right "
                    "now, and your confirmation number is seven seven two four.",
                ),
            ),
            vague=("The transfers are a little funny today, you might just wanna try later.",),
            echo="Okay, five hundred, savings to checking, today.",
            wrong="Okay, I've moved five hundred from checking into savings.",
            hold_reason=("check the transfer limit",),
        ),
    ),
    verifications=(
        (
            "Before I go into the account, for security can you confirm the date of birth on it?",
            "Uh, yeah, {dob}.",
            "Thank you, that matches.",
        ),
        (
            "Can I get the last four of your social, just to verify it's you?",
            "It's {last4}.",
            "Perfect, you're verified.",
        ),
    ),
)

TELECOM = Domain(
    name="telecom",
    companies=("Zephyr Wireless", "Kestrel Fiber", "Nimbus Mobile", "Ridgeline Cable"),
    requests=(
        Request(
            key="tel-bill-jump",
            account=True,
            asks=(
                "My bill went from like eighty to a hundred and thirty and I don't know why.",
                "So I got my bill this morning, and it's, um, it's a lot higher than usual, "
                "like fifty bucks higher, and I didn't change anything, so.",
            ),
            details=(
                ("Did you add a line or a device recently?", "No, same two phones."),
                ("Was there any international calling?", "No, not that I know of."),
            ),
            finding=("I see a promo credit of fifty dollars ended on the first.",),
            answers=(
                (
                    "action",
                    "I've put you on the loyalty plan, which brings you back to eighty-five a "
                    "month starting this cycle, and I credited the difference on this bill.",
                ),
                (
                    "answer",
                    "So that jump is the promo ending, the fifty a month discount you had for a "
                    "year ran out on the first, so the hundred thirty is the regular price.",
                ),
            ),
            vague=("Bills kind of go up and down, it's hard to pin that one down.",),
            echo="Okay, so eighty before, a hundred thirty now, same two phones.",
            hold_reason=("ask billing about the promo",),
        ),
        Request(
            key="tel-coverage",
            account=False,
            asks=(
                "Do you guys have service up at Lake Tahoma? I'm going camping.",
                "We're thinking about switching, and I just wanna know if the coverage is any "
                "good out on Route nine, past the quarry.",
            ),
            details=(("Is that for calls or for data too?", "Mostly data for the maps."),),
            answers=(
                (
                    "answer",
                    "Out there you'll have full calls and texts, and data is good along the "
                    "highway but it drops to one bar once you're past the ranger station.",
                ),
            ),
            vague=("Coverage out there, eh, it kinda depends on the day.",),
            echo="Okay, so out by the lake, for the maps.",
        ),
        Request(
            key="tel-outage",
            account=True,
            asks=(
                "My internet's been out since like six this morning.",
                "Hey, so, the wi-fi's been down all day, and I work from home, and I've "
                "unplugged the box and everything, it's just a red light.",
            ),
            details=(
                ("Is the light on the modem red or blinking orange?", "Solid red."),
                ("Have you unplugged it for thirty seconds?", "Yeah, twice."),
            ),
            finding=("Okay, I see your modem dropped off our network at five fifty-two.",),
            answers=(
                (
                    "next-steps",
                    "There's a cut line in your area, a crew's on it, it should be back by "
                    "three this afternoon, and I've set a text to go to you when it's up.",
                ),
                (
                    "action",
                    "I just sent a reset to the modem from here, give it two minutes and the "
                    "light should go white, and I've credited you a day of service.",
                ),
            ),
            vague=("Could be a lot of things with those modems, honestly.",),
            echo="Okay, so since six, solid red light, unplugged twice.",
            hold_reason=("check with network operations",),
        ),
        Request(
            key="tel-plans",
            account=False,
            asks=(
                "What's the cheapest plan you have with unlimited data?",
                "My son's getting his first phone, and, um, I just want to know what the plans "
                "are, like the cheap ones.",
            ),
            details=(("Would it be a new line on its own?", "On its own, yeah, prepaid maybe."),),
            answers=(
                (
                    "answer",
                    "The basic unlimited is forty a month, or thirty with autopay, and that "
                    "includes hotspot up to five gigs.",
                ),
            ),
            vague=("There's a bunch of plans, they change all the time.",),
            echo="Okay, so unlimited data, cheapest one.",
        ),
        Request(
            key="tel-cancel-addon",
            account=True,
            asks=(
                "I wanna cancel the sports package, I never watch it.",
                "Yeah I need to, uh, take off that sports channel thing, my husband added it "
                "for the playoffs and the playoffs are over.",
            ),
            details=(("Do you want the premium movie channels to stay?", "Yeah, keep those."),),
            finding=("I see the sports add-on, fifteen ninety-nine a month.",),
            answers=(
                (
                    "action",
                    "The sports package is removed as of today, you won't see the fifteen "
                    "ninety-nine on your next bill.",
                ),
            ),
            vague=("Cancelling add-ons is kinda tricky mid-cycle, hm.",),
            echo="Okay, the sports package, fifteen ninety-nine.",
            wrong="Alright, I've upgraded you to the sports plus package.",
            hold_reason=("check for a cancellation fee",),
        ),
        Request(
            key="tel-new-phone",
            account=True,
            asks=(
                "I'm trying to upgrade my phone, am I eligible yet?",
                "So my screen's cracked, like bad, and I was wondering if I can, you know, get "
                "the new one, or when my upgrade is.",
            ),
            details=(("Are you wanting the same model line?", "Same kind, just newer."),),
            finding=("I see you're twenty-two months into the agreement.",),
            answers=(
                (
                    "next-steps",
                    "You're eligible on the twelfth, that's in nine days, I've put a note on "
                    "the account, and any store can do it for a thirty dollar upgrade fee.",
                ),
            ),
            vague=("Upgrades are kinda case by case, I'm not totally sure.",),
            echo="Okay, so an upgrade, same kind, newer.",
            hold_reason=("check the upgrade offers",),
        ),
    ),
    verifications=(
        (
            "Can you give me the account PIN, the four digits you set up?",
            "Yeah, it should be {last4}.",
            "Got it, that's the one.",
        ),
        (
            "For verification, what's the billing zip code on the account?",
            "It's {zip}.",
            "Thank you, that matches what I have.",
        ),
    ),
)

UTILITIES = Domain(
    name="utilities",
    companies=(
        "Tri-County Power",
        "Clearbrook Water",
        "Summit Gas and Electric",
        "Lakeside Energy Co-op",
    ),
    requests=(
        Request(
            key="util-high-bill",
            account=True,
            asks=(
                "My water bill this quarter is like three hundred dollars, it's usually ninety.",
                "Um, yeah, the bill came, and it's, it's really high, like triple, and it's "
                "just me and my daughter.",
            ),
            details=(
                ("Any leaks you know of, a running toilet?", "Not that I've heard."),
                ("Have you filled a pool or anything?", "No, we don't have a pool."),
            ),
            finding=("Okay, your usage jumped to forty thousand gallons in June.",),
            answers=(
                (
                    "next-steps",
                    "That looks like a leak, so I've booked a free meter check for Tuesday "
                    "between eight and noon, and if it's a leak you can apply for the one-time "
                    "leak adjustment, I'll send you the form.",
                ),
            ),
            vague=("Bills can be weird in summer, it might even out.",),
            echo="Okay, three hundred this time, ninety usually, just the two of you.",
            hold_reason=("pull up the meter history",),
        ),
        Request(
            key="util-start-service",
            account=False,
            asks=(
                "I'm moving into a new place and I need to know how to start electric service.",
                "Hi, um, we're closing on a house next week and I have no idea how the "
                "electric works out there, like do I call you guys or.",
            ),
            details=(("Is it a house or an apartment?", "A house."),),
            answers=(
                (
                    "next-steps",
                    "You can start it online at least three days before move-in, there's a "
                    "fifteen dollar connection fee, and you'll need the meter number off the "
                    "closing papers.",
                ),
            ),
            vague=("Oh, moving stuff, that's all handled somewhere else, I think.",),
            echo="Okay, a new house, starting next week.",
        ),
        Request(
            key="util-payment-plan",
            account=True,
            asks=(
                "I can't pay the whole bill this month, can I split it up?",
                "So I got a shutoff notice, and I'm, um, I'm between jobs right now, and I "
                "was hoping there's like a payment plan or something.",
            ),
            details=(
                ("How much could you put down today?", "Maybe fifty."),
                ("Do you get paid weekly or every two weeks?", "Every two weeks, when I do."),
            ),
            finding=("I see a past-due balance of two eighty-four.",),
            answers=(
                (
                    "action",
                    "I've set up a plan, fifty today and then fifty-eight a month for four "
                    "months, and the shutoff notice is cancelled as long as the plan's "
                    "current.",
                ),
            ),
            vague=("Those plans are kinda hard to get, I don't know.",),
            echo="Okay, fifty down, every two weeks.",
            hold_reason=("check what plans you qualify for",),
        ),
        Request(
            key="util-outage-map",
            account=False,
            asks=(
                "Is there an outage on Birch Street? All the lights went out.",
                "The whole block just went dark, like, the traffic light too, is that you guys?",
            ),
            details=(("Do you see any lines down?", "No, nothing I can see."),),
            answers=(
                (
                    "answer",
                    "Yes, there's a transformer out on Birch, about four hundred homes, and the "
                    "crew's estimate is power back by seven thirty tonight.",
                ),
            ),
            vague=("Outages come and go, it'll probably just come back.",),
            echo="Okay, Birch Street, all the lights.",
        ),
        Request(
            key="util-autopay",
            account=True,
            asks=(
                "I want to set up autopay.",
                "Yeah, I keep forgetting to pay, honestly, so can we just do the automatic thing?",
            ),
            details=(
                ("Checking account or a card?", "Checking."),
                ("What day works best?", "The fifth, after payday."),
            ),
            finding=("Okay, your current balance is zero, so we can start fresh.",),
            answers=(
                (
                    "action",
                    "Autopay is set up from your checking on the fifth of each month, starting "
                    "next month, and you'll get an email two days before each payment.",
                ),
            ),
            vague=("Autopay's a whole thing, there's forms, it's hard to say.",),
            echo="Okay, checking, on the fifth.",
            hold_reason=("get the autopay form going",),
        ),
        Request(
            key="util-transfer-service",
            account=True,
            asks=(
                "I'm moving across town and need to move my service.",
                "So, uh, I'm moving on the thirtieth, still in the service area, and I need "
                "the power on at the new place and off at the old place.",
            ),
            details=(("What's the move date?", "The thirtieth."),),
            slot=("What's the new address?", "It's {street}."),
            finding=("I see your account at the current address.",),
            answers=(
                (
                    "action",
                    "Done, service stops at the old place on the thirtieth and starts at the "
                    "new one the same day, no connection fee since it's a transfer.",
                ),
            ),
            vague=("Moving service can take a bit, I'm not sure how it'll go.",),
            echo="Okay, the thirtieth, to {street}.",
            hold_reason=("check the new address is on our lines",),
        ),
    ),
    verifications=(
        (
            "To verify the account, can you tell me the service address?",
            "Yep, it's {street}.",
            "Okay, that's what I have, thank you.",
        ),
        (
            "Before I make changes, for security, what's the phone number on file?",
            "It's {phone}.",
            "Great, that matches.",
        ),
    ),
)

INSURANCE = Domain(
    name="insurance",
    companies=(
        "Pinecrest Insurance",
        "Beacon Auto Insurance",
        "Granite Mutual",
        "Fairhaven Home and Auto",
    ),
    requests=(
        Request(
            key="ins-claim-status",
            account=True,
            asks=(
                "I'm calling to check on the claim for my hail damage.",
                "So, um, back in April we had that big hailstorm, and we put in a claim for "
                "the roof, and I just wanted to see where that's at.",
            ),
            details=(
                ("Did the adjuster come out already?", "Yeah, two weeks ago."),
                ("Did you get a roofer's estimate?", "We sent it in last week."),
            ),
            finding=("I see the claim, the adjuster's report came in on the third.",),
            answers=(
                (
                    "answer",
                    "Your claim was approved yesterday for eleven thousand two hundred, minus "
                    "the thousand dollar deductible, and the check goes out Friday.",
                ),
                (
                    "next-steps",
                    "The adjuster still needs the roofer's invoice, once you email it to "
                    "claims, the payment is issued within five business days.",
                ),
            ),
            vague=("Claims take however long they take, it's hard to know.",),
            echo="Okay, the hail claim, the roof, adjuster came out.",
            hold_reason=("talk to the adjuster",),
        ),
        Request(
            key="ins-quote-question",
            account=False,
            asks=(
                "Do you guys cover rideshare driving? I'm thinking about doing it on weekends.",
                "I'm just shopping around, um, what would it even take to get a quote on a "
                "renters policy?",
            ),
            details=(("Do you have a policy with us now?", "No, not yet."),),
            answers=(
                (
                    "answer",
                    "We do, it's an endorsement on a personal auto policy, usually about "
                    "fifteen to twenty dollars a month, and it covers you while the app is on.",
                ),
            ),
            vague=("That's kinda complicated, it depends on a lot.",),
            echo="Okay, rideshare, weekends.",
        ),
        Request(
            key="ins-add-driver",
            account=True,
            asks=(
                "I need to add my daughter to the car insurance, she just got her license.",
                "Yeah, so my kid, uh, passed the driving test Friday, which, yay, and I guess "
                "she has to go on the policy now?",
            ),
            details=(
                ("Which car will she mostly drive?", "The Corolla."),
                ("Did she take driver's ed?", "Yes, she has the certificate."),
            ),
            slot=("What's her full name as it is on the license?", "Maya Elise {last}."),
            finding=("Okay, I see both cars on the policy.",),
            answers=(
                (
                    "action",
                    "She's added as of today, with the driver's ed discount the new premium is "
                    "one sixty-two a month, and the new ID cards are in your email.",
                ),
            ),
            vague=("Teen drivers are kind of a whole thing, I'd have to look into it.",),
            echo="Okay, your daughter, the Corolla, driver's ed.",
            wrong="Okay, I've removed the Corolla from the policy.",
            hold_reason=("get the rating done",),
        ),
        Request(
            key="ins-glass",
            account=True,
            asks=(
                "A rock cracked my windshield on the freeway, is that covered?",
                "So there's a crack in my windshield now, it started small and it's kind of "
                "spreading, and I'm wondering if my insurance does that.",
            ),
            details=(("How long is the crack?", "Maybe six inches."),),
            finding=("You've got comprehensive with full glass on this car.",),
            answers=(
                (
                    "next-steps",
                    "You're covered with no deductible, I've referred you to Clearview Glass, "
                    "their number is five five five, two one nine, four four zero zero, they "
                    "can come to your work.",
                ),
            ),
            vague=("Glass is kinda hit or miss, depends on the policy.",),
            echo="Okay, a crack, about six inches, from a rock.",
            hold_reason=("check the glass coverage",),
        ),
        Request(
            key="ins-cancel-policy",
            account=True,
            asks=(
                "I sold my motorcycle so I need to cancel that policy.",
                "Hey, so, uh, the bike's gone, I sold it Saturday, so I don't need that "
                "insurance anymore.",
            ),
            details=(("What date did the sale happen?", "Saturday, the sixth."),),
            finding=("Alright, I see the motorcycle policy.",),
            answers=(
                (
                    "action",
                    "The motorcycle policy is cancelled effective the sixth, and you'll get a "
                    "refund of forty-one dollars for the unused days back to your card.",
                ),
            ),
            vague=("Cancelling mid-term can be kinda messy, we'll see.",),
            echo="Okay, the motorcycle, sold on the sixth.",
            hold_reason=("check the refund amount",),
        ),
        Request(
            key="ins-office-hours",
            account=False,
            asks=(
                "What time does the claims office close today?",
                "If I wanted to drop off some papers in person, is there, like, an office I "
                "can walk into?",
            ),
            details=(("Which town are you in?", "Millbrook."),),
            slot=("Want me to text you the address? What number?", "Sure, {phone}."),
            answers=(
                (
                    "answer",
                    "The Millbrook office is on Main and Second, it's open till five thirty "
                    "weekdays and there's a drop box by the door after hours.",
                ),
            ),
            vague=("Offices have their own hours, I'm not sure about that one.",),
            echo="Okay, in person, Millbrook.",
        ),
    ),
    verifications=(
        (
            "For security, can you give me the policy number, or your date of birth?",
            "Um, date of birth, {dob}.",
            "Thank you, that matches.",
        ),
        (
            "To verify, can you confirm the address on the policy?",
            "{street}.",
            "Perfect, thanks.",
        ),
    ),
)

RETAIL = Domain(
    name="retail",
    companies=("Hollis and Finch", "ThreadBox", "Kitchen Corner", "Buckley's Outdoor"),
    requests=(
        Request(
            key="ret-return-label",
            account=True,
            asks=(
                "I want to return a blender, it's too loud.",
                "So I bought this, um, stand mixer, and it's way too big for my kitchen, like "
                "comically big, and I want to send it back.",
            ),
            details=(
                ("Is it still in the box?", "I kept the box, yeah."),
                ("When did it arrive?", "Last Thursday."),
            ),
            slot=("What email should I send the return label to?", "Send it to {email}."),
            finding=("Okay, I see the order, delivered on Thursday.",),
            answers=(
                (
                    "action",
                    "The return is approved and the prepaid label is in your email now, drop "
                    "it at any UPS store and the refund goes back to your card in three to five "
                    "days.",
                ),
            ),
            vague=("Returns, hmm, it kinda depends on the item.",),
            echo="Okay, so too loud, still in the box, Thursday.",
            wrong="Okay, I've reordered the same one for you.",
            hold_reason=("check the return window",),
        ),
        Request(
            key="ret-policy",
            account=False,
            asks=(
                "What's your return policy on sale stuff?",
                "If I buy a jacket on clearance and it doesn't fit, can I still, like, return "
                "it, or is that final sale?",
            ),
            details=(("Was it in store or online?", "Online."),),
            answers=(
                (
                    "answer",
                    "Clearance items bought online can be returned within thirty days for "
                    "store credit, only the items marked final sale can't be returned.",
                ),
            ),
            vague=("That's kind of a gray area, it depends.",),
            echo="Okay, sale stuff, online.",
        ),
        Request(
            key="ret-wrong-size",
            account=True,
            asks=(
                "You sent me a medium and I ordered a large.",
                "Hi, so my order came, which, great, but the boots are a size nine and I "
                "ordered a ten, like it says ten on the receipt.",
            ),
            details=(("Did you keep the packing slip?", "Yep, I've got it."),),
            finding=("I see the order, it says size ten, so the warehouse mixed it up.",),
            answers=(
                (
                    "action",
                    "I've sent the right size out by two-day shipping at no charge, and you "
                    "can send the wrong ones back with the label in the box whenever.",
                ),
            ),
            vague=("Sizes run funny sometimes, hm.",),
            echo="Okay, a nine instead of a ten.",
            wrong="Okay, I've exchanged them for a size eight.",
            hold_reason=("check stock in the warehouse",),
        ),
        Request(
            key="ret-store-stock",
            account=False,
            asks=(
                "Do you have the green camping stove in stock at the Riverside store?",
                "I'm gonna drive over there after work, and I just don't wanna drive all that "
                "way if you don't have the, um, the two-burner stove.",
            ),
            details=(("Do you know the model name?", "The Trailmaster two-burner."),),
            answers=(
                (
                    "answer",
                    "Riverside has four of the Trailmaster two-burners, and I can hold one at "
                    "the front desk under your name until close tomorrow.",
                ),
            ),
            vague=("Stock changes all day, couldn't tell you.",),
            echo="Okay, the Trailmaster, the Riverside store.",
        ),
        Request(
            key="ret-order-late",
            account=True,
            asks=(
                "Where's my order? It was supposed to be here Monday.",
                "So, um, I ordered a gift for my sister, and the birthday's Saturday, and the "
                "tracking hasn't moved since Monday.",
            ),
            details=(("Was it regular shipping?", "Regular, yeah."),),
            finding=("I see it's been sitting at the Denver hub since Monday.",),
            answers=(
                (
                    "action",
                    "I've reshipped it overnight from our store stock, it'll be there Thursday "
                    "by eight p.m., and the new tracking number's in your texts.",
                ),
                (
                    "next-steps",
                    "I've opened a trace with the carrier, they answer within twenty-four "
                    "hours, and if it hasn't moved by Wednesday I'll reship it overnight, "
                    "you'll get an email either way.",
                ),
            ),
            vague=("Packages get stuck sometimes, it'll probably show up.",),
            echo="Okay, regular shipping, stuck since Monday.",
            hold_reason=("call the carrier",),
        ),
        Request(
            key="ret-gift-card",
            account=True,
            asks=(
                "I have a gift card that says zero and I never used it.",
                "My aunt gave me a gift card for my birthday, and, uh, I went to use it and "
                "it said there's nothing on it.",
            ),
            details=(("Do you have the card number on the back?", "Yeah, I have it here."),),
            finding=("I see the card was activated with fifty dollars on the second.",),
            answers=(
                (
                    "action",
                    "I've moved the fifty onto a new card and emailed you the code, the old "
                    "card is deactivated.",
                ),
            ),
            vague=("Gift cards are kinda their own system, I don't know.",),
            echo="Okay, the gift card from your aunt.",
            hold_reason=("check the card history",),
        ),
    ),
    verifications=(
        (
            "Can you confirm the email on the account for me?",
            "Yeah, it's {email}.",
            "Great, thanks, that's you.",
        ),
        (
            "For verification, what's the billing zip on the card you used?",
            "Uh, {zip}.",
            "Perfect, that matches.",
        ),
    ),
)

TRAVEL = Domain(
    name="travel",
    companies=("Southwind Airlines", "Meridian Hotels", "Tradewind Travel", "Coastline Cruises"),
    requests=(
        Request(
            key="trv-change-flight",
            account=True,
            asks=(
                "I need to move my flight from the twelfth to the fourteenth.",
                "Okay so, um, my meeting got pushed, so I need to fly out two days later, is "
                "that, like, possible without paying a ton?",
            ),
            details=(
                ("Same time of day?", "Morning if you have it."),
                ("Is it just you traveling?", "Just me."),
            ),
            finding=("Okay, I see the trip, the seven forty on the twelfth.",),
            answers=(
                (
                    "action",
                    "You're moved to the seven fifteen on the fourteenth, seat fourteen C, no "
                    "change fee, and the fare difference is thirty-eight dollars on your "
                    "card.",
                ),
            ),
            vague=("Changes are kinda hard to predict with the fares.",),
            echo="Okay, the twelfth to the fourteenth, mornings.",
            wrong="Okay, I've moved you to the evening flight on the twelfth.",
            hold_reason=("check seats on the fourteenth",),
        ),
        Request(
            key="trv-baggage",
            account=False,
            asks=(
                "How many bags can I check on an international flight?",
                "I'm flying to see my grandkids in Lisbon and, um, I'm bringing presents, so "
                "how much luggage can I actually take?",
            ),
            details=(("Which fare did you book, do you know?", "The main cabin one."),),
            answers=(
                (
                    "answer",
                    "Main cabin to Europe includes two checked bags up to fifty pounds each, "
                    "and a third bag is a hundred dollars.",
                ),
            ),
            vague=("It depends on so much, the route, the fare, who knows.",),
            echo="Okay, international, main cabin.",
        ),
        Request(
            key="trv-refund",
            account=True,
            asks=(
                "My flight was cancelled and I want my money back, not a voucher.",
                "So they cancelled my flight on Sunday, and the app just keeps offering me "
                "a credit, and I just want a refund.",
            ),
            details=(("Did you take any other flight instead?", "No, I drove."),),
            finding=("I see flight twenty-two eleven was cancelled on Sunday.",),
            answers=(
                (
                    "action",
                    "I've processed a full refund of three hundred twelve forty to your card, "
                    "it'll show in seven to ten business days.",
                ),
            ),
            vague=("Refunds are kind of a process, you might get it.",),
            echo="Okay, Sunday, you drove instead.",
            wrong="Okay, I've issued you a travel voucher for three hundred twelve forty.",
            hold_reason=("check the refund rules",),
        ),
        Request(
            key="trv-hotel-amenities",
            account=False,
            asks=(
                "Does the downtown hotel have parking?",
                "I'm looking at booking, um, the one by the convention center, do they have "
                "parking, and how much is it?",
            ),
            details=(("Is it for a car or something bigger?", "Just a car."),),
            answers=(
                (
                    "answer",
                    "Yes, there's valet parking at thirty-two a night, or the public garage "
                    "across the street is eighteen a day.",
                ),
            ),
            vague=("Parking's kind of a mess downtown, honestly.",),
            echo="Okay, parking, a car.",
        ),
        Request(
            key="trv-room-booking-fix",
            account=True,
            asks=(
                "My reservation says one bed and I booked two queens.",
                "So I just looked at the confirmation for our trip, and, um, it says one king, "
                "and there's four of us, so that's not gonna work.",
            ),
            details=(("Is it the same dates, the eighth to the tenth?", "Yep."),),
            finding=("I see the reservation, king room, the eighth to the tenth.",),
            answers=(
                (
                    "action",
                    "I've changed it to a two-queen room, same rate, same dates, and the new "
                    "confirmation is in your email.",
                ),
            ),
            vague=("Room types get shuffled, I can't promise anything.",),
            echo="Okay, four of you, the eighth to the tenth.",
            hold_reason=("check with the hotel",),
        ),
        Request(
            key="trv-miles",
            account=True,
            asks=(
                "My miles from the Denver trip never showed up.",
                "I flew to Denver last month and, um, I checked and the miles just aren't "
                "there, and I put my number in.",
            ),
            details=(("Do you remember the flight number?", "No, sorry, it was the morning."),),
            finding=("I see the Denver flight on the fourth, no miles posted.",),
            answers=(
                (
                    "action",
                    "I've added the one thousand nine hundred miles for that trip, they'll "
                    "show in your balance within forty-eight hours.",
                ),
            ),
            vague=("Miles take a while sometimes, they might show up.",),
            echo="Okay, Denver, last month, morning flight.",
            hold_reason=("request the missing miles",),
        ),
    ),
    verifications=(
        (
            "For security, can I get your confirmation code and the date of birth of the traveler?",
            "Confirmation's Q X seven two B, and birthday is {dob}.",
            "Thank you, that matches.",
        ),
        (
            "To verify the rewards account, what's the email on file?",
            "{email}.",
            "Got it, thank you.",
        ),
    ),
)

HEALTH = Domain(
    name="healthcare billing",
    companies=(
        "Valley Health billing office",
        "Northgate Medical Group",
        "Stonebridge Clinic",
        "Riverbend Hospital billing",
    ),
    requests=(
        Request(
            key="hc-bill-question",
            account=True,
            asks=(
                "I got a bill for four hundred dollars for a checkup that should be free.",
                "So I got this bill, um, for my physical, and I thought physicals were covered "
                "a hundred percent, and it says I owe four ten.",
            ),
            details=(("Was that on the twentieth?", "Yeah, the twentieth."),),
            finding=(
                "I see the visit was billed with a diagnostic code, not as a preventive visit.",
            ),
            answers=(
                (
                    "next-steps",
                    "I've sent it back to coding to rebill as preventive, that takes about two "
                    "weeks, and I've put the balance on hold so you won't get any late notices.",
                ),
            ),
            vague=("Insurance billing is kind of a mystery sometimes.",),
            echo="Okay, the physical, on the twentieth, four ten.",
            hold_reason=("check with our coding team",),
        ),
        Request(
            key="hc-appointment",
            account=False,
            asks=(
                "I'd like to book a new patient appointment with a family doctor.",
                "Hi, um, we just moved here, and I need to find, like, a regular doctor for "
                "me and my husband.",
            ),
            details=(("Morning or afternoon better for you?", "Mornings."),),
            slot=("What's a good phone number for the appointment reminders?", "{phone}."),
            answers=(
                (
                    "action",
                    "I've booked you with Doctor Alvarez, Tuesday the eighteenth at nine "
                    "fifteen, please come fifteen minutes early for the paperwork.",
                ),
            ),
            vague=("New patients, hm, that's a long list, I don't know.",),
            echo="Okay, mornings, family doctor.",
        ),
        Request(
            key="hc-payment-plan",
            account=True,
            asks=(
                "Can I do a payment plan on the surgery bill?",
                "So the bill from my knee surgery came and it's, um, a lot, like two thousand, "
                "and I can't do it all at once.",
            ),
            details=(("What monthly amount would work for you?", "Like a hundred, maybe."),),
            finding=("I see a balance of two thousand and eighty after insurance.",),
            answers=(
                (
                    "action",
                    "You're set up at a hundred and four a month for twenty months, no "
                    "interest, and the first payment is the first of next month.",
                ),
            ),
            vague=("Plans are kind of up to the billing folks.",),
            echo="Okay, two thousand, a hundred a month.",
            hold_reason=("get the plan approved",),
        ),
        Request(
            key="hc-referral-cost",
            account=False,
            asks=(
                "Do you guys take Horizon insurance?",
                "I was wondering, um, if I come to your clinic, do you take my insurance, it's "
                "the Horizon silver plan?",
            ),
            details=(("Is that the HMO or the PPO?", "The PPO, I think."),),
            answers=(
                (
                    "next-steps",
                    "We're in network for Horizon PPO, a regular visit is your thirty dollar "
                    "copay, and you can book at five five five, eight one two, six six zero "
                    "zero.",
                ),
            ),
            vague=("Insurance lists change a lot, I'm not sure.",),
            echo="Okay, Horizon silver, the PPO.",
        ),
        Request(
            key="hc-records",
            account=True,
            asks=(
                "I need my records sent to a new doctor.",
                "My new doctor's office needs my records from you guys, um, like my lab "
                "results and stuff, how do I do that?",
            ),
            details=(("Do you have the new office's fax number?", "Yeah, I've got it here."),),
            finding=("I see your chart, last visit was in March.",),
            answers=(
                (
                    "next-steps",
                    "I'm emailing you the release form now, once you sign it and send it back, "
                    "records go out to the new office within three business days.",
                ),
            ),
            vague=("Records requests kind of sit in a pile for a while.",),
            echo="Okay, records, to the new doctor.",
            hold_reason=("check with medical records",),
        ),
        Request(
            key="hc-insurance-update",
            account=True,
            asks=(
                "I have new insurance and the bill went to the old one.",
                "Um, so I changed jobs in January, and the new insurance card, I don't think "
                "you guys have it, because the bill says denied.",
            ),
            details=(("Do you have the new card with you?", "Yep, it's in front of me."),),
            finding=("Okay, I see the old plan on file, terminated in December.",),
            answers=(
                (
                    "action",
                    "I've put the new insurance on file and resubmitted the January claims, "
                    "so that denied bill is on hold until they pay.",
                ),
            ),
            vague=("Those claims kind of have a mind of their own.",),
            echo="Okay, new job, new card, January.",
            hold_reason=("update the insurance",),
        ),
    ),
    verifications=(
        (
            "Before we get into the bill, I need to verify, what's the patient's date of birth?",
            "{dob}.",
            "Thank you, that's correct.",
        ),
        (
            "Can you confirm the patient's full name and the address on the account?",
            "{full}, at {street}.",
            "Great, you're verified.",
        ),
    ),
)

SOFTWARE = Domain(
    name="software support",
    companies=("Ledgerly", "Taskpad", "Cloudnest", "Brightdesk"),
    requests=(
        Request(
            key="sw-locked-out",
            account=True,
            asks=(
                "I'm locked out of my account, the reset email never comes.",
                "So I tried to log in this morning and it said too many attempts, and then the "
                "reset link, um, it just doesn't show up, I checked spam and everything.",
            ),
            details=(
                ("Did you change your email lately?", "No, same one."),
                ("Are you on the app or the website?", "The website."),
            ),
            slot=("What's a good phone number for the reset link?", "Send it to {phone}."),
            finding=("I see the lock from this morning, and the emails are bouncing.",),
            answers=(
                (
                    "action",
                    "I've cleared the lock and the reset link just went out by text, it's good "
                    "for fifteen minutes.",
                ),
            ),
            vague=("Those resets get lost sometimes, just try again later.",),
            echo="Okay, so the website, same email, {phone}.",
            hold_reason=("get the account unlocked",),
        ),
        Request(
            key="sw-how-to",
            account=False,
            asks=(
                "How do I export my invoices to a spreadsheet?",
                "Quick question, um, my accountant wants, like, all my invoices in Excel, is "
                "there a way to do that?",
            ),
            details=(("Is that all invoices or just this year?", "Just this year."),),
            answers=(
                (
                    "answer",
                    "Go to Reports, then Invoices, set the date to this year, and hit the "
                    "export button top right, pick the CSV option, Excel opens it fine.",
                ),
            ),
            vague=("There's probably a way, I'd have to look, it changes a lot.",),
            echo="Okay, invoices, this year, into Excel.",
        ),
        Request(
            key="sw-double-charge",
            account=True,
            asks=(
                "I got charged twice for the yearly plan.",
                "So I, um, upgraded to the annual plan, and my card shows two charges of one "
                "ninety-nine, same day.",
            ),
            details=(("Did you maybe click the button twice?", "I mean, maybe, it was slow."),),
            finding=("I see two charges of one ninety-nine on the second.",),
            answers=(
                (
                    "action",
                    "I've refunded the duplicate one ninety-nine, you'll see it back in five "
                    "to seven days, and your annual plan is active through next June.",
                ),
            ),
            vague=("Payment stuff is kind of out of my hands.",),
            echo="Okay, two charges, one ninety-nine, same day.",
            hold_reason=("check with billing",),
        ),
        Request(
            key="sw-system-status",
            account=False,
            asks=(
                "Is the app down right now? Nothing loads.",
                "Is it just me or is everything, um, like super slow today? Pages won't load.",
            ),
            details=(("Is it the web version or the desktop app?", "The web one."),),
            slot=("What email should I send the status page link to?", "Um, {email}."),
            answers=(
                (
                    "answer",
                    "We had an outage this morning, it was fixed at ten forty, so a hard "
                    "refresh, control shift R, should clear it.",
                ),
            ),
            vague=("Could be your internet, could be us, hard to say.",),
            echo="Okay, the web one, not loading.",
        ),
        Request(
            key="sw-add-user",
            account=True,
            asks=(
                "I need to add a new employee to our account.",
                "We just hired someone, um, an assistant, and she needs her own login, how "
                "does that work?",
            ),
            details=(("Should she have admin rights?", "No, just regular."),),
            slot=(
                "What's her email address for the invite?",
                "It's jess at {last} design dot com.",
            ),
            finding=("I see you have four seats and three are used.",),
            answers=(
                (
                    "action",
                    "The invite's sent to her, she's on a regular seat, and since you had a "
                    "spare one it won't change your bill.",
                ),
            ),
            vague=("Seats are kind of complicated, I'd check the help page.",),
            echo="Okay, an assistant, regular access.",
            hold_reason=("check the seat count",),
        ),
        Request(
            key="sw-data-missing",
            account=True,
            asks=(
                "A whole project disappeared from my dashboard.",
                "So I logged in and, um, the project I've been working on for like three "
                "weeks is just gone, it's not in the list.",
            ),
            details=(("Did anyone else on the team have access?", "My partner, yeah."),),
            finding=("I see the project was archived yesterday at four p.m.",),
            answers=(
                (
                    "action",
                    "It was archived, not deleted, I've restored it, so if you refresh it's "
                    "back at the top of your list.",
                ),
            ),
            vague=("Stuff disappears sometimes, it might come back.",),
            echo="Okay, the project, three weeks of work, gone from the list.",
            hold_reason=("check the project history",),
        ),
    ),
    verifications=(
        (
            "For security, can you tell me the email address the account is registered to?",
            "Sure, {email}.",
            "Thanks, that matches.",
        ),
        (
            "Before I touch anything, I need to verify, what are the last four of the card we "
            "bill?",
            "{last4}.",
            "Great, that's correct.",
        ),
    ),
)

AUTO = Domain(
    name="car dealership and service",
    companies=("Hillside Motors", "Carver Auto Mall", "Lakeview Auto Service", "Redline Auto"),
    requests=(
        Request(
            key="car-service-status",
            account=True,
            asks=(
                "I'm calling about my car, it's in for the brakes.",
                "Yeah, um, I dropped my truck off this morning for the, um, the brake thing, "
                "and I was wondering if it's done, because I need it by five.",
            ),
            details=(("Is it the silver F-150?", "Yeah, that's mine."),),
            finding=("Okay, I see the work order, front pads and rotors.",),
            answers=(
                (
                    "answer",
                    "It's done, the front pads and rotors came to three eighty-nine with tax, "
                    "and it's parked out front, you can pick it up any time before six.",
                ),
            ),
            vague=("The shop's pretty backed up, it could be whenever.",),
            echo="Okay, the brakes, the silver truck, by five.",
            hold_reason=("ask the service tech",),
        ),
        Request(
            key="car-book-service",
            account=False,
            asks=(
                "I'd like to book an oil change.",
                "Hi, I need to, um, get the oil changed, the little light came on, can I come "
                "in this week?",
            ),
            details=(("What kind of car is it?", "A twenty eighteen Civic."),),
            slot=("And a phone number in case the time changes?", "{phone}."),
            answers=(
                (
                    "action",
                    "You're booked for Thursday at eight a.m., it's a synthetic oil change at "
                    "seventy-nine ninety-five, and it takes about forty-five minutes.",
                ),
            ),
            vague=("This week's kinda full, maybe call back.",),
            echo="Okay, an oil change, the Civic.",
        ),
        Request(
            key="car-recall",
            account=True,
            asks=(
                "I got a letter about a recall on my car.",
                "So I got this letter, um, about the airbag thing, a recall, and I don't know "
                "if my car even has it done already.",
            ),
            details=(("Do you have the letter handy?", "Yeah, right here."),),
            finding=("I see the airbag recall is still open on your car.",),
            answers=(
                (
                    "next-steps",
                    "It's still open, the part is in stock, I've booked you Monday at nine, "
                    "it's free and takes about two hours, and we'll give you a loaner.",
                ),
            ),
            vague=("Recalls are kinda up to the manufacturer, hard to say.",),
            echo="Okay, the airbag recall, from the letter.",
            hold_reason=("check the recall parts",),
        ),
        Request(
            key="car-sales-question",
            account=False,
            asks=(
                "Do you have any used SUVs under twenty thousand?",
                "We're looking for something for my son, um, something safe, like a small SUV, "
                "and not too expensive?",
            ),
            details=(("Any mileage limit you're thinking?", "Under eighty thousand."),),
            answers=(
                (
                    "answer",
                    "We have three right now, a twenty nineteen RAV4 at eighteen five, a CR-V "
                    "at nineteen two, and a Rogue at sixteen nine, all under eighty thousand "
                    "miles.",
                ),
            ),
            vague=("Inventory moves fast, couldn't tell you.",),
            echo="Okay, a small SUV, under eighty thousand miles.",
        ),
        Request(
            key="car-warranty",
            account=True,
            asks=(
                "Is my transmission covered under the warranty?",
                "So the car's kind of, um, jerking when it shifts, and I bought the extended "
                "warranty, so I'm hoping that covers it?",
            ),
            details=(("How many miles are on it?", "About sixty-two thousand."),),
            finding=("I see the powertrain plan, good to a hundred thousand miles.",),
            answers=(
                (
                    "next-steps",
                    "The transmission is covered, there's a hundred dollar deductible, bring "
                    "it in Wednesday at seven thirty for the diagnosis and we'll file the "
                    "claim with the warranty company.",
                ),
            ),
            vague=("Warranties have a lot of fine print, hard to say.",),
            echo="Okay, jerking when it shifts, sixty-two thousand.",
            hold_reason=("check the warranty contract",),
        ),
        Request(
            key="car-payment",
            account=True,
            asks=(
                "I want to know my payoff amount on my car loan.",
                "Um, I'm thinking about refinancing, and they asked me for, like, the payoff "
                "number on my car, so.",
            ),
            details=(("Is that for a payoff this month?", "Yeah, by the end of the month."),),
            finding=("I see the loan, thirty-one payments left.",),
            answers=(
                (
                    "answer",
                    "Your payoff good through the thirtieth is eleven thousand four hundred and "
                    "six dollars, and I'm emailing you the letter for the new lender.",
                ),
            ),
            vague=("Payoff numbers change daily, it's hard to pin down.",),
            echo="Okay, a payoff, by the end of the month.",
            hold_reason=("get the payoff letter",),
        ),
    ),
    verifications=(
        (
            "For verification, do you know the purchase date of the car?",
            "Um, it was, uh, last October, the twelfth I think.",
            "Yep, that's right, thank you.",
        ),
        (
            "Before I look it up, can you confirm the last four of the VIN, just for security?",
            "Hang on, it's on the key tag, {last4}.",
            "Great, that matches.",
        ),
    ),
)

DOMAINS = (BANK, TELECOM, UTILITIES, INSURANCE, RETAIL, TRAVEL, HEALTH, SOFTWARE, AUTO)

VARIED_POOL = VariedPool(
    agents=(
        "Deshawn",
        "Keiko",
        "Rosa",
        "Callum",
        "Bridget",
        "Arjun",
        "Tamsin",
        "Luis",
        "Nkechi",
        "Harvey",
        "Ines",
        "Wes",
    ),
    customers=(
        ("Dana", "Whitfield", "Miss Whitfield", "W, H, I, T, F, I, E, L, D"),
        ("Raj", "Malhotra", "Mister Malhotra", "M, A, L, H, O, T, R, A"),
        ("Colleen", "Brady", "Missus Brady", "B, R, A, D, Y"),
        ("Gareth", "Price", "Mister Price", "P, R, I, C, E"),
        ("Yolanda", "Reyes", "Missus Reyes", "R, E, Y, E, S"),
        ("Jerome", "Baptiste", "Mister Baptiste", "B, A, P, T, I, S, T, E"),
        ("Mei", "Lin", "Miss Lin", "L, I, N"),
        ("Femi", "Adeyemi", "Mister Adeyemi", "A, D, E, Y, E, M, I"),
        ("Agnes", "Kowalczyk", "Missus Kowalczyk", "K, O, W, A, L, C, Z, Y, K"),
        ("Pete", "Lindqvist", "Mister Lindqvist", "L, I, N, D, Q, V, I, S, T"),
        ("Shauna", "McBride", "Miss McBride", "M, C, B, R, I, D, E"),
        ("Hector", "Salazar", "Mister Salazar", "S, A, L, A, Z, A, R"),
    ),
    dobs=(
        "March third, eighty-seven",
        "the fourteenth of July, nineteen sixty-two",
        "oh-six, oh-nine, ninety-one",
        "November twenty-second, nineteen seventy-five",
        "uh, January first, two thousand",
        "August the ninth, nineteen eighty",
    ),
    last4s=(
        "four four one seven",
        "oh two nine nine",
        "twenty-two eighteen",
        "six, three, three, oh",
        "eight one five two",
        "seventy-seven oh four",
    ),
    zips=(
        "nine oh two one oh",
        "three oh three one two",
        "six oh six one four",
        "seven eight seven oh one",
    ),
    phones=(
        "five five five, three four one, eight eight two zero",
        "area code four one five, five five five, oh one nine two",
        "five five five, nine oh seven, double six one two",
        "seven oh three, five five five, two two two one",
    ),
    streets=(
        "forty-two Alder Court",
        "nineteen twenty West Juniper Avenue, apartment three B",
        "eight Harlow Lane",
        "three fifty-five Quarry Road",
    ),
    emails=(
        "{first} dot {last} at gmail dot com",
        "{first} {last} eighty-eight at yahoo dot com",
        "{first} underscore {last} at outlook dot com",
        "the letter {first} at {last} family dot net",
    ),
    greetings=(
        "Thanks for calling {company}, this is {agent}, how can I help you?",
        "{company}, {agent} speaking.",
        "Hi, you've reached {company}, my name's {agent}, what can I do for you today?",
        "{company} customer care, this is {agent}, who do I have the pleasure of speaking with?",
        "Good morning, {company}, {agent} here.",
        "Hey there, thank you for calling {company}. You've got {agent}.",
        "{agent} with {company}, how's it going?",
        "Thank you for choosing {company}, my name is {agent}, how may I assist you?",
    ),
    bare_openers=(
        "Hello?",
        "Hi, how can I help you?",
        "Yep, what can I do for you.",
        "Hi there, what's going on?",
        "Support, go ahead.",
        "Hello, what do you need today?",
    ),
    caller_name_openers=(
        "Hi {title}, what can I do for you?",
        "Hello, is this {first}? What can I help with?",
        "Hey {first}, what's up today?",
        "Good afternoon {title}, go ahead.",
    ),
    company_mentions=(
        "Thanks for being a {company} customer, bye now.",
        "Okay, thanks for calling {company}, talk to you later.",
        "Alright, we appreciate you choosing {company}, take care.",
        "Thanks for sticking with {company}, bye bye.",
    ),
    customer_hellos=(
        "Hey, how are ya.",
        "Oh, hi, hello.",
        "Hi, yes, good morning.",
        "Hey {agent}.",
        "Hi there.",
        "Yeah, hi.",
    ),
    asides=(
        "I'm on my lunch break so I've only got a few minutes, but",
        "my daughter usually handles this stuff but she's at college now, so",
        "sorry, I'm in the car, I've got you on speaker,",
        "I tried the website first, but I couldn't find it, so",
        "I'm at work, so if I have to go suddenly that's why, but",
        "I was gonna go into the branch but it's pouring out, so",
    ),
    frustrations_explicit=(
        "And honestly I'm just really frustrated at this point.",
        "I'm so fed up with this, I really am.",
        "It's driving me crazy, to be honest.",
        "I'm pretty annoyed about it, not gonna lie.",
        "I'm really upset about this.",
        "This is so stressful, I can't deal with it right now.",
    ),
    frustrations_indirect=(
        "This is the third time I'm calling about this.",
        "I was on hold for like forty minutes just to get to you.",
        "Every single month it's something with you guys.",
        "I've explained this to like four different people already.",
        "I just want it fixed, I'm tired of chasing it.",
        "I don't know why this has to be so hard.",
    ),
    frustrations_mid_call=(
        "Ugh, I already went through all this with the last person.",
        "Seriously? I've answered that like three times now.",
        "Oh, come on, this is ridiculous.",
        "You've gotta be kidding me, how is this still a thing?",
        "Great. Just great. Every time I call it's the same runaround.",
        "Honestly, are you serious? Unbelievable.",
    ),
    calm_preambles=(
        "No rush or anything, it's just something I noticed.",
        "It's not a big deal, I just want to sort it out.",
        "Probably a quick one for you.",
        "It's no emergency, just a question really.",
        "I figured I'd just call and get it sorted.",
        "This is probably simple.",
    ),
    acknowledgements=(
        "Oh no, three calls for one thing is way too many, let's get it done this time.",
        "Yeah, I hear you, that would drive me up the wall too.",
        "Ugh, that's a rough way to spend your lunch break, I'm sorry, let me dig in.",
        "You shouldn't have to chase us for this, that's on us, and I'm sorry.",
        "Oof, okay, I totally get why you're upset, let's fix it.",
        "I'm really sorry, that sounds exhausting, I'll take care of it.",
        "Okay, that's not the experience you should be getting, my apologies.",
        "That's super frustrating, I'd feel the same way, let's sort it out.",
    ),
    sorry_repeats=(
        ("Sorry, can you repeat that? You cut out for a second.", "Yeah, I said {ask_short}"),
        ("Sorry, say that one more time?", "I said, {ask_short}"),
        ("Sorry, you broke up a little there.", "Oh, um, {ask_short}"),
        ("Sorry, I missed that, can you say it again?", "Yeah, {ask_short}"),
    ),
    polite_sorries=(
        "Oh, sorry about that.",
        "Okay, sorry to hear that.",
        "Ah, my apologies for the trouble.",
        "Sorry for the hassle there.",
    ),
    sorry_you_feel=(
        "Well, I'm sorry you feel that way, but that's how it works.",
        "I'm sorry you feel that way, but that's just our policy.",
        "Sorry you see it like that, but it's not gonna change.",
        "Okay, I'm sorry you feel that way, but there's really no way around it.",
    ),
    verifications=(
        (
            "Okay, before we go any further, for security can you verify your date of birth?",
            "Sure, it's {dob}.",
            "Thank you, {first}, that matches.",
        ),
        (
            "Can I get the last four of the card on the account?",
            "Um, hang on, it's {last4}.",
            "Got it, that's correct.",
        ),
        (
            "I just need to verify you first, what's the zip code on the account?",
            "{zip}.",
            "Perfect, thanks, you're verified.",
        ),
        (
            "For security, what's the email we have on file?",
            "It should be {email}.",
            "Yep, that's it, thank you.",
        ),
        (
            "Alright, quick security question, what's the name of your first pet?",
            "Oh, um, Biscuit.",
            "That's right, thanks.",
        ),
        (
            "To pull this up I'll need your name and the account number please.",
            "{full}, and the account number is one two oh eight, four four five, six.",
            "Okay, that matches, thank you.",
        ),
        (
            "Before I can go into it, can you confirm your address for me, the one on file?",
            "Yeah, {street}.",
            "Great, that's what I've got.",
        ),
        (
            "Can you give me your PIN, the four digit one?",
            "Uh, I think it's {last4}.",
            "Yep, that's the one, you're all verified.",
        ),
    ),
    corrected_verifications=(
        (
            "For verification, can you give me your date of birth?",
            "It's, uh, May fifth- no wait, sorry, that's my husband's, it's {dob}.",
            "No worries, that one matches.",
        ),
        (
            "Before I go into the account I need the last four of your social.",
            "Four four one- oh, sorry, {last4}, I always mix those up.",
            "Okay, {last4}, that's correct.",
        ),
        (
            "For security can I get the zip code that's on file?",
            "Oh, we just moved, um, the old one, {zip}?",
            "Yep, that's what's on file, thanks.",
        ),
        (
            "Just to verify it's you, what's the email address on the account?",
            "It's {email}, or maybe the work one, no, it's that one.",
            "That one matches, thank you.",
        ),
    ),
    name_only=(
        ("Can I get your name?", "Yeah, it's {full}.", "Thanks, {first}."),
        (
            "And who am I speaking with?",
            "{full}, that's {spelled}.",
            "Okay, thank you.",
        ),
        ("What's your first and last name?", "{full}.", "Alright, {first}, thanks."),
        ("And your name?", "It's {first}, {first} {last}.", "Got it."),
    ),
    refusals=(
        (
            "For security, can you verify your date of birth for me?",
            "Uh, I'd rather not give that out over the phone, honestly.",
            "Okay, that's alright.",
        ),
        (
            "I need to verify, what are the last four of your social?",
            "I don't really want to do that, can't you just look me up by name?",
            "Sure, okay, we can do that.",
        ),
        (
            "Can you confirm the address on file for security?",
            "Why do you need that? I'm not comfortable with that.",
            "Okay, no problem, let's just go ahead.",
        ),
        (
            "To verify the account, can I get your PIN?",
            "I'm not giving my PIN to anybody, sorry.",
            "Alright, fair enough.",
        ),
    ),
    unknowns=(
        (
            "For verification, what's the zip code on the account?",
            "Oh gosh, I don't know, we've moved like three times.",
            "Okay, that's fine.",
        ),
        (
            "For security, what's your PIN on the account?",
            "Um, I have no idea, I never set one up, I think.",
            "Okay, don't worry about it.",
        ),
        (
            "Can you tell me the email address on file, just to verify?",
            "I really don't remember which one I used, sorry.",
            "No worries, we'll skip it.",
        ),
        (
            "What's the answer to your security question, your mother's maiden name?",
            "Uh, I don't think I ever set that up, I don't know what I put.",
            "That's okay.",
        ),
    ),
    task_slots=(
        ("What's a good callback number in case we get cut off?", "{phone}."),
        ("What's the best email to send the confirmation to?", "Just use {email}."),
        ("And where should we send the paperwork?", "To {street}."),
        ("What number should we text the updates to?", "Text {phone}."),
    ),
    lookups=(
        "Okay, pulling that up now.",
        "Alright, I've got you here.",
        "Let me get into that for you.",
        "Okay, I'm in the account.",
        "Bear with me while the screen loads, okay, there we go.",
        "Alright, looking at it now.",
    ),
    info_starts=(
        "Sure, I can help with that.",
        "Oh yeah, good question.",
        "Yep, I can answer that.",
        "Sure thing.",
        "Okay, let's see.",
        "Absolutely.",
    ),
    hold_asks=(
        "Can I put you on a quick hold while I {reason}?",
        "Do you mind holding for a couple minutes? I need to {reason}.",
        "I'm gonna pop you on hold real quick while I {reason}, okay?",
        "Would it be okay if I placed you on hold for a moment so I can {reason}?",
        "Give me a minute, I'm gonna put you on hold and {reason}, is that alright?",
        "I'll need to {reason}, so I'm going to place you on a brief hold, okay?",
    ),
    generic_hold_reasons=(
        "check on something with my supervisor",
        "double-check that with a colleague",
        "look into it with my team lead",
        "confirm that with the back office",
    ),
    hold_consents=(
        "Yeah, that's fine.",
        "Sure, go for it.",
        "Okay.",
        "Mm-hm, no problem.",
        "Yep, I'll hang on.",
        "Sure, I'm not going anywhere.",
    ),
    hold_returns_thanked=(
        "Thanks so much for waiting.",
        "Hi, thank you for holding, {first}.",
        "Okay, I'm back, thanks for your patience.",
        "Thank you for hanging on.",
        "Appreciate you holding, okay.",
        "Thanks for bearing with me there.",
    ),
    hold_returns_unthanked=(
        "Okay, so.",
        "Alright, I'm back.",
        "Okay, I talked to them.",
        "Alright, so here's the deal.",
        "Okay, got an answer.",
        "Right, so, I checked.",
    ),
    quick_checks=(
        ("One sec.", "Okay, yep, got it."),
        ("Hang on a second.", "Alright, there it is."),
        ("Just a sec.", "Okay, here we go."),
        ("Gimme one second.", "Yep, okay."),
        ("Let me see, one sec.", "Okay, found it."),
        ("Hold on, hold on.", "Okay, yeah."),
    ),
    prohibited=(
        "Well, that's not really my department, you'll have to figure that out with them.",
        "Honestly, you should have read the email we sent, that's on you.",
        "Look, I don't make the rules, I don't know what to tell you.",
        "You must have typed it in wrong, that's not our fault.",
        "This damn system is so slow.",
        "That's not my problem, I just answer the phones.",
        "There's nothing I can do, it is what it is.",
        "Whatever, just call back tomorrow and ask someone else.",
    ),
    prohibited_when_upset=(
        "Okay, you need to calm down.",
        "Relax, yelling isn't gonna make it go any faster.",
        "Calm down, I'm trying to help you here.",
        "You need to chill out.",
    ),
    near_misses=(
        "Good news, there's nothing wrong with your account.",
        "No problem at all.",
        "That's not a problem, we can do that.",
        "And you didn't do anything wrong, just so you know.",
        "There's nothing else you need to do on your end.",
        "It's not your fault at all, the system flagged it.",
    ),
    customer_swears=(
        "What a damn mess.",
        "It's a pain in the butt, honestly.",
        "Crap, okay.",
        "This whole thing is a hell of a headache.",
    ),
    second_requests=(
        "Oh, and while I've got you,",
        "Actually, one more thing, sorry,",
        "Oh, also, um,",
        "Okay, and the other thing was,",
        "And then, uh, while you're in there,",
        "Oh wait, I almost forgot,",
    ),
    anything_else_moves=(
        "Okay. Anything else?",
        "Alright, is there anything else?",
        "Okay, what else can I help with?",
        "Mm-kay. Anything else today?",
        "Right. Something else?",
        "Okay. What else?",
    ),
    resolved_reactions=(
        "Oh, perfect, thank you.",
        "Okay, awesome.",
        "Great, that's a relief.",
        "Okay, cool, that works.",
        "Oh, nice, okay.",
        "Alright, sounds good.",
    ),
    unresolved_reactions=(
        "Um, okay.",
        "Oh. Alright.",
        "Okay, I guess.",
        "Hm. Okay.",
        "Right. Alright then.",
        "Oh, uh, okay.",
    ),
    closing_offers=(
        "Anything else I can do for ya?",
        "Is there anything else I can help you out with today?",
        "What else can I help you with?",
        "Can I help with anything else while I have you?",
        "Is there anything more I can do for you?",
        "Anything else on your mind today?",
    ),
    closing_replies=(
        "Nope, that's it.",
        "No, I think that's everything.",
        "Nah, you got it all.",
        "No, that was it, thank you.",
        "That's all, thanks.",
        "No, I'm good.",
    ),
    goodbyes=(
        "Alright, you have a good one. Bye now.",
        "Okay, take care, bye bye.",
        "Thanks for calling, have a great rest of your day.",
        "Perfect, have a good night, bye.",
        "You're welcome, take it easy.",
        "Alright, enjoy your weekend, bye.",
    ),
    signoffs=(
        "Alright, {first}, you take care now, bye.",
        "Okay, you have a wonderful day.",
        "Thanks for your time, have a good evening.",
        "Okay, thank you so much, have a great day.",
        "Alright, have a good rest of your week.",
        "Okay, you have yourself a nice day.",
    ),
    customer_byes=(
        "Okay, thanks, bye.",
        "Alright, bye.",
        "Okay, thank you, bye bye.",
        "Cool, thanks, see ya.",
        "Okay, bye then.",
        "Thanks, bye.",
    ),
    curt_ends=(
        "Yep.",
        "Mm-hm.",
        "Okay.",
        "Yup.",
        "Uh-huh.",
        "K.",
    ),
    fillers_after_dead_air=(
        "Okay.",
        "Alright, so.",
        "Okay, so.",
        "Mm-kay.",
        "Right.",
        "Okay, yeah.",
    ),
    domains=DOMAINS,
)
