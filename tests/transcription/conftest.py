"""Generated calls for the transcription tests, rendered and transcribed once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.synth import Event, RenderedCall, Silence, Turn, render_call
from transcription import Transcript, transcribe_file

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

CALL: list[Event] = [
    Turn("agent", "Thank you for calling Acme Telecom, my name is John, how can I help you today?"),
    Turn("customer", "Hi, my internet has been down since yesterday and I am really frustrated."),
    Turn("agent", "I am sorry to hear that. Can I have your date of birth to verify your account?"),
    Turn("customer", "Sure, it is the fourth of March nineteen eighty."),
    Turn("agent", "Thank you. Let me check the line, please hold for a moment."),
    Silence(12),
    Turn("agent", "Thanks for holding. I have reset your connection, it should work now."),
    Turn("customer", "Great, it is working again. Thank you so much."),
    Turn("agent", "Is there anything else I can help you with today?"),
    Turn("customer", "No, that is all. Goodbye."),
]
# espeak-ng 1.51 ignores the "+f3" variant on "en-gb" (synth's default customer voice), which
# leaves two male voices ~100 Hz apart by 4 Hz. Mono attribution is tested on the intended
# case, a clearly different voice; "en+f3" really renders at ~215 Hz.
MONO_VOICES = {"customer": "en+f3"}


@dataclass(frozen=True)
class Transcribed:
    call: RenderedCall
    transcript: Transcript


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("transcription_audio")


@pytest.fixture(scope="session")
def stereo_call(gen_dir: Path) -> RenderedCall:
    return render_call(CALL, gen_dir / "call_stereo.wav", stereo=True)


@pytest.fixture(scope="session")
def stereo_result(stereo_call: RenderedCall) -> Transcribed:
    return Transcribed(stereo_call, transcribe_file(stereo_call.path))


@pytest.fixture(scope="session")
def mono_result(gen_dir: Path) -> Transcribed:
    call = render_call(CALL, gen_dir / "call_mono.wav", stereo=False, voices=MONO_VOICES)
    return Transcribed(call, transcribe_file(call.path))
