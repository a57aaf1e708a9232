"""What the steps need, built once per process from settings (API start-up, CLI, worker)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.runtime import limit_threads
from core.settings import Settings
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from pipeline.storage import LocalStorage
from scoring.llm import LLMConfig
from transcription import TranscriptionOptions


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
            vad_filter=s.asr_vad,
            channel_roles=s.channel_role_list,
            models_dir=str(s.models_dir),
        )

    def close(self) -> None:
        self.engine.dispose()


def llm_config(settings: Settings) -> LLMConfig | None:
    """The OpenAI-compatible endpoint for `llm` criteria, when one is configured."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LLMConfig(base_url=settings.llm_base_url, model=settings.llm_model, api_key=key)


def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    if settings.database_url.startswith("sqlite:///"):
        db_path = settings.database_url.removeprefix("sqlite:///")
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        storage=LocalStorage(settings.storage_dir),
    )


__all__ = ["Services", "build_services", "limit_threads"]
