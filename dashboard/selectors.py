"""Reads for the Today page, My follow-ups and the team dashboard. Counts use a fixed
number of queries whatever the caseload size (asserted in tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import team_ids_in_reach
from casemgmt.lib.dates import relative_due
from clients.models import Client
from clients.selectors import client_list, clients_of_teams

from . import metrics

if TYPE_CHECKING:
    from referrals.models import FollowUp


def can_see_team_dashboard(user: User) -> bool:
    return user.is_authenticated and (
        user.is_admin_role or user.is_supervisor_role or user.supervised_teams.exists()
    )


def dashboard_team_ids(
    *, user: User, team: Team | None = None, program: str = ""
) -> list[int] | None:
    """Ids of the teams the dashboard counts for ``user`` (supervisors their teams, admins
    all: ``None`` when no filter narrows them), narrowed to ``team`` and to the teams of
    ``program``. A literal list (a handful of teams) keeps every metric query simple."""
    if not can_see_team_dashboard(user):
        raise PermissionDenied
    ids = team_ids_in_reach(user=user)
    if team is None and not program:
        return None if ids is None else list(ids.values_list("id", flat=True))
    teams = Team.objects.all() if ids is None else Team.objects.filter(id__in=ids)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    if program:
        teams = teams.filter(program=program)
    return list(teams.values_list("id", flat=True))


def dashboard_scope(
    *, team_ids: list[int] | None, case_manager: User | None = None
) -> QuerySet[Client]:
    """Clients the dashboard counts: those of ``team_ids`` (from ``dashboard_team_ids``;
    None: all teams), narrowed to ``case_manager``."""
    return clients_of_teams(
        team_ids=team_ids, case_manager_id=case_manager.pk if case_manager else None
    )


@dataclass(frozen=True)
class Behind:
    """The clients behind a dashboard figure or a measure's gap, and how to name them."""

    ids: QuerySet[Client, Any]  # a subquery of client ids
    heading: str
    definition: str
    keep: dict[str, Any]  # the parameters the list page carries along (hidden fields)


def clients_behind(
    *, values: dict[str, Any], scope: QuerySet[Client], metric: str, measure: str
) -> Behind:
    """The clients behind a team-dashboard figure (``metric``) or behind a quality
    measure's gap (``measure``, with the period of ``values``), for the drill-down list
    and its CSV. An unknown metric falls back to the active caseload."""
    from .measures import MEASURES, measure_gap_clients

    if measure in MEASURES and MEASURES[measure].gap:
        m = MEASURES[measure]
        ids = measure_gap_clients(
            measure,
            team_ids=values["team_ids"],
            start=values["start"],
            end=values["end"],
            as_of=timezone.localdate(),
        )
        keep = {"measure": measure, "start": values["start"], "end": values["end"]}
        behind = Behind(ids, f"{m.label}: {m.gap}", m.definition, keep)
    else:
        metric = metric if metric in metrics.BY_KEY else "active"
        manager = values["case_manager"]
        ids = metrics.client_ids(
            metric,
            scope,
            as_of=timezone.localdate(),
            now=timezone.now(),
            case_manager_id=manager.pk if manager else None,
        )
        heading = metrics.BY_KEY[metric].label + (f" — {manager.display_name}" if manager else "")
        behind = Behind(ids, heading, metrics.BY_KEY[metric].definition, {"metric": metric})
    if values["program"]:
        behind.keep["program"] = values["program"]
    return behind


@dataclass
class CaseloadRow:
    case_manager: User
    figures: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return self.figures.get(key, 0)


