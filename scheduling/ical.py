"""The iCalendar (RFC 5545) feed of one staff member, built with ``icalendar``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from casemgmt.accounts.models import User

from .models import (
    Appointment,
    AppointmentStaff,
    AppointmentStatus,
    TeamCalendarSetting,
)

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 183


def _initials(appointment: Appointment) -> str:
    c = appointment.client
    first = (c.preferred_name or c.first_name or "?")[:1]
    return f"{first}.{(c.last_name or '?')[:1]}."


def feed_calendar(*, user: User) -> bytes:
    now = timezone.now()
    ids = AppointmentStaff.objects.filter(
        user=user,
        starts_at__gte=now - timedelta(days=FEED_PAST_DAYS),
        starts_at__lt=now + timedelta(days=FEED_FUTURE_DAYS),
    ).values("appointment_id")
    rows = (
        Appointment.objects.filter(pk__in=ids)
        .exclude(status=AppointmentStatus.RESCHEDULED)
        .select_related("client", "team")
        .order_by("starts_at")
    )
    initials_teams = set(
        TeamCalendarSetting.objects.filter(feed_shows_initials=True).values_list(
            "team_id", flat=True
        )
    )
    cal = Calendar()
    cal.add("prodid", "-//casemgmt//appointments//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "casemgmt appointments")
    for a in rows:
        event = Event()
        event.add("uid", f"appointment-{a.pk}@{settings.SITE_URL.split('//')[-1].strip('/')}")
        event.add("dtstamp", now)
        event.add("dtstart", a.starts_at)
        event.add("dtend", a.ends_at)
        summary = a.get_kind_display()
        if a.team_id in initials_teams:
            summary += f" ({_initials(a)})"
        event.add("summary", summary)
        event.add("location", a.get_location_display())
        if a.status in (AppointmentStatus.CANCELLED_CLIENT, AppointmentStatus.CANCELLED_STAFF):
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        event.add("url", f"{settings.SITE_URL.rstrip('/')}/scheduling/appointments/{a.pk}/")
        cal.add_component(event)
    return cal.to_ical()
