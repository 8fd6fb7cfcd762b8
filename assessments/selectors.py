"""Reads for assessments. The instrument library is data in code, the same for every user;
client data is read through the caller's reach (``clients.selectors``) or for a client the
caller has already fetched in reach."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import team_ids_in_reach
from casemgmt.lib.sql import ids_subquery, in_teams
from clients.models import Client
from clients.selectors import client_ids_in_reach

from .instruments import INSTRUMENTS, InstrumentDefinition
from .models import (
    AssessmentStatus,
    ComprehensiveAssessment,
    InstrumentResponse,
    InstrumentSummary,
    ReassessmentRule,
    SocialNeed,
)


def instrument_list() -> list[InstrumentDefinition]:
    """Every instrument, in the library's order."""
    return list(INSTRUMENTS.values())


def instrument_get(code: str) -> InstrumentDefinition:
    """One instrument by code; ``Http404`` for an unknown code."""
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise Http404(f"No instrument {code!r}.") from None


# ----------------------------------------------------------------------------- responses
def response_list_in_reach(*, user: User) -> QuerySet[InstrumentResponse]:
    """Instrument responses of clients in reach of ``user`` (admins: all), newest first,
    with client, who administered it and any correction (``amended_by``) loaded."""
    qs = InstrumentResponse.objects.select_related(
        "client", "administered_by", "amended_by", "amends"
    )
    return qs.filter(client_id__in=client_ids_in_reach(user=user))


def response_list(*, client: Client, code: str | None = None) -> QuerySet[InstrumentResponse]:
    """One client's responses (the caller has fetched the client in reach), newest first."""
    qs = InstrumentResponse.objects.filter(client=client).select_related(
        "administered_by", "amended_by", "amends"
    )
    return qs.filter(instrument=code) if code else qs


