"""The two torch engines: openai-whisper (``.pt`` checkpoints) and transformers (a local
``WhisperForConditionalGeneration`` folder). Both run fp32 on CPU, load once per process, and
get faster-whisper's bundled Silero VAD in front (speech is cut out, joined, transcribed, and
times mapped back), so all engines see the same audio."""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from core.errors import ModelUnavailable
from transcription.asr import AsrSegment, AsrWord
from transcription.catalog import resolve_torch_model
from transcription.options import TranscriptionOptions

SAMPLE_RATE = 16000


def _set_threads(cpu_threads: int) -> None:
    import torch

    if cpu_threads > 0:
        torch.set_num_threads(cpu_threads)  # measured: torch's default threads busy-wait


@lru_cache(maxsize=2)
def get_openai_model(path: str, device: str, cpu_threads: int) -> Any:
    """Load an openai-whisper checkpoint once per process; sets its alignment heads (needed
    for word times) from the checkpoint when the converter stored them."""
    import torch
    import whisper

    _set_threads(cpu_threads)
    try:
        model = whisper.load_model(path, device=device)
        # Tensors and plain containers only: a checkpoint cannot run code when loaded.
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, OSError, KeyError, ValueError, pickle.UnpicklingError) as exc:
        raise ModelUnavailable(f"could not load openai-whisper model '{path}': {exc}") from exc
    heads = checkpoint.get("alignment_heads")
    if heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model


@lru_cache(maxsize=2)
def get_transformers_pipeline(path: str, device: str, cpu_threads: int) -> Any:
    """Load a transformers ASR pipeline from a local folder once per process (a folder path
    never reaches the hub)."""
    from transformers import pipeline

    _set_threads(cpu_threads)
    try:
        return pipeline(
            "automatic-speech-recognition",
            model=path,
            device=device,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelUnavailable(f"could not load transformers model '{path}': {exc}") from exc


def compression_ratio(text: str) -> float:
    """Whisper's own repetition signal: raw bytes / zlib-compressed bytes."""
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw))) if raw else 0.0


# --- VAD in front --------------------------------------------------------------------------


def _speech_regions(samples: np.ndarray) -> list[tuple[int, int]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # faster-whisper's defaults (2 s min silence, 400 ms padding), so engines compare.
    found = get_speech_timestamps(samples, VadOptions(), sampling_rate=SAMPLE_RATE)
    return [(int(c["start"]), int(c["end"])) for c in found]


class _TimeMap:
    """Maps a time in the joined speech back to the original audio."""

    def __init__(self, regions: list[tuple[int, int]]) -> None:
        self.joined_ends: list[float] = []
        self.offsets: list[float] = []
        self.region_ends = [b / SAMPLE_RATE for _, b in regions]
        joined = 0
        for a, b in regions:
            self.offsets.append((a - joined) / SAMPLE_RATE)
            joined += b - a
            self.joined_ends.append(joined / SAMPLE_RATE)

    def region(self, t: float) -> int:
        for i, end in enumerate(self.joined_ends):
            if t < end:
                return i
        return len(self.joined_ends) - 1

    def __call__(self, t: float) -> float:
        return round(t + self.offsets[self.region(t)], 3)

    def word(self, start: float, end: float) -> tuple[float, float]:
        """A word's original times. Its end is kept inside the region its start is in: word
        alignment stretches a region's last word over the join into the next region, which
        would put that word's end after the silence that followed it (measured: 4-22 s)."""
        i = self.region(start)
        a = round(start + self.offsets[i], 3)
        return a, max(a, min(round(end + self.offsets[i], 3), self.region_ends[i]))


def _with_vad(
    samples: np.ndarray, vad: bool, run: Callable[[np.ndarray], list[AsrSegment]]
) -> list[AsrSegment]:
    if not vad:
        return run(samples)
    regions = _speech_regions(samples)
    if not regions:
        return []
    joined = np.concatenate([samples[a:b] for a, b in regions])
    tmap = _TimeMap(regions)
    out = []
    for seg in run(joined):
        words = tuple(AsrWord(*tmap.word(w.start, w.end), w.word, w.probability) for w in seg.words)
        start = words[0].start if words else tmap(seg.start)
        end = max(w.end for w in words) if words else tmap.word(seg.start, seg.end)[1]
        out.append(
            AsrSegment(
                start,
                end,
                seg.text,
                words,
                seg.avg_logprob,
                seg.no_speech_prob,
                seg.compression_ratio,
            )
        )
    return out


# --- engines ---------------------------------------------------------------------------------


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, options: TranscriptionOptions) -> None:
        self.options = options
        self.model_name = options.model
        path = resolve_torch_model(self.name, options.model, options.models_dir)
        self._model = get_openai_model(path, options.device, options.cpu_threads)

    def _run(self, samples: np.ndarray) -> list[AsrSegment]:
        opts = self.options
        result = self._model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32),
            language="en" if not self._model.is_multilingual else opts.language,
            beam_size=opts.beam_size,
            fp16=False,  # CPU has no fast fp16
            word_timestamps=opts.word_timestamps,
            condition_on_previous_text=False,  # as faster-whisper: stops hallucination loops
            verbose=None,
        )
        return [
            AsrSegment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]).strip(),
                words=tuple(
                    AsrWord(
                        float(w["start"]), float(w["end"]), str(w["word"]), float(w["probability"])
                    )
                    for w in s.get("words", ())
                ),
                avg_logprob=float(s["avg_logprob"]),
                no_speech_prob=float(s["no_speech_prob"]),
                compression_ratio=float(s["compression_ratio"]),
            )
            for s in result["segments"]
        ]

    def transcribe(self, samples: np.ndarray) -> list[AsrSegment]:
        return _with_vad(samples, self.options.vad_filter, self._run)


