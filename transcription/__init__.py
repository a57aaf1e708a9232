"""Decode audio, transcribe each channel, cut turns, assign agent/customer, redact PII.

Pure: plain data in, plain data out; no database, no environment variables.
"""

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time each loads when first used
    from transcription.asr import AsrEngine
    from transcription.audio import AudioLimits, decode_audio, decode_range, probe_audio
    from transcription.catalog import ModelInfo, available_models, convert_model
    from transcription.convert import convert_ct2_to_openai, convert_ct2_to_transformers
    from transcription.engines import get_engine, get_whisper_model
    from transcription.options import TranscriptionOptions
    from transcription.pii import (
        PiiSpan,
        find_pii,
        mute_spans,
        parse_types,
        redact_transcript,
        redacted_spans,
    )
    from transcription.transcribe import transcribe_audio, transcribe_file
    from transcription.transcript_files import is_transcript_file, load_transcript_file
    from transcription.types import AudioInfo, Segment, Transcript, Word

_EXPORTS = {
    "AudioLimits": "audio",
    "decode_audio": "audio",
    "decode_range": "audio",
    "probe_audio": "audio",
    "ModelInfo": "catalog",
    "available_models": "catalog",
    "convert_model": "catalog",
    "convert_ct2_to_openai": "convert",
    "convert_ct2_to_transformers": "convert",
    "AsrEngine": "asr",
    "get_engine": "engines",
    "get_whisper_model": "engines",
    "TranscriptionOptions": "options",
    "PiiSpan": "pii",
    "find_pii": "pii",
    "mute_spans": "pii",
    "parse_types": "pii",
    "redact_transcript": "pii",
    "redacted_spans": "pii",
    "transcribe_audio": "transcribe",
    "transcribe_file": "transcribe",
    "is_transcript_file": "transcript_files",
    "load_transcript_file": "transcript_files",
    "AudioInfo": "types",
    "Segment": "types",
    "Transcript": "types",
    "Word": "types",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "AsrEngine",
    "AudioInfo",
    "AudioLimits",
    "ModelInfo",
    "PiiSpan",
    "Segment",
    "Transcript",
    "TranscriptionOptions",
    "Word",
    "available_models",
    "convert_ct2_to_openai",
    "convert_ct2_to_transformers",
    "convert_model",
    "decode_audio",
    "decode_range",
    "find_pii",
    "get_engine",
    "get_whisper_model",
    "is_transcript_file",
    "load_transcript_file",
    "mute_spans",
    "parse_types",
    "probe_audio",
    "redact_transcript",
    "redacted_spans",
    "transcribe_audio",
    "transcribe_file",
]