def response_get(*, client: Client, response_id: int) -> InstrumentResponse:
    try:
        return response_list(client=client).get(pk=int(response_id))
    except (InstrumentResponse.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def latest_responses(*, client: Client) -> list[InstrumentResponse]:
    """The newest current (not corrected) response of each instrument, in library order."""
    rows = (
        InstrumentResponse.objects.filter(client=client, amended_by__isnull=True)
        .order_by("instrument", "-administered_at", "-id")
        .distinct("instrument")
    )
    order = list(INSTRUMENTS)
    return sorted(rows, key=lambda r: order.index(r.instrument))


# ------------------------------------------------------------------------------- trends
def instrument_trend(*, client: Client, code: str) -> dict[str, Any]:
    """Totals of one instrument over time for one client, for measurement-based care.

    Corrected responses are left out (their correction counts). Returns ``code``, ``name``,
    ``full_name``, ``points`` (oldest first: ``id``, ``administered_at``, ``total``,
    ``band``), ``baseline`` and ``latest`` (points or None), ``change`` (latest - baseline),
    ``change_pct`` (drop from baseline in %, None when the baseline is 0), ``response``
    (True when the latest total is at most half the baseline; None with fewer than two
    totals or a zero baseline), ``remission`` (PHQ-9 only: latest total < 5; else None),
    ``thresholds`` (``value``, ``label``: where each band above the lowest starts, or the
    screening cut-off) and ``min_total`` / ``max_total``. ``Http404`` for an unknown code.
    """
    definition = instrument_get(code)
    rows = (
        InstrumentResponse.objects.filter(
            client=client, instrument=code, amended_by__isnull=True, total__isnull=False
        )
        .order_by("administered_at", "id")
        .values("id", "administered_at", "total", "band")
    )
    points = list(rows)
    baseline = points[0] if points else None
    latest = points[-1] if points else None
    change = change_pct = response = remission = None
    if baseline is not None and latest is not None and len(points) > 1:
        first, last = baseline["total"], latest["total"]
        assert first is not None and last is not None  # total__isnull=False above
        change = last - first
        if first > 0:
            change_pct = round(100 * (first - last) / first)
            response = 2 * last <= first
    if code == "phq9" and latest is not None and latest["total"] is not None:
        remission = latest["total"] < 5
    if definition.bands and definition.screen_labels is None:
        thresholds = [{"value": b.low, "label": b.label} for b in definition.bands[1:]]
    elif definition.cutoff is not None:
        thresholds = [{"value": definition.cutoff, "label": "cut-off"}]
    else:
        thresholds = [
            {"value": v, "label": f"cut-off ({sex})"}
            for sex, v in sorted(definition.cutoff_by_sex.items())
        ]
    return {
        "code": definition.code,
        "name": definition.name,
        "full_name": definition.full_name,
        "points": points,
        "baseline": baseline,
        "latest": latest,
        "change": change,
        "change_pct": change_pct,
        "response": response,
        "remission": remission,
        "thresholds": thresholds,
        "min_total": definition.min_total,
        "max_total": definition.max_total,
    }


# ------------------------------------------------------------------ chart Overview
@dataclass(frozen=True)
class ScoreLine:
    """One instrument's latest (uncorrected) result for the chart Overview, with the way
    it moved since the result before it."""

    code: str
    name: str
    full_name: str
    total: int | None  # None for triage instruments (C-SSRS screener): band only
    band: str
    at: datetime
    when: str  # "today", "3 days ago", ... (the team's local date)
    previous_total: int | None
    lower_is_better: bool
    latest_response_id: int

    @property
    def direction(self) -> str | None:
        """ "down", "up", "same"; None without a total or a previous total."""
        if self.total is None or self.previous_total is None:
            return None
        if self.total == self.previous_total:
            return "same"
        return "down" if self.total < self.previous_total else "up"

    @property
    def meaning(self) -> str | None:
        """ "better", "worse", "no change" (None where there is no direction)."""
        direction = self.direction
        if direction is None:
            return None
        if direction == "same":
            return "no change"
        return "better" if (direction == "down") == self.lower_is_better else "worse"

    @property
    def arrow(self) -> str:
        return {"down": "↓", "up": "↑", "same": "→"}.get(self.direction or "", "")


def relative_day(day: date, today: date) -> str:
    """ "today", "yesterday", "5 days ago", "3 weeks ago", "4 months ago", "2 years ago"."""
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def latest_scores(*, client: Client) -> list[ScoreLine]:
    """The latest result of each instrument ``client`` has taken, in library order, with
    the total before it (the caller has fetched the client in reach; its team is used
    for the local date). One query, however many instruments: ``InstrumentSummary``."""
    zone = client.team.zone
    today = timezone.localdate(timezone=zone)
    rows = InstrumentSummary.objects.filter(client=client).values(
        "instrument",
        "latest_total",
        "latest_band",
        "latest_at",
        "previous_total",
        "latest_response_id",
    )
    order = list(INSTRUMENTS)
    lines = []
    for row in sorted(rows, key=lambda r: order.index(r["instrument"])):
        definition = INSTRUMENTS[row["instrument"]]
        lines.append(
            ScoreLine(
                code=definition.code,
                name=definition.name,
                full_name=definition.full_name,
                total=row["latest_total"],
                band=row["latest_band"],
                at=row["latest_at"],
                when=relative_day(timezone.localdate(row["latest_at"], zone), today),
                previous_total=row["previous_total"],
                lower_is_better=definition.lower_is_better,
                latest_response_id=row["latest_response_id"],
            )
        )
    return lines


def overview_scores_panel(client: Client) -> dict[str, Any]:
    """The context of the chart Overview's "Latest scores" panel (registered in
    ``AssessmentsConfig.ready``). One query."""
    return {"lines": latest_scores(client=client), "time_zone": client.team.time_zone}


# --------------------------------------------------------------- comprehensive assessment
def assessment_list(*, client: Client) -> QuerySet[ComprehensiveAssessment]:
    return ComprehensiveAssessment.objects.filter(client=client).select_related(
        "created_by", "completed_by"
    )


def assessment_get(*, client: Client, assessment_id: int) -> ComprehensiveAssessment:
    try:
        return (
            assessment_list(client=client)
            .prefetch_related(
                "substances",
                Prefetch(
                    "responses",
                    queryset=InstrumentResponse.objects.order_by("-administered_at"),
                ),
            )
            .get(pk=int(assessment_id))
        )
    except (ComprehensiveAssessment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def assessment_list_in_reach(*, user: User) -> QuerySet[ComprehensiveAssessment]:
    qs = ComprehensiveAssessment.objects.select_related(
        "client", "created_by", "completed_by", "superseded_by"
    ).prefetch_related("substances", "responses")
    ids = team_ids_in_reach(user=user)
    return qs if ids is None else qs.filter(client__team_id__in=ids)


NEED_DOMAINS = (
    "mental_health",
    "substance_use",
    "physical_health",
    "housing",
    "work_education",
    "legal",
    "family_social",
    "crisis_safety",
)
# Social needs (the screening checklist) belong to these plan domains.
SOCIAL_NEED_DOMAIN = {
    SocialNeed.HOUSING: "housing",
    SocialNeed.FOOD: "housing",  # housing and basic needs
    SocialNeed.TRANSPORT: "work_education",
    SocialNeed.INCOME: "work_education",
    SocialNeed.LEGAL: "legal",
    SocialNeed.CHILDCARE: "family_social",
}


def latest_assessment_findings(*, client: Client) -> dict[str, Any] | None:
    """What the newest completed comprehensive assessment found, for the care plan.

    None when the client has no completed assessment. Else::

        {"assessment_id": int, "completed_at": datetime,
         "needs": [{"domain": str, "description": str}],   # at most one per domain
         "positive_screens": [{"code", "name", "band", "administered_at"}],
         "stages": {"mental_health": str | None, "substance_use": str | None},
         "level_of_care": str | None}

    ``needs`` come from the "needs by domain" section, with the social needs checklist
    added to the domain each belongs to, and a crisis and safety need when a linked
    result raised suicide risk. ``domain`` is one of ``NEED_DOMAINS``.
    ``positive_screens`` are the linked results that screened positive or raised a
    critical flag (corrected ones left out), oldest first. ``level_of_care`` is the ASAM
    level arranged, or the level indicated when none is arranged yet.
    """
    assessment = (
        ComprehensiveAssessment.objects.filter(client=client, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at", "-id")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=InstrumentResponse.objects.filter(amended_by__isnull=True).order_by(
                    "administered_at", "id"
                ),
            )
        )
        .first()
    )
    if assessment is None:
        return None
    screens = [r for r in assessment.responses.all() if r.positive or r.flags]
    social: dict[str, list[str]] = {}
    for value in assessment.social_needs or []:
        if value in SocialNeed.values:
            social.setdefault(SOCIAL_NEED_DOMAIN[value], []).append(SocialNeed(value).label.lower())
    needs = []
    for domain in NEED_DOMAINS:
        parts = []
        written = (getattr(assessment, f"need_{domain}") or "").strip()
        if written:
            parts.append(written)
        if domain in social:
            parts.append("Social needs: " + ", ".join(social[domain]) + ".")
        if domain == "crisis_safety" and not written:
            for r in screens:
                if "suicide_risk" in r.flags:
                    parts.append(
                        f"Screened for suicide risk on {r.definition.name} "
                        f"({r.administered_at:%Y-%m-%d}): keep a current safety plan."
                    )
                    break
        if parts:
            needs.append({"domain": domain, "description": " ".join(parts)})
    return {
        "assessment_id": assessment.pk,
        "completed_at": assessment.completed_at,
        "needs": needs,
        "positive_screens": [
            {
                "code": r.instrument,
                "name": r.definition.name,
                "band": r.band,
                "administered_at": r.administered_at,
            }
            for r in screens
        ],
        "stages": {
            "mental_health": assessment.stage_mental_health or None,
            "substance_use": assessment.stage_substance_use or None,
        },
        "level_of_care": assessment.level_arranged or assessment.level_indicated or None,
    }


