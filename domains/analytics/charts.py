"""SVG chart geometry for the progress page: plain numbers in, coordinates out. The template
draws them; nothing is fetched from the internet and no chart library is needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    pad: int
    points: list[Point]
    y_ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def line_chart(
    values: list[tuple[str, float | None]],
    *,
    width: int = 640,
    height: int = 220,
    pad: int = 36,
    top: float = 100.0,
    tick_format: str = "{:.0f}",
) -> LineChart:
    """Points evenly spaced left to right, y from 0 (bottom) to ``top``; gaps (None) skipped."""
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    n = len(values)
    points = []
    for i, (label, value) in enumerate(values):
        if value is None:
            continue
        x = pad + (inner_w / 2 if n == 1 else inner_w * i / (n - 1))
        y = pad + inner_h * (1 - min(max(value / top, 0.0), 1.0))
        points.append(Point(round(x, 1), round(y, 1), value, label))
    ticks = [
        (round(pad + inner_h * (1 - f), 1), tick_format.format(top * f))
        for f in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    return LineChart(width, height, pad, points, ticks)


def progress_charts(progress: dict[str, Any]) -> dict[str, Any]:
    score_trend = line_chart([(w["week_start"], w["average_score"]) for w in progress["weeks"]])
    per_criterion = [
        {
            "id": c["id"],
            "pass_rate": c["pass_rate"],
            "applicable": c["applicable"],
            "chart": line_chart(
                [(w["week_start"], w["pass_rate"]) for w in c["weeks"]],
                width=300,
                height=110,
                pad=34,
                top=1.0,
                tick_format="{:.0%}",
            ),
        }
        for c in progress["criteria"]
    ]
    return {"score_trend": score_trend, "criteria": per_criterion}
