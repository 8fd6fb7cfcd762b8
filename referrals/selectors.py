"""Reads of the referrals app, scoped to the user. Other apps (dashboard) import from here.

- ``followups_overdue(*, user, as_of=None, mine=False)``
- ``transition_followup_measures(*, team_ids=None, start, end)``
- ``followup_window_tallies(*, team_ids=None, start, end)`` (per discharge day, for trends)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Aggregate, Case, Count, DurationField, F, Q, QuerySet, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.lib.sql import ids_subquery, in_teams
from clients.models import Client, ContactNote
from clients.selectors import client_ids_in_reach

from .models import (
    CareTransition,
    Disclosure,
    FollowUp,
    FollowUpReschedule,
    FollowUpStatus,
    Measure,
    Referral,
    ReferralStatus,
    Service,
    ServiceStatus,
)
from .windows import (
    QUALIFYING_CONTACT_TYPES,
    SAME_DAY_COUNTS,
    WINDOW_DAYS,
    Window,
    first_visit_in,
    windows,
)

DUE_SOON_DAYS = 2
DISCLOSURE_LOG_YEARS = 3


# ------------------------------------------------------------------------ directory
def service_list(
    *,
    q: str = "",
    category: str = "",
    language: str = "",
    include_inactive: bool = False,
) -> QuerySet[Service]:
    """Directory search: free text over service and organisation, category, language."""
    qs = Service.objects.select_related("organization")
    if not include_inactive:
        qs = qs.exclude(status=ServiceStatus.INACTIVE)
    if category:
        qs = qs.filter(category=category)
    if language:
        # Languages are stored title-cased ("Spanish"), so the match is case-insensitive.
        qs = qs.filter(languages__contains=[language.strip().title()])
    for word in (q or "").split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(eligibility__icontains=word)
            | Q(address__icontains=word)
        )
    return qs.order_by("name", "id")


# ------------------------------------------------------------------------ referrals
def _reach(user: User) -> QuerySet[Client, Mapping[str, Any]]:
    return client_ids_in_reach(user=user)  # includes emergency access


def referral_list(*, user: User) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(client_id__in=_reach(user))
        .select_related("client", "service__organization", "created_by")
        .order_by("-created_at", "-id")
    )


def referral_get(*, user: User, referral_id: int, client: Client | None = None) -> Referral:
    qs = referral_list(user=user).prefetch_related("events__actor")
    if client is not None:
        qs = qs.filter(client=client)
    referral = qs.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def plan_goals(*, client: Client) -> list[tuple[int, str]]:
    """(id, text) of the goals of the client's current care plan, when the care plans
    app is installed; empty otherwise."""
    try:
        from careplans.selectors import careplan_current
    except ImportError:
        return []
    plan = careplan_current(client=client)
    if plan is None:
        return []
    return [(goal.pk, str(goal.text)[:120]) for goal in plan.goals.all()]


def referrals_for_client(*, client: Client) -> QuerySet[Referral]:
    return client.referrals.select_related("service__organization").order_by("-created_at", "-id")


def disclosure_log(*, client: Client, as_of: date | None = None) -> QuerySet[Disclosure]:
    """Accounting of disclosures for the past 3 years."""
    as_of = as_of or timezone.localdate()
    since = as_of.replace(year=as_of.year - DISCLOSURE_LOG_YEARS)
    return client.disclosures.filter(disclosed_at__date__gte=since).select_related("disclosed_by")


# ---------------------------------------------------------------------- transitions
def transition_list(*, user: User) -> QuerySet[CareTransition]:
    return (
        CareTransition.objects.filter(client_id__in=_reach(user))
        .select_related("client", "recorded_by")
        .order_by("-discharged_on", "-id")
    )


def transition_get(
    *, user: User, transition_id: int, client: Client | None = None
) -> CareTransition:
    qs = transition_list(user=user)
    if client is not None:
        qs = qs.filter(client=client)
    transition = qs.filter(pk=transition_id).first()
    if transition is None:
        raise Http404
    return transition


@dataclass(frozen=True)
class WindowStatus:
    window: Window
    met_on: date | None
    state: str  # "met", "missed", "open"

    @property
    def label(self) -> str:
        if self.state == "met":
            return f"Met: visit on {self.met_on:%b %-d}"
        if self.state == "missed":
            return "Missed: no visit in the window"
        return f"Open until {self.window.last_day:%b %-d}"


def _visit_days(client_ids: Iterable[int], start: date, end: date) -> dict[int, list[date]]:
    """Team-local days of qualifying contact notes per client (one query)."""
    days: dict[int, list[date]] = defaultdict(list)
    notes = ContactNote.objects.filter(
        client_id__in=client_ids,
        contact_type__in=QUALIFYING_CONTACT_TYPES,
        contact_at__gte=datetime.combine(
            start - timedelta(days=1), datetime.min.time(), ZoneInfo("UTC")
        ),
        contact_at__lt=datetime.combine(
            end + timedelta(days=2), datetime.min.time(), ZoneInfo("UTC")
        ),
    ).values_list("client_id", "contact_at", "client__team__time_zone")
    for client_id, at, tz in notes:
        days[client_id].append(timezone.localtime(at, ZoneInfo(tz)).date())
    return days


def transition_windows(
    transitions: list[CareTransition], *, as_of: date | None = None
) -> dict[int, list[WindowStatus]]:
    """For each discharge under a measure: its 7- and 30-day windows, met or not, from
    the contact notes (one query for all). See ``referrals.windows`` for the rules."""
    as_of = as_of or timezone.localdate()
    todo = [(t, t.discharged_on) for t in transitions if t.measure and t.discharged_on]
    if not todo:
        return {}
    start = min(day for _, day in todo)
    end = max(day for _, day in todo) + timedelta(days=max(WINDOW_DAYS))
    visits = _visit_days({t.client_id for t, _ in todo}, start, end)
    result = {}
    for t, discharged_on in todo:
        statuses = []
        for w in windows(t.measure, discharged_on):
            met = first_visit_in(w, visits.get(t.client_id, []))
            state = "met" if met else ("missed" if as_of > w.last_day else "open")
            statuses.append(WindowStatus(w, met, state))
        result[t.pk] = statuses
    return result


@dataclass(frozen=True)
class WindowTally:
    """Closed (or met) follow-up windows of the discharges of one day, one measure."""

    measure: str
    days: int
    discharged_on: date
    numerator: int  # windows met
    denominator: int  # windows met or closed


# The rules of ``referrals.windows`` (``window``, ``first_visit_in``) and ``_visit_days``
# spelt in SQL, so that counts over thousands of discharges need neither the notes nor
# the transitions in Python. A test checks both spellings agree on the same data.
# One row per discharge and window: whether it was met, whether it has closed.
_WINDOWS_SQL = """
SELECT t.id AS transition_id, t.client_id, t.measure, w.days, t.discharged_on, v.met,
       %(as_of)s::date > t.discharged_on + w.days AS closed
