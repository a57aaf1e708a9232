"""Reading a call as a conversation rather than as keywords: what the customer asked for, what
the agent did about it, and how identity was checked before the account was touched.

Two evaluators live here:
- ``verification``: a verification exchange (a factor asked *as verification*, answered by the
  customer) before the agent's first account work; N/A when the call needed no account work;
  a detail collected for the task ("what address should we send it to?") is not verification.
- ``resolution``: after the customer's request, the agent confirms an action, states next steps,
  or gives the information asked for — a statement with a value, not a question and not a
  read-back of what the customer just said.

Every cue set and threshold comes from the rubric; nothing here knows a domain's phrases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from scoring.context import (
    CallContext,
    Hit,
    Outcome,
    clock,
    hit_evidence,
    quote,
    unique_evidence,
    utt_evidence,
)
from scoring.rubric import Criterion, ResolutionEvaluator, Response, VerificationEvaluator
from scoring.text import is_question, normalize
from scoring.timeline import Utterance
from scoring.values import Value, contradicted, values

# Words that carry no content when deciding whether the agent only read back the customer's words.
_FUNCTION_WORDS = frozenset(
    (
        "a alright am an and are at be been but by can could did do does for from got "
        "great had has have her him hmm i in is it its just me mhm my no of oh ok okay on "
        "or our perfect please right s should so sure thank thanks that the their them "
        "these they this those to uh um us was we well were will with would yeah yep yes "
        "you your"
    ).split()
)


def content_words(norm: str) -> set[str]:
    return {w for w in norm.split() if w not in _FUNCTION_WORDS}


def _clauses(ctx: CallContext, u: Utterance) -> list[str]:
    return ctx.clauses.get(u.index) or [u.text]


# ------------------------------------------------------------------------------ account work
@dataclass(frozen=True)
class AccountWork:
    first_agent_act: Hit | None  # the first time the agent read out or changed account data
    first_request: Hit | None  # the customer's first ask that needs the account

    @property
    def needed(self) -> bool:
        return self.first_agent_act is not None or self.first_request is not None


def account_work(ctx: CallContext, ev: VerificationEvaluator) -> AccountWork:
    agent = [u for u in ctx.utts if ctx.is_speaker(u, "agent")]
    customer = [u for u in ctx.utts if ctx.is_speaker(u, "customer")]
    acts, _ = ctx.hits(ev.account_work.agent, agent)
    asks, _ = ctx.hits(ev.account_work.request, customer)
    return AccountWork(acts[0] if acts else None, asks[0] if asks else None)


# ------------------------------------------------------------------------------ verification
@dataclass(frozen=True)
class Ask:
    hit: Hit
    how: (
        str  # "factor" (verifies whatever the framing) or "framed" (a detail asked as verification)
    )


def _framed(ctx: CallContext, ev: VerificationEvaluator, u: Utterance) -> bool:
    """Verification framing in this turn or in the agent's turn just before it ("For security I
    need to ask you a couple of questions." / "What's your date of birth?")."""
    if ctx.book.any(ev.framing_sets, u.norm, negatable=False):
        return True
    prev = [p for p in ctx.utts if p.index < u.index][-2:]
    return any(
        p.speaker == u.speaker and ctx.book.any(ev.framing_sets, p.norm, negatable=False)
        for p in prev
    )


def verification_asks(ctx: CallContext, ev: VerificationEvaluator) -> list[Ask]:
    """Agent clauses that ask for a verification factor, or for a detail framed as
    verification; a detail collected for the task is left out unless it is framed."""
    out: list[Ask] = []
    for u in ctx.utts:
        if not ctx.is_speaker(u, "agent"):
            continue
        framed = _framed(ctx, ev, u)
        hit, _ = ctx.detect(ev.ask, u)
        if hit is not None:
            slot = ctx.book.any(ev.slot_sets, normalize(hit.clause), negatable=False)
            if hit.how == "cue" or framed or not slot:
                out.append(Ask(hit, "factor"))
                continue
        if not framed:
            continue
        for clause in _clauses(ctx, u):
            cn = normalize(clause)
            if ctx.book.any(ev.detail_sets, cn, negatable=False):
                out.append(Ask(Hit(u, clause, 0.8, "framed"), "framed"))
                break
    return out