# ------------------------------------------------------------- outcomes (dashboards)
_PHQ9_OUTCOMES_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE l.total <= s.first_total / 2.0),
       count(*) FILTER (WHERE l.total < 5)
FROM (
    SELECT DISTINCT ON (r.client_id) r.client_id, r.id, r.total
    FROM {response} r JOIN {client} c ON c.id = r.client_id
    WHERE r.instrument = 'phq9' AND r.administered_at >= %(low)s AND r.administered_at < %(high)s
      AND NOT EXISTS (SELECT 1 FROM {response} a WHERE a.amends_id = r.id) {reach}
    ORDER BY r.client_id, r.administered_at DESC, r.id DESC
) l
JOIN {summary} s ON s.client_id = l.client_id AND s.instrument = 'phq9'
WHERE s.first_total >= 10 AND s.first_response_id <> l.id
"""


def phq9_outcomes(*, team_ids: list[int] | None, low: datetime, high: datetime) -> dict[str, int]:
    """PHQ-9 response and remission among the clients of ``team_ids`` (all teams: None).

    Cohort: clients whose first PHQ-9 scored 10 or more (the baseline) with a later PHQ-9
    administered in [``low``, ``high``); the latest of those is compared with the
    baseline: response when it is at most half the baseline, remission when below 5
    (after NQF 0710 and 1884, MN Community Measurement). Corrected responses are left out
    (the correction counts). One query: the PHQ-9s of the period, and each client's
    baseline from ``InstrumentSummary``."""
    params: dict[str, Any] = {"low": low, "high": high}
    reach = in_teams(team_ids, params)
    sql = _PHQ9_OUTCOMES_SQL.format(
        response=InstrumentResponse._meta.db_table,
        client=Client._meta.db_table,
        summary=InstrumentSummary._meta.db_table,
        reach=reach,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        denominator, response, remission = cursor.fetchone()
    return {"denominator": denominator, "response": response, "remission": remission}


def latest_band_counts(*, instrument: str, team_ids: list[int] | None) -> dict[str, int]:
    """How many active clients (of ``team_ids``; all teams: None) have each band as their
    latest (uncorrected) result on ``instrument``. One query."""
    qs = InstrumentSummary.objects.filter(instrument=instrument, client__status="active")
    if team_ids is not None:
        qs = qs.filter(client__team_id__in=team_ids)
    rows = qs.values("latest_band").annotate(n=Count("pk")).order_by()
    return {row["latest_band"]: row["n"] for row in rows}


# ------------------------------------------------------------------- re-administration
@dataclass(frozen=True)
class ReassessmentDue:
    """One instrument due (or overdue) for one client."""

    client: Client  # id, number, names, team and case manager ids loaded
    instrument: str
    instrument_name: str
    last_administered_at: datetime | None
    due_on: date
    overdue_days: int  # 0 when due today
    case_manager_id: int | None
    case_manager_name: str

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0


# Whether a rule applies to a client: an active diagnosis of its category
# (``Client.diagnosis_categories``, kept by the diagnosis service) or a positive
# (uncorrected) result on its instrument (``InstrumentSummary.any_positive``; the summary
# also gives the last administration). Columns only: no search of diagnoses or
# responses per client, so one spelling serves one client and 50,000 alike.
_QUALIFIES = """(
    (rule.diagnosis_category <> '' AND rule.diagnosis_category = ANY(c.diagnosis_categories))
    OR (rule.on_positive_screen AND s.any_positive IS TRUE)
  )"""

_DUE_SQL = """
SELECT c.id, c.client_number, c.first_name, c.last_name, c.preferred_name, c.team_id,
       c.primary_case_manager_id, u.first_name AS cm_first_name,
       u.last_name AS cm_last_name, u.username AS cm_username,
       rule.instrument, s.latest_at, d.due_on
