"""Server-rendered SVG charts (no chart library): the numbers are computed here and
drawn by templates with SVG presentation attributes (allowed by the CSP). Every chart
comes with a table of the same figures as its text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BAR_X, BAR_SPAN = 35.0, 55.0  # bars start at 35 % of the width and span at most 55 %


@dataclass
class Bar:
    label: str
    value: int
    text_y: float
    rect_y: float
    rect_width: float
    value_x: float


def bars(rows: list[tuple[str, int]], *, row_height: float = 8) -> list[Bar]:
    top = max((v for _, v in rows), default=0) or 1
    result = []
    for i, (label, value) in enumerate(rows):
        width = BAR_SPAN * value / top
        y = i * row_height
        result.append(
            Bar(
                label,
                value,
                round(y + 5, 2),
                round(y + 1.5, 2),
                round(width, 2),
                round(BAR_X + width + 1.5, 2),
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


def discharge_windows(*, team_ids, start: date, end: date) -> list[tuple]:
    """(transition, [WindowStatus]) for every discharge under a HEDIS measure dated
    ``start``..``end``: computed once and shared by the measures and the trend (two
    queries in all)."""
    from django.utils import timezone

    from referrals.models import CareTransition
    from referrals.selectors import transition_windows

    transitions = (
        CareTransition.objects.filter(discharged_on__gte=start, discharged_on__lte=end)
        .exclude(measure="")
        .only("id", "client_id", "measure", "discharged_on")
    )
    if team_ids is not None:
        transitions = transitions.filter(client__team_id__in=team_ids)
    transitions = list(transitions)
    statuses = transition_windows(transitions, as_of=timezone.localdate())
    return [(t, statuses.get(t.pk, [])) for t in transitions]


def trend_start(end: date, months: int = 12) -> date:
    return _months(end, months)[0][0]


def follow_up_trend(*, windows: list[tuple], end: date, months: int = 12) -> list[Point]:
    """7-day follow-up after discharge (FUH, FUM, FUA and FUI pooled), by month of
    discharge, from ``discharge_windows`` covering the months."""
    spans = _months(end, months)
    tally: dict[tuple[int, int], list[int]] = {}
    for transition, statuses in windows:
        for status in statuses:
            if status.window.days == 7 and status.state != "open":
                key = (transition.discharged_on.year, transition.discharged_on.month)
                cell = tally.setdefault(key, [0, 0])
                cell[0] += status.state == "met"
                cell[1] += 1
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
