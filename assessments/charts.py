"""Geometry of the trend chart, drawn by the template as inline SVG.

No chart library and no inline style (Content-Security-Policy): the template uses SVG
presentation attributes only. The numbers are also in a table next to the chart.
"""

from __future__ import annotations

from django.utils import timezone

WIDTH, HEIGHT = 680, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 12, 34
PAD = 16  # keeps the first and last dots off the axis and the band labels


def trend_chart(trend: dict) -> dict | None:
    """Coordinates for ``instrument_trend(...)``; None when there is nothing to draw."""
    points = trend["points"]
    if not points or trend["max_total"] is None:
        return None
    low, high = trend["min_total"], trend["max_total"]
    x0, x1 = LEFT, WIDTH - RIGHT
    y0, y1 = TOP, HEIGHT - BOTTOM

    def y(value: float) -> float:
        return round(y1 - (value - low) * (y1 - y0) / (high - low or 1), 1)

    first, last = points[0]["administered_at"], points[-1]["administered_at"]
    span = (last - first).total_seconds()

    def x(when) -> float:
        if span <= 0:
            return round((x0 + x1) / 2, 1)
        return round(x0 + PAD + (when - first).total_seconds() * (x1 - x0 - 2 * PAD) / span, 1)

    dots = [
        {
            "x": x(p["administered_at"]),
            "y": y(p["total"]),
            "total": p["total"],
            "band": p["band"],
            "self_report": p.get("source") == "client_self_report",
            "date": timezone.localtime(p["administered_at"]).strftime("%b %d, %Y"),
        }
        for p in points
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "label_x": x1 + 6,
        "thresholds": [
            {"y": y(t["value"]), "value": t["value"], "label": t["label"]}
            for t in trend["thresholds"]
        ],
        "ticks": [{"y": y(v), "value": v} for v in (low, high)],
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "first_date": dots[0]["date"],
        "last_date": dots[-1]["date"],
        "date_y": y1 + 22,
    }
