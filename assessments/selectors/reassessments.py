"""What is due for re-administration: per client, per case manager, and the counts
behind the quality measures. Hand-written SQL over ``InstrumentSummary`` (one query
however many clients)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import team_ids_in_reach
from casemgmt.lib.sql import ids_subquery, in_teams
from clients.models import Client

from ..instruments import INSTRUMENTS
from ..models import InstrumentSummary, ReassessmentRule


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