@dataclass(frozen=True)
class Reply:
    utt: Utterance
    refused: bool


def reply_to(ctx: CallContext, ask: Utterance, resp: Response) -> Reply | None:
    """The customer's answer to ``ask``: one of their next two turns within ``within_s``
    (a refusal — "I don't know it" — is an answer, but not a verification)."""
    following = [
        u
        for u in ctx.utts
        if u.index > ask.index
        and u.start <= ask.end + resp.within_s
        and ctx.is_speaker(u, resp.speaker)
    ]
    for u in following[:2]:
        if resp.refusal is not None and ctx.detect(resp.refusal, u)[0] is not None:
            return Reply(u, refused=True)
        if len(u.norm.split()) >= resp.min_words:
            return Reply(u, refused=False)
    return None


def judge_verification(ctx: CallContext, crit: Criterion, ev: VerificationEvaluator) -> Outcome:
    work = account_work(ctx, ev)
    asks = verification_asks(ctx, ev)
    if not work.needed and not asks:
        reason = crit.na_when or "the call needed no account work"
        return Outcome(
            "na",
            0.8,
            f"Not applicable: {reason} (no account data read or changed).",
            basis="no-account-work",
        )
    deadline = hit_evidence(work.first_agent_act).start if work.first_agent_act else float("inf")
    answered: list[tuple[Ask, Reply]] = []
    refused: list[tuple[Ask, Reply]] = []
    unanswered: list[Ask] = []
    for a in asks:
        reply = reply_to(ctx, a.hit.utt, ev.answer)
        if reply is None:
            unanswered.append(a)
        elif reply.refused:
            refused.append((a, reply))
        else:
            answered.append((a, reply))
    act = work.first_agent_act
    # Sentence times, not turn times: "I see the order. Oh, and a quick security question…"
    # is one turn that reads the account first.
    in_time = [
        (a, r)
        for a, r in answered
        if not ev.before_account_work or hit_evidence(a.hit).start <= deadline
    ]
    if in_time:
        a, r = in_time[0]
        conf = 0.9 if a.how == "factor" and a.hit.how == "cue" else 0.8
        if a.hit.how == "embedding":
            conf = min(conf, a.hit.confidence)
        return Outcome(
            "pass",
            conf,
            f"{quote(a.hit)}, answered at {clock(r.utt.start)}"
            + (f", before the account work at {clock(act.utt.start)}." if act else "."),
            unique_evidence([hit_evidence(a.hit), utt_evidence(r.utt)]),
            basis=f"{a.how}-{a.hit.how}",
        )
    act_ev = [hit_evidence(act)] if act else []
    if answered:
        a, r = answered[0]
        return Outcome(
            "fail",
            0.75,
            f"Verified only at {clock(a.hit.utt.start)}, after the account work at "
            f"{clock(act.utt.start) if act else '?'} ({quote(act) if act else ''}).",
            unique_evidence([*act_ev, hit_evidence(a.hit)]),
            basis="after-account-work",
        )
    if refused:
        a, r = refused[0]
        return Outcome(
            "fail",
            0.7,
            f"{quote(a.hit)} asked, but the customer could not answer ({clock(r.utt.start)}).",
            unique_evidence([hit_evidence(a.hit), utt_evidence(r.utt)]),
            basis="refused",
        )
    if unanswered:
        a = unanswered[0]
        return Outcome(
            "fail",
            0.6,
            f"{quote(a.hit)} asked, but the customer gave no answer.",
            unique_evidence([hit_evidence(a.hit), *act_ev]),
            basis="unanswered",
        )
    what = (
        f"before the account work at {clock(act.utt.start)} ({quote(act)})"
        if act
        else f"although the customer asked for account work ({quote(work.first_request)})"
        if work.first_request
        else "in the call"
    )
    evidence = act_ev or ([hit_evidence(work.first_request)] if work.first_request else [])
    basis = "no-ask-before-work" if act else "no-ask"
    return Outcome("fail", 0.85, f"No verification question {what}.", evidence, basis=basis)


