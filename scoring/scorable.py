"""Is this recording a customer-service conversation a QA rubric can score?

Silence, a single voice (a voicemail, an IVR announcement, a speech), two voices that never
take turns, and a conversation that is not a customer being served (two colleagues chatting,
a radio play) are not scorable: scoring them would publish a meaningless number and drag
the agent's averages. The checks, their thresholds and the exemplars of service talk and of
other talk live in ``scorability.yaml`` beside this module (data, not code); the order and
what each measures is written there.

Pure: a transcript in, a ``Scorability`` out. The embedder is loaded (once per process) only
when the content check is reached and none is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from scoring.cues import CueBook, default_book
from scoring.embedding import Embedder, get_embedder
from scoring.text import normalize
from transcription.types import Segment, Transcript

SERVICE_CONVERSATION = "service_conversation"
NO_SPEECH = "no_speech"
TOO_LITTLE_SPEECH = "too_little_speech"
ONE_VOICE = "one_voice"
NO_DIALOGUE = "no_dialogue"
NOT_SERVICE = "not_service"
REASONS = (SERVICE_CONVERSATION, NO_SPEECH, TOO_LITTLE_SPEECH, ONE_VOICE, NO_DIALOGUE, NOT_SERVICE)


@dataclass(frozen=True)
class Scorability:
    scorable: bool
    reason: str  # one of REASONS
    confidence: float
    detail: str = ""  # one sentence for a reviewer
    # What was measured: words, words per voice, turns, service/other evidence, ...
    signals: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScorabilityRules:
    min_words: int
    min_voice_words: int
    min_turns: int
    min_utterance_words: int
    top_k: int
    service_share_min: float
    confidence_span: float
    confidence: Mapping[str, float]
    service: tuple[str, ...]
    other: Mapping[str, tuple[str, ...]]
    marker_sets: tuple[str, ...] = ()
    min_markers: int = 3


def _rules_from(data: Mapping[str, Any]) -> ScorabilityRules:
    r = data["rules"]
    return ScorabilityRules(
        min_words=int(r["min_words"]),
        min_voice_words=int(r["min_voice_words"]),
        min_turns=int(r["min_turns"]),
        min_utterance_words=int(r["min_utterance_words"]),
        top_k=int(r["top_k"]),
        service_share_min=float(r["service_share_min"]),
        confidence_span=float(r["confidence_span"]),
        confidence={str(k): float(v) for k, v in r["confidence"].items()},
        service=tuple(str(t) for t in data["service"]),
        other={str(g): tuple(str(t) for t in texts) for g, texts in data["other"].items()},
        marker_sets=tuple(str(m) for m in r.get("service_marker_sets", ())),
        min_markers=int(r.get("min_service_markers", 3)),
    )


def load_rules(path: str | Path | None = None) -> ScorabilityRules:
    """The rules shipped with the package, or those of another YAML file of the same shape."""
    if path is None:
        return _shipped_rules()
    return _rules_from(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _shipped_rules() -> ScorabilityRules:
    text = (resources.files("scoring") / "scorability.yaml").read_text(encoding="utf-8")
    return _rules_from(yaml.safe_load(text))


def _words(seg: Segment) -> int:
    return len(seg.text.split())


def _turns(segments: Sequence[Segment]) -> int:
    """Runs of one labelled voice (agent or customer); unlabelled and empty turns are skipped."""
    turns, last = 0, None
    for seg in segments:
        if seg.speaker == "unknown" or not _words(seg):
            continue
        if seg.speaker != last:
            turns, last = turns + 1, seg.speaker
    return turns


def _top_mean(sims: NDArray[np.float32], k: int) -> float:
    """Mean of the k best utterances' best similarity (fewer when there are fewer)."""
    best = np.sort(sims.max(axis=1))[::-1][:k]
    return float(best.mean())


def _sure(distance: float, span: float) -> float:
    return round(0.5 + min(0.45, max(0.0, distance) / span * 0.45), 2)


