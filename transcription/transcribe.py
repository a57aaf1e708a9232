"""Audio in, speaker-labelled turns out: the one function that chains decode, ASR, guards,
turn cutting and speaker attribution."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from core.errors import AudioTooLong, InvalidInput
from transcription import guards, speakers, stream, turns
from transcription.asr import AsrEngine
from transcription.audio import (
    WHISPER_SAMPLE_RATE,
    AudioLimits,
    decode_audio,
    header_duration,
    iter_audio,
)
from transcription.engines import get_engine
from transcription.options import TranscriptionOptions, vad_threshold_for
from transcription.types import SPEAKERS, AudioInfo, Segment, Speaker, Transcript

_DEFAULT_OPTIONS = TranscriptionOptions()


def transcribe_file(
    path: str | Path, options: TranscriptionOptions = _DEFAULT_OPTIONS
) -> Transcript:
    """Long files (header duration above ``options.stream_above_s``) are streamed in windows
    cut at silence, so memory stays bounded by the window, not the call. A header that claims
    a short file is believed only up to twice ``stream_above_s`` of decoded audio; past that
    the file is streamed too, and nothing decodes past ``options.max_duration_s``."""
    limits = AudioLimits(max_duration_s=options.max_duration_s)
    claimed = header_duration(path)
    in_memory_s = min(limits.max_duration_s, 2 * options.stream_above_s)
    if claimed is None or claimed <= options.stream_above_s:
        try:
            samples, info = decode_audio(
                path,
                sample_rate=WHISPER_SAMPLE_RATE,
                limits=replace(limits, max_duration_s=in_memory_s),
            )
            return transcribe_audio(samples, info, options)
        except AudioTooLong:
            if in_memory_s >= limits.max_duration_s:
                raise
    return _transcribe_stream(path, options, limits)


def transcribe_audio(
    samples: np.ndarray, info: AudioInfo, options: TranscriptionOptions = _DEFAULT_OPTIONS
) -> Transcript:
    """``samples``: float32 ``[channels, samples]`` (or 1-D mono) at 16 kHz."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] == 0:
        raise InvalidInput("audio samples must be a non-empty [channels, samples] array")
    roles = _check_roles(options.channel_roles)
    options = replace(options, vad_threshold=vad_threshold_for(options, info.sample_rate))
    engine = get_engine(options)
    segments, method, notes = _transcribe_window(engine, x, roles)
    return Transcript(
        engine=engine.name,
        model=engine.model_name,
        segments=tuple(segments),
        audio=info,
        language=options.language,
        speaker_method=method,
        notes=tuple(notes),
    )


def _shift(seg: Segment, dt: float) -> Segment:
    return replace(
        seg,
        start=round(seg.start + dt, 3),
        end=round(seg.end + dt, 3),
        words=tuple(
            replace(w, start=round(w.start + dt, 3), end=round(w.end + dt, 3)) for w in seg.words
        ),
    )


def _transcribe_stream(
    path: str | Path, options: TranscriptionOptions, limits: AudioLimits
) -> Transcript:
    roles = _check_roles(options.channel_roles)
    decoder, blocks = iter_audio(path, sample_rate=WHISPER_SAMPLE_RATE, limits=limits)
    options = replace(options, vad_threshold=vad_threshold_for(options, decoder.rate))
    engine = get_engine(options)
    segments: list[Segment] = []
    notes: list[str] = []
    methods: set[str] = set()
    count = 0
    for offset, x in stream.windows(
        blocks, sample_rate=WHISPER_SAMPLE_RATE, window_s=options.window_s
    ):
        np.clip(x, -1.0, 1.0, out=x)
        found, method, window_notes = _transcribe_window(engine, x, roles)
        segments += [_shift(s, offset) for s in found]
        methods.add(method)
        notes += [n for n in window_notes if n not in notes]
        count += 1
    notes.append(f"streamed in {count} windows of up to {options.window_s:.0f} s")
    if "mono-clustering" in methods:
        notes.append("mono: speakers were separated per window")
    return Transcript(
        engine=engine.name,
        model=engine.model_name,
        segments=tuple(segments),
        audio=decoder.info(),
        language=options.language,
        speaker_method="+".join(sorted(methods)),
        notes=tuple(notes),
    )


