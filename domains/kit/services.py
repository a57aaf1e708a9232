"""What the steps need, built once per process from settings (API start-up, CLI, worker)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.errors import ModelUnavailable
from core.runtime import limit_threads
from core.settings import Settings
from domains.kit.jobs import Dispatcher
from domains.kit.mail import Mailer
from domains.kit.storage import LocalStorage
from domains.kit.unit_of_work import JobRelay, unit_of_work
from models.db import make_engine, make_session_factory
from models.migrate import ensure_schema, upgrade
from scoring.adjudicate import Adjudicator
from scoring.consult import ConsultPolicy
from scoring.llm import LLMConfig
from transcription import AudioLimits, TranscriptionOptions


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    storage: LocalStorage

    @cached_property
    def transcription_options(self) -> TranscriptionOptions:
        s = self.settings
        return TranscriptionOptions(
            engine=s.asr_engine,
            model=s.asr_model,
            allow_downloads=s.allow_downloads,
            device=s.asr_device,
            compute_type=s.asr_compute_type,
            cpu_threads=s.asr_cpu_threads,
            beam_size=s.asr_beam_size,
            batch_size=s.asr_batch_size,
            vad_filter=s.asr_vad,
            vad_threshold=s.asr_vad_threshold,
            language=s.asr_language,
            vocabulary=s.asr_vocabulary_list,
            channel_roles=s.channel_role_list,
            models_dir=str(s.models_dir),
            max_duration_s=s.max_audio_minutes * 60.0,
        )

    @property
    def audio_limits(self) -> AudioLimits:
        return AudioLimits(max_duration_s=self.settings.max_audio_minutes * 60.0)

    @cached_property
    def adjudicator(self) -> Adjudicator | None:
        """The model adjudicator in force (None when ``adjudicator=none``); built on first use,
        so a process that never asks never loads a model."""
        return build_adjudicator(self.settings)

    def __post_init__(self) -> None:
        # Installed with the session factory: after-commit actions run in every process,
        # jobs go to a dispatcher once one is attached.
        self.relay = JobRelay(self.session_factory)
        self.relay.mailer = Mailer(self.settings) if self.settings.smtp_host else None

    def attach_dispatcher(self, dispatcher: Dispatcher | None) -> None:
        """Jobs committed from now on go to ``dispatcher`` (None: they stay queued)."""
        self.relay.dispatcher = dispatcher

    def unit_of_work(self) -> AbstractContextManager[Session]:
        """A session committed once at the end (rolled back on an exception)."""
        return unit_of_work(self.session_factory)

    def close(self) -> None:
        self.engine.dispose()


def llm_config(settings: Settings) -> LLMConfig | None:
    """The OpenAI-compatible endpoint for `llm` criteria, when one is configured."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LLMConfig(base_url=settings.llm_base_url, model=settings.llm_model, api_key=key)


MEASURED_RELIABILITY = {"local": 0.35, "openai": 0.75}


def consult_policy(settings: Settings) -> ConsultPolicy:
    """When and how much the scorer trusts the adjudicator in force."""
    reliability = settings.adjudicator_reliability or MEASURED_RELIABILITY.get(
        settings.adjudicator, 0.5
    )
    return ConsultPolicy(
        below=settings.adjudicate_below,
        reliability=reliability,
        max_questions=settings.adjudicator_max_questions,
    )


def build_adjudicator(settings: Settings) -> Adjudicator | None:
    """The adjudicator ``settings`` ask for, once per process for the same settings (the local
    model is loaded once; the HTTP client keeps its connections). Raises
    :class:`ModelUnavailable` with what to do when it cannot be built."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return _adjudicator(
        settings.adjudicator,
        str(settings.llm_model_path) if settings.llm_model_path else None,
        str(settings.models_dir),
        settings.llm_threads,
        settings.llm_context_tokens,
        settings.llm_base_url,
        settings.llm_model,
        key,
        settings.llm_timeout_s,
    )


@lru_cache(maxsize=4)
def _adjudicator(
    kind: str,
    model_path: str | None,
    models_dir: str,
    threads: int,
    context_tokens: int,
    base_url: str | None,
    model: str | None,
    api_key: str | None,
    timeout_s: float,
) -> Adjudicator | None:
    from scoring.adjudicate import ModelAdjudicator
    from scoring.chat import OpenAICompatibleChat, load_llama_cpp
    from scoring.gguf import resolve_gguf

    if kind == "none":
        return None
    if kind == "local":
        path = resolve_gguf(model_path, models_dir)
        return ModelAdjudicator(load_llama_cpp(str(path), threads, context_tokens))
    if kind == "openai":
        if not (base_url and model):
            raise ModelUnavailable(
                "CALLREVIEW_ADJUDICATOR=openai needs CALLREVIEW_LLM_BASE_URL (up to /v1) and "
                "CALLREVIEW_LLM_MODEL"
            )
        chat = OpenAICompatibleChat(base_url, model, api_key=api_key, timeout_s=timeout_s)
        return ModelAdjudicator(chat)
    raise ModelUnavailable(f"unknown adjudicator {kind!r} (none, local or openai)")


def build_services(settings: Settings, *, migrate: bool = False) -> Services:
    """Engines and storage for ``settings``. ``migrate`` upgrades the schema (tests and
    `callreview db upgrade`); otherwise an up-to-date schema is only checked (cheap), a new
    SQLite file is created, and a database behind the code is refused with the command to run."""
    if settings.database_url.startswith("sqlite:///"):
        db_path = settings.database_url.removeprefix("sqlite:///")
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.database_url)
    else:
        ensure_schema(settings.database_url)
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
    )
    return Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        storage=LocalStorage(settings.storage_dir),
    )


__all__ = [
    "Services",
    "build_adjudicator",
    "build_services",
    "consult_policy",
    "limit_threads",
]


def services_from_environment() -> Services:
    """What a command-line process builds: settings from the environment, one thread per
    process (measured faster here than the default pool)."""
    from core.settings import get_settings

    limit_threads()
    return build_services(get_settings())
