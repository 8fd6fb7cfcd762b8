"""Dates as people read them."""

from __future__ import annotations

from datetime import date


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
