"""The varied pool: disjoint from the other pools and between its splits, verdicts that follow
the behaviours (identity N/A included), hard cases realised, and one rendered telephone call."""

from __future__ import annotations

import itertools
import random
import re
import wave
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from tests.support.scenarios import (
    CRITERIA,
    POOLS,
    Behaviours,
    Issue,
    PhrasePool,
    expected_verdicts,
)
from tests.support.scenarios_varied import (
    HOLD_SECONDS,
    QUICK_CHECK_PAUSE,
    SAMPLE_RATE,
    SPLITS,
    VARIED_NA_CRITERIA,
    Line,
    VariedScenario,
    Voice,
    _degrade,
    build_varied,
    missing_render_tools,
    pick_voices,
    render_varied,
    script_timeline,
    split_of,
    transcript_for,
    varied_scenarios,
    voice_gender,
)
from tests.support.synth import Silence, Tones, Turn
from tests.support.varied_pool import VARIED_POOL, Domain, Request, Split, VariedPool

BUILT = {split: varied_scenarios(split, 240, seed=7) for split in SPLITS}
ALL = BUILT["dev"] + BUILT["unseen"]


def _strings(obj: object) -> set[str]:
    if isinstance(obj, str):
        return {obj}
    if isinstance(obj, tuple):
        return set().union(*(_strings(x) for x in obj)) if obj else set()
    if obj is None or isinstance(obj, bool):
        return set()
    if isinstance(obj, (PhrasePool, Issue, VariedPool, Domain, Request)):
        skip = {"domain", "name", "key", "account"}
        out = set().union(
            *(_strings(getattr(obj, f.name)) for f in fields(obj) if f.name not in skip)
        )
        return out - {"", "answer", "action", "next-steps"}  # answer kinds, unset fields
    raise TypeError(type(obj))


def turns(s: VariedScenario, speaker: str | None = None) -> list[str]:
    return [e.text for e in s.events if isinstance(e, Turn) and speaker in (None, e.speaker)]


def _pieces(template: str) -> list[str]:
    """The fixed runs of words (4 or more) in a template, between its placeholders."""
    return [p.strip(" ,.?") for p in re.split(r"\{[a-z_0-9]+\}", template) if len(p.split()) >= 4]


# --- pools and splits ------------------------------------------------------------------------


def test_the_varied_pool_shares_no_phrasing_or_name_with_the_fixture_and_holdout_pools() -> None:
    varied = _strings(VARIED_POOL)
    assert len(varied) > 500
    for other in POOLS.values():
        assert varied & _strings(other) == set()
    ours = set(VARIED_POOL.agents) | {c for d in VARIED_POOL.domains for c in d.companies}
    ours |= {first for first, *_ in VARIED_POOL.customers}
    theirs = {n for pool in POOLS.values() for n in pool.agents}
    theirs |= {c for pool in POOLS.values() for issue in pool.issues for c in issue.companies}
    theirs |= {first for pool in POOLS.values() for first, _, _ in pool.customers}
    other_text = " ".join(s for pool in POOLS.values() for s in _strings(pool))
    for name in ours:
        assert not re.search(rf"\b{re.escape(name)}\b", other_text), name
    for name in theirs:
        assert not any(re.search(rf"\b{re.escape(name)}\b", s) for s in varied), name


def test_dev_and_unseen_templates_are_disjoint_and_both_complete() -> None:
    dev, unseen = VARIED_POOL.for_split("dev"), VARIED_POOL.for_split("unseen")
    assert _strings(dev) & _strings(unseen) == set()
    for f in fields(VariedPool):
        if f.name != "domains":
            assert len(getattr(dev, f.name)) >= 2 and len(getattr(unseen, f.name)) >= 2, f.name
    for split in (dev, unseen):
        assert len(split.domains) == 9
        for d in split.domains:
            assert len(d.companies) == 2 and len(d.verifications) == 1, d.name
            assert sum(q.account for q in d.requests) == 2, d.name
            assert sum(not q.account for q in d.requests) == 1, d.name
    keys = [q.key for d in VARIED_POOL.domains for q in d.requests]
    assert len(keys) == len(set(keys))


