"""Reads of the referrals app, scoped to the user. Other apps (dashboard) import from here.

- ``followups_overdue(*, user, as_of=None, mine=False)``
- ``transition_followup_measures(*, team_ids=None, start, end)``
- ``followup_window_tallies(*, team_ids=None, start, end)`` (per discharge day, for trends)
- conditions for the dashboard's counts: ``referral_waiting_exists``,
  ``followups_overdue_of``, ``transition_followups_at_risk_of``
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.http import Http404
from django.utils import timezone

from careplans.selectors import careplan_current
from casemgmt.accounts.models import Team, User
from casemgmt.audit.extensions import DisclosureEntry
from casemgmt.lib.sql import ids_subquery, in_teams
from clients.models import Client, ContactNote
from clients.selectors import client_ids_in_reach

from .models import (
    CareTransition,
    DenominatorStatus,
    Disclosure,
    FollowUp,
    FollowUpReason,
    FollowUpReschedule,
    FollowUpStatus,
    Measure,
    Organization,
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
    """(id, text) of the goals of the client's current care plan (empty without one)."""
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


def disclosure_entries(client_id: int, since: date, until: date) -> list[DisclosureEntry]:
    """The client's disclosures from ``since`` to ``until`` (local dates, both included)
    as lines of the audit trail's accounting of disclosures (registered with
    ``casemgmt.audit.extensions`` in ``ReferralsConfig.ready``): one query."""
    rows = (
        Disclosure.objects.filter(
            client_id=client_id, disclosed_at__date__gte=since, disclosed_at__date__lte=until
        )
        .select_related("disclosed_by")
        .order_by("-disclosed_at", "-id")
    )
    return [
        DisclosureEntry(
            disclosed_at=d.disclosed_at,
            recipient=d.recipient,
            information=d.information,
            purpose=d.purpose,
            consent=d.consent_summary,
            disclosed_by=d.disclosed_by.display_name,
            source="Referral" if d.referral_id else "API read by the recipient",
        )
        for d in rows
    ]


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
    state: str  # "met", "missed", "open", "pending" (only an unsigned note in the window)
    pending_on: date | None = None  # the first unsigned qualifying note in the window
    closed: bool = False  # the window's last day has passed (in the team's calendar)

    @property
    def label(self) -> str:
        if self.state == "met":
            return f"Met: visit on {self.met_on:%b %-d}"
        if self.state == "pending":
            return f"Pending: unsigned note on {self.pending_on:%b %-d}"
        if self.state == "missed":
            return "Missed: no visit in the window"
        return f"Open until {self.window.last_day:%b %-d}"


@dataclass(frozen=True)
class _Visits:
    signed: dict[int, list[date]]  # per client: team-local days of signed visits
    drafts: dict[int, list[date]]  # ... of unsigned notes of a qualifying kind


def _visit_days(client_ids: Iterable[int], start: date, end: date) -> _Visits:
    """Team-local days of qualifying contact notes per client, signed and draft (one
    query). Qualifying: in person, video or phone (``QUALIFYING_CONTACT_TYPES``); an
    outreach attempt or a collateral contact never counts. Only a signed note counts as
    a visit (``referrals.windows``)."""
    signed: dict[int, list[date]] = defaultdict(list)
    drafts: dict[int, list[date]] = defaultdict(list)
    notes = ContactNote.objects.filter(
        client_id__in=client_ids,
        contact_type__in=QUALIFYING_CONTACT_TYPES,
        contact_at__gte=datetime.combine(
            start - timedelta(days=1), datetime.min.time(), ZoneInfo("UTC")
        ),
        contact_at__lt=datetime.combine(
            end + timedelta(days=2), datetime.min.time(), ZoneInfo("UTC")
        ),
    ).values_list("client_id", "contact_at", "client__team__time_zone", "signed_at")
    for client_id, at, tz, signed_at in notes:
        day = timezone.localtime(at, ZoneInfo(tz)).date()
        (signed if signed_at is not None else drafts)[client_id].append(day)
    return _Visits(signed, drafts)


def _team_dates(client_ids: Iterable[int]) -> dict[int, date]:
    """Today in each client's team's time zone (one query)."""
    now = timezone.now()
    rows = Client.objects.filter(pk__in=client_ids).values_list("pk", "team__time_zone")
    return {pk: timezone.localdate(now, ZoneInfo(tz)) for pk, tz in rows}


def transition_windows(
    transitions: list[CareTransition], *, as_of: date | None = None
) -> dict[int, list[WindowStatus]]:
    """For each discharge in its measure's denominator (``denominator`` counted): its 7-
    and 30-day windows, met, pending, missed or open, from the contact notes. A window
    is missed or open by the *team's* calendar (``as_of`` overrides it for all). A
    superseded or excluded discharge has no window (its reason is on the transition).
    Two queries for all. See ``referrals.windows`` for the rules."""
    todo = [
        (t, t.discharged_on)
        for t in transitions
        if t.measure and t.discharged_on and t.denominator == DenominatorStatus.COUNTED
    ]
    if not todo:
        return {}
    start = min(day for _, day in todo)
    end = max(day for _, day in todo) + timedelta(days=max(WINDOW_DAYS))
    client_ids = {t.client_id for t, _ in todo}
    today = {} if as_of is not None else _team_dates(client_ids)
    visits = _visit_days(client_ids, start, end)
    result = {}
    for t, discharged_on in todo:
        statuses = []
        day = as_of if as_of is not None else today[t.client_id]
        for w in windows(t.measure, discharged_on):
            met = first_visit_in(w, visits.signed.get(t.client_id, []))
            closed = day > w.last_day
            draft = None if met else first_visit_in(w, visits.drafts.get(t.client_id, []))
            if met:
                state = "met"
            elif draft:
                state = "pending"
            else:
                state = "missed" if closed else "open"
            statuses.append(WindowStatus(w, met, state, draft, closed))
        result[t.pk] = statuses
    return result


