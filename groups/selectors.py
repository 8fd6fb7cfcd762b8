"""Reads of groups, sessions and attendance, scoped to the user: the groups of the teams
in their reach (a case manager's teams, a supervisor's, an admin every team). Lists come
with what their pages show prefetched (a fixed number of queries)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.http import Http404

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import team_ids_in_reach
from clients.selectors import client_list

from .models import (
    FamilySessionAttendee,
    Group,
    GroupMembership,
    GroupSession,
    SessionAttendance,
)

_M = TypeVar("_M", bound=Model)


def _in_reach(qs: QuerySet[_M], user: User, field: str) -> QuerySet[_M]:
    teams = team_ids_in_reach(user=user)
    return qs if teams is None else qs.filter(**{f"{field}__in": teams})


def group_list(*, user: User) -> QuerySet[Group]:
    """Groups of the teams in reach, with facilitators and ``active_member_count``."""
    qs = (
        Group.objects.select_related("team")
        .prefetch_related("facilitators")
        .annotate(
            active_member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
        )
        .order_by("name", "id")
    )
    return _in_reach(qs, user, "team_id")


def group_get(*, user: User, group_id: int) -> Group:
    group = group_list(user=user).filter(pk=group_id).first()
    if group is None:
        raise Http404
    return group


def membership_list(*, user: User) -> QuerySet[GroupMembership]:
    """Memberships of groups in reach whose client is in reach (active first)."""
    qs = (
        GroupMembership.objects.filter(client_id__in=client_list(user=user).values("pk"))
        .select_related("client", "group")
        .order_by("left_on", "client__last_name", "client__first_name", "id")
    )
    return _in_reach(qs, user, "group__team_id")


def members_on(*, group: Group, day) -> QuerySet[GroupMembership]:  # type: ignore[no-untyped-def]
    """The members of ``group`` on the (team-local) ``day``: joined on or before it,
    not left before it."""
    return (
        group.memberships.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("client")
        .order_by("client__last_name", "client__first_name", "id")
    )


def _attendance() -> Prefetch[str, QuerySet[SessionAttendance], str]:
    return Prefetch(
        "attendance",
        queryset=SessionAttendance.objects.select_related("client", "note").order_by(
            "client__last_name", "client__first_name", "id"
        ),
    )


def session_list(*, user: User) -> QuerySet[GroupSession]:
    """Sessions of groups in reach, with group, facilitators and attendance."""
    qs = (
        GroupSession.objects.select_related("group__team")
        .prefetch_related("facilitators", _attendance())
        .order_by("starts_at", "id")
    )
    return _in_reach(qs, user, "group__team_id")


def session_get(*, user: User, session_id: int) -> GroupSession:
    session = session_list(user=user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def sessions_between(
    *, user: User, start: datetime, end: datetime, staff_ids: list[int] | None = None
) -> QuerySet[GroupSession]:
    """Sessions overlapping [start, end) in reach (of the given facilitators): for the
    calendars, beside ``scheduling.selectors.appointments_between``."""
    qs = session_list(user=user).filter(starts_at__lt=end, ends_at__gt=start)
    if staff_ids is not None:
        qs = qs.filter(facilitators__in=staff_ids).distinct()
    return qs


def attendance_list(*, user: User) -> QuerySet[SessionAttendance]:
    """Attendance rows of clients in reach at sessions of groups in reach."""
    qs = (
        SessionAttendance.objects.filter(client_id__in=client_list(user=user).values("pk"))
        .select_related("client", "session__group", "note")
        .prefetch_related("interventions")
        .order_by("-session__starts_at", "id")
    )
    return _in_reach(qs, user, "session__group__team_id")


def client_group_attendance(*, client_id: int) -> dict[str, int]:
    """How often the client attended group sessions (by status): what the chart and the
    IDDT measures count. ``client_id`` comes from a client in reach."""
    rows = (
        SessionAttendance.objects.filter(client_id=client_id)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def group_attendance_rate(
    *, team_ids: list[int] | None, start: datetime, end: datetime
) -> tuple[int, int]:
    """(clients who attended at least one group session in [start, end), active
    dual-diagnosis clients of the teams): the IDDT Fidelity Scale's "group DD treatment"
    item counts the share of clients with co-occurring disorders who attend a dual
    disorders group (SAMHSA, Integrated Treatment for Co-Occurring Disorders EBP KIT,
    IDDT Fidelity Scale, item "Group DD treatment")."""
    from clients.models import Client, ClientStatus

    clients = Client.objects.filter(is_dual_diagnosis=True, status=ClientStatus.ACTIVE)
    if team_ids is not None:
        clients = clients.filter(team_id__in=team_ids)
    attended = (
        SessionAttendance.objects.filter(
            client_id__in=clients.values("pk"),
            status__in=["present", "left_early"],
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .values("client_id")
        .distinct()
        .count()
    )
    return attended, clients.count()


def family_attendees(*, appointment_ids: list[int]) -> QuerySet[FamilySessionAttendee]:
    return FamilySessionAttendee.objects.filter(appointment_id__in=appointment_ids).select_related(
        "related_person", "consent"
    )
