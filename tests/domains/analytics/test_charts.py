"""Chart geometry for the progress page."""

from __future__ import annotations

from domains.analytics.charts import line_chart


def test_points_are_spread_and_scaled_and_gaps_skipped():
    chart = line_chart([("w1", 100.0), ("w2", None), ("w3", 50.0)], width=200, height=120, pad=10)
    assert [(p.x, p.y, p.label) for p in chart.points] == [(10.0, 10.0, "w1"), (190.0, 60.0, "w3")]
    assert chart.polyline == "10.0,10.0 190.0,60.0"
    assert chart.y_ticks[0] == (110.0, "0") and chart.y_ticks[-1] == (10.0, "100")


def test_a_single_week_sits_in_the_middle():
    [point] = line_chart([("w1", 0.5)], width=100, height=100, pad=0, top=1.0).points
    assert (point.x, point.y) == (50.0, 50.0)
