"""The scenario library: verdicts follow behaviours, no accidental cues, audio matches script."""

from __future__ import annotations

import itertools
import re
import wave
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from tests.support.scenarios import (
    CALL_SECONDS,
    CRITERIA,
    NA_CRITERIA,
    POOLS,
    Behaviours,
    Issue,
    PhrasePool,
    Scenario,
    build_scenario,
    estimate_seconds,
    event_times,
    expected_verdicts,
    fixture_scenarios,
    holdout_scenarios,
    render_scenario,
)
from tests.support.synth import Silence, Tones, Turn


def all_behaviours() -> list[Behaviours]:
    combos = []
    for g, v, (upset, apology), hold, dead, prohibited, resolved, closing in itertools.product(
        (True, False),
        (True, False),
        ((False, False), (True, False), (True, True)),
        ("none", "thanked", "unthanked"),
        (True, False),
        (True, False),
        (True, False),
        (True, False),
    ):
        combos.append(
            Behaviours(g, v, upset, apology, hold, dead, prohibited, resolved, closing)  # type: ignore[arg-type]
        )
    return combos


ALL_BEHAVIOURS = all_behaviours()
# Every behaviour combination in both pools, in two variants each: quick to build (no audio).
BUILT = [
    build_scenario(b, variant=variant, pool=pool)
    for pool in ("fixture", "holdout")
    for variant in (11, 12)
    for b in ALL_BEHAVIOURS
]


def turns(s: Scenario, speaker: str | None = None) -> list[str]:
    return [e.text for e in s.events if isinstance(e, Turn) and speaker in (None, e.speaker)]


# --- expected verdicts ------------------------------------------------------------------------


def test_a_clean_call_passes_everything_and_is_na_where_nothing_happened() -> None:
    assert expected_verdicts(Behaviours()) == {
        "greeting": "pass",
        "identity_verification": "pass",
        "empathy": "na",
        "hold_etiquette": "na",
        "resolution": "pass",
        "closing": "pass",
        "professional_language": "pass",
        "dead_air": "pass",
    }


def test_every_failing_behaviour_fails_its_criterion() -> None:
    worst = Behaviours(
        greeting=False,
        verification=False,
        upset=True,
        apology=False,
        hold="unthanked",
        dead_air=True,
        prohibited=True,
        resolution=False,
        closing=False,
    )
    assert expected_verdicts(worst) == dict.fromkeys(CRITERIA, "fail")


@pytest.mark.parametrize(
    ("behaviours", "criterion", "verdict"),
    [
        (Behaviours(upset=True, apology=True), "empathy", "pass"),
        (Behaviours(upset=True, apology=False), "empathy", "fail"),
        (Behaviours(upset=False, apology=True), "empathy", "na"),
        (Behaviours(hold="thanked"), "hold_etiquette", "pass"),
        (Behaviours(hold="unthanked"), "hold_etiquette", "fail"),
        # An announced hold, however long, is not dead air.
        (Behaviours(hold="unthanked"), "dead_air", "pass"),
        (Behaviours(dead_air=True), "dead_air", "fail"),
        (Behaviours(prohibited=True), "professional_language", "fail"),
    ],
)
def test_single_behaviours_map_to_their_verdict(
    behaviours: Behaviours, criterion: str, verdict: str
) -> None:
    assert expected_verdicts(behaviours)[criterion] == verdict


def test_built_scenarios_carry_the_verdicts_of_their_behaviours() -> None:
    for s in BUILT:
        assert s.expected == expected_verdicts(s.behaviours), s.name


# --- fixture and holdout sets -------------------------------------------------------------------


def test_fixture_set_covers_pass_fail_and_na_of_every_criterion() -> None:
    fixtures = fixture_scenarios()
    for criterion in CRITERIA:
        seen = {s.expected[criterion] for s in fixtures.values()}
        allowed = {"pass", "fail", "na"} if criterion in NA_CRITERIA else {"pass", "fail"}
        assert seen == allowed, criterion


