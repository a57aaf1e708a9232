"""Rubric versions as the rubric API lists them (domains/rubrics/admin.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from domains.kit.schemas import Schema


class RubricListItemRead(Schema):
    name: str
    title: str
    latest_version: int
    versions: int
    updated_at: str


class RubricVersionSummaryRead(Schema):
    name: str
    version: int
    title: str
    declared_version: int | None
    origin: str | None
    created_by: str | None
    created_at: str
    content_sha256: str
    calls_scored: int


class RubricVersionsRead(Schema):
    name: str
    latest_version: int
    versions: list[RubricVersionSummaryRead]


class RubricCriterionRead(Schema):
    id: str
    section: str
    question: str
    guidance: str
    points: float
    critical: bool
    na_allowed: bool


class RubricVersionRead(RubricVersionSummaryRead):
    yaml: str = Field(description="the document as imported")
    criteria: list[RubricCriterionRead]
    rubric: dict[str, Any] = Field(description="the parsed rubric (scoring/rubric.py Rubric)")
