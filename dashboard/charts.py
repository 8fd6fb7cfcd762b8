"""Server-rendered SVG charts (no chart library): the numbers are computed here and
drawn by templates with SVG presentation attributes (allowed by the CSP). Every chart
comes with a table of the same figures as its text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BAR_X, BAR_SPAN = 35.0, 55.0  # bars start at 35 % of the width and span at most 55 %


@dataclass
class Bar:
    """One bar; the SVG coordinates are strings already (no number localisation per
    attribute when a page draws a bar for each of 200 case managers)."""

    label: str
    short_label: str
    value: int
    text_y: str
    rect_y: str
    rect_width: str
    value_x: str


def _short(label: str, size: int = 22) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def bars(rows: list[tuple[str, int]], *, row_height: float = 8) -> list[Bar]:
    top = max((v for _, v in rows), default=0) or 1
    result = []
    for i, (label, value) in enumerate(rows):
        width = BAR_SPAN * value / top
        y = i * row_height
        result.append(
            Bar(
                label,
                _short(label),
                value,
                f"{y + 5:.2f}",
                f"{y + 1.5:.2f}",
                f"{width:.2f}",
                f"{BAR_X + width + 1.5:.2f}",
            )
        )
    return result


@dataclass
class Point:
    label: str
    rate: float | None
    numerator: int
    denominator: int
    x: float
    y: float | None


def _months(end: date, count: int) -> list[tuple[date, date]]:
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        start = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        months.append((start, min(end, date.fromordinal(nxt.toordinal() - 1))))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def trend_start(end: date, months: int = 12) -> date:
    return _months(end, months)[0][0]


def follow_up_trend(*, tallies: list, end: date, months: int = 12) -> list[Point]:
    """7-day follow-up after discharge (FUH, FUM, FUA and FUI pooled), by month of
    discharge, from ``referrals.selectors.followup_window_tallies`` covering the months."""
    spans = _months(end, months)
    tally: dict[tuple[int, int], list[int]] = {}
    for row in tallies:
        if row.days == 7:
            cell = tally.setdefault((row.discharged_on.year, row.discharged_on.month), [0, 0])
            cell[0] += row.numerator
            cell[1] += row.denominator
    points = []
    for i, (start, _stop) in enumerate(spans):
        num, den = tally.get((start.year, start.month), [0, 0])
        rate = num / den if den else None
        x = 5 + 90 * i / max(1, len(spans) - 1)
        points.append(
            Point(
                start.strftime("%b %Y"), rate, num, den, x, None if rate is None else 45 - 40 * rate
            )
        )
    return points


def polyline(points: list[Point]) -> str:
    return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points if p.y is not None)
