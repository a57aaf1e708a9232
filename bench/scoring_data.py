"""Labelled text calls for the scoring benches: the real dialogues in ../shared/data (ABCD chats,
Harper Valley Bank calls) and generated scenarios (tests/support/scenarios.py) laid out as text, no
audio.
Labels come from the data, never from the scorer: ABCD's agent actions, HVB's agent log, and the
scenario's behaviours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.support.scenarios import CRITERIA, holdout_scenarios
from tests.support.scenarios_varied import script_timeline, varied_scenarios
from tests.support.synth import Silence, Tones, Turn
from transcription.types import AudioInfo, Segment, Transcript, Word

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
WPS = 2.5  # words per second for text without times


@dataclass(frozen=True)
class Labelled:
    name: str
    transcript: Transcript
    expected: dict[str, str]


def _segment(speaker: str, start: float, end: float, text: str) -> Segment:
    tokens = text.split()
    step = (end - start) / max(len(tokens), 1)
    words = tuple(
        Word(start + i * step, start + (i + 1) * step - 0.02, " " + tok)
        for i, tok in enumerate(tokens)
    )
    return Segment(start, end, speaker, text, words)  # type: ignore[arg-type]


def _transcript(segs: list[Segment], engine: str) -> Transcript:
    end = max((s.end for s in segs), default=0.0) + 0.5
    return Transcript(engine, "", tuple(segs), AudioInfo(end, 2, 16000), speaker_method="text")


def _lay_out(turns: list[tuple[str, str]], gap: float = 0.5) -> list[Segment]:
    t = 0.5
    out = []
    for speaker, text in turns:
        dur = max(0.6, len(text.split()) / WPS)
        out.append(_segment(speaker, t, t + dur, text))
        t += dur + gap
    return out


# ABCD's two account look-ups that check what the customer says against the records:
# verify-identity (name, account id, order id, zip) and validate-purchase (username, email,
# order id). Both are identity checks in the default rubric's sense ("email on file", "full
# name plus account number"); ``strict`` counts only verify-identity.
ID_ACTIONS = ("verify-identity", "validate-purchase")


def abcd_calls(*, strict: bool = False) -> list[Labelled]:
    """identity_verification: pass when the agent clicked an identity-checking action."""
    path = SHARED / "abcd" / "abcd_dialogstudio_original_examples.json"
    out = []
    for convo in json.loads(path.read_text()):
        turns = [(s, t) for s, t in convo["original"] if s in ("agent", "customer")]
        actions = [t["targets"][2] for t in convo["delexed"] if t["speaker"] == "action"]
        wanted = ("verify-identity",) if strict else ID_ACTIONS
        verified = any(a in wanted for a in actions)
        out.append(
            Labelled(
                f"abcd-{convo['convo_id']}",
                _transcript(_lay_out(turns), "text"),
                {"identity_verification": "pass" if verified else "fail"},
            )
        )
    return out


def hvb_calls(field: str = "human_transcript") -> list[Labelled]:
    """resolution: pass when what the agent logged matches the caller's task. ``field``:
    ``human_transcript`` (reference) or ``transcript`` (Gridspace's machine ASR)."""
    root = SHARED / "hvb_harper_valley"
    out = []
    for meta_path in sorted((root / "metadata").glob("*.json")):
        meta = json.loads(meta_path.read_text())
        logged = [r.get("data", {}) for r in meta["agent"].get("responses", [])]
        tasks = meta.get("tasks", [])
        done = bool(tasks) and all(
            any(task.get("task_type") == d.get("task_type") for d in logged) for task in tasks
        )
        segs = []
        for line in (root / "transcript_compact" / f"{meta['sid']}.jsonl").read_text().splitlines():
            row = json.loads(line)
            text = (row.get(field) or "").strip()
            if not text:
                continue
            speaker = "agent" if row["speaker_role"] == "agent" else "customer"
            start = row["start_ms"] / 1000
            segs.append(_segment(speaker, start, start + row["duration_ms"] / 1000, text))
        segs.sort(key=lambda s: s.start)
        out.append(
            Labelled(
                f"hvb-{meta['sid']}",
                _transcript(segs, "text" if field == "human_transcript" else "gridspace-asr"),
                {"resolution": "pass" if done else "fail"},
            )
        )
    return out


def generated_calls(n: int, seed: int = 0) -> list[Labelled]:
    """Holdout scenarios as text with their script times (no ASR errors)."""
    out = []
    for i, s in enumerate(holdout_scenarios(n, seed)):
        segs = []
        t = 1.0
        for ev in s.events:
            if isinstance(ev, Turn):
                t += ev.pause_before
                dur = len(ev.text.split()) * 60.0 / s.speed * 0.86
                segs.append(_segment(ev.speaker, t, t + dur, ev.text))
                t += dur
            elif isinstance(ev, (Silence, Tones)):
                t += ev.seconds
        out.append(Labelled(f"gen-{seed}-{i:03d}", _transcript(segs, "text"), dict(s.expected)))
    return out


# ------------------------------------------------------------------------ QA-labelled real sets
QA_CRITERIA = CRITERIA  # the default rubric's, in its order
HVB_DEV = SHARED / "hvb_qa_dev"
HVB_MORE = Path(__file__).resolve().parent / "data" / "hvb_qa_more"
ABCD_QA = Path(__file__).resolve().parent / "data" / "abcd_qa"


def _held_out() -> frozenset[str]:
    path = HVB_DEV / "HELD_OUT_SIDS.txt"
    lines = path.read_text().splitlines() if path.is_file() else []
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


def _file_transcript(path: Path) -> Transcript:
    from transcription.transcript_files import load_transcript_file

    return load_transcript_file(path)


def hvb_qa(which: str, split: str | None = None, *, asr: bool = False) -> list[Labelled]:
    """QA-labelled Harper Valley calls: ``which`` is ``dev20`` (the shared 20-call dev set) or
    ``more`` (bench/data/hvb_qa_more, with a dev/test ``split``); ``asr`` reads the machine
    transcript of the same segments. Held-out ids are refused, whatever a labels file says."""
    root = HVB_DEV if which == "dev20" else HVB_MORE
    labels = json.loads((root / "labels.json").read_text())
    held = _held_out()
    out = []
    for sid, lab in sorted(labels.items()):
        if sid in held:
            raise RuntimeError(f"{sid} is held out for evaluation and must not be read")
        if split is not None and lab.get("split", "dev") != split:
            continue
        folder = "calls_asr" if asr else "calls"
        t = _file_transcript(root / folder / f"{sid}.json")
        out.append(Labelled(f"hvb-{sid}", t, dict(lab["labels"])))
    return out


def abcd_qa(split: str | None = None) -> list[Labelled]:
    """QA-labelled ABCD chats (labels in bench/data/abcd_qa, text in ../shared/data/abcd)."""
    labels = json.loads((ABCD_QA / "labels.json").read_text())
    convos = {
        str(c["convo_id"]): c
        for c in json.loads(
            (SHARED / "abcd" / "abcd_dialogstudio_original_examples.json").read_text()
        )
    }
    out = []
    for cid, lab in sorted(labels.items()):
        if split is not None and lab.get("split") != split:
            continue
        turns = [(s, t) for s, t in convos[cid]["original"] if s in ("agent", "customer")]
        segs = _lay_out(turns)
        t = Transcript("text", "", tuple(segs), None, speaker_method="text")
        out.append(Labelled(f"abcd-{cid}", t, dict(lab["labels"])))
    return out


def varied_calls(split: str, n: int, seed: int = 0) -> list[Labelled]:
    """Varied-pool scenarios (tests/support/scenarios_varied.py) as text with their script times.
    ``split`` is ``dev`` or ``unseen``: tune on dev only."""
    out = []
    for s in varied_scenarios(split, n, seed):  # type: ignore[arg-type]
        timeline = script_timeline(s)
        segs = [_segment(t.speaker, t.start, t.end, t.text) for t in timeline.turns]
        out.append(Labelled(s.name, _transcript(segs, "text"), dict(s.expected)))
    return out