@dataclass(frozen=True)
class SetAside:
    """A discharge (or ED visit) left out of its measure's denominator, and why."""

    transition_id: int
    client_id: int
    client_name: str
    measure: str
    discharged_on: date
    status: str  # DenominatorStatus: superseded or excluded
    reason: str


def transitions_set_aside(
    *, clients: QuerySet[Client], measure: str, start: date, end: date
) -> list[SetAside]:
    """Discharges dated ``start``..``end`` of ``clients`` under ``measure`` that are
    superseded or excluded (``referrals.windows.denominator_statuses``), oldest first,
    for the drill-down behind a follow-up measure. One query."""
    rows = (
        CareTransition.objects.filter(
            client_id__in=clients.values("pk"),
            measure=measure,
            discharged_on__range=(start, end),
            denominator__in=[DenominatorStatus.SUPERSEDED, DenominatorStatus.EXCLUDED],
        )
        .order_by("discharged_on", "id")
        .values_list(
            "pk",
            "client_id",
            "client__preferred_name",
            "client__first_name",
            "client__last_name",
            "measure",
            "discharged_on",
            "denominator",
            "denominator_reason",
        )
    )
    found = []
    for pk, client_id, preferred, first, last, m, day, status, reason in rows:
        assert day is not None  # filtered on a range
        found.append(
            SetAside(pk, client_id, f"{preferred or first} {last}", m, day, status, reason)
        )
    return found


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
       COALESCE(%(as_of)s::date, (%(now)s::timestamptz AT TIME ZONE tm.time_zone)::date)
           > t.discharged_on + w.days AS closed
FROM {transition} t
JOIN {client} c ON c.id = t.client_id
JOIN {team} tm ON tm.id = c.team_id
CROSS JOIN unnest(%(window_days)s::int[]) AS w(days)
CROSS JOIN LATERAL (
    SELECT EXISTS (
        SELECT 1 FROM {note} n
        WHERE n.client_id = t.client_id
          AND n.contact_type = ANY(%(contact_types)s)
          AND n.signed_at IS NOT NULL
          AND n.contact_at >= ((t.discharged_on
                + CASE WHEN t.measure = ANY(%(same_day)s) THEN 0 ELSE 1 END)::timestamp
                AT TIME ZONE tm.time_zone)
          AND n.contact_at < ((t.discharged_on + w.days + 1)::timestamp AT TIME ZONE tm.time_zone)
    ) AS met
    OFFSET 0  -- keeps the search as one step: every reader of ``met`` shares it
) v
WHERE t.measure <> '' AND t.denominator = %(counted)s
  AND t.discharged_on BETWEEN %(start)s AND %(end)s {reach}
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
        "as_of": as_of,  # None: each team's own date
        "now": timezone.now(),
        "counted": DenominatorStatus.COUNTED.value,
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


# Conditions for the apps that count or list clients in SQL (the dashboard): the one
# spelling of each rule.
# A referral sent or received still waits for the other organisation's answer.
REFERRAL_WAITING_STATUSES = (ReferralStatus.SENT, ReferralStatus.RECEIVED)


def referral_waiting_exists(*, response_due_before: date | None = None) -> Exists:
    """The client (outer queryset) has a referral waiting for an answer (past its
    response deadline: due before ``response_due_before``, when given)."""
    waiting = Referral.objects.filter(client=OuterRef("pk"), status__in=REFERRAL_WAITING_STATUSES)
    if response_due_before is not None:
        waiting = waiting.filter(response_due_on__lt=response_due_before)
    return Exists(waiting)


def followups_overdue_of(
    *, clients: QuerySet[Client], now: datetime, assignee_id: int | None = None
) -> QuerySet[FollowUp]:
    """Open follow-ups of ``clients`` whose due time has passed (of one assignee)."""
    qs = FollowUp.objects.filter(
        client_id__in=clients.values("pk"), status=FollowUpStatus.OPEN, due_at__lt=now
    )
    return qs if assignee_id is None else qs.filter(assignee_id=assignee_id)


def transition_followups_at_risk_of(
    *, clients: QuerySet[Client], as_of: date, within_days: int
) -> QuerySet[FollowUp]:
    """7-day follow-ups after a care transition of ``clients`` that were missed, or are
    still open and due within ``within_days`` of ``as_of`` (or overdue)."""
    return FollowUp.objects.filter(
        Q(status=FollowUpStatus.MISSED)
        | Q(status=FollowUpStatus.OPEN, due_on__lte=as_of + timedelta(days=within_days)),
        client_id__in=clients.values("pk"),
        reason=FollowUpReason.TRANSITION,
        window_days=7,
    )


def directory_organisation_names(*, ids: list[int] | None = None) -> dict[int, str]:
    """``{id: name}`` of the resource directory's organisations (of ``ids``; all: None),
    by name: what the consent form offers as recipients (``clients.directory``)."""
    qs = Organization.objects.order_by("name", "id")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return dict(qs.values_list("pk", "name"))
