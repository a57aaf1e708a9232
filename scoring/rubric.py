"""The rubric format (versioned YAML -> pydantic v2 models) and its loader.

Every validation error names the field path and the YAML line, e.g.
``sections[0].criteria[2].evaluator.type: unknown evaluator 'magic' (line 31)``.
"""

from __future__ import annotations

import itertools
import string
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.errors import RubricError
from core.yamlsafe import YamlTooLarge, safe_load
from scoring.cues import DEFAULT_LIBRARY, CueBook, book_for, check_pattern, load_library

SpeakerSel = Literal["agent", "customer", "any"]


def _check_sets(v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    """Names must be cue sets of the rubric being parsed (its own and its library's). The
    names come in the validation context; a stored rubric, checked when it was imported, is
    re-read without one."""
    known = (info.context or {}).get("cue_names")
    if known is None:
        return v
    for name in v:
        if name not in known:
            raise ValueError(f"unknown cue set {name!r} (known: {', '.join(sorted(known))})")
    return v


def _valid_regexes(v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    """Import times each pattern on hostile text. A stored rubric (re-read without a context)
    passed that check when it was imported; timing it again on every load would fail a good
    rubric on a busy worker, where the clock runs while the thread waits for a core."""
    if info.context is None:
        return v
    for pattern in v:
        check_pattern(pattern)
    return v


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Detector(_Model):
    """What to look for in a turn: regex cues (named sets and inline patterns/phrases) and
    sentence-embedding exemplars. A clause matches on a non-negated cue, or when its best cosine
    to ``positives`` reaches ``threshold`` and beats the best cosine to ``negatives`` by
    ``margin``. A veto anywhere in the turn cancels it."""

    positives: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    cue_sets: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    veto_sets: tuple[str, ...] = ()
    vetoes: tuple[str, ...] = ()
    threshold: float = Field(default=0.62, ge=0.0, le=1.0)
    margin: float = Field(default=0.04, ge=-1.0, le=1.0)
    # Ignore cue hits (and embedding hits) preceded by "not", "can't", "never", ...
    negation_sensitive: bool = True

    @field_validator("cue_sets", "veto_sets")
    @classmethod
    def _known_sets(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _check_sets(v, info)

    @field_validator("cues", "vetoes")
    @classmethod
    def _regexes(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _valid_regexes(v, info)

    @property
    def uses_embeddings(self) -> bool:
        return bool(self.positives)


class Window(_Model):
    """Which turns are judged. Time limits are seconds from the first speech of the call
    (``first_s``) or back from the last (``last_s``); ``first_turns``/``last_turns`` count the
    speaker's own turns. A turn is kept when it meets any limit given (none given: all turns);
    ``min_position`` (0..1 of the call) then drops turns that start earlier."""

    speaker: SpeakerSel = "agent"
    first_s: float | None = Field(default=None, gt=0)
    last_s: float | None = Field(default=None, gt=0)
    first_turns: int | None = Field(default=None, ge=1)
    last_turns: int | None = Field(default=None, ge=1)
    min_position: float = Field(default=0.0, ge=0.0, lt=1.0)
    # Which judged turns a failed "require" cites when nothing matched: the first ones or the
    # last ones (a missing resolution is best shown by how the agent ended the call).
    cite: Literal["first", "last"] | None = None


class Trigger(_Model):
    """A condition on the call; without it the criterion is N/A. Judged turns are limited to
    those after the first trigger turn."""

    window: Window = Window(speaker="customer")
    detect: Detector


class Response(_Model):
    """The other party must answer a matched turn (e.g. the customer gives the date of birth)."""

    speaker: SpeakerSel = "customer"
    within_s: float = Field(default=30.0, gt=0)
    min_words: int = Field(default=1, ge=1)
    refusal: Detector | None = None


class Step(_Model):
    """One event of a sequence: what to detect, in which turns."""

    window: Window = Window(speaker="any")
    detect: Detector


class SemanticEvaluator(_Model):
    type: Literal["semantic"]
    window: Window = Window()
    detect: Detector
    mode: Literal["require", "forbid"] = "require"
    trigger: Trigger | None = None
    response: Response | None = None
    # Other ways to pass, each judged in its own turns (a closing passes on an offer of help
    # in the last turns, or on a plain "thank you, bye" as the agent's very last words).
    alternatives: tuple[Step, ...] = ()


class LexicalEvaluator(_Model):
    type: Literal["lexical"]
    window: Window = Window()
    detect: Detector
    mode: Literal["require", "forbid"] = "forbid"

    @model_validator(mode="after")
    def _no_exemplars(self) -> LexicalEvaluator:
        if self.detect.positives or self.detect.negatives:
            raise ValueError("a lexical evaluator takes cues and phrases, not exemplars")
        return self


class HoldCues(_Model):
    announce: Detector = Detector(cue_sets=("hold_announce",))
    # "Is that all right?" after the announcement asks leave for the hold; it does not end it.
    permission: Detector = Detector(cue_sets=("hold_permission",), negation_sensitive=False)
    speakers: tuple[SpeakerSel, ...] = ("agent",)
    within_s: float = Field(default=25.0, gt=0)


class TimingEvaluator(_Model):
    type: Literal["timing"]
    metric: Literal["silence", "overtalk", "duration"] = "silence"
    threshold_s: float = Field(default=10.0, gt=0)
    # silence: gaps announced as holds do not count
    hold: HoldCues = HoldCues()
    max_events: int = Field(default=0, ge=0)  # fail when more than this many events


class HoldEvaluator(_Model):
    type: Literal["hold"]
    announce: Detector = Detector(cue_sets=("hold_announce",))
    thanks: Detector = Detector(cue_sets=("hold_thanks",))
    permission: Detector = Detector(cue_sets=("hold_permission",), negation_sensitive=False)
    min_gap_s: float = Field(default=4.0, gt=0)
    announce_within_s: float = Field(default=25.0, gt=0)
    return_turns: int = Field(default=2, ge=1)
    return_within_s: float = Field(default=20.0, gt=0)


class SequenceEvaluator(_Model):
    """``first`` must happen before ``then`` (verification before account details). When
    ``then`` never happens the criterion is ``if_then_absent`` (N/A by default)."""

    type: Literal["sequence"]
    first: Step
    then: Step
    if_then_absent: Literal["na", "pass", "fail"] = "na"


class SentimentEvaluator(_Model):
    """The ``speaker``'s sentiment trajectory: a lexicon model (VADER) combined with the
    project's cue sets (``negative_sets`` force a turn negative, because the lexicon misses
    unhappy closings and scores sarcasm positive). Fails when the end of the call is below
    ``end_below`` or fell from the start by more than ``max_drop``; N/A with fewer than
    ``min_turns`` turns."""

    type: Literal["sentiment"]
    speaker: SpeakerSel = "customer"
    edge_turns: int = Field(default=2, ge=1)
    end_below: float = Field(default=-0.05, ge=-1.0, le=1.0)
    max_drop: float = Field(default=0.5, gt=0.0, le=2.0)
    min_turns: int = Field(default=2, ge=1)
    negative_sets: tuple[str, ...] = ("frustration", "dissatisfaction", "sarcasm")
    veto_sets: tuple[str, ...] = ("frustration_veto",)

    @field_validator("negative_sets", "veto_sets")
    @classmethod
    def _known_sets(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _check_sets(v, info)


class AccountWork(_Model):
    """What makes identity verification applicable: the agent reads out or changes account
    data (``agent``), or the customer asks for something that needs the account
    (``request``)."""

    agent: Detector = Detector(cue_sets=("account_disclosure", "account_change"))
    request: Detector = Detector(cue_sets=("account_request",), negation_sensitive=False)


class VerificationEvaluator(_Model):
    """A verification exchange before account work: the agent asks for a factor that verifies
    whatever the framing (``ask``: date of birth, PIN, security question, last digits), or for
    any detail framed as verification (``framing_sets`` with ``detail_sets``: "for security,
    what's the address on file?"), and the customer answers (``answer``). A detail collected
    for the task (``slot_sets``: "what address should we send it to?") is not verification.
    N/A when the call needed no account work."""

    type: Literal["verification"]
    ask: Detector
    framing_sets: tuple[str, ...] = ("verification_framing",)
    detail_sets: tuple[str, ...] = ("contact_factor",)
    slot_sets: tuple[str, ...] = ("task_slot",)
    answer: Response = Response()
    account_work: AccountWork = AccountWork()
    # The exchange must start before the first account work the agent does.
    before_account_work: bool = True

    @field_validator("framing_sets", "detail_sets", "slot_sets")
    @classmethod
    def _known_sets(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _check_sets(v, info)


class ResolutionEvaluator(_Model):
    """The customer's request answered: after the first request (``request``, customer), the
    agent confirms an action or states next steps (``outcome``), or gives the information
    asked for — a statement (not a question, not a read-back of what the customer just said)
    carrying a value (``value_sets``: an amount, a time, a date) with ``information_sets``
    wording ("your balance is", "the hours are")."""

    type: Literal["resolution"]
    outcome: Detector
    request: Detector = Detector(cue_sets=("customer_request",), negation_sensitive=False)
    information_sets: tuple[str, ...] = ("information_given",)
    value_sets: tuple[str, ...] = ("spoken_value",)
    # Information given resolves only a request for information (``information_request``).
    information_request_sets: tuple[str, ...] = ("information_request",)
    # Customer wording that asks for a value to be used; a confirmation must not contradict it.
    value_request_sets: tuple[str, ...] = ("value_request",)
    # A later request in the same call ("oh, and while I've got you…"): each must be answered.
    additional_request_sets: tuple[str, ...] = ("additional_request",)
    # Answers without a value: an explanation ("that's because…"), or the steps ("go to…").
    answer_sets: tuple[str, ...] = ("explanation",)
    instruction_sets: tuple[str, ...] = ("instruction",)
    # "I'm not really sure" answers nothing.
    non_answer_sets: tuple[str, ...] = ("non_answer",)
    # Topics that make an answer relevant without a shared word (a rate for "how much").
    topic_sets: tuple[str, ...] = ("money_topic", "time_topic")
    # Answers to verification questions carry no value the customer asked for.
    verification_sets: tuple[str, ...] = ("verification_factor", "verification_framing")
    # Agent questions whose answer is a value the customer asks for.
    slot_question_sets: tuple[str, ...] = ("task_slot", "value_request")
    # An agent clause whose content words are mostly the customer's last words is a read-back.
    echo_overlap: float = Field(default=0.75, gt=0.0, le=1.0)

    @field_validator(
        "information_sets",
        "value_sets",
        "information_request_sets",
        "value_request_sets",
        "additional_request_sets",
        "answer_sets",
        "instruction_sets",
        "non_answer_sets",
        "topic_sets",
        "verification_sets",
        "slot_question_sets",
    )
    @classmethod
    def _known_sets(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _check_sets(v, info)


RuleEvaluator = Annotated[
    SemanticEvaluator
    | LexicalEvaluator
    | TimingEvaluator
    | HoldEvaluator
    | SentimentEvaluator
    | SequenceEvaluator
    | VerificationEvaluator
    | ResolutionEvaluator,
    Field(discriminator="type"),
]


class LLMEvaluator(_Model):
    """Ask an OpenAI-compatible chat endpoint (configured by the caller, never by the rubric)
    for a JSON verdict with quoted evidence. A quote not found in the transcript (normalised,
    fuzzy ratio >= ``min_match``) discards the verdict; then, and whenever no endpoint is
    configured or it fails after ``retries``, the ``fallback`` evaluator judges."""

    type: Literal["llm"]
    instructions: str = ""
    window: Window = Window(speaker="any")
    fallback: RuleEvaluator
    timeout_s: float = Field(default=20.0, gt=0)
    retries: int = Field(default=2, ge=0, le=5)
    max_tokens: int = Field(default=400, ge=16)
    min_match: float = Field(default=0.85, gt=0.0, le=1.0)
    max_confidence: float = Field(default=0.85, gt=0.0, le=1.0)


class QuestionEvaluator(_Model):
    """A criterion written only as a plain-language question (and guidance). A model judges it
    when one is configured (the turns closest in meaning to the question as the excerpt);
    otherwise the question itself (and as a statement), the label and any ``positives`` are the
    exemplars: the turn of ``window.speaker`` closest in meaning passes when it stands out —
    with a confidence low enough that a human confirms it."""

    type: Literal["question"] = "question"
    window: Window = Window(speaker="agent")
    positives: tuple[str, ...] = ()
    # The closest turn passes when it reaches ``threshold`` and stands ``margin`` above the
    # call's typical turn.
    threshold: float = Field(default=0.25, ge=0.0, le=1.0)
    margin: float = Field(default=0.12, ge=0.0, le=1.0)
    # Turns the model sees: those closest in meaning to the question, in call order.
    excerpt_turns: int = Field(default=12, ge=2, le=40)


Evaluator = Annotated[
    SemanticEvaluator
    | LexicalEvaluator
    | TimingEvaluator
    | HoldEvaluator
    | SentimentEvaluator
    | SequenceEvaluator
    | VerificationEvaluator
    | ResolutionEvaluator
    | LLMEvaluator
    | QuestionEvaluator,
    Field(discriminator="type"),
]
EVALUATOR_TYPES = (
    "semantic",
    "lexical",
    "timing",
    "hold",
    "sentiment",
    "sequence",
    "verification",
    "resolution",
    "llm",
    "question",
)


def _can_be_na(ev: Any) -> bool:
    if isinstance(ev, (HoldEvaluator, SentimentEvaluator, VerificationEvaluator)):
        return True
    if isinstance(ev, SemanticEvaluator):
        return ev.trigger is not None
    if isinstance(ev, SequenceEvaluator):
        return ev.if_then_absent == "na"
    if isinstance(ev, LLMEvaluator):
        return _can_be_na(ev.fallback)
    return False


class ScaleLevel(_Model):
    value: float
    label: str = Field(min_length=1)

    @field_validator("label", mode="before")
    @classmethod
    def _yaml_booleans(cls, v: object) -> object:
        # YAML 1.1 reads an unquoted yes/no/on/off as a boolean
        return {True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v


class NaRule(_Model):
    """One condition that makes a criterion N/A: a detection that is present, one that is
    absent, or a call shorter than some seconds. ``reason`` goes into the rationale."""

    if_present: Step | None = None
    if_absent: Step | None = None
    if_shorter_than_s: float | None = Field(default=None, gt=0)
    # A transcript file with no recording: times are someone else's segmentation, not audio.
    if_no_audio: bool | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _exactly_one(self) -> NaRule:
        given = [self.if_present, self.if_absent, self.if_shorter_than_s, self.if_no_audio]
        if sum(x is not None for x in given) != 1:
            raise ValueError(
                "give exactly one of if_present, if_absent, if_shorter_than_s, if_no_audio"
            )
        return self


_PLACEHOLDERS = ("t", "q", "d", "name", "rationale")


class CoachingText(_Model):
    """What coaching says about a criterion, as rubric data (templates take {t} the time,
    {q} the quoted words, {d} a duration in seconds, {name} the criterion's label and
    {rationale} the verdict's reason). Empty: a generic text built from the label."""

    strength: str = ""  # praise for a passed criterion
    improvement: str = ""  # the next step for a failed one
    tip: str = ""  # one practical tip in a coaching draft
    task: str = ""  # a practice task in a coaching draft
    # Whose words a strength or an improvement quotes ("customer": what they said).
    strength_quote: SpeakerSel = "agent"
    improvement_quote: SpeakerSel = "any"

    @field_validator("strength", "improvement", "tip", "task")
    @classmethod
    def _placeholders(cls, v: str) -> str:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(v) if f is not None]
        except ValueError as exc:
            raise ValueError(f"invalid template: {exc}") from None
        unknown = [f for f in fields if f not in _PLACEHOLDERS]
        if unknown:
            allowed = ", ".join("{" + p + "}" for p in _PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{unknown[0]}}} (allowed: {allowed})")
        return v


class Criterion(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str
    points: float = Field(gt=0)
    critical: bool = False
    # Bonus: earned points add to the score, the points never count toward the total.
    bonus: bool = False
    na_allowed: bool = False
    na_when: str = ""
    na_rules: tuple[NaRule, ...] = ()
    # Guidance for human reviewers (shown next to the verdict; not used by evaluators).
    guidance: str = ""
    # A short noun phrase for rationales ("a greeting that names the agent or the company").
    label: str = ""
    # An answer scale beyond pass/fail: points are proportional to the level; the verdict is
    # pass from ``pass_at`` up. A rule evaluator's pass gives the top level, a fail the lowest.
    scale: tuple[ScaleLevel, ...] | None = None
    pass_at: float | None = None
    # None: judged from the question and guidance alone (a ``question`` evaluator).
    evaluator: Evaluator = QuestionEvaluator()
    coaching: CoachingText = CoachingText()

    @field_validator("bonus")
    @classmethod
    def _bonus_not_critical(cls, v: bool, info: ValidationInfo) -> bool:
        if v and info.data.get("critical"):
            raise ValueError("a bonus criterion cannot also be critical")
        return v

    @field_validator("scale")
    @classmethod
    def _scale_levels(cls, v: tuple[ScaleLevel, ...] | None) -> tuple[ScaleLevel, ...] | None:
        if v is None:
            return v
        values = [lv.value for lv in v]
        if len(values) < 2:
            raise ValueError("a scale needs at least two levels")
        if any(b <= a for a, b in itertools.pairwise(values)):
            raise ValueError("scale values must be unique and ascending")
        return v

    @field_validator("pass_at")
    @classmethod
    def _pass_at_on_scale(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is None or "scale" not in info.data:  # no value, or the scale itself was invalid
            return v
        scale = info.data["scale"]
        if not scale:
            raise ValueError("pass_at needs a scale")
        values = [lv.value for lv in scale]
        if v not in values:
            raise ValueError(f"pass_at must be one of the scale values {values}")
        if v == values[0]:
            raise ValueError("pass_at cannot be the lowest level (nothing could fail)")
        return v

    @property
    def can_be_na(self) -> bool:
        return bool(self.na_rules) or _can_be_na(self.evaluator)

    @property
    def scale_min(self) -> float:
        return self.scale[0].value if self.scale else 0.0

    @property
    def scale_max(self) -> float:
        return self.scale[-1].value if self.scale else 1.0

    def scale_label(self, value: float) -> str:
        for lv in self.scale or ():
            if lv.value == value:
                return lv.label
        return ""

    def level_verdict(self, value: float) -> Literal["pass", "fail"]:
        """pass from ``pass_at`` up (scale criteria)."""
        threshold = self.pass_at if self.pass_at is not None else self.scale_max
        return "pass" if value >= threshold else "fail"

    def points_for(self, verdict: str, max_points: float, scale_value: float | None) -> float:
        """Points earned for a verdict: all or nothing, or proportional to the scale level."""
        if verdict == "na":
            return 0.0
        if self.scale and scale_value is not None:
            lo, hi = self.scale_min, self.scale_max
            frac = (min(max(scale_value, lo), hi) - lo) / (hi - lo)
            return round(max_points * frac, 2)
        return max_points if verdict == "pass" else 0.0

    @model_validator(mode="after")
    def _na_consistent(self) -> Criterion:
        if self.can_be_na and not self.na_allowed:
            raise ValueError("this evaluator can return N/A; set na_allowed: true")
        if self.scale and self.pass_at is None:
            raise ValueError("a criterion with a scale needs pass_at (the lowest passing level)")
        return self


class Section(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    weight: float = Field(default=1.0, gt=0)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class CueSet(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    patterns: tuple[str, ...]

    @field_validator("patterns")
    @classmethod
    def _regexes(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _valid_regexes(v, info)


class Confusion(_Model):
    """A phrase the recogniser writes (``heard``) for one that was said (``meant``); undone on
    normalised text before any cue is matched."""

    heard: str = Field(min_length=1)
    meant: str


class MomentRules(_Model):
    """Thresholds of the flagged moments that no criterion owns. The rest follow the verdicts:
    dead air and holds are the rubric's silence and hold criteria's own findings, prohibited
    phrases its "forbid" criterion's evidence; ``dead_air_s`` and ``prohibited_sets`` apply
    only to a rubric that has no such criterion."""

    dead_air_s: float = Field(default=10.0, gt=0)
    long_hold_s: float = Field(default=60.0, gt=0)
    very_long_hold_s: float = Field(default=120.0, gt=0)
    overtalk_s: float = Field(default=1.0, gt=0)
    sentiment_drop: float = Field(default=0.6, gt=0, le=2.0)
    escalation_sets: tuple[str, ...] = ("escalation",)
    prohibited_sets: tuple[str, ...] = ("prohibited", "profanity")

    @field_validator("escalation_sets", "prohibited_sets")
    @classmethod
    def _known_sets(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _check_sets(v, info)


def _cue_items(raw: object) -> list[dict[str, Any]]:
    """Cue sets as YAML writes them (``{name: [patterns]}``) or as stored (a list of sets)."""
    if raw is None:
        return []
    if isinstance(raw, dict):
        return [{"name": k, "patterns": v} for k, v in raw.items()]
    if isinstance(raw, (list, tuple)):
        return [dict(x) if isinstance(x, dict) else x for x in raw]
    raise ValueError("cues: a mapping of cue-set name to a list of patterns")


class Rubric(_Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = Field(ge=1)
    title: str
    description: str = ""
    # The built-in cue library merged under the rubric's own ``cues`` (which win by name).
    cue_library: str = DEFAULT_LIBRARY
    cues: tuple[CueSet, ...] = ()
    asr_confusions: tuple[Confusion, ...] = ()
    # Company, product and agent names of this deployment ("Big Jim's Auto"), given to the
    # recognizer as hotwords for calls transcribed under this rubric (with the settings' own).
    vocabulary: tuple[Annotated[str, Field(min_length=1, max_length=80)], ...] = Field(
        default=(), max_length=50
    )
    moments: MomentRules = MomentRules()
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _merge_library(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        library = load_library(str(data.get("cue_library") or DEFAULT_LIBRARY))
        own = _cue_items(data.get("cues"))
        own_names = {x.get("name") for x in own if isinstance(x, dict)}
        merged = [{"name": k, "patterns": v} for k, v in library["cues"].items()]
        data["cues"] = [x for x in merged if x["name"] not in own_names] + own
        confusions = [*library["asr_confusions"], *(data.get("asr_confusions") or [])]
        unique: dict[str, Any] = {}
        for c in confusions:
            key = c.get("heard") if isinstance(c, dict) else getattr(c, "heard", None)
            unique[str(key)] = c
        data["asr_confusions"] = list(unique.values())
        return data

    @property
    def criteria(self) -> tuple[tuple[Section, Criterion], ...]:
        return tuple((s, c) for s in self.sections for c in s.criteria)

    @property
    def book(self) -> CueBook:
        """The rubric's cue sets, compiled (cached per content)."""
        return book_for(
            tuple((c.name, c.patterns) for c in self.cues),
            tuple((c.heard, c.meant) for c in self.asr_confusions),
        )


def cue_names(data: dict[str, Any]) -> set[str]:
    """Every cue-set name a rubric document may reference: its library's and its own."""
    library = load_library(str(data.get("cue_library") or DEFAULT_LIBRARY))
    own = {x.get("name") for x in _cue_items(data.get("cues")) if isinstance(x, dict)}
    return set(library["cues"]) | {str(n) for n in own}


# ----------------------------------------------------------------------------------- loading
def _fmt_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _locate(root: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], int]:
    """Walk the composed YAML along a pydantic error location; return the location without
    discriminator tags and the 1-based line of the deepest node reached."""
    node = root
    line = (root.start_mark.line + 1) if root is not None else 1
    clean: list[Any] = []
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = None
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    found = (key, value)
                    break
            if found is None:
                type_values = [
                    v.value
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode)
                    and k.value == "type"
                    and isinstance(v, yaml.ScalarNode)
                ]
                if part in type_values:  # a pydantic discriminator tag, not a field
                    continue
                clean.append(part)
                node = None
                continue
            clean.append(part)
            line = found[0].start_mark.line + 1
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            clean.append(part)
            if 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                node = None
        else:
            clean.append(part)
            node = None
    return tuple(clean), line


def _message(err: Any, root: yaml.Node | None) -> str:
    loc, line = _locate(root, tuple(err["loc"]))
    kind = err["type"]
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag", "?")
        loc, line = _locate(root, (*tuple(err["loc"]), "type"))
        loc = loc[:-1]
        return f"{_fmt_path((*loc, 'type'))}: unknown evaluator {tag!r} (line {line})"
    if kind == "union_tag_not_found":
        return f"{_fmt_path((*loc, 'type'))}: field required (line {line})"
    if kind == "missing":
        msg = "field required"
    elif kind == "extra_forbidden":
        msg = "unknown field"
    else:
        msg = str(err["msg"])
        msg = msg.removeprefix("Value error, ")
        msg = msg[:1].lower() + msg[1:]
    path = _fmt_path(loc) or "(document)"
    return f"{path}: {msg} (line {line})"


def parse_rubric(text: str, *, source: str = "<rubric>") -> Rubric:
    try:
        data = safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except YamlTooLarge as exc:
        raise RubricError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError(f"{source}: invalid YAML: {problem}{where}") from None
    if not isinstance(data, dict):
        raise RubricError(f"{source}: a rubric is a YAML mapping with name, version, sections")
    try:
        names = cue_names(data)
    except (ValueError, RubricError) as exc:
        raise RubricError(f"{source}: {exc}") from None
    try:
        rubric = Rubric.model_validate(data, context={"cue_names": names})
    except ValidationError as exc:
        errors = exc.errors()
        locs = [tuple(e["loc"]) for e in errors]
        # pydantic also reports "too short" for a list whose items failed: drop that echo.
        errors = [
            e
            for e in errors
            if not (
                e["type"] == "too_short"
                and any(
                    len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locs
                )
            )
        ]
        msgs = [_message(e, root) for e in errors]
        raise RubricError("; ".join(msgs)) from None
    seen: dict[str, str] = {}
    for si, section in enumerate(rubric.sections):
        for ci, crit in enumerate(section.criteria):
            loc = ("sections", si, "criteria", ci, "id")
            _, line = _locate(root, loc)
            if crit.id in seen:
                raise RubricError(
                    f"{_fmt_path(loc)}: duplicate criterion id {crit.id!r}, first at "
                    f"{seen[crit.id]} (line {line})"
                )
            seen[crit.id] = _fmt_path(loc)
    return rubric


def load_rubric(source: str | Path) -> Rubric:
    """Load a rubric from a file path or from YAML text."""
    if isinstance(source, Path):
        return _load_file(source)
    if "\n" not in source and (source.endswith((".yaml", ".yml")) or Path(source).is_file()):
        return _load_file(Path(source))
    return parse_rubric(source)


def _load_file(path: Path) -> Rubric:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(f"rubric file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"cannot read rubric {path}: {exc}") from None
    return parse_rubric(text, source=str(path))


def builtin_rubrics() -> dict[str, Path]:
    """Rubrics shipped with the package, by name (file stem)."""
    folder = resources.files("scoring") / "rubrics"
    out: dict[str, Path] = {}
    for entry in folder.iterdir():
        if entry.name.endswith((".yaml", ".yml")):
            out[entry.name.rsplit(".", 1)[0]] = Path(str(entry))
    return dict(sorted(out.items()))


DEFAULT_RUBRIC = "contact-center-default"


@lru_cache(maxsize=8)
def _builtin(name: str) -> Rubric:
    return _load_file(builtin_rubrics()[name])


def default_rubric() -> Rubric:
    return _builtin(DEFAULT_RUBRIC)


def resolve_rubric(name_or_path: str | Path) -> Rubric:
    """A built-in rubric by name, or a rubric file."""
    if isinstance(name_or_path, str) and name_or_path in builtin_rubrics():
        return _builtin(name_or_path)
    path = Path(name_or_path)
    if path.is_file():
        return _load_file(path)
    known = ", ".join(builtin_rubrics())
    raise RubricError(f"no rubric named {str(name_or_path)!r} (built in: {known}) and no such file")
