"""WCAG AA contrast of the colours in app.css: badge text at least 4.5:1 on its background,
moment blocks (non-text marks the analyst clicks) at least 3:1 on the timeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "api" / "static" / "app.css").read_text()
VARS = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _colour(value: str) -> str:
    value = value.strip()
    if value.startswith("var(--"):
        return VARS[value[6:-1]]
    return value


def _rule(selector: str) -> dict[str, str]:
    body = re.search(re.escape(selector) + r"\s*(?:,[^{]*)?\{([^}]*)\}", CSS)
    assert body, selector
    return dict(
        (k.strip(), v.strip())
        for k, v in (d.split(":", 1) for d in body.group(1).split(";") if ":" in d)
    )


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula_matches_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#6b7280", "#eceef1") == pytest.approx(4.16, abs=0.01)  # the old N/A badge


@pytest.mark.parametrize(
    "selector",
    [".badge.pass", ".badge.fail", ".badge.na", ".sev-warning", ".badge.internal", "#inbox-unread"],
)
def test_badge_text_is_aa(selector: str):
    rule = _rule(selector)
    assert contrast(_colour(rule["color"]), _colour(rule["background"])) >= 4.5


@pytest.mark.parametrize("severity", ["critical", "warning", "info"])
def test_moment_blocks_stand_out_from_the_timeline(severity: str):
    timeline = _colour(_rule(".timeline")["background"])
    block = _rule(f".timeline .moment.sev-{severity}")
    assert "opacity" not in _rule(".timeline .moment")  # a see-through block loses contrast
    assert contrast(_colour(block["background"]), timeline) >= 3.0
