"""Rubrics (admins and QA analysts): import a version, list names, a name's versions, one
version. Editing is importing: different content under an existing name is the next version."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel

from core.errors import InvalidInput, UploadTooLarge
from domains.auth.dependencies import require_roles
from domains.kit.deps import SessionDep
from domains.rubrics import admin as rubric_admin
from domains.rubrics.schemas import RubricListItemRead, RubricVersionRead, RubricVersionsRead
from models.accounts import Role, User

router = APIRouter(tags=["rubrics"])

RubricManager = Annotated[User, require_roles(Role.admin, Role.qa_analyst)]
RubricName = Annotated[str, Path(max_length=200, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class ImportedOut(BaseModel):
    name: str
    version: int
    created: bool
    declared_version: int
    criteria: int


async def rubric_text(request: Request) -> str:
    """The YAML document: a multipart ``file``, JSON ``{"yaml": …}``, or the raw body."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("send the rubric as the multipart field 'file'")
        raw = await upload.read(rubric_admin.MAX_RUBRIC_BYTES + 1)
    elif kind == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise InvalidInput("the body is not valid JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("yaml"), str):
            raise InvalidInput('send {"yaml": "<the rubric document>"}')
        raw = body["yaml"].encode()
    else:
        raw = await request.body()
    if len(raw) > rubric_admin.MAX_RUBRIC_BYTES:
        raise UploadTooLarge(f"a rubric is at most {rubric_admin.MAX_RUBRIC_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the rubric is not UTF-8 text") from exc
    if "\x00" in text:
        raise InvalidInput("the rubric contains a NUL character")
    return text


@router.get("/rubrics", response_model=list[RubricListItemRead])
def list_rubrics(session: SessionDep, user: RubricManager) -> list[dict[str, Any]]:
    """Every rubric name with its latest version (built-in rubrics appear once imported, which
    listing does)."""
    return rubric_admin.list_rubrics(session)


@router.post(
    "/rubrics",
    status_code=201,
    response_model=ImportedOut,
    responses={
        200: {"description": "the latest version already has this content"},
        422: {"description": "invalid rubric; the message names the field and line"},
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {"type": "object", "properties": {"yaml": {"type": "string"}}}
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            }
        }
    },
)
def import_rubric(
    session: SessionDep,
    user: RubricManager,
    text: Annotated[str, Depends(rubric_text)],
    response: Response,
) -> ImportedOut:
    """Import a rubric document. A new name is version 1; other content under a known name is
    the next version (whatever number the YAML carries); the same content changes nothing."""
    imported = rubric_admin.import_rubric(session, text, origin="api", by=user)
    if not imported.created:
        response.status_code = 200
    out = asdict(imported)
    out.pop("rubric_id")
    return ImportedOut(**out)


@router.get("/rubrics/{name}", response_model=RubricVersionsRead)
def rubric_versions(name: RubricName, session: SessionDep, user: RubricManager) -> dict[str, Any]:
    return rubric_admin.rubric_versions(session, name)


@router.get("/rubrics/{name}/versions/{version}", response_model=RubricVersionRead)
def rubric_version(
    name: RubricName,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    session: SessionDep,
    user: RubricManager,
) -> dict[str, Any]:
    """One version: the document as imported (``yaml``), its criteria and parsed form."""
    return rubric_admin.rubric_version(session, name, version)