def assess(
    transcript: Transcript,
    *,
    embedder: Embedder | None = None,
    rules: ScorabilityRules | None = None,
    book: CueBook | None = None,
) -> Scorability:
    """Whether ``transcript`` is a customer-service conversation (see the module docstring).
    ``book``: the cue sets that mark a service call (the default library's when None)."""
    r = rules or load_rules()
    book = book or default_book()
    conf = r.confidence
    segs = [s for s in transcript.segments if _words(s)]
    words = sum(_words(s) for s in segs)
    per_voice = {v: sum(_words(s) for s in segs if s.speaker == v) for v in ("agent", "customer")}
    unlabelled = words - per_voice["agent"] - per_voice["customer"]
    turns = _turns(segs)
    signals: dict[str, Any] = {
        "words": words,
        "agent_words": per_voice["agent"],
        "customer_words": per_voice["customer"],
        "unlabelled_words": unlabelled,
        "turns": turns,
    }
    seconds = transcript.duration_s
    if words == 0:
        return Scorability(
            False,
            NO_SPEECH,
            conf[NO_SPEECH],
            f"No speech was found in {seconds:.1f} s of audio.",
            signals,
        )
    if words < r.min_words:
        return Scorability(
            False,
            TOO_LITTLE_SPEECH,
            conf[TOO_LITTLE_SPEECH],
            f"Only {words} word{'s' if words != 1 else ''} were spoken: too little to review.",
            signals,
        )
    voices = [v for v, n in per_voice.items() if n >= r.min_voice_words]
    if len(voices) < 2:
        if not voices and unlabelled:
            detail = (
                "Only one voice was heard (the voices could not be told apart on this mono "
                "recording): a voicemail, a recorded announcement or a speech, not a "
                "conversation."
            )
            sure = conf["one_voice_unlabelled"]
        else:
            who = voices[0] if voices else "no one"
            detail = (
                f"Only one side speaks ({who}, {words} words): a voicemail, a recorded "
                "announcement or a speech, not a conversation."
            )
            sure = conf[ONE_VOICE]
        return Scorability(False, ONE_VOICE, sure, detail, signals)
    if turns < r.min_turns:
        return Scorability(
            False,
            NO_DIALOGUE,
            conf[NO_DIALOGUE],
            f"Two voices but no back-and-forth ({turns} turns): not a conversation.",
            signals,
        )
    markers = sorted(
        {name for name in r.marker_sets for seg in segs if book.any([name], normalize(seg.text))}
    )
    signals["service_markers"] = markers
    found = _content(segs, embedder, r, signals)
    if not found.scorable and len(markers) >= r.min_markers:
        # The shape of a service call (an agent naming the company, a request about an
        # account, a hold, an offer of more help) outweighs how its small talk sounds.
        return Scorability(
            True,
            SERVICE_CONVERSATION,
            conf["service_markers"],
            f"A conversation between an agent and a customer ({', '.join(markers)}), though "
            f"only {found.signals['service_share']:.0%} of what is said sounds like service talk.",
            found.signals,
        )
    return found


def _content(
    segs: Sequence[Segment],
    embedder: Embedder | None,
    r: ScorabilityRules,
    signals: dict[str, Any],
) -> Scorability:
    texts = [s.text.strip() for s in segs if _words(s) >= r.min_utterance_words]
    if not texts:  # only short replies: judge what there is
        texts = [s.text.strip() for s in segs]
    emb = embedder or get_embedder()
    vectors = emb.encode(texts)
    to_service = vectors @ emb.encode(list(r.service)).T
    to_genres = {
        genre: vectors @ emb.encode(list(examples)).T for genre, examples in r.other.items()
    }
    best_service = to_service.max(axis=1)
    best_other = np.max([sims.max(axis=1) for sims in to_genres.values()], axis=0)
    # Each utterance votes: does it sound more like service talk than like any other talk?
    share = float(np.mean(best_service > best_other))
    service = _top_mean(to_service, r.top_k)
    genres = {genre: _top_mean(sims, r.top_k) for genre, sims in to_genres.items()}
    closest = max(genres, key=lambda g: genres[g])
    signals = {
        **signals,
        "utterances": len(texts),
        "service_share": round(share, 3),
        "service_evidence": round(service, 3),
        "other_evidence": round(genres[closest], 3),
        "closest_other": closest,
    }
    if share < r.service_share_min:
        return Scorability(
            False,
            NOT_SERVICE,
            _sure(r.service_share_min - share, r.confidence_span),
            f"Two people talk, but not as a customer being served: {share:.0%} of what is "
            f"said sounds like service talk; it sounds most like {closest}.",
            signals,
        )
    return Scorability(
        True,
        SERVICE_CONVERSATION,
        _sure(share - r.service_share_min, r.confidence_span),
        f"A conversation between an agent and a customer ({share:.0%} of what is said "
        "sounds like service talk).",
        signals,
    )