# A pause this long between words starts a new segment (the pipeline has no segment scores).
_SEGMENT_GAP_S = 1.0


class TransformersEngine:
    """transformers' pipeline returns words with times but no scores: segments are cut at
    word gaps, avg_logprob and no_speech_prob read 0 (unknown), so of the score guards only
    the compression ratio applies; the energy and phrase guards work as for the others."""

    name = "transformers"

    def __init__(self, options: TranscriptionOptions) -> None:
        self.options = options
        self.model_name = options.model
        path = resolve_torch_model(self.name, options.model, options.models_dir)
        self._pipe = get_transformers_pipeline(path, options.device, options.cpu_threads)

    def _run(self, samples: np.ndarray) -> list[AsrSegment]:
        opts = self.options
        result = self._pipe(
            {"raw": np.ascontiguousarray(samples, dtype=np.float32), "sampling_rate": SAMPLE_RATE},
            return_timestamps="word" if opts.word_timestamps else True,
            chunk_length_s=30,  # long inputs in 30 s windows, as Whisper was trained
            generate_kwargs={"num_beams": opts.beam_size},
        )
        chunks = result.get("chunks") or []
        segments: list[list[AsrWord]] = []
        for c in chunks:
            a, b = c["timestamp"]
            a = float(a)
            b = float(b) if b is not None else a + 0.2
            word = AsrWord(a, max(a, b), str(c["text"]), 1.0)
            if segments and a - segments[-1][-1].end < _SEGMENT_GAP_S:
                segments[-1].append(word)
            else:
                segments.append([word])
        out = []
        for words in segments:
            text = "".join(w.word for w in words).strip()
            out.append(
                AsrSegment(
                    words[0].start,
                    words[-1].end,
                    text,
                    tuple(words) if opts.word_timestamps else (),
                    0.0,
                    0.0,
                    compression_ratio(text),
                )
            )
        return out

    def transcribe(self, samples: np.ndarray) -> list[AsrSegment]:
        return _with_vad(samples, self.options.vad_filter, self._run)


__all__ = [
    "OpenAIWhisperEngine",
    "TransformersEngine",
    "compression_ratio",
    "get_openai_model",
    "get_transformers_pipeline",
]
