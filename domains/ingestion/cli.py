"""`callreview ingest …`: add sources, poll one now, map agents, and see where each stands."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer

from core.errors import CallReviewError


def _fail(exc: CallReviewError) -> typer.Exit:
    typer.echo(f"error: {exc.message}", err=True)
    return typer.Exit(1)


def add(
    name: Annotated[str, typer.Argument(help="The source's name (also its webhook path).")],
    kind: Annotated[str, typer.Option(help="folder, s3 or webhook.")],
    settings: Annotated[
        str, typer.Option(help='Kind-specific settings as JSON, e.g. \'{"path": "/mnt/calls"}\'.')
    ] = "{}",
    retention: Annotated[str, typer.Option(help="keep or delete the original.")] = "keep",
    secret: Annotated[
        str | None, typer.Option(help="The webhook's HMAC secret (default: a random one).")
    ] = None,
) -> None:
    """Add an ingestion source; a webhook's secret is printed once, last."""
    from pydantic import ValidationError

    from domains.ingestion import service
    from domains.ingestion.schemas import SourceIn
    from domains.kit.services import services_from_environment

    try:
        data = SourceIn(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            settings=json.loads(settings),
            retention=retention,  # type: ignore[arg-type]
            hmac_secret=secret,
        )
    except (ValueError, ValidationError) as exc:
        typer.echo(f"error: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2) from exc
    svc = services_from_environment()
    try:
        with svc.unit_of_work() as s:
            src = service.create_source(s, data, actor_id=None)
            shown = src.hmac_secret if src.kind.value == "webhook" else None
        typer.echo(f"source {name} ({kind}) added")
        if shown:
            typer.echo(shown)
    except CallReviewError as exc:
        raise _fail(exc) from exc
    finally:
        svc.close()


def run(
    source: Annotated[str, typer.Argument(help="The folder or bucket source to poll now.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Poll one source now: every object it holds that is not recorded yet. Exit 1 when the
    source could not be reached (the next run resumes from its position)."""
    from domains.ingestion import service
    from domains.kit.services import services_from_environment

    svc = services_from_environment()
    try:
        report = service.run_source(svc, source)
    except CallReviewError as exc:
        raise _fail(exc) from exc
    finally:
        svc.close()
    if as_json:
        typer.echo(json.dumps(report.__dict__, indent=2))
    else:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(report.counts.items())) or "nothing new"
        typer.echo(f"{source}: {report.seen} seen; {counts}")
        if report.error:
            typer.echo(f"error: {report.error}", err=True)
    if report.error:
        raise typer.Exit(1)


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the sources as JSON.")] = False,
) -> None:
    """Every source: kind, counts by status, last run, last error, position."""
    from domains.ingestion import service
    from domains.kit.services import services_from_environment

    svc = services_from_environment()
    try:
        with svc.session_factory() as s:
            rows: list[dict[str, Any]] = [
                {
                    "name": src.name,
                    "kind": src.kind.value,
                    "enabled": src.enabled,
                    "retention": src.retention.value,
                    "counts": counts,
                    "last_run_at": src.last_run_at.isoformat() if src.last_run_at else None,
                    "last_error": src.last_error,
                    "position": src.position,
                }
                for src, counts in service.list_sources(s)
            ]
    finally:
        svc.close()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no sources (add one with `callreview ingest add`)")
    for r in rows:
        c = r["counts"]
        typer.echo(
            f"{r['name']} ({r['kind']}{'' if r['enabled'] else ', disabled'}): "
            f"{c['ingested']} ingested, {c['duplicate']} duplicate, {c['unassigned']} unassigned, "
            f"{c['quarantined']} quarantined; last run {r['last_run_at'] or 'never'}"
            + (f"; error: {r['last_error']}" if r["last_error"] else "")
        )


def map_agent(
    source: Annotated[str, typer.Argument(help="The source whose reference this is.")],
    ref_kind: Annotated[str, typer.Argument(help="external_id, email or name.")],
    ref: Annotated[str, typer.Argument(help="The source's reference for the agent.")],
    agent: Annotated[str, typer.Argument(help="The agent: id, name or e-mail.")],
) -> None:
    """Map a source's agent reference to an agent; held calls it names are released."""
    from sqlalchemy import or_, select

    from domains.ingestion import service
    from domains.ingestion.schemas import MappingIn
    from domains.kit.services import services_from_environment
    from models.accounts import User

    svc = services_from_environment()
    try:
        with svc.unit_of_work() as s:
            try:
                who = s.get(User, uuid.UUID(agent))
            except ValueError:
                who = s.scalar(select(User).where(or_(User.name == agent, User.email == agent)))
            if who is None:
                typer.echo(f"error: no agent {agent!r}", err=True)
                raise typer.Exit(2)
            if ref_kind not in ("external_id", "email", "name"):
                typer.echo("error: the reference kind is external_id, email or name", err=True)
                raise typer.Exit(2)
            src = service.get_source(s, source)
            data = MappingIn(ref_kind=ref_kind, ref=ref, agent_id=who.id)  # type: ignore[arg-type]
            released = service.map_agent(svc, s, src, data, actor_id=None)
        typer.echo(f"{ref_kind} {ref!r} → {who.name}; {released} held call(s) released")
    except CallReviewError as exc:
        raise _fail(exc) from exc
    finally:
        svc.close()


def register(app: typer.Typer) -> None:
    ingest_app = typer.Typer(no_args_is_help=True, help="Bring recordings in from sources.")
    ingest_app.command("add")(add)
    ingest_app.command("run")(run)
    ingest_app.command("status")(status)
    ingest_app.command("map")(map_agent)
    app.add_typer(ingest_app, name="ingest")
