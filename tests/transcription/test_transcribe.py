"""End to end with the real tiny.en model on real and generated audio."""

from __future__ import annotations

import itertools
import re
import statistics
from pathlib import Path

import pytest

from core.errors import InvalidInput, ModelUnavailable
from tests.support.synth import Silence, Tones, render_call
from tests.transcription.conftest import SHARED_DATA, Transcribed
from transcription import Segment, Transcript, TranscriptionOptions, transcribe_file
from transcription.engines import get_engine, get_whisper_model

JFK = SHARED_DATA / "audio_whisper_jfk" / "jfk.flac"
JFK_REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)

pytestmark = pytest.mark.slow  # real Whisper


def _norm(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = _norm(reference), _norm(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)


def _words_in(transcript: Transcript) -> list[tuple[Segment, float]]:
    return [(s, w.start) for s in transcript.segments for w in s.words]


@pytest.fixture(scope="module")
def jfk() -> Transcript:
    return transcribe_file(JFK)


def test_wer_helper_counts_edits() -> None:
    assert wer("a b c d", "a x c") == 0.5
    assert wer("Ask not, what", "ask NOT what") == 0.0


def test_jfk_text_matches_reference(jfk: Transcript) -> None:
    text = " ".join(s.text for s in jfk.segments)
    assert wer(JFK_REFERENCE, text) <= 0.1, text
    assert jfk.engine == "faster-whisper"
    assert jfk.model == "base"  # the default model
    assert jfk.audio is not None
    assert (jfk.audio.channels, jfk.audio.sample_rate, jfk.audio.duration_s) == (2, 44100, 11.0)


def test_jfk_identical_channels_are_transcribed_once_as_mono(jfk: Transcript) -> None:
    assert jfk.speaker_method == "mono-clustering"
    assert any("same audio" in n for n in jfk.notes)
    # One voice: nobody can tell agent from customer, and the transcript must say so.
    assert {s.speaker for s in jfk.segments} == {"unknown"}
    assert all(s.channel == 0 for s in jfk.segments)


def test_jfk_word_timing(jfk: Transcript) -> None:
    words = [w for s in jfk.segments for w in s.words]
    americans = [w for w in words if w.word.strip(",.").lower() == "americans"]
    assert len(americans) == 1
    # openai/whisper's own test: "Americans" spans 1.8 s.
    assert americans[0].start <= 1.8 <= americans[0].end
    assert americans[0].end - americans[0].start < 1.0
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert words[-1].end <= 11.0


def test_every_segment_carries_whisper_scores(jfk: Transcript) -> None:
    for s in jfk.segments:
        assert s.avg_logprob is not None and -1.5 <= s.avg_logprob <= 0
        assert s.no_speech_prob is not None and 0 <= s.no_speech_prob <= 1
        assert s.compression_ratio is not None and 0 < s.compression_ratio <= 2.4
        assert (s.start, s.end) == (s.words[0].start, s.words[-1].end)


def test_stereo_call_speakers_and_turn_starts(stereo_result: Transcribed) -> None:
    call, tr = stereo_result.call, stereo_result.transcript
    assert tr.speaker_method == "channel"
    assert [s.speaker for s in tr.segments] == [t.speaker for t in call.turns]
    assert [s.channel for s in tr.segments] == [
        0 if t.speaker == "agent" else 1 for t in call.turns
    ]
    errors = [
        abs(seg.start - turn.start) for seg, turn in zip(tr.segments, call.turns, strict=True)
    ]
    assert max(errors) <= 0.5, errors
    # Onset snapping puts most turn starts on the sound itself (raw Whisper: 0.1-0.35 s off).
    assert statistics.median(errors) <= 0.1, errors
    for seg in tr.segments:
        assert seg.words[0].start == seg.start
        assert seg.speaker_confidence == 1.0
    # The turn after the 12 s silence starts on time, not at the end of the previous turn.
    after_hold = tr.segments[5]
    assert after_hold.text.lower().startswith("thanks for holding")
    assert abs(after_hold.start - call.turns[5].start) <= 0.5
    assert after_hold.start - tr.segments[4].end >= 12.0


def test_stereo_call_text_is_close(stereo_result: Transcribed) -> None:
    call, tr = stereo_result.call, stereo_result.transcript
    reference = " ".join(t.text for t in call.turns).replace("nineteen eighty", "1980")
    assert wer(reference, " ".join(s.text for s in tr.segments)) <= 0.2
    assert [s.start for s in tr.segments] == sorted(s.start for s in tr.segments)


def test_mono_call_speakers(mono_result: Transcribed) -> None:
    call, tr = mono_result.call, mono_result.transcript
    assert tr.speaker_method == "mono-clustering"
    right = 0
    for turn in call.turns:
        votes: dict[str, int] = {}
        for seg, start in _words_in(tr):
            if turn.start - 0.3 <= start <= turn.end:
                votes[seg.speaker] = votes.get(seg.speaker, 0) + 1
        right += bool(votes) and max(votes, key=lambda k: votes[k]) == turn.speaker
    assert right / len(call.turns) >= 0.9, tr.segments
    confident = [s for s in tr.segments if s.speaker != "unknown"]
    assert all(0.55 <= s.speaker_confidence <= 1.0 for s in confident)


def test_mono_call_turns_do_not_merge_speakers(mono_result: Transcribed) -> None:
    tr = mono_result.transcript
    # Nine turns, eight speaker changes: consecutive segments alternate or pause >= 1 s.
    for a, b in itertools.pairwise(tr.segments):
        assert a.speaker != b.speaker or b.start - a.end >= 1.0


def test_silence_gives_no_segments(gen_dir: Path) -> None:
    call = render_call([Silence(20)], gen_dir / "silence.wav", stereo=False)
    tr = transcribe_file(call.path)
    assert tr.segments == ()
    assert tr.audio is not None and tr.audio.duration_s == pytest.approx(21.3, abs=0.01)


@pytest.mark.parametrize("vad", [True, False])
def test_silence_without_vad_invents_nothing(gen_dir: Path, vad: bool) -> None:
    # With VAD off Whisper says "You" on this silence; the guards must drop it.
    call = render_call([Silence(20)], gen_dir / f"silence_{vad}.wav", stereo=True)
    tr = transcribe_file(call.path, TranscriptionOptions(vad_filter=vad))
    assert tr.segments == ()


def test_hold_music_and_dtmf_give_no_words(gen_dir: Path) -> None:
    call = render_call([Tones(30, "music"), Tones(30, "dtmf")], gen_dir / "hold.wav", stereo=True)
    tr = transcribe_file(call.path)
    assert [w for s in tr.segments for w in s.words] == []


def test_unknown_model_name_is_refused_offline() -> None:
    with pytest.raises(ModelUnavailable, match="large-v3"):
        get_engine(TranscriptionOptions(model="large-v3"))


def test_unknown_engine_and_bad_roles_are_refused(stereo_result: Transcribed) -> None:
    with pytest.raises(InvalidInput, match="not available"):
        get_engine(TranscriptionOptions(engine="nope"))
    with pytest.raises(InvalidInput, match="channel_roles"):
        transcribe_file(stereo_result.call.path, TranscriptionOptions(channel_roles=("agent",)))


def test_model_is_loaded_once(jfk: Transcript) -> None:
    get_engine(TranscriptionOptions())
    hits = get_whisper_model.cache_info().hits
    get_engine(TranscriptionOptions())
    assert get_whisper_model.cache_info().hits == hits + 1


def test_channel_roles_can_be_swapped(stereo_result: Transcribed) -> None:
    # Some platforms record the customer on the left: the map decides, not the audio.
    call = stereo_result.call
    tr = transcribe_file(call.path, TranscriptionOptions(channel_roles=("customer", "agent")))
    swap = {"agent": "customer", "customer": "agent"}
    assert [s.speaker for s in tr.segments] == [swap[t.speaker] for t in call.turns]
    assert [s.channel for s in tr.segments] == [
        s.channel for s in stereo_result.transcript.segments
    ]
    assert [s.text for s in tr.segments] == [s.text for s in stereo_result.transcript.segments]