# ------------------------------------------------------------------------------ resolution
def first_request(ctx: CallContext, ev: ResolutionEvaluator) -> Utterance | None:
    """The customer's first request, or their first substantive turn when it comes earlier
    (the reason for a call is often told, not asked: "I was charged twice this month")."""
    key = ("first_request", ev)
    if key not in ctx.memo:
        ctx.memo[key] = _first_request(ctx, ev)
    return cast(Utterance | None, ctx.memo[key])


def _first_request(ctx: CallContext, ev: ResolutionEvaluator) -> Utterance | None:
    customer = [u for u in ctx.utts if ctx.is_speaker(u, "customer")]
    hits, _ = ctx.hits(ev.request, customer)
    substantive = [u for u in customer if len(u.norm.split()) >= 4]
    found = [x for x in (hits[0].utt if hits else None, *substantive[:1]) if x is not None]
    return min(found, key=lambda u: u.start) if found else None


def is_echo(ctx: CallContext, u: Utterance, clause: str, overlap: float) -> bool:
    """A read-back: the clause's content words are mostly the customer's words just before."""
    words = content_words(normalize(clause))
    if not words:
        return True
    before = [p for p in ctx.utts if p.index < u.index and ctx.is_speaker(p, "customer")][-2:]
    heard: set[str] = set()
    for p in before:
        heard |= content_words(p.norm)
    return len(words & heard) / len(words) >= overlap


def _stems(words: set[str]) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


_NUMBER_WORDS = frozenset(
    (
        "eight eighteen eighty eleven fifteen fifty five forty four fourteen hundred nine "
        "nineteen ninety one seven seventeen seventy six sixteen sixty ten thirteen "
        "thirty thousand three twelve twenty two zero"
    ).split()
)
# The request and the customer's next answers define what an answer must speak to.
_REQUEST_CONTEXT_TURNS = 3


def relevant(
    ctx: CallContext, ev: ResolutionEvaluator, seg: Segment, u: Utterance, clause: str
) -> bool:
    """The clause speaks to what the customer asked in this segment (the request and their
    next answers): a content word in common, or a word of the same topic (an amount for a
    balance, a rate for "how much")."""
    customer = [
        p
        for p in ctx.utts
        if ctx.is_speaker(p, "customer")
        and p.index < u.index
        and (seg.request is None or p.start >= seg.request.start)
    ][:_REQUEST_CONTEXT_TURNS]
    heard_text = " ".join(p.norm for p in customer)
    heard = _stems(content_words(heard_text) - _NUMBER_WORDS)
    cn = normalize(clause)
    if _stems(content_words(cn) - _NUMBER_WORDS) & heard:
        return True
    return any(
        ctx.book.any([t], cn, negatable=False) and ctx.book.any([t], heard_text, negatable=False)
        for t in ev.topic_sets
    )


def answer_hits(ctx: CallContext, ev: ResolutionEvaluator, seg: Segment) -> list[Hit]:
    """Agent statements that answer the segment's request: information (a value with telling
    wording, for a request for information), an explanation or the steps — never a question,
    a read-back, an "I'm not sure", or a statement about something else."""
    out: list[Hit] = []
    for u in seg.agent:
        for clause in _clauses(ctx, u):
            cn = normalize(clause)
            if is_question(clause) or ctx.book.any(ev.non_answer_sets, cn, negatable=False):
                continue
            # Information and explanations answer a question; the steps answer a "how do I"
            # even when it was put as a problem.
            informs = seg.information and (
                ctx.book.any(ev.information_sets, cn, negatable=False)
                or ctx.book.any(ev.answer_sets, cn, negatable=False)
            )
            if not informs and not ctx.book.any(ev.instruction_sets, cn, negatable=False):
                continue
            if is_echo(ctx, u, clause, ev.echo_overlap) or not relevant(ctx, ev, seg, u, clause):
                continue
            out.append(Hit(u, clause, 0.8, "information" if informs else "answer"))
    return out