def test_fixture_scenarios_are_named_and_worded_from_the_fixture_pool() -> None:
    fixtures = fixture_scenarios()
    assert list(fixtures) == [
        "perfect",
        "no_greeting_no_verification",
        "upset_apology_hold_thanked",
        "upset_no_apology",
        "hold_unthanked_dead_air",
        "prohibited_phrase",
        "unresolved_abrupt",
        "upset_calm_down_hold_thanked",
        "everything_wrong",
    ]
    assert {s.pool for s in fixtures.values()} == {"fixture"}
    assert fixtures["hold_unthanked_dead_air"].expected["hold_etiquette"] == "fail"
    assert fixtures["hold_unthanked_dead_air"].expected["dead_air"] == "fail"
    assert fixtures["unresolved_abrupt"].expected["closing"] == "fail"


def test_holdout_scenarios_are_deterministic_per_seed() -> None:
    first = holdout_scenarios(12, seed=3)
    assert len(first) == 12
    assert first == holdout_scenarios(12, seed=3)
    assert [s.events for s in first] != [s.events for s in holdout_scenarios(12, seed=4)]
    assert {s.pool for s in first} == {"holdout"}
    assert len({s.name for s in first}) == 12


def test_a_variant_keeps_its_domain_voices_and_speed_whatever_the_behaviours() -> None:
    a = build_scenario(Behaviours(), variant=5, pool="holdout")
    b = build_scenario(Behaviours(upset=True, hold="thanked"), variant=5, pool="holdout")
    assert (a.domain, a.voices, a.speed) == (b.domain, b.voices, b.speed)
    assert turns(a)[0] == turns(b)[0]  # same greeting wording


def test_voices_and_speed_vary_between_variants_within_bounds() -> None:
    scenarios = [build_scenario(Behaviours(), variant=v, pool="fixture") for v in range(30)]
    assert len({s.voices["agent"] for s in scenarios}) > 5
    assert len({s.speed for s in scenarios}) > 5
    for s in scenarios:
        assert 150 <= s.speed <= 180
        assert s.voices["agent"] != s.voices["customer"]
        assert re.fullmatch(r"en-[a-z0-9-]+\+[mf]\d", s.voices["agent"])


def _strings(obj: object) -> set[str]:
    if isinstance(obj, str):
        return {obj}
    if isinstance(obj, tuple):
        return set().union(*(_strings(x) for x in obj)) if obj else set()
    if isinstance(obj, (PhrasePool, Issue)):
        return set().union(
            *(_strings(getattr(obj, f.name)) for f in fields(obj) if f.name != "domain")
        )
    raise TypeError(type(obj))


def test_fixture_and_holdout_pools_share_no_phrasing_or_name() -> None:
    fixture, holdout = _strings(POOLS["fixture"]), _strings(POOLS["holdout"])
    assert len(fixture) > 100 and len(holdout) > 100
    assert fixture & holdout == set()
    # Names and companies must not leak into the other pool's sentences either.
    names = {n for pool in POOLS.values() for n in pool.agents}
    names |= {c for pool in POOLS.values() for issue in pool.issues for c in issue.companies}
    for name in names:
        users = [p for p, pool in POOLS.items() if any(name in s for s in _strings(pool))]
        assert len(users) == 1, name


def test_every_behaviour_has_several_phrasings_in_each_pool() -> None:
    for pool in POOLS.values():
        for f in fields(PhrasePool):
            if f.name != "issues":
                assert len(getattr(pool, f.name)) >= 1, f.name
        assert len(pool.greetings) >= 3 and len(pool.blunt_openers) >= 3
        assert len(pool.apologies) >= 3 and len(pool.verifications) >= 3
        assert len(pool.prohibited) + len(pool.prohibited_when_upset) >= 3
        assert len(pool.issues) >= 4


# --- no accidental cues -------------------------------------------------------------------------

