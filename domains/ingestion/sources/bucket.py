"""An S3-compatible bucket (boto3), polled by prefix in key order from the stored position
(``StartAfter``): a run that stops half-way (the endpoint went down) resumes after the last key
it recorded. A sidecar ``<key>.json`` beside a recording adds its metadata.

Settings: ``bucket``; ``prefix`` (default ""); ``endpoint_url`` (any S3-compatible endpoint;
unset: AWS); ``region`` (default us-east-1); ``access_key_id`` / ``secret_access_key`` (unset:
boto3's usual chain — environment, profile, instance role); ``patterns``; ``sidecars``
(default true); ``page_size`` (keys per listing request, default 1000)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import partial
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from core.errors import InvalidInput
from domains.calls.intake import AUDIO_SUFFIXES
from domains.ingestion.schemas import CallInfo
from domains.ingestion.sources import Discovered, SourceUnavailable
from domains.ingestion.sources.naming import compile_patterns, info_from_name, info_from_sidecar

_MISSING = {"NoSuchKey", "404", "NotFound"}


def check_settings(settings: dict[str, Any]) -> None:
    if not isinstance(settings.get("bucket"), str) or not settings["bucket"]:
        raise InvalidInput("an s3 source needs settings.bucket")
    compile_patterns(settings.get("patterns"))


def make_client(settings: dict[str, Any]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.get("endpoint_url") or None,
        region_name=settings.get("region") or "us-east-1",
        aws_access_key_id=settings.get("access_key_id") or None,
        aws_secret_access_key=settings.get("secret_access_key") or None,
        # Fail over to the next poll quickly rather than retrying for minutes.
        config=Config(
            retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3, read_timeout=30
        ),
    )


class BucketSource:
    def __init__(self, settings: dict[str, Any], *, position: str | None) -> None:
        check_settings(settings)
        self.bucket = str(settings["bucket"])
        self.prefix = str(settings.get("prefix") or "")
        self.patterns = compile_patterns(settings.get("patterns"))
        self.sidecars = bool(settings.get("sidecars", True))
        self.page_size = int(settings.get("page_size", 1000))
        self.position = position
        self.client = make_client(settings)

    def discover(self) -> Iterator[Discovered]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket,
            Prefix=self.prefix,
            StartAfter=self.position or "",
            PaginationConfig={"PageSize": self.page_size},
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    key = str(item["Key"])
                    if PurePosixPath(key).suffix.lower() not in AUDIO_SUFFIXES:
                        continue
                    yield self._discovered(key)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(self.bucket, exc) from exc

    def _discovered(self, key: str) -> Discovered:
        name = PurePosixPath(key).name
        info, problem, sidecar = CallInfo(), None, None
        try:
            info = info_from_name(name, self.patterns) or info
            if self.sidecars:
                raw = self._get(key + ".json")
                if raw is not None:
                    sidecar = key + ".json"
                    info = info_from_sidecar(raw, base=info, label=PurePosixPath(sidecar).name)
        except InvalidInput as exc:
            problem = exc.message
        return Discovered(
            object_id=key,
            filename=name,
            open=partial(self._open, key),
            info=info,
            problem=problem,
            position=key,
            remove=partial(self._remove, key, sidecar),
        )

    def _get(self, key: str) -> bytes | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            return bytes(body.read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise _unavailable(self.bucket, exc) from exc
        except BotoCoreError as exc:
            raise _unavailable(self.bucket, exc) from exc

    def _open(self, key: str) -> BinaryIO:
        raw = self._get(key)
        if raw is None:
            raise InvalidInput(f"s3://{self.bucket}/{key} vanished before it was read")
        return io.BytesIO(raw)

    def _remove(self, key: str, sidecar: str | None) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)
        if sidecar is not None:
            self.client.delete_object(Bucket=self.bucket, Key=sidecar)


def _unavailable(bucket: str, exc: Exception) -> SourceUnavailable:
    return SourceUnavailable(f"bucket {bucket}: {exc}")
