"""Deliveries to ``POST /api/v1/ingest/{source}``: a signature check, the payload shapes of
Twilio's recording-status callback (form fields) and Amazon Connect's contact trace record
(JSON), a generic JSON shape, and fetching the recording they point at.

The signature is HMAC-SHA256 of the raw body with the source's secret, sent as
``X-Callreview-Signature: sha256=<hex>`` (a relay or API gateway in front of the telephony
platform signs; Twilio's own ``X-Twilio-Signature`` is HMAC-SHA1 over the URL and is not
checked here). Recordings are fetched only from the hosts listed in the source's
``fetch_hosts`` setting ("host" or "host:port"), so a delivery cannot make the server fetch
from anywhere else."""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

import httpx

from core.errors import InvalidInput, Unauthorized
from domains.ingestion.schemas import CallInfo, info_from_mapping, parse_time
from domains.ingestion.sources import SourceUnavailable

SIGNATURE_HEADER = "X-Callreview-Signature"
_AGENT_KEYS = ("agent_id", "agent_email", "agent_name", "queue", "direction", "customer_ref",
               "ticket_url")  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    shape: str  # twilio | connect | generic
    object_id: str
    recording_url: str | None
    info: CallInfo
    ignored: str | None = None  # a callback with no finished recording: acknowledged only


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str | None, body: bytes, header: str | None) -> None:
    if not secret:
        raise Unauthorized("this source has no webhook secret: deliveries are refused")
    if not header or not hmac.compare_digest(sign(secret, body), header.strip()):
        raise Unauthorized(f"bad or missing {SIGNATURE_HEADER}")


def parse_delivery(content_type: str, body: bytes) -> Delivery:
    if "application/x-www-form-urlencoded" in content_type:
        try:
            form = {
                k: v[-1] for k, v in parse_qs(body.decode("utf-8"), strict_parsing=False).items()
            }
        except UnicodeDecodeError as exc:
            raise InvalidInput("the form body is not UTF-8") from exc
        return _twilio(form)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the body is neither a form nor JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidInput("the JSON body must be an object")
    if "ContactId" in data:
        return _connect(data)
    return _generic(data)


def _twilio(form: dict[str, str]) -> Delivery:
    sid = form.get("RecordingSid")
    if not sid:
        raise InvalidInput("a Twilio recording callback needs RecordingSid")
    status = form.get("RecordingStatus", "completed")
    extra = {k: form[k] for k in ("CallSid", "AccountSid", "RecordingDuration",
                                  "RecordingChannels", "RecordingSource") if k in form}  # fmt: skip
    fields: dict[str, Any] = {k: form[k] for k in _AGENT_KEYS if form.get(k)}
    if form.get("RecordingStartTime"):
        fields["started_at"] = _rfc2822(form["RecordingStartTime"])
    info = info_from_mapping({**fields, "extra": extra})
    if status != "completed":
        return Delivery("twilio", sid, None, info, ignored=f"RecordingStatus is {status}")
    url = form.get("RecordingUrl")
    if not url:
        raise InvalidInput("a completed Twilio recording callback needs RecordingUrl")
    return Delivery("twilio", sid, url, info)


def _rfc2822(value: str) -> Any:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return parse_time(value, what="RecordingStartTime")


def _connect(ctr: dict[str, Any]) -> Delivery:
    contact = str(ctr["ContactId"])
    agent = ctr.get("Agent") or {}
    queue = ctr.get("Queue") or {}
    recording = ctr.get("Recording") or {}
    if not recording and isinstance(ctr.get("Recordings"), list) and ctr["Recordings"]:
        recording = ctr["Recordings"][0]
    if (
        not isinstance(agent, dict)
        or not isinstance(queue, dict)
        or not isinstance(recording, dict)
    ):
        raise InvalidInput("Agent, Queue and Recording must be objects in a contact trace record")
    method = str(ctr.get("InitiationMethod") or "").upper()
    attributes = ctr.get("Attributes") if isinstance(ctr.get("Attributes"), dict) else {}
    customer = ctr.get("CustomerEndpoint") or {}
    fields: dict[str, Any] = {
        "agent_id": agent.get("Username"),
        "queue": queue.get("Name"),
        "started_at": ctr.get("InitiationTimestamp"),
        "direction": {"INBOUND": "inbound", "OUTBOUND": "outbound"}.get(method),
        "customer_ref": customer.get("Address") if isinstance(customer, dict) else None,
        "ticket_url": (attributes or {}).get("ticket_url"),
        "extra": {
            "Channel": ctr.get("Channel"),
            "InitiationMethod": method or None,
            "Attributes": attributes,
        },
    }
    info = info_from_mapping(fields)
    location = recording.get("Location")
    if not location:
        return Delivery("connect", contact, None, info, ignored="the record has no recording")
    return Delivery("connect", contact, str(location), info)


def _generic(data: dict[str, Any]) -> Delivery:
    object_id = data.pop("object_id", None)
    url = data.pop("recording_url", None)
    if not object_id or not url:
        raise InvalidInput("a JSON delivery needs object_id and recording_url (or a Twilio or "
                           "Amazon Connect shape)")  # fmt: skip
    return Delivery("generic", str(object_id), str(url), info_from_mapping(data))


def recording_url(location: str, settings: dict[str, Any]) -> str:
    """A Connect ``Recording.Location`` is ``bucket/key``: it is read through the source's
    ``recording_base_url`` (an HTTP endpoint for that bucket); full URLs are used as given."""
    if location.startswith(("http://", "https://")):
        return location
    base = settings.get("recording_base_url")
    if not base:
        raise InvalidInput(f"recording location {location!r} is not a URL and the source has "
                           "no recording_base_url")  # fmt: skip
    return str(base).rstrip("/") + "/" + location.lstrip("/")


def fetch(url: str, settings: dict[str, Any], *, max_bytes: int) -> BinaryIO:
    """The recording at ``url`` in a temporary file. A host outside ``fetch_hosts`` or a 4xx is
    the delivery's fault (422); a connection failure or 5xx is the server's (502)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"recording URL {url!r} is not http(s)")
    allowed = {str(h).lower() for h in settings.get("fetch_hosts") or []}
    host = parts.hostname.lower()
    if host not in allowed and f"{host}:{parts.port}" not in allowed:
        raise InvalidInput(f"recording host {parts.netloc} is not in this source's fetch_hosts")
    auth = settings.get("fetch_auth")
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        with httpx.stream(
            "GET",
            url,
            timeout=float(settings.get("fetch_timeout_s", 30)),
            follow_redirects=False,
            auth=(auth["username"], auth["password"]) if isinstance(auth, dict) else None,
        ) as res:
            if res.status_code >= 500:
                raise SourceUnavailable(f"recording server answered {res.status_code} for {url}")
            if res.status_code != 200:
                raise InvalidInput(f"recording server answered {res.status_code} for {url}")
            size = 0
            for chunk in res.iter_bytes(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidInput(f"the recording at {url} exceeds the upload limit")
                out.write(chunk)
    except httpx.HTTPError as exc:
        out.close()
        raise SourceUnavailable(f"recording at {url} could not be fetched: {exc}") from exc
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