GREETING = re.compile(
    r"\b(hello|hi|hiya|good (morning|afternoon|evening)|welcome"
    r"|thanks? (you )?for (calling|phoning)|my name|name's|this is|speaking|on the line)\b",
    re.I,
)
VERIFICATION = re.compile(
    r"date of birth|\bborn\b|postcode|zip code|address|last four|digits|security|e-?mail|verif"
    r"|confirm your|first school",
    re.I,
)
FRUSTRATION = re.compile(
    r"fed up|frustrat|annoy|furious|upset|unacceptable|sick of|ridiculous|angry", re.I
)
APOLOGY = re.compile(r"sorry|apologi|understand|frustrat|annoy|stressful", re.I)
HOLD = re.compile(r"\bhold|moment|bear(ing)? with|\bwait", re.I)
THANKS = re.compile(r"thank|thanks|appreciate|patience", re.I)
PROHIBITED = re.compile(r"calm down|not my problem|nothing I can do|your fault|not my fault", re.I)
CLOSING = re.compile(
    r"anything else|something else|anything more|goodbye|\bbye\b|have a (great|good|nice)"
    r"|take care|thanks for calling|thank you for your call|enjoy",
    re.I,
)
CONCRETE_STEP = re.compile(r"\bI've\b|\bwill\b|\bbooked\b|refund|credit|\bsent\b", re.I)


def test_no_greeting_means_no_greeting_words_names_or_company() -> None:
    for s in BUILT:
        if s.behaviours.greeting:
            continue
        agent_lines = turns(s, "agent")
        assert not GREETING.search(agent_lines[0]), (s.name, agent_lines[0])
        pool = POOLS[s.pool]
        names = set(pool.agents) | {c for i in pool.issues for c in i.companies}
        assert not any(n in text for n in names for text in turns(s)), s.name


def test_a_greeting_names_the_agent_and_the_company() -> None:
    for s in BUILT:
        if s.behaviours.greeting:
            opening = turns(s, "agent")[0]
            pool = POOLS[s.pool]
            assert any(a in opening for a in pool.agents), opening
            assert any(c in opening for i in pool.issues for c in i.companies), opening


def test_no_verification_means_nothing_identity_like_is_asked_or_said() -> None:
    for s in BUILT:
        hits = [t for t in turns(s) if VERIFICATION.search(t)]
        if s.behaviours.verification:
            assert hits, s.name
        else:
            assert hits == [], s.name


def test_frustration_words_only_in_upset_calls_and_apologies_only_when_intended() -> None:
    for s in BUILT:
        b = s.behaviours
        upset_lines = [t for t in turns(s, "customer") if FRUSTRATION.search(t)]
        assert bool(upset_lines) == b.upset, s.name
        apologies = [t for t in turns(s, "agent") if APOLOGY.search(t)]
        assert bool(apologies) == (b.upset and b.apology), (s.name, apologies)


def test_hold_words_only_in_hold_calls_and_no_thanks_on_an_unthanked_return() -> None:
    for s in BUILT:
        b = s.behaviours
        assert any(HOLD.search(t) for t in turns(s)) == (b.hold != "none"), s.name
        if b.hold == "none":
            continue
        hold_index = s.cues["hold_etiquette"][2]
        assert isinstance(s.events[hold_index], (Silence, Tones))
        assert 15.0 <= s.events[hold_index].seconds <= 25.0  # type: ignore[union-attr]
        returned = s.events[hold_index + 1]
        assert isinstance(returned, Turn) and returned.speaker == "agent"
        assert bool(THANKS.search(returned.text)) == (b.hold == "thanked"), returned.text


def test_prohibited_phrases_only_when_intended() -> None:
    for s in BUILT:
        hits = [t for t in turns(s, "agent") if PROHIBITED.search(t)]
        assert len(hits) == int(s.behaviours.prohibited), (s.name, hits)
        assert not any(PROHIBITED.search(t) for t in turns(s, "customer"))


def test_unannounced_silence_only_in_dead_air_calls_and_after_the_customer() -> None:
    for s in BUILT:
        silences = [i for i, e in enumerate(s.events) if isinstance(e, Silence)]
        hold = s.cues.get("hold_etiquette", (0, 0, -1))[2]
        unannounced = [i for i in silences if i != hold]
        assert len(unannounced) == int(s.behaviours.dead_air), s.name
        for i in unannounced:
            before = s.events[i - 1]
            assert isinstance(before, Turn) and before.speaker == "customer"
            assert not HOLD.search(before.text)


