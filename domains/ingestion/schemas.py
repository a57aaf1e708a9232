"""What a source says about a recording, and the shapes the ingestion API reads and writes."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.errors import InvalidInput

DIRECTIONS = {"inbound", "outbound"}
REF_KINDS = ("external_id", "email", "name")


@dataclass(frozen=True)
class CallInfo:
    """A recording's metadata as the source gave it. The agent is only a reference here: the
    mapping table turns it into an agent, or the object waits as unassigned."""

    agent_external_id: str | None = None
    agent_email: str | None = None
    agent_name: str | None = None
    started_at: datetime | None = None
    queue: str | None = None
    direction: str | None = None
    customer_ref: str | None = None
    ticket_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def agent_refs(self) -> list[tuple[str, str]]:
        """(kind, value) in the order they are tried: external id, then e-mail, then name."""
        refs = []
        if self.agent_external_id:
            refs.append(("external_id", self.agent_external_id.strip()))
        if self.agent_email:
            refs.append(("email", self.agent_email.strip().lower()))
        if self.agent_name:
            refs.append(("name", self.agent_name.strip().lower()))
        return refs

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["started_at"] = self.started_at.isoformat() if self.started_at else None
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallInfo:
        return info_from_mapping(data)


_KNOWN = {
    "agent_id": "agent_external_id",
    "agent_external_id": "agent_external_id",
    "agent_email": "agent_email",
    "agent_name": "agent_name",
    "agent": "agent_name",
    "started_at": "started_at",
    "queue": "queue",
    "direction": "direction",
    "customer_ref": "customer_ref",
    "customer": "customer_ref",
    "ticket_url": "ticket_url",
    "contact_url": "ticket_url",
}


def parse_time(value: object, *, what: str = "started_at") -> datetime:
    """An ISO 8601 time; one without a zone is taken as UTC."""
    if isinstance(value, datetime):
        at = value
    else:
        text = str(value).strip()
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidInput(f"{what} is not an ISO 8601 time: {text!r}") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def info_from_mapping(data: dict[str, Any], *, base: CallInfo | None = None) -> CallInfo:
    """Sidecar JSON, a manifest row or a generic webhook body → CallInfo. Known keys are
    checked (a bad time or direction is an error, not a silent blank); the rest is kept as
    ``extra``. ``base`` (what the file name said) fills what ``data`` leaves out."""
    if not isinstance(data, dict):
        raise InvalidInput("metadata must be a JSON object")
    values: dict[str, Any] = dict(asdict(base)) if base else {}
    extra: dict[str, Any] = dict(values.pop("extra", {}) or {})
    for key, raw in data.items():
        target = _KNOWN.get(str(key).strip().lower())
        if target is None:
            if key != "extra":
                extra[str(key)] = raw
            elif isinstance(raw, dict):
                extra.update(raw)
            continue
        if raw is None or raw == "":
            continue
        if target == "started_at":
            values[target] = parse_time(raw)
        elif target == "direction":
            direction = str(raw).strip().lower()
            if direction not in DIRECTIONS:
                raise InvalidInput(f"direction must be inbound or outbound, not {raw!r}")
            values[target] = direction
        else:
            if not isinstance(raw, str | int):
                raise InvalidInput(f"{key} must be text, not {type(raw).__name__}")
            values[target] = str(raw).strip()[:1000]
    return CallInfo(**values, extra=extra)


class SourceIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["folder", "s3", "webhook"]
    settings: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    retention: Literal["keep", "delete"] = "keep"
    hmac_secret: str | None = Field(default=None, min_length=16, max_length=200)


class SourceRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    enabled: bool
    retention: str
    settings: dict[str, Any]
    position: str | None
    last_run_at: datetime | None
    last_error: str | None
    counts: dict[str, int]
    signed: bool  # a webhook secret is set (never shown)


class MappingIn(BaseModel):
    ref_kind: Literal["external_id", "email", "name"]
    ref: str = Field(min_length=1, max_length=300)
    agent_id: uuid.UUID


class MappingRead(BaseModel):
    ref_kind: str
    ref: str
    agent_id: uuid.UUID
    released: int  # held objects that became calls with this mapping


class RunRead(BaseModel):
    source: str
    seen: int
    counts: dict[str, int]
    error: str | None
    position: str | None


class DeliveryRead(BaseModel):
    status: str
    object_id: str
    call_id: uuid.UUID | None = None
    reason: str | None = None
