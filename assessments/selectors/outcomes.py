"""Outcome counts for the dashboards: PHQ-9 response and remission, latest bands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count

from casemgmt.lib.sql import in_teams
from clients.models import Client

from ..models import InstrumentResponse, InstrumentSummary

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