def test_the_split_follows_the_variant_seed() -> None:
    assert [split_of(v) for v in range(4)] == ["dev", "unseen", "dev", "unseen"]
    for split, scenarios in BUILT.items():
        assert {s.split for s in scenarios} == {split}
        assert {split_of(s.variant) for s in scenarios} == {split}
        assert len({s.name for s in scenarios}) == len(scenarios)


def test_a_call_uses_only_its_own_splits_templates() -> None:
    pairs: tuple[tuple[Split, Split], ...] = (("dev", "unseen"), ("unseen", "dev"))
    for split, other in pairs:
        foreign = {p for t in _strings(VARIED_POOL.for_split(other)) for p in _pieces(t)}
        own = {p for t in _strings(VARIED_POOL.for_split(split)) for p in _pieces(t)}
        foreign -= own
        # A run that also occurs inside one of the call's own templates proves nothing.
        own_text = " | ".join(_strings(VARIED_POOL.for_split(split)))
        foreign = {p for p in foreign if p not in own_text}
        assert len(foreign) > 200
        for s in BUILT[split]:
            text = " | ".join(turns(s))
            leaked = [p for p in foreign if p in text]
            assert leaked == [], (s.name, leaked)


def test_scenarios_are_deterministic_and_a_prefix_of_a_longer_run() -> None:
    again = varied_scenarios("unseen", 240, seed=7)
    assert again == BUILT["unseen"]
    assert varied_scenarios("unseen", 10, seed=7) == BUILT["unseen"][:10]
    assert varied_scenarios("unseen", 10, seed=8) != BUILT["unseen"][:10]


# --- verdicts follow behaviours -------------------------------------------------------------------


def test_identity_is_na_exactly_when_there_is_no_account_work() -> None:
    assert expected_verdicts(Behaviours(verification=False, account_work=False)) == {
        "greeting": "pass",
        "identity_verification": "na",
        "empathy": "na",
        "hold_etiquette": "na",
        "resolution": "pass",
        "closing": "pass",
        "professional_language": "pass",
        "dead_air": "pass",
    }
    assert expected_verdicts(Behaviours(verification=False))["identity_verification"] == "fail"
    assert expected_verdicts(Behaviours())["identity_verification"] == "pass"
    with pytest.raises(ValueError, match="needs account work"):
        build_varied(Behaviours(verification=True, account_work=False), variant=2)


def test_built_calls_carry_the_verdicts_of_their_behaviours() -> None:
    for s in ALL:
        assert s.expected == expected_verdicts(s.behaviours), s.name
        assert s.pool == "varied"


def test_every_verdict_of_every_criterion_occurs_in_each_split() -> None:
    for scenarios in BUILT.values():
        for criterion in CRITERIA:
            seen = {s.expected[criterion] for s in scenarios}
            allowed = (
                {"pass", "fail", "na"} if criterion in VARIED_NA_CRITERIA else {"pass", "fail"}
            )
            assert seen == allowed, criterion


HARD_CASES = {
    "greeting": {"names-agent-or-company", "bare-hello", "caller-name-only", "company-named-later"},
    "identity_verification": {
        "verified",
        "verified-domain",
        "verified-after-correction",
        "none",
        "name-only",
        "task-slot",
        "refused",
        "dont-know",
        "after-account-work",
        "no-account-work",
        "no-account-work+task-slot",
    },
    "empathy": {
        "explicit+ack",
        "indirect+ack",
        "mid-call+ack",
        "explicit+ignored",
        "indirect+sorry-repeat",
        "calm",
        "calm+sorry",
        "neutral+sorry-repeat",
    },
    "hold_etiquette": {
        "none",
        "quick-check",
        "thanked-music",
        "thanked-silence",
        "unthanked-music",
        "unthanked-silence",
    },
    "professional_language": {
        "clean",
        "near-miss",
        "customer-swears",
        "prohibited",
        "sorry-you-feel",
        "calm-down",
    },
    "closing": {
        "offer",
        "offer-as-anything-else",
        "signoff",
        "abrupt",
        "customer-bye-unanswered",
        "curt",
    },
    "dead_air": {"none", "long-pause", "dead-air"},
}


def test_the_hard_cases_of_every_criterion_occur_in_each_split() -> None:
    for scenarios in BUILT.values():
        for criterion, wanted in HARD_CASES.items():
            seen = {s.tags[criterion] for s in scenarios}
            assert wanted <= seen, (criterion, wanted - seen)
        kinds = {k for s in scenarios for k in s.tags["resolution"].split("+")}
        assert kinds == {
            "answer",
            "action",
            "next-steps",
            "vague",
            "echo",
            "wrong",
            "anything-else",
        }
        assert any(len(s.requests) == 2 for s in scenarios)
        assert {s.domain for s in scenarios} == {d.name for d in VARIED_POOL.domains}