FROM {client} c
JOIN {team} t ON t.id = c.team_id
CROSS JOIN {rule} rule
LEFT JOIN {user} u ON u.id = c.primary_case_manager_id
LEFT JOIN {summary} s ON s.client_id = c.id AND s.instrument = rule.instrument
CROSS JOIN LATERAL (
    SELECT COALESCE((s.latest_at AT TIME ZONE t.time_zone)::date + rule.interval_days,
                    c.enrolled_on, %(as_of)s::date) AS due_on
) d
WHERE c.status = 'active' AND rule.is_active {reach}
  AND d.due_on <= %(as_of)s::date
  AND {qualifies}
{order_by}
"""
_ORDER_BY = """ORDER BY u.last_name NULLS LAST, u.first_name, c.primary_case_manager_id, d.due_on,
         c.last_name, c.first_name, c.id, rule.instrument"""
_CLIENT_FIELDS = [
    "id",
    "client_number",
    "first_name",
    "last_name",
    "preferred_name",
    "team_id",
    "primary_case_manager_id",
]


def _due_query(
    *,
    team_ids: list[int] | QuerySet[Any, Any] | None,
    as_of: date,
    client_id: int | None = None,
    case_manager_id: int | None = None,
    ordered: bool = True,
) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"as_of": as_of}
    reach = ""
    if client_id is not None:
        reach = "AND c.id = %(client_id)s "
        params["client_id"] = client_id
    if case_manager_id is not None:
        reach += "AND c.primary_case_manager_id = %(case_manager_id)s "
        params["case_manager_id"] = case_manager_id
    if isinstance(team_ids, QuerySet):  # a subquery of team ids, inlined (no extra query)
        sub_sql, sub_params = team_ids.query.sql_with_params()
        for n, value in enumerate(sub_params):
            sub_sql = sub_sql.replace("%s", f"%(reach_{n})s", 1)
            params[f"reach_{n}"] = value
        reach += f"AND c.team_id IN ({sub_sql}) "
    else:
        reach += in_teams(team_ids, params)
    sql = _DUE_SQL.format(
        qualifies=_QUALIFIES,
        order_by=_ORDER_BY if ordered else "",
        client=Client._meta.db_table,
        team=Team._meta.db_table,
        rule=ReassessmentRule._meta.db_table,
        user=User._meta.db_table,
        summary=InstrumentSummary._meta.db_table,
        reach=reach,
    )
    return sql, params


def reassessments_overdue_counts(
    *, team_ids: list[int] | None, as_of: date | None = None
) -> dict[str, int]:
    """How many active clients have at least one overdue re-assessment, and how many
    overdue items in all (for the quality measures). One query, counted in SQL."""
    as_of = as_of or timezone.localdate()
    sql, params = _due_query(team_ids=team_ids, as_of=as_of, ordered=False)
    active = Client.objects.filter(status="active")
    if team_ids is not None:
        active = active.filter(team_id__in=team_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT due.id), COUNT(*) FROM ({sql}) due "
            "WHERE due.due_on < %(as_of)s::date",
            params,
        )
        clients, items = cursor.fetchone()
    return {"clients": clients, "items": items, "active": active.count()}


def reassessments_overdue_clients(
    *, team_ids: list[int] | None, as_of: date | None = None
) -> QuerySet[Client, Mapping[str, Any]]:
    """Active clients with at least one re-assessment overdue (the drill-down behind the
    measure), as a subquery of ids: the same rules as ``reassessments_overdue_counts``."""
    as_of = as_of or timezone.localdate()
    sql, params = _due_query(team_ids=team_ids, as_of=as_of, ordered=False)
    overdue = ids_subquery(f"SELECT due.id FROM ({sql}) due WHERE due.due_on < %(as_of)s", params)
    return Client.objects.filter(pk__in=overdue).values("pk")


@dataclass(frozen=True)
class ClientReassessments:
    """The instruments due (or overdue) for one client, and the earliest due date."""

    client: Client  # id, number and names loaded
    instrument_names: list[str]
    due_on: date


_BY_CLIENT_SQL = """
SELECT due.id, due.client_number, due.first_name, due.last_name, due.preferred_name,
       array_agg(due.instrument ORDER BY due.due_on, due.instrument), min(due.due_on)
