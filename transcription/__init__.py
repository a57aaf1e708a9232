"""Decode audio, transcribe each channel, cut turns, assign agent/customer, redact PII.

Pure: plain data in, plain data out; no database, no environment variables.
"""

from transcription.audio import decode_audio, probe_audio
from transcription.catalog import ModelInfo, available_models, convert_model
from transcription.convert import convert_ct2_to_openai, convert_ct2_to_transformers
from transcription.engines import AsrEngine, get_engine, get_whisper_model
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

__all__ = [
    "AsrEngine",
    "AudioInfo",
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
