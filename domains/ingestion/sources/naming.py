"""Metadata from where a recording sits: its file name (patterns, the AWS post-call analytics
sample's convention built in), a sidecar JSON file beside it, or a CSV manifest row."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import InvalidInput
from domains.ingestion.schemas import CallInfo, info_from_mapping

# `…_AGENT_ChrisL_DT_2025-02-19T06-01-22_…`: the naming of the AWS post-call analytics sample
# (amazon-transcribe-post-call-analytics), time in UTC with dashes for colons.
AWS_PCA = r"_AGENT_(?P<agent_name>[^_/]+)_DT_(?P<started_at>\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})"
BUILT_IN = {"aws-pca": (AWS_PCA, "%Y-%m-%dT%H-%M-%S")}
_GROUPS = {"agent_name", "agent_email", "agent_id", "started_at", "queue", "direction", "customer"}


@dataclass(frozen=True)
class NamePattern:
    regex: re.Pattern[str]
    time_format: str | None  # how the started_at group is written (None: ISO 8601)


def compile_patterns(specs: list[Any] | None) -> list[NamePattern]:
    """``["aws-pca", {"regex": "...", "time_format": "%Y%m%d%H%M%S"}, "(?P<agent_name>...)"]``;
    the default is the AWS convention alone. A bad pattern is a settings error (422)."""
    out = []
    for spec in ["aws-pca"] if specs is None else specs:
        if isinstance(spec, str) and spec in BUILT_IN:
            regex, fmt = BUILT_IN[spec]
        elif isinstance(spec, str):
            regex, fmt = spec, None
        elif isinstance(spec, dict) and isinstance(spec.get("regex"), str):
            regex, fmt = spec["regex"], spec.get("time_format")
        else:
            raise InvalidInput(
                f"a file-name pattern is a name, a regex or {{regex, time_format}}: {spec!r}"
            )
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise InvalidInput(f"file-name pattern {regex!r} is not a regex: {exc}") from exc
        unknown = set(compiled.groupindex) - _GROUPS
        if unknown:
            raise InvalidInput(
                f"file-name pattern groups must be among {sorted(_GROUPS)}: {sorted(unknown)}"
            )
        out.append(NamePattern(compiled, fmt))
    return out


def info_from_name(name: str, patterns: list[NamePattern]) -> CallInfo | None:
    """The first pattern that matches ``name`` (None when none does)."""
    for pattern in patterns:
        match = pattern.regex.search(name)
        if match is None:
            continue
        found: dict[str, Any] = {k: v for k, v in match.groupdict().items() if v}
        if "started_at" in found and pattern.time_format:
            try:
                at = datetime.strptime(found["started_at"], pattern.time_format)
            except ValueError as exc:
                raise InvalidInput(
                    f"the time in {name!r} does not read as {pattern.time_format}"
                ) from exc
            found["started_at"] = at.replace(tzinfo=UTC)
        return info_from_mapping(found)
    return None


def info_from_sidecar(raw: bytes, *, base: CallInfo | None, label: str) -> CallInfo:
    """A sidecar's JSON object over what the name said; malformed → InvalidInput (quarantine)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"sidecar {label} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"sidecar {label} must hold a JSON object, not {type(data).__name__}")
    try:
        return info_from_mapping(data, base=base)
    except InvalidInput as exc:
        raise InvalidInput(f"sidecar {label}: {exc.message}") from exc


def read_manifest(raw: bytes, *, label: str) -> dict[str, dict[str, str]]:
    """A CSV manifest: a ``file`` column (the path relative to the folder) and any metadata
    columns (agent_id, agent_email, agent_name, started_at, queue, direction, customer_ref,
    ticket_url, anything else kept as extra)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"manifest {label} is not UTF-8: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "file" not in reader.fieldnames:
        raise InvalidInput(f"manifest {label} needs a 'file' column")
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        name = (row.pop("file") or "").strip()
        if name:
            rows[name] = {k: v for k, v in row.items() if k and v not in (None, "")}
    return rows
