"""What every shown shape shares."""

from __future__ import annotations

from typing import Any

from pydantic import MISSING, BaseModel, ConfigDict, Field

__all__ = ["API_ERRORS", "MISSING", "ErrorOut", "Schema"]


class Schema(BaseModel):
    """A shape the service shows. A field typed ``X | MISSING`` with the default ``MISSING``
    is left out of the JSON (not shown as null) until it is given a value: that is how a key
    that only some readers or states see (coach-only notes, a failed call's error) stays
    absent, as it always was."""

    model_config = ConfigDict(from_attributes=True)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready plain data (what the API sends; the CLI prints; the pages read)."""
        return self.model_dump(mode="json")


class ErrorOut(BaseModel):
    """Every API error: a readable sentence (ARCHITECTURE "Errors")."""

    detail: str
    field: str | None = Field(
        default=None,
        description='where in the request the problem is ("goals.4.target"), when it is one field',
    )


# Documented on every API route: validation errors are a sentence too (see the app's
# RequestValidationError handler), not FastAPI's list of error objects.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "invalid request"},
    "default": {"model": ErrorOut, "description": 'an error, as JSON {"detail": "…"}'},
}