FROM ({due}) due
GROUP BY 1, 2, 3, 4, 5
ORDER BY min(due.due_on), due.last_name, due.first_name, due.id
{limit}
"""


def reassessments_due_by_client(
    *,
    user: User,
    as_of: date | None = None,
    case_manager_id: int | None = None,
    limit: int | None = None,
) -> tuple[list[ClientReassessments], int]:
    """``reassessments_due`` grouped per client (earliest due first, at most ``limit``
    clients), and how many clients have something due: grouped and counted in PostgreSQL
    (two queries with a ``limit``, one without) so a caseload of hundreds sends only the
    lines a page shows."""
    as_of = as_of or timezone.localdate()
    sql, params = _due_query(
        team_ids=team_ids_in_reach(user=user),
        as_of=as_of,
        case_manager_id=case_manager_id,
        ordered=False,
    )
    columns = ["id", "client_number", "first_name", "last_name", "preferred_name"]
    with connection.cursor() as cursor:
        cursor.execute(
            _BY_CLIENT_SQL.format(due=sql, limit="" if limit is None else f"LIMIT {int(limit)}"),
            params,
        )
        rows = [
            ClientReassessments(
                Client.from_db("default", columns, row[:5]),
                [INSTRUMENTS[code].name for code in row[5]],
                row[6],
            )
            for row in cursor.fetchall()
        ]
        if limit is None:
            return rows, len(rows)
        cursor.execute(f"SELECT count(DISTINCT due.id) FROM ({sql}) due", params)
        return rows, cursor.fetchone()[0]


def reassessments_due(
    *,
    user: User,
    as_of: date | None = None,
    client_id: int | None = None,
    case_manager_id: int | None = None,
) -> list[ReassessmentDue]:
    """Instruments due or overdue for re-administration, for the active clients in reach of
    ``user``, grouped by case manager (ordered by case manager, then due date). One query.

    A rule (``ReassessmentRule``, editable in Django admin) applies to an active client
    with an active diagnosis of its category, or with a positive result on its instrument.
    Due on the date of the last administration (team's local date) + the interval; never
    administered: due on the enrolment date (or today). ``as_of`` defaults to today;
    ``client_id`` narrows the list to one client (the chart's Assessments tab),
    ``case_manager_id`` to one case manager's clients (the Today page).
    """
    as_of = as_of or timezone.localdate()
    sql, params = _due_query(
        team_ids=team_ids_in_reach(user=user),
        as_of=as_of,
        client_id=client_id,
        case_manager_id=case_manager_id,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    due = []
    clients: dict[int, Client] = {}
    for (
        client_id,
        number,
        first,
        last,
        preferred,
        team_id,
        cm_id,
        cm_first,
        cm_last,
        cm_username,
        instrument,
        last_at,
        due_on,
    ) in rows:
        client = clients.get(client_id)
        if client is None:  # one object per client, however many instruments are due
            client = clients[client_id] = Client.from_db(
                "default",
                _CLIENT_FIELDS,
                (client_id, number, first, last, preferred, team_id, cm_id),
            )
        due.append(
            ReassessmentDue(
                client=client,
                instrument=instrument,
                instrument_name=INSTRUMENTS[instrument].name,
                last_administered_at=last_at,
                due_on=due_on,
                overdue_days=(as_of - due_on).days,
                case_manager_id=cm_id,
                case_manager_name=(f"{cm_first} {cm_last}".strip() or cm_username or "")
                if cm_id
                else "",
            )
        )
    return due