def test_each_tag_implies_its_verdict() -> None:
    for s in ALL:
        t, e = s.tags, s.expected
        identity = t["identity_verification"]
        assert (e["identity_verification"] == "na") == identity.startswith("no-account-work")
        assert (e["identity_verification"] == "pass") == identity.startswith("verified")
        assert (e["empathy"] == "pass") == t["empathy"].endswith("+ack")
        assert (e["hold_etiquette"] == "na") == (t["hold_etiquette"] in ("none", "quick-check"))
        assert (e["dead_air"] == "fail") == (t["dead_air"] == "dead-air")
        kinds = t["resolution"].split("+")
        resolved = all(k in ("answer", "action", "next-steps") for k in kinds)
        assert (e["resolution"] == "pass") == resolved
        assert (e["closing"] == "pass") == (
            t["closing"] in ("offer", "offer-as-anything-else", "signoff")
        )
        bad = t["professional_language"] in ("prohibited", "sorry-you-feel", "calm-down")
        assert (e["professional_language"] == "fail") == bad


# --- what is said, and where ---------------------------------------------------------------------


def _in(options: tuple[str, ...], text: str) -> bool:
    return any(p in text for o in options for p in [o.split("{")[0].strip()] if len(p) > 6)


def test_greetings_name_the_agent_or_company_and_failed_ones_name_neither() -> None:
    pool = VARIED_POOL
    agents = set(pool.agents)
    companies = {c for d in pool.domains for c in d.companies}
    for s in ALL:
        opening = turns(s, "agent")[0]
        named = any(re.search(rf"\b{a}\b", opening) for a in agents) or any(
            c in opening for c in companies
        )
        assert named == s.behaviours.greeting, (s.name, opening)
        mentions = [t for t in turns(s) if any(c in t for c in companies)]
        if not s.behaviours.greeting:
            said = " ".join(turns(s, "agent"))
            assert not any(re.search(rf"\b{a}\b", said) for a in agents), s.name
            if s.tags["greeting"] == "company-named-later":
                assert len(mentions) == 1 and mentions[0] == turns(s, "agent")[-1]
            else:
                assert mentions == [], s.name


def test_verification_is_asked_before_account_work_only_when_it_passes() -> None:
    pool = VARIED_POOL
    asks = {v[0] for v in pool.verifications + pool.corrected_verifications}
    asks |= {v[0] for d in pool.domains for v in d.verifications}
    # A late check drops its opening "Okay," / "Alright,": match on the rest.
    asks = {re.sub(r"^(okay|alright), ", "", a.lower()) for a in asks}
    refusals = {v[0] for v in pool.refusals + pool.unknowns}
    lookups = set(pool.lookups)
    for s in ALL:
        lines = turns(s)
        first_work = next(
            (i for i, t in enumerate(lines) if any(t.endswith(lk) for lk in lookups)), None
        )
        asked = [i for i, t in enumerate(lines) if any(a in t.lower() for a in asks)]
        kind = s.tags["identity_verification"]
        if kind.startswith("verified"):
            assert len(asked) == 1 and first_work is not None and asked[0] < first_work, s.name
        elif kind == "after-account-work":
            assert len(asked) == 1 and first_work is not None and asked[0] > first_work, s.name
        else:
            assert asked == [], (s.name, kind)
        refused = [t for t in lines if t in refusals]
        assert bool(refused) == (kind in ("refused", "dont-know")), s.name
        if kind.startswith("no-account-work"):
            assert first_work is None, s.name


def test_frustration_and_acknowledgement_only_where_the_behaviours_say() -> None:
    pool = VARIED_POOL
    frustrations = (
        pool.frustrations_explicit + pool.frustrations_indirect + pool.frustrations_mid_call
    )
    for s in ALL:
        b = s.behaviours
        customer = " ".join(turns(s, "customer"))
        assert any(f in customer for f in frustrations) == b.upset, s.name
        acks = [t for t in turns(s, "agent") if t in pool.acknowledgements]
        assert bool(acks) == (b.upset and b.apology), s.name
        assert not any(t in pool.polite_sorries for t in turns(s, "agent")) or not b.upset
        if b.upset:
            # The agent's reply comes right after the customer's frustration.
            i = next(
                i
                for i, e in enumerate(s.events)
                if isinstance(e, Turn) and any(f in e.text for f in frustrations)
            )
            reply = s.events[i + 1]
            if b.apology:
                assert isinstance(reply, Turn) and reply.text in pool.acknowledgements