def asked_values(ctx: CallContext, ev: ResolutionEvaluator, before: Utterance) -> list[Value]:
    """Amounts and times the customer asked for before ``before``: answers to the agent's
    questions ("what is the transfer amount?" / "a hundred and one dollars") and requests that
    carry a value ("book me in at three forty five"). Figures told while describing a problem
    ("my renewal went up by two hundred dollars") are not asks."""
    key = ("asked_values", ev)
    if key not in ctx.memo:
        ctx.memo[key] = _asked_values_by_turn(ctx, ev)
    by_turn = cast(list[tuple[float, list[Value]]], ctx.memo[key])
    return [v for start, values in by_turn if start < before.start for v in values]


def _asked_values_by_turn(
    ctx: CallContext, ev: ResolutionEvaluator
) -> list[tuple[float, list[Value]]]:
    out: list[tuple[float, list[Value]]] = []
    prev: Utterance | None = None
    opening = first_request(ctx, ev)
    for u in ctx.utts:
        if ctx.is_speaker(u, "customer"):
            answering = (
                prev is not None
                and opening is not None
                and prev.start > opening.start  # not "how can I help?" at the start
                and ctx.is_speaker(prev, "agent")
                and is_question(_clauses(ctx, prev)[-1])
                # asking what the customer wants ("what time would you like?", "the transfer
                # amount?"), not a fact ("when was it delivered?") or a date of birth
                and ctx.book.any(ev.slot_question_sets, prev.norm, negatable=False)
                and not ctx.book.any(ev.verification_sets, prev.norm, negatable=False)
            )
            found: list[Value] = []
            for clause in _clauses(ctx, u):
                cn = normalize(clause)
                if answering or ctx.book.any(ev.value_request_sets, cn, negatable=False):
                    found += values(cn)
            out.append((u.start, found))
        if len(u.norm.split()) > 2:  # an "okay" in between keeps the question open
            prev = u
    return out


def contradiction(ctx: CallContext, ev: ResolutionEvaluator, h: Hit) -> tuple[Value, Value] | None:
    """An amount or time the agent confirms that differs from every one of that kind the
    customer asked for before it."""
    stated = values(normalize(h.clause))
    if not stated:
        return None
    return contradicted(stated, asked_values(ctx, ev, h.utt))


def wants_information(ctx: CallContext, ev: ResolutionEvaluator) -> bool:
    """The customer's reason for calling (their first two substantive turns) asks for
    information rather than for a fix."""
    opening = [u for u in ctx.utts if ctx.is_speaker(u, "customer") and len(u.norm.split()) >= 3][
        :2
    ]
    return any(ctx.book.any(ev.information_request_sets, u.norm, negatable=False) for u in opening)


@dataclass(frozen=True)
class Segment:
    """One request and the agent's turns until the next request (or the end of the call)."""

    request: Utterance | None
    agent: tuple[Utterance, ...]
    information: bool  # the request asks for information


_MIN_REQUEST_WORDS = 5


def requests(ctx: CallContext, ev: ResolutionEvaluator) -> list[Utterance]:
    """The first request, then every later customer turn that adds one ("oh, and while I've
    got you, I need…"): a request with an additional-request marker."""
    first = first_request(ctx, ev)
    if first is None:
        return []
    out = [first]
    for u in ctx.utts:
        if u.start <= first.start or not ctx.is_speaker(u, "customer"):
            continue
        if (
            ctx.book.any(ev.additional_request_sets, u.norm, negatable=False)
            and len(u.norm.split()) >= _MIN_REQUEST_WORDS
        ):
            out.append(u)
    return out