FROM {transition} t
JOIN {client} c ON c.id = t.client_id
JOIN {team} tm ON tm.id = c.team_id
CROSS JOIN unnest(%(window_days)s::int[]) AS w(days)
CROSS JOIN LATERAL (
    SELECT EXISTS (
        SELECT 1 FROM {note} n
        WHERE n.client_id = t.client_id
          AND n.contact_type = ANY(%(contact_types)s)
          AND n.contact_at >= ((t.discharged_on
                + CASE WHEN t.measure = ANY(%(same_day)s) THEN 0 ELSE 1 END)::timestamp
                AT TIME ZONE tm.time_zone)
          AND n.contact_at < ((t.discharged_on + w.days + 1)::timestamp AT TIME ZONE tm.time_zone)
    ) AS met
    OFFSET 0  -- keeps the search as one step: every reader of ``met`` shares it
) v
WHERE t.measure <> '' AND t.discharged_on BETWEEN %(start)s AND %(end)s {reach}
"""
_WINDOW_TALLY_SQL = """
SELECT measure, days, discharged_on,
       COUNT(*) FILTER (WHERE met), COUNT(*) FILTER (WHERE met OR closed)
FROM ({windows}) windows
GROUP BY 1, 2, 3
"""
_WINDOW_MISSED_SQL = """
SELECT client_id FROM ({windows}) windows
WHERE closed AND NOT met AND measure = %(measure)s AND days = %(days)s
"""


def _windows_sql(
    *, team_ids: Iterable[int] | None, start: date, end: date, as_of: date | None
) -> tuple[str, dict[str, Any]]:
    params = {
        "as_of": as_of or timezone.localdate(),
        "start": start,
        "end": end,
        "window_days": list(WINDOW_DAYS),
        "contact_types": list(QUALIFYING_CONTACT_TYPES),
        "same_day": [str(m) for m in SAME_DAY_COUNTS],
    }
    reach = in_teams(team_ids, params)
    sql = _WINDOWS_SQL.format(
        transition=CareTransition._meta.db_table,
        client=Client._meta.db_table,
        team=Team._meta.db_table,
        note=ContactNote._meta.db_table,
        reach=reach,
    )
    return sql, params


def followup_window_tallies(
    *, team_ids: list[int] | None = None, start: date, end: date, as_of: date | None = None
) -> list[WindowTally]:
    """Per measure, window (7, 30) and discharge day ``start``..``end``: how many windows
    were met and how many count (met, or closed unmet). A window still open and unmet is
    in neither. One query, aggregated in PostgreSQL (one index probe into the contact
    notes per window); the same rules as ``transition_windows``."""
    windows, params = _windows_sql(team_ids=team_ids, start=start, end=end, as_of=as_of)
    with connection.cursor() as cursor:
        cursor.execute(_WINDOW_TALLY_SQL.format(windows=windows), params)
        return [WindowTally(*row) for row in cursor.fetchall()]


def followup_window_missed_clients(
    *,
    team_ids: list[int] | None,
    measure: str,
    days: int,
    start: date,
    end: date,
    as_of: date | None = None,
) -> QuerySet[Client, Mapping[str, Any]]:
    """Clients with a discharge dated ``start``..``end`` under ``measure`` whose
    ``days``-day window closed without a follow-up visit (the drill-down behind a
    follow-up measure), as a subquery of ids."""
    windows, params = _windows_sql(team_ids=team_ids, start=start, end=end, as_of=as_of)
    params |= {"measure": measure, "days": days}
    missed = ids_subquery(_WINDOW_MISSED_SQL.format(windows=windows), params)
    return Client.objects.filter(pk__in=missed).values("pk")


def followup_rates(
    tallies: Iterable[WindowTally], *, start: date, end: date
) -> dict[str, dict[int, dict[str, int]]]:
    """Sum ``tallies`` of discharges dated ``start``..``end`` per measure and window."""
    rates = {str(m): {d: {"numerator": 0, "denominator": 0} for d in WINDOW_DAYS} for m in Measure}
    for tally in tallies:
        if start <= tally.discharged_on <= end:
            cell = rates[tally.measure][tally.days]
            cell["numerator"] += tally.numerator
            cell["denominator"] += tally.denominator
    return rates


def transition_followup_measures(
    *, team_ids: list[int] | None = None, start: date, end: date, as_of: date | None = None
) -> dict[str, dict[int, dict[str, int]]]:
    """HEDIS-style rates for discharges dated ``start``..``end`` (inclusive), per measure
    (FUH, FUM, FUA, FUI) and window (7, 30): ``{"FUH": {7: {"numerator": n,
    "denominator": d}, 30: {...}}, ...}``. A discharge enters a window's denominator once
    the window has closed (or was met early); the numerator counts met windows. One
    query."""
    tallies = followup_window_tallies(team_ids=team_ids, start=start, end=end, as_of=as_of)
    return followup_rates(tallies, start=start, end=end)


# ------------------------------------------------------------------------ follow-ups
def followup_list(*, user: User) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(client_id__in=_reach(user))
        .select_related("client", "assignee", "referral", "transition")
        .order_by("due_at", "id")
    )


def followup_get(*, user: User, followup_id: int) -> FollowUp:
    followup = followup_list(user=user).filter(pk=followup_id).first()
    if followup is None:
        raise Http404
    return followup


def followup_reschedules(*, followup: FollowUp) -> QuerySet[FollowUpReschedule]:
    """The moves of one follow-up (already in reach), oldest first."""
    return followup.reschedules.select_related("actor").order_by("occurred_at", "id")


def followups_for_client(*, client: Client) -> QuerySet[FollowUp]:
    """Open follow-ups first (soonest due first), then the closed ones, latest first."""
    is_open = Case(When(status=FollowUpStatus.OPEN, then=0), default=1)
    return (
        client.followups.select_related("assignee")
        .annotate(closed_rank=is_open)
        .order_by("closed_rank", "due_at", "id")
    )


def followup_state(followup: FollowUp, now: datetime | None = None) -> str:
    """``overdue``, ``due`` (today), ``due_soon`` (within 2 days), ``upcoming`` or the
    closed status."""
    if followup.status != FollowUpStatus.OPEN:
        return followup.status
    now = now or timezone.now()
    today = timezone.localdate(now)
    if followup.due_at <= now:
        return "overdue"
    if followup.due_on <= today:
        return "due"
    if followup.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "upcoming"


def followups_overdue(
    *, user: User, as_of: datetime | None = None, mine: bool = False
) -> QuerySet[FollowUp]:
    """Open follow-ups past their deadline for clients in reach (``mine``: assigned to
    ``user`` only), oldest first."""
    as_of = as_of or timezone.now()
    qs = followup_list(user=user).filter(status=FollowUpStatus.OPEN, due_at__lte=as_of)
    return qs.filter(assignee=user) if mine else qs


@dataclass
class DueItem:
    """One line on "My follow-ups": a follow-up, or a plan review / re-assessment due
    from the other apps."""

    kind: str
    client: Client
    title: str
    due_on: date
    link: str
    followup: FollowUp | None = None


def _other_sources(user: User, until: date) -> list[DueItem]:
    """Plan reviews and re-assessments due by ``until`` for the user's own clients (as
    primary case manager), from the care plans and assessments apps when installed."""
    # Both apps are always installed (settings.INSTALLED_APPS): no ImportError fallback.
    from assessments.selectors import reassessments_due
    from careplans.selectors import plans_due_for_review

    items: list[DueItem] = []
    for plan in plans_due_for_review(user=user, as_of=until):
        client = _get(plan, "client")
        if client is None or client.primary_case_manager_id != user.pk:
            continue
        items.append(_due_item("plan_review", plan, "Care plan review due"))
    for row in reassessments_due(user=user, as_of=until):
        if _get(row, "case_manager_id") != user.pk:
            continue
        item = _due_item("reassessment", row, "Re-assessment due")
        name = _get(row, "instrument_name")
        if name:
            item.title = f"Re-assessment due: {name}"
        items.append(item)
    return items


def _get(row: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value is not None:
            return value
    return default


def _due_item(kind: str, row: Any, fallback: str) -> DueItem:
    client = _get(row, "client")
    due = _get(row, "due_on", "review_due", "review_due_on", "due_date", "due")
    if isinstance(due, datetime):
        due = due.date()
    title = _get(row, "title", default=fallback)
    link = _get(row, "link", "url", default="")
    if not link and client is not None:
        link = reverse("clients:detail", args=[client.pk])
    return DueItem(kind=kind, client=client, title=str(title), due_on=due, link=link)


def my_followups(*, user: User, as_of: datetime | None = None) -> dict[str, list[DueItem]]:
    """The "My follow-ups" page: overdue, today, this week (the next 7 days), each with
    the user's open follow-ups plus plan reviews and re-assessments due (when those apps
    provide them)."""
    now = as_of or timezone.now()
    today = timezone.localdate(now)
    week_end = today + timedelta(days=7)
    sections: dict[str, list[DueItem]] = {"overdue": [], "today": [], "week": []}
    followups = followup_list(user=user).filter(
        status=FollowUpStatus.OPEN, assignee=user, due_on__lte=week_end
    )
    items = [
        DueItem(
            kind=f.reason,
            client=f.client,
            title=f.title,
            due_on=f.due_on,
            link=reverse("referrals:client_referrals", args=[f.client_id]) + f"#followup-{f.pk}",
            followup=f,
        )
        for f in followups
    ]
    try:
        items += [i for i in _other_sources(user, week_end) if i.due_on]
    except Exception:  # another app's selector must never break this page
        import logging

        logging.getLogger(__name__).exception("due items from another app failed")
    for item in sorted(items, key=lambda i: (i.due_on, i.title)):
        if item.followup is not None:
            state = followup_state(item.followup, now)
            key = "overdue" if state == "overdue" else ("today" if state == "due" else "week")
        else:
            key = (
                "overdue" if item.due_on < today else ("today" if item.due_on == today else "week")
            )
        sections[key].append(item)
    return sections


# ------------------------------------------------------------------ measures (dashboard)
class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate PERCENTILE_CONT(0.5) (core, no extension)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _closed_referrals(
    *, team_ids: Iterable[int] | None, low: datetime, high: datetime
) -> QuerySet[Referral]:
    closed = Referral.objects.filter(
        closed_at__gte=low,
        closed_at__lt=high,
        status__in=[
            ReferralStatus.COMPLETED,
            ReferralStatus.DECLINED,
            ReferralStatus.NO_SHOW,
            ReferralStatus.CANCELLED,
        ],
    )
    return closed if team_ids is None else closed.filter(client__team_id__in=team_ids)


_LOOP_CLOSED = Q(status=ReferralStatus.COMPLETED) & ~Q(completion_confirmation="")


def referral_open_loop_clients(
    *, team_ids: list[int] | None, low: datetime, high: datetime
) -> QuerySet[Client, Mapping[str, Any]]:
    """Clients with a referral closed in [``low``, ``high``) whose completion was not
    confirmed (declined, no-show, cancelled, or completed unconfirmed), as ids."""
    closed = _closed_referrals(team_ids=team_ids, low=low, high=high)
    return Client.objects.filter(pk__in=closed.exclude(_LOOP_CLOSED).values("client_id")).values(
        "pk"
    )


def referral_closure_counts(
    *, team_ids: list[int] | None, low: datetime, high: datetime
) -> dict[str, Any]:
    """Referrals of the clients of ``team_ids`` (all teams: None) closed in [``low``,
    ``high``): ``total``, ``loop`` (completed with the completion confirmed: the loop
    closed) and ``median`` (a timedelta from sending to completion of those, or None).
    One query."""
    closed = _closed_referrals(team_ids=team_ids, low=low, high=high)
    loop = _LOOP_CLOSED
    return closed.order_by().aggregate(
        total=Count("pk"),
        loop=Count("pk", filter=loop),
        median=Median(F("closed_at") - F("sent_at"), filter=loop & Q(sent_at__isnull=False)),
    )
