"""Decode audio, transcribe each channel, cut turns, assign agent/customer.

Pure: plain data in, plain data out; no database, no environment variables.
"""

from transcription.audio import decode_audio, probe_audio
from transcription.engines import AsrEngine, get_engine, get_whisper_model
from transcription.options import TranscriptionOptions
from transcription.transcribe import transcribe_audio, transcribe_file
from transcription.transcript_files import is_transcript_file, load_transcript_file
from transcription.types import AudioInfo, Segment, Transcript, Word

__all__ = [
    "AsrEngine",
    "AudioInfo",
    "Segment",
    "Transcript",
    "TranscriptionOptions",
    "Word",
    "decode_audio",
    "get_engine",
    "get_whisper_model",
    "is_transcript_file",
    "load_transcript_file",
    "probe_audio",
    "transcribe_audio",
    "transcribe_file",
]
