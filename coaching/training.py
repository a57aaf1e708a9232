"""The training catalog: modules (title, link, the criteria they address) read from YAML, and
matching modules to the criteria an agent is working on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from core.errors import InvalidInput
from core.yamlsafe import YamlTooLarge, safe_load

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


@dataclass(frozen=True)
class TrainingModule:
    key: str
    title: str
    criteria: tuple[str, ...]
    url: str | None = None
    description: str = ""
    duration_min: int | None = None


def is_safe_link(url: str) -> bool:
    """An http(s) URL, or a path on this site. Never ``javascript:``, ``data:`` or any other
    scheme a browser would run or render in place, nor a scheme-relative ``//host``."""
    if len(url) > 1000 or any(c.isspace() or ord(c) < 32 or c in "\\<>\"'`" for c in url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    scheme, sep, rest = url.partition("://")
    return bool(sep) and scheme.lower() in ("http", "https") and bool(rest) and rest[0] != "/"


def parse_catalog(text: str) -> list[TrainingModule]:
    """``modules: [{key, title, criteria: [...], url?, description?, duration_min?}]``;
    errors name the module and the field."""
    try:
        doc = safe_load(text)
    except YamlTooLarge as exc:
        raise InvalidInput(f"training catalog refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"training catalog is not valid YAML: {exc}") from exc
    items = doc.get("modules") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise InvalidInput("training catalog needs a top-level 'modules' list")
    modules, seen = [], set()
    for i, raw in enumerate(items):
        module = _module(raw, f"modules[{i}]")
        if module.key in seen:
            raise InvalidInput(f"modules[{i}].key: {module.key!r} appears twice")
        seen.add(module.key)
        modules.append(module)
    return modules


def _module(raw: Any, where: str) -> TrainingModule:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: a module is a mapping")
    key, title, criteria = raw.get("key"), raw.get("title"), raw.get("criteria")
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidInput(f"{where}.key: lower-case letters, digits, '-' or '_' (got {key!r})")
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput(f"{where}.title: required")
    if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
        raise InvalidInput(f"{where}.criteria: a list of criterion ids")
    url = raw.get("url")
    if url is not None and not (isinstance(url, str) and is_safe_link(url)):
        raise InvalidInput(
            f"{where}.url (module {key!r}): only http(s) links or paths on this site are"
            f" allowed, not {str(url)[:80]!r}"
        )
    duration = raw.get("duration_min")
    if duration is not None and (not isinstance(duration, int) or duration <= 0):
        raise InvalidInput(f"{where}.duration_min: a positive number of minutes")
    return TrainingModule(
        key=key,
        title=title.strip(),
        criteria=tuple(criteria),
        url=url,
        description=str(raw.get("description") or "").strip(),
        duration_min=duration,
    )


def default_catalog() -> list[TrainingModule]:
    """The catalog shipped with the package (``coaching/training_catalog.yaml``)."""
    text = resources.files("coaching").joinpath("training_catalog.yaml").read_text("utf-8")
    return parse_catalog(text)


def match_modules(
    modules: Iterable[TrainingModule], criteria: Sequence[str], *, per_criterion: int = 1
) -> list[tuple[str, TrainingModule]]:
    """For each criterion, in order, the first modules that address it (each module once)."""
    pool = list(modules)
    used: set[str] = set()
    out: list[tuple[str, TrainingModule]] = []
    for cid in criteria:
        found = [m for m in pool if cid in m.criteria and m.key not in used][:per_criterion]
        for m in found:
            used.add(m.key)
            out.append((cid, m))
    return out
