"""Ingestion over HTTP: the signed webhook a telephony platform (or its relay) delivers to, and
the admin's API for sources, runs and agent mappings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from domains.auth.dependencies import Admin
from domains.ingestion import service
from domains.ingestion.schemas import (
    DeliveryRead,
    MappingIn,
    MappingRead,
    RunRead,
    SourceIn,
    SourceRead,
)
from domains.ingestion.sources.webhook import SIGNATURE_HEADER
from domains.kit.deps import ServicesDep, SessionDep
from models.ingestion import IngestSource

router = APIRouter(tags=["ingestion"])

_DELIVERY_STATUS = {"ingested": 202, "unassigned": 202, "duplicate": 200, "ignored": 200}


class SourceCreated(SourceRead):
    hmac_secret: str | None  # shown once, at creation


def _read(source: IngestSource, counts: dict[str, int]) -> SourceRead:
    return SourceRead(
        id=source.id,
        name=source.name,
        kind=source.kind.value,
        enabled=source.enabled,
        retention=source.retention.value,
        # Credentials in a bucket's settings never leave the server.
        settings={k: v for k, v in source.settings.items() if "secret" not in k},
        position=source.position,
        last_run_at=source.last_run_at,
        last_error=source.last_error,
        counts=counts,
        signed=bool(source.hmac_secret),
    )


@router.post(
    "/ingest/{source}",
    response_model=DeliveryRead,
    status_code=202,
    responses={200: {"description": "a replay (duplicate) or a callback with no recording"}},
)
async def deliver(
    source: str,
    request: Request,
    svc: ServicesDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> JSONResponse:
    """A recording delivered by a telephony platform: Twilio's recording-status callback (form),
    an Amazon Connect contact trace record (JSON) or ``{object_id, recording_url, agent_…}``,
    signed with the source's secret (``X-Callreview-Signature: sha256=<HMAC-SHA256 of the
    body>``; 401 otherwise). A retried delivery answers 200 ``duplicate`` with the same call; a
    refused recording answers 422 with its reason (it is quarantined); an unreachable recording
    server answers 502 so the sender retries."""
    body = await request.body()
    outcome = await run_in_threadpool(
        service.receive_delivery,
        svc,
        source,
        body,
        content_type=request.headers.get("content-type", ""),
        signature=signature,
    )
    read = DeliveryRead(
        status=outcome.status,
        object_id=outcome.object_id,
        call_id=outcome.call_id,
        reason=outcome.reason,
    )
    if outcome.status == "quarantined":
        return JSONResponse(
            status_code=422, content={"detail": outcome.reason, **read.model_dump(mode="json")}
        )
    return JSONResponse(
        status_code=_DELIVERY_STATUS[outcome.status], content=read.model_dump(mode="json")
    )


@router.get("/ingestion/sources", response_model=list[SourceRead])
def list_sources(session: SessionDep, user: Admin) -> list[SourceRead]:
    """Every source with its object counts by status, last run and last error."""
    return [_read(src, counts) for src, counts in service.list_sources(session)]


@router.post("/ingestion/sources", response_model=SourceCreated, status_code=201)
def create_source(body: SourceIn, session: SessionDep, user: Admin) -> SourceCreated:
    """A new source. A webhook source without ``hmac_secret`` gets a random one, returned here
    once."""
    src = service.create_source(session, body, actor_id=user.id)
    read = _read(src, {})
    return SourceCreated(**read.model_dump(), hmac_secret=src.hmac_secret)


@router.post("/ingestion/sources/{name}/run", response_model=RunRead)
def run_source(name: str, svc: ServicesDep, user: Admin) -> RunRead:
    """Poll a folder or bucket source now (the runners also poll it on its interval)."""
    report = service.run_source(svc, name, actor_id=user.id)
    return RunRead(
        source=report.source,
        seen=report.seen,
        counts=report.counts,
        error=report.error,
        position=report.position,
    )


@router.post("/ingestion/sources/{name}/mappings", response_model=MappingRead)
def add_mapping(
    name: str, body: MappingIn, svc: ServicesDep, session: SessionDep, user: Admin
) -> MappingRead:
    """Map the source's agent reference to an agent; held (unassigned) objects it names become
    calls now."""
    src = service.get_source(session, name)
    released = service.map_agent(svc, session, src, body, actor_id=user.id)
    return MappingRead(
        ref_kind=body.ref_kind, ref=body.ref, agent_id=body.agent_id, released=released
    )
