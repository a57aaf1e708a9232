"""Operations commands: `callreview worker` and `callreview batch`."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from core.runtime import limit_threads
from core.settings import get_settings


def _when(value: str | None) -> datetime | None:
    """An ISO date or date-time; without a zone it is UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO date or date-time: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def worker(
    queues: Annotated[
        str, typer.Option(help="Queues to consume, comma-separated (GPU machines: transcribe).")
    ] = "",
    concurrency: Annotated[
        int, typer.Option(help="Worker processes; default one per CPU core.")
    ] = 0,
    name: Annotated[str, typer.Option(help="Node name; default callreview-<pid>@<host>.")] = "",
    loglevel: Annotated[str, typer.Option()] = "info",
    beat: Annotated[
        bool, typer.Option(help="Also run the nightly schedule here (on one machine only).")
    ] = False,
) -> None:
    """Run a Celery worker for the distributed mode (needs CALLREVIEW_BROKER_URL)."""
    limit_threads()  # one thread per process, before numpy loads in the pool
    settings = get_settings()
    if settings.broker_url is None:
        typer.echo("error: set CALLREVIEW_BROKER_URL (redis://… or amqp://…) first", err=True)
        raise typer.Exit(2)
    from pipeline.celery_app import app as celery_app

    consume = queues or f"{settings.queue_transcribe},{settings.queue_score}"
    argv = [
        "worker",
        f"--queues={consume}",
        f"--concurrency={concurrency or os.cpu_count() or 1}",
        f"--hostname={name or f'callreview-{os.getpid()}@%h'}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        argv.append("--beat")
    celery_app.worker_main(argv)


def batch(
    since: Annotated[str | None, typer.Option(help="Calls created at or after (ISO).")] = None,
    until: Annotated[str | None, typer.Option(help="Calls created before (ISO).")] = None,
    status: Annotated[
        str, typer.Option(help="pending (default), queued, transcribed, failed; comma-separated.")
    ] = "pending",
    agent: Annotated[str | None, typer.Option(help="Agent name or id.")] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Print the id and return.")] = False,
    timeout: Annotated[float | None, typer.Option(help="Give up waiting after N seconds.")] = None,
) -> None:
    """Enqueue the matching calls as one batch; print its id, then follow it to the end."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from core.errors import CallReviewError
    from domains.batches import service as batches
    from domains.kit.services import build_services
    from pipeline.dispatch import make_dispatcher

    limit_threads()
    svc = build_services(get_settings())
    dispatcher = make_dispatcher(svc)
    filters = batches.BatchFilters(
        since=_when(since),
        until=_when(until),
        statuses=tuple(s.strip() for s in status.split(",") if s.strip()),
        agent=agent,
    )
    try:
        created = batches.start_batch(svc, filters, trigger="cli")
        typer.echo(str(created.batch_id))
        sys.stdout.flush()
        embedded = svc.settings.broker_url is None
        if no_wait and not embedded:
            return
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            console=Console(stderr=True),
        ) as bar:
            task = bar.add_task("batch", total=max(created.total, 1), detail="")

            def show(p: batches.BatchProgress) -> None:
                busy = p.steps["transcribing"] + p.steps["scoring"]
                bar.update(
                    task,
                    completed=p.done + p.failed + p.skipped,
                    detail=f"{p.failed} failed, {busy} running",
                )

            final = batches.wait(
                svc, dispatcher, created.batch_id, timeout_s=timeout, on_progress=show
            )
    except CallReviewError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    except TimeoutError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(3) from exc
    finally:
        dispatcher.shutdown()
        svc.close()
    typer.echo(
        f"{final.state}: {final.done} scored, {final.failed} failed, {final.skipped} skipped"
        f" of {final.total}",
        err=True,
    )
    if final.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main CLI."""
    app.command()(worker)
    app.command()(batch)