def test_only_holds_and_dead_air_are_long_silences_and_quick_checks_are_quick() -> None:
    pool = VARIED_POOL
    for s in ALL:
        b = s.behaviours
        for i, e in enumerate(s.events):
            if isinstance(e, (Silence, Tones)):
                before, after = s.events[i - 1], s.events[i + 1]
                assert isinstance(before, Turn) and before.speaker == "customer"
                assert isinstance(after, Turn) and after.speaker == "agent"
                if before.text in pool.hold_consents:
                    assert b.hold != "none" and HOLD_SECONDS[0] <= e.seconds <= HOLD_SECONDS[1]
                    thanks = re.search(r"thank|appreciate", after.text, re.I)
                    assert bool(thanks) == (b.hold == "thanked"), after.text
                else:
                    assert isinstance(e, Silence)
                    assert (e.seconds >= 10.0) == b.dead_air, s.name
                    assert e.seconds >= 11.0 or e.seconds <= 7.5
            elif isinstance(e, Turn) and e.speaker == "agent" and i > 0:
                # No pause before an agent line is long enough to read as a hold.
                assert e.pause_before < 3.0
        quick = [
            i
            for i, e in enumerate(s.events)
            if isinstance(e, Turn) and any(e.text == q for q, _ in pool.quick_checks)
        ]
        assert len(quick) == (s.tags["hold_etiquette"] == "quick-check"), s.name
        for i in quick:
            nxt = s.events[i + 1]
            assert isinstance(nxt, Turn) and nxt.speaker == "agent"
            assert nxt.pause_before <= QUICK_CHECK_PAUSE[1]
        silences = [e for e in s.events if isinstance(e, (Silence, Tones))]
        assert len(silences) == (b.hold != "none") + (s.tags["dead_air"] != "none"), s.name


def test_prohibited_phrases_only_from_the_agent_and_only_when_intended() -> None:
    pool = VARIED_POOL
    bad = pool.prohibited + pool.prohibited_when_upset + pool.sorry_you_feel
    for s in ALL:
        hits = [t for t in turns(s, "agent") if t in bad]
        assert len(hits) == int(s.behaviours.prohibited), (s.name, hits)
        assert not any(t in bad for t in turns(s, "customer"))
        if s.tags["professional_language"] == "near-miss":
            assert sum(t in pool.near_misses for t in turns(s, "agent")) == 1


def test_the_end_of_the_call_decides_closing() -> None:
    pool = VARIED_POOL
    courteous = {*pool.goodbyes, *pool.signoffs, *pool.company_mentions}
    for s in ALL:
        last = s.events[-1]
        assert isinstance(last, Turn)
        fields_free = {t.split("{")[0] for t in courteous}
        closed = last.speaker == "agent" and any(f and last.text.startswith(f) for f in fields_free)
        assert closed == s.behaviours.closing, (s.name, last.text)
        if not s.behaviours.closing:
            tail = [e.text for e in s.events[-3:] if isinstance(e, Turn)]
            assert not any(t in pool.closing_offers + pool.anything_else_moves for t in tail)


# --- voices and the text form --------------------------------------------------------------------


def test_voices_include_same_gender_pairs_and_parse() -> None:
    pairs = [pick_voices(v) for v in range(200)]
    genders = {(voice_gender(p["agent"]), voice_gender(p["customer"])) for p in pairs}
    assert genders == {("m", "f"), ("f", "m"), ("m", "m"), ("f", "f")}
    engines = {Voice.parse(p[r]).engine for p in pairs for r in ("agent", "customer")}
    assert engines == {"piper", "festival", "espeak"}
    for p in pairs:
        assert p["agent"] != p["customer"]
        for spec in p.values():
            assert Voice.parse(spec).spec() == spec


