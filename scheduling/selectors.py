"""Reads of appointments, scoped to the user (the clients in their reach)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from casemgmt.accounts.models import User
from clients.models import Client
from clients.selectors import client_ids_in_reach

from .models import (
    Appointment,
    AppointmentStaff,
    AppointmentStatus,
    CalendarFeed,
    Recurrence,
)

#: What calendars show: a moved appointment shows once, at its new time.
SHOWN_STATUSES = [s for s in AppointmentStatus.values if s != AppointmentStatus.RESCHEDULED]


def _staff_prefetch() -> Prefetch[str, QuerySet[AppointmentStaff], str]:
    return Prefetch(
        "staff_links",
        queryset=AppointmentStaff.objects.select_related("user").order_by("pk"),
        to_attr="staff_rows",
    )


def appointment_list(*, user: User) -> QuerySet[Appointment]:
    """Appointments of the clients in ``user``'s reach, with client, team and staff."""
    return (
        Appointment.objects.filter(client_id__in=client_ids_in_reach(user=user))
        .select_related("client", "team", "recurrence")
        .prefetch_related(_staff_prefetch(), "interventions")
    )


def appointment_get(*, user: User, appointment_id: int | str) -> Appointment:
    """One appointment of a client in reach, else ``Http404``."""
    try:
        pk = int(appointment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    appointment = appointment_list(user=user).filter(pk=pk).first()
    if appointment is None:
        raise Http404
    return appointment


def recurrence_list(*, user: User) -> QuerySet[Recurrence]:
    return (
        Recurrence.objects.filter(client_id__in=client_ids_in_reach(user=user))
        .select_related("client", "team")
        .prefetch_related("staff")
    )


def appointments_between(
    *,
    user: User,
    start: datetime,
    end: datetime,
    staff_ids: list[int] | None = None,
    kinds: list[str] | None = None,
    team_ids: list[int] | None = None,
) -> QuerySet[Appointment]:
    """The shown appointments overlapping [start, end) in reach of ``user``: of the
    given staff members (their own rows, read through the (user, starts_at) index) or of
    the given teams. Three queries whatever the count (appointments, staff, and the
    reach subquery inlined)."""
    qs = appointment_list(user=user).filter(
        starts_at__lt=end,
        ends_at__gt=start,
        status__in=SHOWN_STATUSES,
    )
    if staff_ids is not None:
        qs = qs.filter(
            pk__in=AppointmentStaff.objects.filter(
                user_id__in=staff_ids,
                starts_at__lt=end,
                starts_at__gte=start - timedelta(hours=12),
            ).values("appointment_id")
        )
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("starts_at", "pk")


def staff_appointments_on(*, user: User, staff: User, day: date, zone) -> list[Appointment]:  # type: ignore[no-untyped-def]
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return list(
        appointments_between(
            user=user, start=start, end=start + timedelta(days=1), staff_ids=[staff.pk]
        )
    )


def feed_user(*, token_digest: str) -> User | None:
    """The staff member whose live feed has this digest, else None."""
    feed = (
        CalendarFeed.objects.filter(token_digest=token_digest, revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_exists(*, user: User) -> bool:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).exists()


#: "In a row": the client's last two appointments that were kept or missed, within this
#: many days, were both no-shows (cancelled and moved ones do not break the row).
NO_SHOW_LOOKBACK_DAYS = 90


def consecutive_no_show_client_ids(*, scope: QuerySet[Client], now: datetime) -> set[int]:
    """Clients of ``scope`` whose last two kept-or-missed appointments (completed or
    no-show, started by ``now``, within ``NO_SHOW_LOOKBACK_DAYS``) were both no-shows
    (one query). The supervisor's attention list reads this (dashboard.attention)."""
    rows = (
        Appointment.objects.filter(
            client_id__in=scope.values("pk"),
            status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW],
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=NO_SHOW_LOOKBACK_DAYS),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=F("client_id"), order_by=F("starts_at").desc())
        )
        .filter(rank__lte=2)
        .values_list("client_id", "status")
    )
    missed: dict[int, int] = {}
    for client_id, status in rows:
        if status == AppointmentStatus.NO_SHOW:
            missed[client_id] = missed.get(client_id, 0) + 1
    return {client_id for client_id, count in missed.items() if count == 2}


def my_appointments_today(*, user: User, zone: ZoneInfo, limit: int = 20) -> list[Appointment]:
    """``user``'s own appointments today (in ``zone``), cancelled ones included so the
    day reads true; for the Today page (two queries)."""
    start = datetime.combine(timezone.localdate(timezone=zone), datetime.min.time(), tzinfo=zone)
    return list(
        appointments_between(
            user=user, start=start, end=start + timedelta(days=1), staff_ids=[user.pk]
        )[:limit]
    )


def user_zone(*, user: User) -> ZoneInfo:
    """The time zone of ``user``'s calendar: their first team's (by name), else the
    site's."""
    from django.conf import settings

    from casemgmt.accounts.models import Team

    zone = (
        Team.objects.filter(Q(members=user) | Q(supervisors=user))
        .order_by("name")
        .values_list("time_zone", flat=True)
        .first()
    )
    return ZoneInfo(zone or settings.TIME_ZONE)
