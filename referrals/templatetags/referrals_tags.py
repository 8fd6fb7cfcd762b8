from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def relative_due(day: date | None) -> str:
    """ "overdue by 2 days", "due today", "due tomorrow", "in 3 days"."""
    if day is None:
        return ""
    delta = (day - timezone.localdate()).days
    if delta < -1:
        return f"overdue by {-delta} days"
    if delta == -1:
        return "overdue by 1 day"
    if delta == 0:
        return "due today"
    if delta == 1:
        return "due tomorrow"
    return f"in {delta} days"
