"""Query parameters shared by the calls list, the CSV export, the dashboard and their pages."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, Field, ValidationError

from core.errors import InvalidInput
from domains.calls.filters import CallFilters
from models.calls import CallStatus


class FilterParams(BaseModel):
    agent_id: uuid.UUID | None = None
    team: str | None = Field(None, max_length=100)
    status: CallStatus | None = None
    since: datetime | None = Field(None, description="created at or after (UTC if no zone)")
    until: datetime | None = Field(None, description="created before (UTC if no zone)")
    min_score: float | None = Field(None, ge=0, le=100)
    max_score: float | None = Field(None, ge=0, le=100)
    auto_failed: bool | None = None
    failed_criterion: str | None = Field(None, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")
    needs_review: bool | None = Field(
        None, description="has a low-confidence verdict that no human has checked"
    )
    provisional: bool | None = Field(
        None, description="the score is provisional: an unsure critical fail waits for a human"
    )
    q: str | None = Field(
        None,
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="words in the file name or the agent's name (all must match)",
    )


def _utc(at: datetime | None) -> datetime | None:
    """Times without a zone are taken as UTC, the zone every timestamp is stored in."""
    if at is None:
        return None
    try:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(f"since/until out of range: {exc}") from exc


def to_filters(params: FilterParams) -> CallFilters:
    since, until = _utc(params.since), _utc(params.until)
    if since and until and since > until:
        raise InvalidInput("since must not be after until")
    if (
        params.min_score is not None
        and params.max_score is not None
        and params.min_score > params.max_score
    ):
        raise InvalidInput("min_score must not be above max_score")
    return CallFilters(**{**params.model_dump(), "since": since, "until": until})


def call_filters(params: Annotated[FilterParams, Query()]) -> CallFilters:
    return to_filters(params)


def filters_from_form(query: Mapping[str, str]) -> CallFilters:
    """A page's GET form sends empty fields for filters left blank: they mean "any"."""
    values = {k: v for k, v in query.items() if v != "" and k in FilterParams.model_fields}
    try:
        return to_filters(FilterParams.model_validate(values))
    except ValidationError as exc:
        parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise InvalidInput("; ".join(parts)) from exc


CallFiltersDep = Annotated[CallFilters, Depends(call_filters)]
