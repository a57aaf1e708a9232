"""End to end on real audio: generated calls with known behaviours go through the whole
pipeline (real Whisper tiny.en, real embeddings, a real SQLite file) and every verdict, the
speakers and the evidence times are checked against what was rendered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domains.kit.services import Services, build_services
from pipeline.review import review_paths
from tests.conftest import make_settings
from tests.support.scenarios import Scenario, event_times, fixture_scenarios, render_scenario
from tests.support.synth import RenderedCall, Silence, Tones

pytestmark = pytest.mark.slow

FIXTURES = fixture_scenarios()
# Mono calls, including two male-sounding voices (espeak-ng's en-gb ignores +f variants).
# Not "upset_calm_down_hold_thanked": its two voices (en-gb+f4, en-gb+f1) are the same voice to
# any measure, and the honest answer there is `unknown` speakers, which no rubric can score.
MONO = (
    "perfect",
    "no_greeting_no_verification",
    "upset_apology_hold_thanked",
    "hold_unthanked_dead_air",
    "everything_wrong",
)
EVIDENCE_TOLERANCE_S = 1.0


@pytest.fixture(scope="module")
def review_svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("e2e")
    svc = build_services(make_settings(f"sqlite:///{root}/e2e.db", root / "storage"))
    yield svc
    svc.close()


def _review_all(
    svc: Services, out_dir: Path, names: list[str], *, stereo: bool
) -> dict[str, tuple[Scenario, RenderedCall, dict[str, Any]]]:
    rendered = {name: render_scenario(FIXTURES[name], out_dir, stereo=stereo)[0] for name in names}
    outcome = review_paths(
        svc, [r.path for r in rendered.values()], agent="stereo" if stereo else "mono"
    )
    assert outcome.rejected == []
    by_file = {r["filename"]: r for r in outcome.results}
    return {n: (FIXTURES[n], rendered[n], by_file[rendered[n].path.name]) for n in names}


@pytest.fixture(scope="module")
def stereo_reviews(review_svc: Services, generated_dir: Path):
    return _review_all(review_svc, generated_dir / "e2e", list(FIXTURES), stereo=True)


@pytest.fixture(scope="module")
def mono_reviews(review_svc: Services, generated_dir: Path):
    return _review_all(review_svc, generated_dir / "e2e", list(MONO), stereo=False)


def _verdicts(result: dict[str, Any]) -> dict[str, str]:
    assert result["status"] == "scored", result.get("error")
    return {c["id"]: c["verdict"] for c in result["evaluation"]["criteria"]}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_every_verdict_on_two_channel_calls(stereo_reviews, name: str):
    scenario, _, result = stereo_reviews[name]
    assert _verdicts(result) == dict(scenario.expected)


@pytest.mark.parametrize("name", MONO)
def test_every_verdict_on_mono_calls(mono_reviews, name: str):
    scenario, _, result = mono_reviews[name]
    assert result["audio"]["channels"] == 1
    assert _verdicts(result) == dict(scenario.expected)


@pytest.mark.parametrize("name", list(FIXTURES))
def test_speakers_follow_the_channels(stereo_reviews, name: str):
    _, rendered, result = stereo_reviews[name]
    segments = result["transcript"]["segments"]
    assert segments, "no speech transcribed"
    for seg in segments:
        mid = (seg["start"] + seg["end"]) / 2
        turn = min(rendered.turns, key=lambda t: max(t.start - mid, mid - t.end, 0.0))
        assert seg["speaker"] == turn.speaker, (seg, turn)
    spoken = {seg["speaker"] for seg in segments}
    assert spoken == {"agent", "customer"}


def _near(ev: dict[str, Any], span: tuple[float, float]) -> bool:
    """The evidence overlaps the turn that caused the verdict, give or take 1 s. (Whisper
    sometimes joins two turns of one speaker into one sentence, so the evidence may run on.)"""
    return (
        ev["start"] <= span[1] + EVIDENCE_TOLERANCE_S
        and ev["end"] >= span[0] - EVIDENCE_TOLERANCE_S
    )


@pytest.mark.parametrize("name", list(FIXTURES))
def test_evidence_lands_on_the_turn_that_caused_the_verdict(stereo_reviews, name: str):
    scenario, rendered, result = stereo_reviews[name]
    times = event_times(scenario, rendered)
    duration = result["audio"]["duration_s"]
    checked = 0
    for crit in result["evaluation"]["criteria"]:
        for ev in crit["evidence"]:
            assert 0.0 <= ev["start"] <= ev["end"] <= duration + 0.01
        cue_events = scenario.cues.get(crit["id"], ())
        if crit["verdict"] == "na" or not cue_events or not crit["evidence"]:
            continue
        spans = [times[i] for i in cue_events]
        assert any(_near(ev, span) for ev in crit["evidence"] for span in spans), (
            crit["id"],
            crit["evidence"],
            spans,
        )
        checked += 1
    assert checked >= 4


def test_dead_air_evidence_is_the_silence(stereo_reviews):
    scenario, rendered, result = stereo_reviews["hold_unthanked_dead_air"]
    times = event_times(scenario, rendered)
    silences = [
        times[i]
        for i, ev in enumerate(scenario.events)
        if isinstance(ev, Silence | Tones) and ev.seconds >= 10
    ]
    dead_air = next(c for c in result["evaluation"]["criteria"] if c["id"] == "dead_air")
    assert dead_air["verdict"] == "fail"
    [ev] = dead_air["evidence"]
    assert any(abs(ev["start"] - a) <= 1.0 and abs(ev["end"] - b) <= 1.0 for a, b in silences)
    moment = next(m for m in result["moments"] if m["type"] == "dead_air")
    assert moment["severity"] == "warning"
    assert abs(moment["start"] - ev["start"]) <= 0.01


def test_scores_and_auto_fail_follow_the_verdicts(stereo_reviews):
    for scenario, _, result in stereo_reviews.values():
        ev = result["evaluation"]
        crit = ev["criteria"]
        failed_critical = any(c["critical"] and c["verdict"] == "fail" for c in crit)
        assert ev["auto_failed"] is failed_critical, scenario.name
        applicable = [c for c in crit if c["verdict"] != "na"]
        expected = 0.0
        if not failed_critical:
            earned = sum(c["points"] for c in applicable)
            expected = round(100 * earned / sum(c["max_points"] for c in applicable), 1)
        assert ev["score"] == expected, scenario.name
    assert stereo_reviews["perfect"][2]["evaluation"]["score"] == 100.0
