"""Dates as people read them."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError


def relative_due(day: date | None, today: date) -> str:
    """When something is due, in the words of UX.md: "overdue by 2 days", "overdue by
    1 day", "due today", "due tomorrow", "in 3 days" (the exact date goes in a title)."""
    if day is None:
        return ""
    delta = (day - today).days
    if delta < 0:
        return f"overdue by {-delta} day{'' if delta == -1 else 's'}"
    if delta == 0:
        return "due today"
    if delta == 1:
        return "due tomorrow"
    return f"in {delta} days"


def time_zone_names() -> frozenset[str]:
    """Every IANA time zone name this Python knows (``zoneinfo``), e.g. "America/Chicago"."""
    return _ZONE_NAMES


def validate_time_zone(value: str) -> None:
    """Refuse a name that is not an IANA time zone ("America/Chicgo", "EST5"), saying
    what is expected: a mistyped zone would make every date of the team wrong."""
    if value not in _ZONE_NAMES:
        raise ValidationError(
            "Not a time zone name. Use an IANA name such as America/New_York, "
            "America/Chicago, America/Los_Angeles or Pacific/Honolulu.",
            code="invalid_time_zone",
        )


def add_business_days(start: date, days: int, holidays: Container[date] = ()) -> date:
    """``days`` business days after ``start`` (0: ``start`` itself, or the next business
    day when it is not one). Saturdays, Sundays and the days in ``holidays`` (a team's
    public holidays, ``Team.public_holidays``) are not business days."""

    def business(day: date) -> bool:
        return day.weekday() < 5 and day not in holidays

    day = start
    while not business(day):
        day += timedelta(days=1)
    added = 0
    while added < days:
        day += timedelta(days=1)
        if business(day):
            added += 1
    return day


_ZONE_NAMES = frozenset(available_timezones())