def test_resolution_lines_state_a_step_only_when_resolved() -> None:
    for s in BUILT:
        (outcome,) = s.cues["resolution"]
        text = s.events[outcome].text  # type: ignore[union-attr]
        assert bool(CONCRETE_STEP.search(text)) == s.behaviours.resolution, text


def test_abrupt_calls_end_without_any_closing_words() -> None:
    for s in BUILT:
        (outcome,) = s.cues["resolution"]
        after = [e.text for e in s.events[outcome:] if isinstance(e, Turn)]
        closed = any(CLOSING.search(t) for t in after)
        assert closed == s.behaviours.closing, (s.name, after)
        if not s.behaviours.closing:
            assert len(after) <= 2  # the outcome, perhaps a one-word reaction, then nothing


def test_estimated_length_is_within_the_call_range_for_every_combination() -> None:
    for s in BUILT:
        assert CALL_SECONDS[0] + 3 <= estimate_seconds(s.events, s.speed) <= CALL_SECONDS[1] - 4


# --- rendering (espeak + sox, no ASR) ------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scenarios")


def _channel_rms(path: Path, start: float, end: float) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        w.setpos(int(start * rate))
        frames = w.readframes(int((end - start) * rate))
    pcm = np.frombuffer(frames, dtype=np.int16).reshape(-1, channels).astype(np.float64)
    return np.sqrt((pcm**2).mean(axis=0))


def test_rendered_turns_are_ordered_inside_the_call_and_the_dead_air_is_silent(
    rendered_dir: Path,
) -> None:
    s = fixture_scenarios()["hold_unthanked_dead_air"]
    call, expected = render_scenario(s, rendered_dir)
    assert expected == s.expected
    assert (call.channels, call.sample_rate) == (2, 16000)
    assert CALL_SECONDS[0] <= call.duration_s <= CALL_SECONDS[1]
    assert [t.text for t in call.turns] == turns(s)
    previous_end = 0.0
    for t in call.turns:
        assert previous_end <= t.start < t.end <= call.duration_s
        previous_end = t.end

    times = event_times(s, call)
    dead = s.cues["dead_air"][0]
    assert isinstance(s.events[dead], Silence)
    gap_start, gap_end = times[dead - 1][1], times[dead + 1][0]
    assert gap_end - gap_start >= 10.0
    # Nothing audible on either channel in the unannounced silence.
    assert _channel_rms(call.path, gap_start, gap_end).max() < 5.0
    # Speech is audible on the agent's (left) channel during an agent turn.
    agent_turn = call.turns[0]
    left, right = _channel_rms(call.path, agent_turn.start, agent_turn.end)
    assert left > 300.0 and right < 5.0

    # The only other long gap is the announced hold.
    hold = s.cues["hold_etiquette"][2]
    long_gaps = [
        (a.end, b.start) for a, b in itertools.pairwise(call.turns) if b.start - a.end >= 10.0
    ]
    assert long_gaps == [
        (times[dead - 1][1], times[dead + 1][0]),
        (times[hold - 1][1], times[hold + 1][0]),
    ]


def test_rendering_again_reuses_the_cached_file(rendered_dir: Path) -> None:
    s = fixture_scenarios()["perfect"]
    first, _ = render_scenario(s, rendered_dir)
    mtime = first.path.stat().st_mtime_ns
    again, _ = render_scenario(s, rendered_dir)
    assert again.path == first.path and again.path.stat().st_mtime_ns == mtime
    assert again.turns == first.turns and again.duration_s == first.duration_s
    mono, _ = render_scenario(s, rendered_dir, stereo=False)
    assert mono.path != first.path and mono.channels == 1
    assert mono.turns == first.turns
    changed, _ = render_scenario(replace(s, speed=s.speed + 1), rendered_dir)
    assert changed.path != first.path


def test_rendering_is_byte_for_byte_repeatable(tmp_path: Path) -> None:
    s = fixture_scenarios()["upset_no_apology"]
    first, _ = render_scenario(s, tmp_path / "a")
    second, _ = render_scenario(s, tmp_path / "b")
    assert first.path.read_bytes() == second.path.read_bytes()