def _transcribe_window(
    engine: AsrEngine, x: np.ndarray, roles: tuple[Speaker, Speaker]
) -> tuple[list[Segment], str, list[str]]:
    notes: list[str] = []
    if x.shape[0] == 2 and speakers.is_fake_stereo(x):
        notes.append("both channels carry the same audio; treated as mono")
        x = x.mean(axis=0, keepdims=True)
    elif x.shape[0] > 2:
        notes.append(f"{x.shape[0]} channels mixed down to mono")
        x = x.mean(axis=0, keepdims=True)

    if x.shape[0] == 2:
        segments: list[Segment] = []
        for ch in range(2):
            segments += _transcribe_channel(engine, x[ch], ch, roles[ch])
            if not any(s.channel == ch for s in segments):
                notes.append(f"no speech found on channel {ch} ({roles[ch]})")
        method = "channel"
    else:
        segments, separation = _transcribe_mono(engine, x[0])
        method = "mono-clustering"
        if segments and all(s.speaker == "unknown" for s in segments):
            notes.append("mono: could not tell two voices apart; speakers are unknown")
        else:
            notes.append(f"mono: voice separation {separation:.2f}")
    segments.sort(key=lambda s: (s.start, s.channel or 0))
    return segments, method, notes


def _check_roles(roles: tuple[str, ...]) -> tuple[Speaker, Speaker]:
    if len(roles) != 2 or any(r not in SPEAKERS for r in roles):
        raise InvalidInput(
            f"channel_roles must name two of {', '.join(SPEAKERS)} (left, right); got {roles!r}"
        )
    left, right = roles
    return left, right  # type: ignore[return-value]  # checked against SPEAKERS above


def _asr_pieces(
    engine: AsrEngine, x: np.ndarray, *, max_gap: float, at_sentences: bool
) -> list[turns.Piece]:
    raw = engine.transcribe(x)
    clean = guards.clean_segments(raw, x, WHISPER_SAMPLE_RATE)
    snap = turns.OnsetSnapper(x, WHISPER_SAMPLE_RATE)
    return [snap(p) for p in turns.cut(clean, max_gap=max_gap, at_sentences=at_sentences)]


def _transcribe_channel(
    engine: AsrEngine, x: np.ndarray, channel: int, role: Speaker
) -> list[Segment]:
    pieces = _asr_pieces(engine, x, max_gap=turns.TURN_GAP_S, at_sentences=False)
    return [turns.to_segment(p, speaker=role, channel=channel, confidence=1.0) for p in pieces]


def _transcribe_mono(engine: AsrEngine, x: np.ndarray) -> tuple[list[Segment], float]:
    voice = speakers.VoiceFeatures(x, WHISPER_SAMPLE_RATE)
    pieces = _asr_pieces(engine, x, max_gap=turns.UNIT_GAP_S, at_sentences=True)
    # Whisper's words run over the pauses where speakers change: cut there first.
    units = speakers.split_at_pauses(pieces, voice)
    found = speakers.attribute([speakers.Unit(u.start, u.end, u.text) for u in units], voice)
    # Join neighbouring units of the same speaker back into turns.
    segments: list[Segment] = []
    group: list[int] = []

    def flush() -> None:
        if group:
            piece = turns.join([units[i] for i in group])
            weights = [max(units[i].end - units[i].start, 0.1) for i in group]
            conf = float(np.average([found.confidences[i] for i in group], weights=weights))
            segments.append(
                turns.to_segment(
                    piece, speaker=found.speakers[group[0]], channel=0, confidence=conf
                )
            )
            group.clear()

    for i, unit in enumerate(units):
        if group and (
            found.speakers[i] != found.speakers[group[-1]]
            or unit.start - units[group[-1]].end >= turns.TURN_GAP_S
        ):
            flush()
        group.append(i)
    flush()
    return segments, found.separation