def test_the_text_form_keeps_speakers_order_and_silences() -> None:
    for s in ALL[:40]:
        doc = transcript_for(s)
        segs = doc["segments"]
        script = [e for e in s.events if isinstance(e, Turn)]
        assert [(g["speaker"], g["text"]) for g in segs] == [(t.speaker, t.text) for t in script]
        for a, b in itertools.pairwise(segs):
            assert a["start"] < a["end"] <= b["start"]
        timeline = script_timeline(s)
        for (_, start, end), ev in zip(
            timeline.spans, [e for e in s.events if isinstance(e, (Silence, Tones))], strict=True
        ):
            assert end - start == pytest.approx(ev.seconds, abs=0.01)
            gap = min(g["start"] for g in segs if g["start"] >= end - 0.001) - max(
                g["end"] for g in segs if g["end"] <= start + 0.001
            )
            assert gap >= ev.seconds


# --- rendering (piper, festival, espeak, phonesim) ----------------------------------------------

needs_tools = pytest.mark.skipif(
    bool(missing_render_tools()),
    reason=f"varied rendering needs {', '.join(missing_render_tools())} (pip install -e '.[bench]',"
    " apt-get install festival festvox-us-slt-hts espeak-ng sox)",
)


def _short_call() -> VariedScenario:
    """A short call with a piper agent and a festival customer."""
    b = Behaviours(verification=False, account_work=False, closing=False)
    for variant in range(0, 400, 2):
        s = build_varied(b, variant=variant, name="varied-short")
        engines = [Voice.parse(s.voices[r]).engine for r in ("agent", "customer")]
        if engines == ["piper", "festival"] and script_timeline(s).duration_s < 25:
            return s
    raise AssertionError("no short piper/festival call among the variants")


def _rms(pcm: np.ndarray, start: float, end: float) -> np.ndarray:
    part = pcm[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)].astype(np.float64)
    return np.sqrt((part**2).mean(axis=0))


@needs_tools
def test_a_rendered_call_is_telephone_quality_in_both_layouts(tmp_path: Path) -> None:
    s = _short_call()
    stereo, expected = render_varied(s, tmp_path, layout="stereo")
    mono, _ = render_varied(s, tmp_path, layout="mono")
    assert expected == s.expected
    assert (stereo.channels, stereo.sample_rate, mono.channels, mono.sample_rate) == (
        2,
        8000,
        1,
        8000,
    )
    assert [(t.speaker, t.text) for t in stereo.turns] == [
        (e.speaker, e.text) for e in s.events if isinstance(e, Turn)
    ]
    assert mono.turns == stereo.turns
    previous = 0.0
    for t in stereo.turns:
        assert previous <= t.start < t.end <= stereo.duration_s
        previous = t.end
    with wave.open(str(stereo.path), "rb") as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 8000)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    with wave.open(str(mono.path), "rb") as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (1, 8000, len(pcm))
    # Each speaker is on their own channel (agent left); the other channel carries only noise.
    for t in stereo.turns[:2]:
        left, right = _rms(pcm, t.start, t.end)
        ratio = left / right if t.speaker == "agent" else right / left
        assert ratio > 8.0, (t.speaker, left, right)
    # Band-limited: next to nothing above the telephone band's 3.4 kHz edge.
    spectrum = np.abs(np.fft.rfft(pcm[:, 0].astype(np.float64)))
    freqs = np.fft.rfftfreq(len(pcm), 1 / SAMPLE_RATE)
    assert spectrum[freqs > 3700].sum() < 0.02 * spectrum[(freqs > 300) & (freqs < 3400)].sum()


@needs_tools
def test_the_line_and_the_voices_are_repeatable() -> None:
    from tests.support.scenarios_varied import speak_varied

    rng = np.random.default_rng(0)
    x = (rng.standard_normal(16000) * 3000).astype(np.float32)
    line = Line("alaw", 1234, 28.0)
    assert np.array_equal(_degrade(x, line), _degrade(x, line))
    a = speak_varied("Okay, pulling that up now.", "piper:joe@1.00", 165, 16000)
    assert len(a) > 8000 and np.array_equal(
        a, speak_varied("Okay, pulling that up now.", "piper:joe@1.00", 165, 16000)
    )


def test_random_behaviours_are_reproducible() -> None:
    from tests.support.scenarios_varied import random_varied_behaviours

    a = [random_varied_behaviours(random.Random(3)) for _ in range(2)]
    assert a[0] == a[1]
