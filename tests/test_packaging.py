"""What the app needs at run time is declared: every third-party distribution that starting the
web app and the CLI imports is among callreview's dependencies (directly or through theirs), so a
plain `pip install .` starts it (httpx once was only a dev extra, and create_app() failed)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution, requires
from pathlib import Path

OWN = {
    "core",
    "transcription",
    "scoring",
    "coaching",
    "models",
    "domains",
    "pipeline",
    "api",
    "tests",
}


def _closure(name: str, seen: set[str]) -> set[str]:
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return seen
    seen.add(key)
    try:
        reqs = distribution(name).requires or []
    except PackageNotFoundError:
        return seen
    for req in reqs:
        if "extra ==" in req:
            continue
        dep = re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]
        _closure(dep, seen)
    return seen


def test_starting_the_app_imports_only_declared_distributions(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from importlib.metadata import packages_distributions\n"
        "from api.app import create_app\n"
        "from api.cli import app\n"
        "from tests.conftest import make_settings\n"
        f"create_app(make_settings('sqlite:///{tmp_path}/db.sqlite', '{tmp_path}/s'))\n"
        "dists = packages_distributions()\n"
        "tops = {m.split('.')[0] for m in sys.modules}\n"
        "print(json.dumps(sorted({d for t in tops for d in dists.get(t, [])})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    used = set(json.loads(out.stdout.strip().splitlines()[-1]))
    declared = set()
    for req in requires("callreview") or []:
        if "extra ==" not in req:
            _closure(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0], declared)
    normal = {re.sub(r"[-_.]+", "-", d).lower() for d in used}
    own = {"callreview"}
    # the test harness itself (pytest and its plugins) is not the app
    harness = {d for d in normal if d.startswith(("pytest", "pluggy", "iniconfig", "typeguard"))}
    # Imported only when present, with a fallback: billiard tries cffi, else uses ctypes (cffi
    # is here because a dev extra's package needs it); pyjwt loads cryptography when installed
    # (moto's server brings it), else offers only the HMAC algorithms the app uses.
    optional = {"cffi", "pycparser", "cryptography"}
    assert sorted(normal - declared - own - harness - optional) == []


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_pins_every_installed_requirement_within_its_floor() -> None:
    """`make setup` installs with requirements.lock as constraints: every distribution that
    callreview and its extras pull in is pinned there, at a version its specifier accepts (a
    dependency added without `make lock` fails here)."""
    from packaging.requirements import Requirement

    lock_file = Path(__file__).resolve().parents[1] / "requirements.lock"
    pins = {}
    for line in lock_file.read_text().splitlines():
        name, _, version = line.partition("==")
        pins[_canon(name)] = version
    wanted: set[str] = set()
    problems = []
    for raw in requires("callreview") or []:
        req = Requirement(raw)
        marker = req.marker
        extras = ("dev", "engines", "llm")
        if marker is not None and not any(marker.evaluate({"extra": e}) for e in extras):
            continue
        name = _canon(req.name)
        if (
            name in pins
            and req.specifier
            and not req.specifier.contains(pins[name], prereleases=True)
        ):
            problems.append(f"{name}=={pins[name]} is outside {req.specifier}")
        _closure(req.name, wanted)
    installed = {n for n in wanted if _installed(n)}
    assert sorted(installed - set(pins)) == []
    assert problems == []


def _installed(name: str) -> bool:
    try:
        distribution(name)
    except PackageNotFoundError:
        return False
    return True


def test_the_distribution_ships_every_application_package() -> None:
    """A package left out of pyproject's package list imports from a checkout and is missing
    from `pip install .` (and from an editable install made before it existed)."""
    import tomllib

    from setuptools import find_packages

    repo = Path(__file__).resolve().parents[1]
    config = tomllib.loads((repo / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = set(find_packages(where=str(repo), include=include))
    wanted = {
        ".".join(init.parent.relative_to(repo).parts)
        for top in sorted(OWN - {"tests"})
        for init in (repo / top).rglob("__init__.py")
    }
    assert wanted and sorted(wanted - shipped) == []
    assert {"domains.kit", "domains.calls", "domains.coaching"} <= shipped