def caseload_rows(
    *, scope: QuerySet[Client], as_of: date | None = None, sort: str = ""
) -> list[CaseloadRow]:
    """One row per case manager with every metric. 1 + len(METRICS) queries."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    figures = {m.key: metrics.counts(m.key, scope, as_of=as_of, now=now) for m in metrics.METRICS}
    manager_ids = set().union(*(f.keys() for f in figures.values()))
    managers = User.objects.filter(pk__in=manager_ids).order_by("last_name", "first_name")
    rows = [CaseloadRow(m, {k: v.get(m.pk, 0) for k, v in figures.items()}) for m in managers]
    key = sort.lstrip("-")
    if key in metrics.BY_KEY:
        rows.sort(key=lambda r: r.get(key), reverse=sort.startswith("-"))
    return rows


def caseload_sizes(*, scope: QuerySet[Client]) -> list[tuple[str, int]]:
    """(case manager, active clients), largest first, for the caseload chart. 2 queries."""
    sizes = metrics.counts("active", scope, as_of=timezone.localdate(), now=timezone.now())
    managers = User.objects.in_bulk(list(sizes))
    rows = [(managers[pk].display_name, n) for pk, n in sizes.items() if pk in managers]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


# ------------------------------------------------------------------------------ Today
@dataclass
class TodayItem:
    """One line of the Today page."""

    client: Client | ClientLine
    what: str
    due: date | None
    when: str  # "overdue by 2 days", "due tomorrow" (casemgmt.lib.dates.relative_due)
    overdue: bool
    route: str  # URL name and arguments of the "Open" link: reversed only when shown
    route_args: tuple[Any, ...]
    followup_id: int | None = None  # a follow-up line: "Mark done" and "Reschedule"
    why: str = ""  # the urgency reason that put an imminent or transition line on top

    @property
    def link(self) -> str:
        from django.urls import reverse

        return reverse(self.route, args=self.route_args)


# The client fields a Today line shows (name, number): a caseload of hundreds of lines
# should not load every column of every client.
_CLIENT_COLUMNS = ("id", "client_number", "first_name", "last_name", "preferred_name")


@dataclass(frozen=True)
class ClientLine:
    """The client of a Today line, read as plain values (no model instance per line)."""

    pk: int
    client_number: str
    first_name: str
    last_name: str
    preferred_name: str

    # The chart's rule, not a copy. mypy reads a property on the class as its getter.
    display_name = property(Client.display_name.fget)  # type: ignore[attr-defined]


def _rows_with_client(
    qs: QuerySet[Any, Any], *fields: str
) -> Iterator[tuple[tuple[Any, ...], ClientLine]]:
    """(values of ``fields``, ClientLine) for each row of ``qs``: one query, tuples only."""
    columns = [f"client__{c}" for c in _CLIENT_COLUMNS]
    n = len(fields)
    for row in qs.values_list(*fields, *columns):
        yield row[:n], ClientLine(*row[n:])


def _item(
    client: Client | ClientLine, what: str, due: date | None, today: date, route: str, *args: Any
) -> TodayItem:
    overdue = bool(due and due < today)
    return TodayItem(client, what, due, relative_due(due, today), overdue, route, args)


@dataclass
class Today:
    """The Today page's sections (at most ``limit`` lines each when asked) and how many
    lines each section has in all."""

    sections: dict[str, list[TodayItem]]
    totals: dict[str, int]
    headings: dict[str, str] = field(default_factory=dict)  # follow-up sections, in order


def _limited(qs: QuerySet[Any, Any], limit: int | None) -> QuerySet[Any, Any]:
    return qs if limit is None else qs[:limit]


TODAY_SECTIONS = ("flagged", "plans", "reassessments", "referrals")


def today_for(*, user: User, as_of: date | None = None, limit: int | None = None) -> Today:
    """What needs this user now, in the urgency order of ``dashboard.urgency`` (UX.md: the
    Today page): imminent risk (a follow-up due within 24 hours of a crisis or discharge,
    a crisis or a suicide-risk answer in the last 72 hours) first, then transition
    windows closing, overdue, due today, this week; then the user's high-risk clients,
    plan reviews, re-assessments and referrals waiting. A fixed number of queries
    whatever the caseload. With ``limit`` (the page shows 12 lines a section and "and N
    more"), each section loads only its first lines and is counted in PostgreSQL;
    without it (the API) every line is loaded."""
    from django.db.models import Count

    from assessments.selectors import reassessments_due_by_client
    from careplans.selectors import plans_due_for_review
    from clients.models import OPEN_EPISODE_STATUSES
    from clients.selectors import high_risk_q
    from referrals.models import FollowUpStatus, Referral
    from referrals.selectors import REFERRAL_WAITING_STATUSES, followup_list, referral_list

    from .urgency import client_reason_conditions, followups_by_urgency, urgency_weights

    today = as_of or timezone.localdate()
    now = timezone.now()
    urgency = urgency_weights()
    reasons = urgency.by_key
    totals: dict[str, int] = {}
    followup_sections = [key for key, _ in urgency.sections()]

    open_followups = followups_by_urgency(
        followup_list(user=user).filter(
            assignee=user, status=FollowUpStatus.OPEN, due_on__lte=today + timedelta(days=7)
        ),
        urgency,
        now=now,
        today=today,
    )
    section_reason = {r.section: r for r in urgency.followup_reasons()}

    def followup_line(row: tuple[Any, ...], client: ClientLine) -> TodayItem:
        pk, title, due_on, due_at, section = row
        # "Open" goes to the client's follow-ups and referrals; the line also offers
        # "Mark done" (a POST to followup_close) and "Reschedule".
        item = _item(client, title, due_on, today, "referrals:client_referrals", client.pk)
        item.overdue = due_at < now
        item.followup_id = pk
        if section in ("imminent", "transition"):
            item.why = section_reason[section].text
        return item

    fields = ("pk", "title", "due_on", "due_at", "urgency_section")
    sections: dict[str, list[TodayItem]] = {name: [] for name in followup_sections}
    if limit is None:
        for row, client in _rows_with_client(open_followups, *fields):
            sections[row[4]].append(followup_line(row, client))
    else:
        counts = dict(
            open_followups.order_by()
            .values_list("urgency_section")
            .annotate(n=Count("pk"))
            .values_list("urgency_section", "n")
        )
        for name in followup_sections:
            totals[name] = counts.get(name, 0)
            sections[name] = [
                followup_line(row, client)
                for row, client in _rows_with_client(
                    _limited(open_followups.filter(urgency_section=name), limit), *fields
                )
            ]

    # Imminent risk on the client: a crisis or a suicide-risk answer in the window. The
    # client's own line, after the follow-ups of the section (a crisis always has one).
    conditions = client_reason_conditions(urgency, now=now)
    at_risk = (
        client_list(user=user)
        .filter(primary_case_manager=user, status__in=OPEN_EPISODE_STATUSES)
        .select_related(None)
        .prefetch_related(None)
        .only(*_CLIENT_COLUMNS)
        .annotate(**conditions)
        .filter(Q(crisis_recent=True) | Q(risk_answer_recent=True))
        .order_by("last_name", "first_name", "pk")
    )
    listed = {i.client.pk for i in sections["imminent"]}
    risk_lines = []
    for c in at_risk:
        if c.pk in listed:
            continue
        if getattr(c, "crisis_recent", False):  # annotated above
            item = _item(c, reasons["crisis_recent"].text, None, today, "health:crisis", c.pk)
        else:
            item = _item(
                c,
                reasons["risk_answer_recent"].text,
                None,
                today,
                "assessments:client_assessments",
                c.pk,
            )
        item.overdue = True  # shown in red, like what is late
        risk_lines.append(item)
    if limit is not None:
        totals["imminent"] += len(risk_lines)
        room = max(0, limit - len(sections["imminent"]))
        risk_lines = risk_lines[:room]
    sections["imminent"] += risk_lines

    flagged_clients = (
        client_list(user=user)
        .filter(primary_case_manager=user)
        .filter(high_risk_q())
        .select_related(None)
        .only(*_CLIENT_COLUMNS)
        .order_by("last_name", "first_name", "pk")
    )
    due_plans = plans_due_for_review(user=user, as_of=today + timedelta(days=14)).filter(
        client__primary_case_manager=user
    )
    waiting = referral_list(user=user).filter(
        client__primary_case_manager=user, status__in=REFERRAL_WAITING_STATUSES
    )
    if limit is not None:
        totals["flagged"] = flagged_clients.count()
        totals["plans"] = due_plans.count()
        totals["referrals"] = waiting.count()

    sections["flagged"] = [
        _item(
            c,
            ", ".join(f.get_kind_display() for f in c.active_flags),
            None,
            today,
            "clients:detail",
            c.pk,
        )
        for c in _limited(flagged_clients, limit)
    ]
    sections["plans"] = [
        _item(
            client,
            f"Care plan review (version {version})",
            review_due,
            today,
            "careplans:client_plan",
            client.pk,
        )
        for (version, review_due), client in _rows_with_client(
            _limited(due_plans, limit), "version", "review_due"
        )
    ]
    # One line per client: "PHQ-9, GAD-7 re-assessment", due at the earliest date.
    due, totals["reassessments"] = reassessments_due_by_client(
        user=user, as_of=today + timedelta(days=7), case_manager_id=user.pk, limit=limit
    )
    sections["reassessments"] = [
        _item(
            d.client,
            ", ".join(d.instrument_names) + " re-assessment",
            d.due_on,
            today,
            "assessments:client_assessments",
            d.client.pk,
        )
        for d in due
    ]
    status_names = dict(Referral._meta.get_field("status").flatchoices)
    sections["referrals"] = [
        _item(
            client,
            # The recipient as Referral.recipient_name names it: the directory
            # organisation, else the free-text provider.
            f"Referral to {organization or provider}: {status_names[status].lower()}",
            response_due_on,
            today,
            "referrals:referral_detail",
            client.pk,
            pk,
        )
        for (pk, status, response_due_on, provider, organization), client in _rows_with_client(
            _limited(waiting.order_by("response_due_on", "pk"), limit),
            "pk",
            "status",
            "response_due_on",
            "provider_name",
            "service__organization__name",
        )
    ]
    for name, items in sections.items():
        totals.setdefault(name, len(items))
    order = [*followup_sections, *TODAY_SECTIONS]
    return Today(
        {name: sections[name] for name in order},
        totals,
        headings=dict(urgency.sections()),
    )


# ----------------------------------------------------------------------- My follow-ups
# Within a section, the lines are grouped by kind: people first (a transition, a
# referral, a general follow-up), then plan reviews, then re-assessments.
KIND_ORDER = ("transition", "referral_response", "general", "plan_review", "reassessment")


@dataclass
class DueItem:
    """One line on "My follow-ups": one of the user's open follow-ups, or a care plan
    review or a re-assessment due for one of the user's own clients."""

    kind: str  # the follow-up's reason, "plan_review" or "reassessment"
    client: Client
    title: str
    due_on: date
    link: str
    followup: FollowUp | None = None  # the referrals FollowUp of a follow-up line
    section: str = ""  # the urgency section (dashboard.urgency.SECTION_LABELS)
    weight: int = 0  # the urgency weight of the section: the list's order
    why: str = ""  # the reason of an imminent or transition line

    @property
    def kind_label(self) -> str:
        from referrals.models import FollowUpReason

        return dict(FollowUpReason.choices).get(self.kind, self.kind)


def my_followups(*, user: User, as_of: datetime | None = None) -> dict[str, list[DueItem]]:
    """The "My follow-ups" page, in the urgency order of ``dashboard.urgency``: imminent
    risk, transition windows, overdue, due today and this week (the next 7 days), each
    section soonest first. Gathers the user's open follow-ups (referrals), the care plan
    reviews (careplans) and the re-assessments (assessments) due for the clients whose
    primary case manager they are, each through its app's selector. A follow-up with a
    due time is overdue once the time has passed. A fixed number of queries whatever the
    caseload."""
    from django.urls import reverse

    from assessments.selectors import reassessments_due
    from careplans.selectors import plans_due_for_review
    from referrals.models import FollowUpStatus
    from referrals.selectors import followup_list

    from .urgency import followups_by_urgency, section_of_date, urgency_weights

    now = as_of or timezone.now()
    today = timezone.localdate(now)
    week_end = today + timedelta(days=7)
    urgency = urgency_weights()
    weights = {r.section: r for r in urgency.followup_reasons()}

    def dated(**values: Any) -> DueItem:
        section = section_of_date(urgency, values["due_on"], today)
        return DueItem(**values, section=section, weight=weights[section].weight)

    followups = followups_by_urgency(
        followup_list(user=user).filter(
            status=FollowUpStatus.OPEN, assignee=user, due_on__lte=week_end
        ),
        urgency,
        now=now,
        today=today,
    )
    items: list[DueItem] = [
        DueItem(
            kind=f.reason,
            client=f.client,
            title=f.title,
            due_on=f.due_on,
            link=reverse("referrals:client_referrals", args=[f.client_id]) + f"#followup-{f.pk}",
            followup=f,
            section=f.urgency_section,
            weight=f.urgency_weight,
            why=weights[f.urgency_section].text
            if f.urgency_section in ("imminent", "transition")
            else "",
        )
        for f in followups
    ]
    plans = plans_due_for_review(user=user, as_of=week_end).filter(
        client__primary_case_manager=user
    )
    items += [
        dated(
            kind="plan_review",
            client=plan.client,
            title=f"Care plan review due (version {plan.version})",
            due_on=plan.review_due,
            link=reverse("careplans:client_plan", args=[plan.client_id]),
        )
        for plan in plans
        if plan.review_due is not None  # always: the selector filters on it
    ]
    items += [
        dated(
            kind="reassessment",
            client=row.client,
            title=f"Re-assessment due: {row.instrument_name}",
            due_on=row.due_on,
            link=reverse("assessments:client_assessments", args=[row.client.pk]),
        )
        for row in reassessments_due(user=user, as_of=week_end, case_manager_id=user.pk)
    ]
    sections: dict[str, list[DueItem]] = {key: [] for key, _ in urgency.sections()}
    rank = {kind: n for n, kind in enumerate(KIND_ORDER)}
    for item in sorted(
        items, key=lambda i: (-i.weight, rank.get(i.kind, len(rank)), i.due_on, i.title)
    ):
        sections[item.section].append(item)
    return sections
