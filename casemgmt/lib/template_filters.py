"""Template filters every app's templates may use without ``{% load %}`` (registered as a
template builtin in settings)."""

from datetime import date

from django import template
from django.utils import timezone

from casemgmt.lib.dates import relative_due as _relative_due

register = template.Library()


@register.filter
def relative_due(day: date | None) -> str:
    """ "overdue by 2 days", "due tomorrow", "in 3 days" from today (casemgmt.lib.dates)."""
    return _relative_due(day, timezone.localdate())
