"""`callreview coaching …`: build draft sessions from the command line (or a nightly cron)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from core.errors import CallReviewError


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _find_user(session: Any, ref: str) -> Any:
    from sqlalchemy import or_, select

    from models.accounts import User

    try:
        return session.get(User, uuid.UUID(ref))
    except ValueError:
        return session.scalar(select(User).where(or_(User.name == ref, User.email == ref)))


def draft(
    agent: Annotated[str, typer.Option(help="The agent: id, name or e-mail.")],
    since: Annotated[
        str | None, typer.Option(help="First day of the period (default: 28 days ago).")
    ] = None,
    coach: Annotated[
        str | None, typer.Option(help="The coach (default: the agent's team supervisor).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
) -> None:
    """Build a draft coaching session from the agent's scored calls; prints its id last."""
    from domains.coaching import service as coaching
    from domains.kit.services import services_from_environment as _services

    svc = _services()
    try:
        with svc.unit_of_work() as session:
            who = _find_user(session, agent)
            if who is None:
                typer.echo(f"error: no agent {agent!r}", err=True)
                raise typer.Exit(2)
            boss = _find_user(session, coach) if coach else None
            if coach and boss is None:
                typer.echo(f"error: no coach {coach!r}", err=True)
                raise typer.Exit(2)
            try:
                cs = coaching.create_draft(
                    session,
                    agent=who,
                    by=None,
                    since=_parse_since(since),
                    coach=boss,
                    polish_with=coaching.polish_config(svc.settings),
                )
            except CallReviewError as exc:
                typer.echo(f"error: {exc.message}", err=True)
                raise typer.Exit(1) from exc
            session.flush()
            if as_json:
                shown = coaching.to_json(session, cs, boss or who)
                report = json.dumps(shown, indent=2, ensure_ascii=False)
            else:
                focus = ", ".join(f["criterion"] for f in cs.focus) or "none"
                report = f"draft for {who.name}: {cs.calls} calls, focus: {focus}"
            draft_id = cs.id
        typer.echo(report)  # only once the draft is committed
        typer.echo(str(draft_id))
    finally:
        svc.close()


def register(rubric_app: typer.Typer, app: typer.Typer) -> None:
    """Add this module's commands to the CLI (`rubric_app` is `callreview rubric …`)."""
    coaching_app = typer.Typer(no_args_is_help=True, help="Coaching sessions.")
    coaching_app.command("draft")(draft)
    app.add_typer(coaching_app, name="coaching")
