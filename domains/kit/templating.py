"""The Jinja2 environment for the pages, with a few filters for times and scores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from coaching.training import is_safe_link
from core.timefmt import clock
from models.accounts import Role, User

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "api" / "templates"


# The web shell adds its CSRF context processor (api/security.py) to this list.
templates = Jinja2Templates(directory=TEMPLATES_DIR)
REVIEWER_ROLES = (Role.admin, Role.qa_analyst, Role.supervisor)


def render_page(request: Request, name: str, user: User | None, **context: Any) -> Response:
    """A page with the signed-in user (None on the login page) and whether they review."""
    is_reviewer = user is not None and user.role in REVIEWER_ROLES
    return templates.TemplateResponse(
        request, name, {"user": user, "is_reviewer": is_reviewer, **context}
    )


def when(at: datetime | str | None) -> str:
    if at is None:
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.strftime("%Y-%m-%d %H:%M")


def pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def safe_link(url: str | None) -> str | None:
    """A link as stored, only when it is http(s) or a path on this site: a ``javascript:``
    URL saved before import checks existed renders as plain text, never as a link."""
    return url if url and is_safe_link(url) else None


templates.env.filters.update(clock=clock, when=when, pct=pct, score=score, safe_link=safe_link)
