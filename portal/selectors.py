"""Reads of the portal: check-ins of a client (the chart panel, the API), the check-ins
that need a look (Today), what a client's own link shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from casemgmt.accounts.models import User
from clients.models import Client
from clients.selectors import client_list

from .language import language_for
from .models import (
    AutoCheckIn,
    CheckIn,
    CheckInResult,
    CheckInStatus,
    LinkPurpose,
    PortalLink,
    QuestionSet,
)


def checkin_state(checkin: CheckIn, now: datetime | None = None) -> str:
    """sent / opened / completed / expired / revoked / locked, as the chart shows it."""
    now = now or timezone.now()
    if checkin.status in (CheckInStatus.COMPLETED, CheckInStatus.REVOKED):
        return checkin.status
    link = checkin.link
    if link.revoked_at is not None:
        return "revoked"
    if link.locked_at is not None:
        return "locked"
    if link.expires_at <= now:
        return "expired"
    return checkin.status


def checkin_states_set(checkins: list[CheckIn]) -> list[CheckIn]:
    """Set ``state`` and ``names`` on each check-in (no query)."""
    return _with_state(checkins)


def _with_state(checkins: list[CheckIn]) -> list[CheckIn]:
    from assessments.selectors import instrument_get

    now = timezone.now()
    for checkin in checkins:
        checkin.state = checkin_state(checkin, now)
        checkin.names = [instrument_get(c).name for c in checkin.instruments]
        if checkin.question_set is not None:
            checkin.names.append(checkin.question_set.name)
    return checkins


def _checkin_queryset() -> QuerySet[CheckIn]:
    return CheckIn.objects.select_related(
        "link", "sent_by", "question_set", "acknowledged_by", "client"
    ).prefetch_related(
        Prefetch(
            "results",
            queryset=CheckInResult.objects.select_related("response").order_by("id"),
        )
    )


def checkin_list_in_reach(*, user: User) -> QuerySet[CheckIn]:
    """Check-ins of the clients in ``user``'s reach (the API's list)."""
    return _checkin_queryset().filter(client__in=client_list(user=user).values("pk"))


def checkin_list(*, client: Client, limit: int = 50) -> list[CheckIn]:
    """A client's check-ins, newest first, each with ``state`` set."""
    return _with_state(list(_checkin_queryset().filter(client=client)[:limit]))


def checkin_get(*, client: Client, checkin_id: int | str) -> CheckIn:
    try:
        checkin = _checkin_queryset().get(client=client, pk=int(checkin_id))
    except (CheckIn.DoesNotExist, TypeError, ValueError):
        raise Http404("No such check-in") from None
    return _with_state([checkin])[0]


def plan_links(*, client: Client) -> list[PortalLink]:
    return list(
        PortalLink.objects.filter(client=client, purpose=LinkPurpose.PLAN).select_related(
            "created_by"
        )[:10]
    )


def question_sets_for(*, client: Client) -> QuerySet[QuestionSet]:
    return QuestionSet.objects.filter(Q(team__isnull=True) | Q(team=client.team_id), is_active=True)


@dataclass
class CheckInToLook:
    checkin_id: int
    client_id: int
    client_name: str
    completed_at: datetime | None
    reasons: list[str]


def checkins_to_look_at(*, user: User, limit: int | None = None) -> tuple[list[CheckInToLook], int]:
    """Completed check-ins of ``user``'s own clients (primary case manager), or of the
    teams they supervise, with a risk answer or a worse score, not yet acknowledged:
    the Today page's list, risk first. Two queries (lines and count)."""
    from casemgmt.accounts.models import Team

    supervised = Team.objects.filter(supervisors=user).values("pk")
    qs = (
        CheckIn.objects.filter(acknowledged_at__isnull=True)
        .exclude(needs_look=[])
        .filter(Q(client__primary_case_manager=user) | Q(client__team__in=supervised))
        .filter(client__in=client_list(user=user).values("pk"))
    )
    total = qs.count()
    rows = qs.order_by(
        F("risk_at").desc(nulls_last=True), F("completed_at").desc(nulls_last=True)
    ).values_list(
        "pk",
        "client_id",
        "client__preferred_name",
        "client__first_name",
        "client__last_name",
        "completed_at",
        "needs_look",
        "risk_at",
    )
    if limit is not None:
        rows = rows[:limit]
    lines = []
    for pk, client_id, preferred, first, last, completed_at, needs, risk_at in rows:
        name = f"{preferred or first} {last}".strip()
        lines.append(
            CheckInToLook(
                checkin_id=pk,
                client_id=client_id,
                client_name=name,
                completed_at=completed_at or risk_at,
                reasons=list(needs),
            )
        )
    return lines, total


def link_language(*, link_id: int) -> str:
    preferred = (
        PortalLink.objects.filter(pk=link_id)
        .values_list("client__preferred_language", flat=True)
        .first()
    )
    return language_for(preferred or "")


def portal_link_get(*, link_id: int | None) -> PortalLink | None:
    if link_id is None:
        return None
    return PortalLink.objects.select_related("client", "client__team").filter(pk=link_id).first()


def plan_link_get(*, client: Client, link_id: int) -> PortalLink:
    link = PortalLink.objects.filter(client=client, pk=link_id, purpose=LinkPurpose.PLAN).first()
    if link is None:
        raise Http404("No such link")
    return link


def today_checkins_panel(user: User, limit: int | None) -> dict[str, object]:
    """The Today page's "Check-ins to look at" section."""
    lines, total = checkins_to_look_at(user=user, limit=limit)
    return {"lines": lines, "total": total, "more": total - len(lines)}


def next_appointment(*, client: Client) -> datetime | None:
    """When the client's next appointment starts (scheduled, not yet begun), for their
    plan page; None when none is booked."""
    from scheduling.models import Appointment, AppointmentStatus

    return (
        Appointment.objects.filter(
            client=client, status=AppointmentStatus.SCHEDULED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def auto_checkin_get(*, client: Client) -> AutoCheckIn | None:
    return AutoCheckIn.objects.filter(client=client).first()
