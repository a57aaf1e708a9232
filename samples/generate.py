"""Regenerate the demo calls in samples/ (deterministic: espeak-ng + sox + ffmpeg/libopus).

    .venv/bin/python -m samples.generate

Each call is an explicit script with the behaviours it shows; the expected verdicts come from
tests/support/scenarios.py's rules, so samples and tests agree on what a behaviour earns. Writes
<name>.opus (two channels: agent left, customer right; 24 kb/s) and expected.yaml.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from tests.support.scenarios import Behaviours, expected_verdicts, repeatable_sox
from tests.support.synth import Event, Silence, Tones, Turn, convert, render_call

HERE = Path(__file__).resolve().parent
LENGTH_S = (20.0, 45.0)
# Strip encoder version tags so a re-run with the same tools gives the same bytes.
OPUS_ARGS = [
    "-c:a", "libopus", "-b:a", "24k",
    "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
]  # fmt: skip


@dataclass(frozen=True)
class Sample:
    name: str
    summary: str
    behaviours: Behaviours
    events: tuple[Event, ...]
    voices: tuple[tuple[str, str], ...] = (("agent", "en-us+m3"), ("customer", "en-gb+f3"))
    speed: int = 165


SAMPLES = (
    Sample(
        name="good_call",
        summary="A textbook call: greeting with name and company, date-of-birth check, "
        "the fix with a date, offer of further help, goodbye.",
        behaviours=Behaviours(),
        events=(
            Turn(
                "agent",
                "Thank you for calling Brightline Broadband, this is Sarah. "
                "How can I help you today?",
                0.0,
            ),
            Turn("customer", "Hi Sarah. My internet keeps dropping out in the evenings."),
            Turn(
                "agent",
                "I can look into that. First, can you confirm your full name and date of birth?",
            ),
            Turn("customer", "Helen Carter, the twelfth of June, nineteen eighty four."),
            Turn("agent", "Thank you, that matches. I'm pulling up your line now."),
            Turn(
                "agent",
                "I can see several disconnections since Monday. I've booked an "
                "engineer for Thursday morning, and you'll get a text to confirm.",
            ),
            Turn("customer", "Great, that works for me."),
            Turn("agent", "Is there anything else I can help you with today?"),
            Turn("customer", "No, that's everything, thanks."),
            Turn("agent", "Thanks for calling, have a great day. Goodbye."),
        ),
    ),
    Sample(
        name="problem_call",
        summary="The agent greets, but works on the account without verifying the caller, "
        "goes silent for 12 seconds without a word, and the call ends abruptly after the fix.",
        behaviours=Behaviours(verification=False, dead_air=True, closing=False),
        events=(
            Turn("agent", "Good morning, you're through to Cobalt Fashion, James speaking.", 0.0),
            Turn(
                "customer",
                "I returned a pair of shoes a month ago and I haven't had my refund yet.",
            ),
            Turn("agent", "Okay, I'm opening your order now."),
            Turn("agent", "Were they the black trainers?"),
            Turn("customer", "Yes, the black ones in size eight."),
            Silence(12.0),
            Turn(
                "agent",
                "I can see the return arrived last Friday. I've processed the "
                "refund of forty eight pounds today, so you'll see it within three days.",
                0.4,
            ),
            Turn("customer", "Okay."),
        ),
        voices=(("agent", "en-gb-x-rp+m2"), ("customer", "en-us+f2")),
        speed=170,
    ),
    Sample(
        name="upset_hold_call",
        summary="An upset customer; the agent apologises, verifies, announces a hold "
        "(15 s of hold music), thanks the customer on return, fixes it and closes politely.",
        behaviours=Behaviours(upset=True, apology=True, hold="thanked"),
        events=(
            Turn("agent", "Hello, you are through to Northwind Telecom, my name is Emma.", 0.0),
            Turn("customer", "I've been charged twice this month, and I'm really fed up."),
            Turn("agent", "I'm so sorry about that. Can I take your postcode?"),
            Turn("customer", "B S three, four Q T."),
            Turn("agent", "Thanks. Can I place you on a short hold while I check with billing?"),
            Turn("customer", "Okay."),
            Tones(15.0, "music"),
            Turn("agent", "Thank you for holding. I've refunded the second payment.", 0.5),
            Turn("agent", "Is there anything else I can help with?"),
            Turn("customer", "No, thanks."),
            Turn("agent", "Take care, goodbye."),
        ),
        voices=(("agent", "en-gb+f3"), ("customer", "en-us+m5")),
        speed=170,
    ),
)


def generate(out_dir: Path = HERE) -> dict[str, dict[str, object]]:
    manifest: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp, repeatable_sox():
        for sample in SAMPLES:
            wav = Path(tmp) / f"{sample.name}.wav"
            call = render_call(
                list(sample.events),
                wav,
                stereo=True,
                voices=dict(sample.voices),
                speed=sample.speed,
            )
            if not LENGTH_S[0] <= call.duration_s <= LENGTH_S[1]:
                raise SystemExit(f"{sample.name}: {call.duration_s:.1f} s is outside {LENGTH_S}")
            opus = convert(wav, out_dir / f"{sample.name}.opus", args=OPUS_ARGS)
            manifest[opus.name] = {
                "summary": sample.summary,
                "duration_s": round(call.duration_s, 2),
                "behaviours": asdict(sample.behaviours),
                "expected": expected_verdicts(sample.behaviours),
                "turns": [
                    {"speaker": t.speaker, "start": t.start, "end": t.end, "text": t.text}
                    for t in call.turns
                ],
            }
            print(f"{opus.name}: {call.duration_s:.1f} s, {opus.stat().st_size / 1024:.0f} KiB")
    # YAML, not JSON: `callreview review samples/` would take a .json file for a transcript.
    (out_dir / "expected.yaml").write_text(
        yaml.safe_dump(manifest, sort_keys=False, width=100, allow_unicode=True)
    )
    return manifest


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