def segments(ctx: CallContext, ev: ResolutionEvaluator) -> list[Segment]:
    asks = requests(ctx, ev)
    if not asks:
        agent = tuple(u for u in ctx.utts if ctx.is_speaker(u, "agent"))
        return [Segment(None, agent, False)]
    out = []
    for i, r in enumerate(asks):
        end = asks[i + 1].start if i + 1 < len(asks) else float("inf")
        agent = tuple(
            u for u in ctx.utts if ctx.is_speaker(u, "agent") and r.start <= u.start < end
        )
        info = ctx.book.any(ev.information_request_sets, r.norm, negatable=False) or (
            i == 0 and wants_information(ctx, ev)
        )
        out.append(Segment(r, agent, info))
    return out


def _resolve(
    ctx: CallContext, ev: ResolutionEvaluator, seg: Segment
) -> tuple[Hit | None, tuple[Hit, tuple[Value, Value]] | None]:
    """The best resolving act of one segment, or the contradiction that spoiled it."""
    outcomes, _ = ctx.hits(ev.outcome, seg.agent)
    # Never a question ("where should we send it?"); a completion cue ("has been
    # transferred") confirms even when it repeats the customer's figures, an exemplar match
    # that only repeats them is a read-back.
    outcomes = [
        h
        for h in outcomes
        if not is_question(h.clause)
        and (h.how == "cue" or not is_echo(ctx, h.utt, h.clause, ev.echo_overlap))
    ]
    info = answer_hits(ctx, ev, seg)
    found = sorted([*outcomes, *info], key=lambda h: (-h.confidence, -h.utt.start))
    clashes = [(h, c) for h in found if (c := contradiction(ctx, ev, h)) is not None]
    fine = [h for h in found if all(h is not c for c, _ in clashes)]
    if fine:
        return fine[0], None
    return None, (clashes[0] if clashes else None)


def judge_resolution(ctx: CallContext, crit: Criterion, ev: ResolutionEvaluator) -> Outcome:
    label = crit.label or crit.question
    segs = segments(ctx, ev)
    resolved: list[tuple[Segment, Hit]] = []
    for seg in segs:
        hit, clash = _resolve(ctx, ev, seg)
        if hit is not None:
            resolved.append((seg, hit))
            continue
        req = seg.request
        asked = f'"{req.text[:80]}" ({clock(req.start)})' if req is not None else "the call"
        more = f" (request {segs.index(seg) + 1} of {len(segs)})" if len(segs) > 1 else ""
        if clash is not None:
            h, (said, wanted) = clash
            return Outcome(
                "fail",
                0.75,
                f'{quote(h)} confirms "{said.text}", but the customer asked for "{wanted.text}"'
                f"{more}: the confirmation contradicts the request.",
                unique_evidence([*([utt_evidence(req)] if req else []), hit_evidence(h)]),
                basis="contradiction",
            )
        tail = list(seg.agent[-3:])
        return Outcome(
            "fail",
            0.8 if req is not None else 0.65,
            f"No answer, confirmed action or next step from the agent after {asked}{more}: "
            f"{label}.",
            [*([utt_evidence(req)] if req else []), *[utt_evidence(u) for u in tail]],
            basis="unanswered" if len(segs) == 1 else "one-unanswered",
        )
    seg, h = resolved[-1] if len(resolved) > 1 else resolved[0]
    if len(resolved) > 1:
        why = f"all {len(resolved)} requests answered, the last with {quote(h)}"
    else:
        req = seg.request
        why = quote(h) + (f' after the request "{req.text[:80]}"' if req is not None else "")
    return Outcome(
        "pass",
        min(x.confidence for _, x in resolved),
        f"{why}: {label}.",
        unique_evidence([hit_evidence(x) for _, x in resolved]),
        basis=h.how if len(resolved) == 1 else "all-answered",
    )
