"""ASR engines behind one small interface: one channel of 16 kHz float32 in, plain segments
with word times out. faster-whisper (default), openai-whisper (``.pt`` checkpoints) and
transformers (a local ``WhisperForConditionalGeneration`` folder); each model is loaded once
per process. The two torch engines get the same Silero VAD in front that faster-whisper has
built in, so all three see only speech and their times and hallucination rates compare."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import ctranslate2
import numpy as np

from core.errors import InvalidInput, ModelUnavailable
from transcription.asr import AsrEngine, AsrSegment, AsrWord
from transcription.options import (
    TranscriptionOptions,
    resolve_compute_type,
    resolve_model_path,
)

if TYPE_CHECKING:
    from faster_whisper import BatchedInferencePipeline, WhisperModel


def resolve_device(device: str) -> str:
    """``auto``: CUDA when CTranslate2 sees a GPU, else CPU; anything else as given."""
    if device != "auto":
        return device
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


@lru_cache(maxsize=4)
def get_whisper_model(
    model_path: str, device: str, compute_type: str, cpu_threads: int
) -> WhisperModel:
    """Load a faster-whisper model once per process (per argument set)."""
    from faster_whisper import WhisperModel  # heavy import, only when a model is needed

    try:
        return WhisperModel(
            model_path,
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=1,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelUnavailable(f"could not load Whisper model '{model_path}': {exc}") from exc


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, options: TranscriptionOptions) -> None:
        if options.batch_size < 1:
            raise InvalidInput(f"batch_size must be 1 or more, got {options.batch_size}")
        if options.batch_size > 1 and not options.vad_filter:
            raise InvalidInput("batch_size > 1 needs vad_filter: the batches are VAD chunks")
        self.options = options
        self.model_name = options.model
        device = resolve_device(options.device)
        self._model = get_whisper_model(
            resolve_model_path(
                options.model,
                allow_downloads=options.allow_downloads,
                models_dir=options.models_dir,
            ),
            device,
            resolve_compute_type(options.compute_type, device),
            options.cpu_threads,
        )
        self._batched: BatchedInferencePipeline | None = None
        if options.batch_size > 1:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(self._model)
        words = ", ".join(w.strip() for w in options.vocabulary if w.strip())
        self._hotwords = words if words and options.vocabulary_as == "hotwords" else None
        self._prompt = words if words and options.vocabulary_as == "prompt" else None

    def transcribe(self, samples: np.ndarray) -> list[AsrSegment]:
        opts = self.options
        # English-only models reject a language other than "en"; multilingual ones take any.
        language = opts.language if self._model.model.is_multilingual else "en"
        # Whisper falls back to sampling at higher temperatures on hard audio; a fixed seed
        # makes the same recording give the same transcript (and verdicts) on every run.
        ctranslate2.set_random_seed(0)
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        common = {
            "language": language,
            "beam_size": opts.beam_size,
            "vad_filter": opts.vad_filter,
            "vad_parameters": {"threshold": opts.vad_threshold if opts.vad_threshold else 0.5},
            "word_timestamps": opts.word_timestamps,
            # Conditioning on earlier text is what lets one hallucination seed a loop. With it
            # off, hotwords still prompt every 30 s window; an initial prompt only the first.
            "condition_on_previous_text": False,
            "hotwords": self._hotwords,
            "initial_prompt": self._prompt,
        }
        if self._batched is not None:
            segments, _info = self._batched.transcribe(audio, batch_size=opts.batch_size, **common)
        else:
            segments, _info = self._model.transcribe(audio, **common)
        # faster-whisper returns a lazy generator: consume it here, where the model is live.
        return [
            AsrSegment(
                start=float(s.start),
                end=float(s.end),
                text=s.text.strip(),
                words=tuple(
                    AsrWord(float(w.start), float(w.end), w.word, float(w.probability))
                    for w in (s.words or ())
                ),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
                compression_ratio=float(s.compression_ratio),
            )
            for s in segments
        ]


ENGINES = ("faster-whisper", "openai-whisper", "transformers")


def get_engine(options: TranscriptionOptions) -> AsrEngine:
    if options.engine == "faster-whisper":
        return FasterWhisperEngine(options)
    if options.engine == "openai-whisper":
        from transcription.torch_engines import OpenAIWhisperEngine

        return OpenAIWhisperEngine(options)
    if options.engine == "transformers":
        from transcription.torch_engines import TransformersEngine

        return TransformersEngine(options)
    raise InvalidInput(
        f"ASR engine '{options.engine}' is not available; supported: {', '.join(ENGINES)}"
    )
