"""Outcome counts for the dashboards: depression remission and response (PHQ-9) as the
published measures define them, latest bands."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Min, OuterRef

from clients.models import Client, Diagnosis, DiagnosisStatus, DischargeReason, StatusChange

from ..depression_outcomes import (
    MEASURES,
    RELEVANT_CODES,
    Dx,
    Episode,
    Score,
    current_episode,
    measurement_episode,
)
from ..models import InstrumentResponse, InstrumentSummary

DEPRESSION_MEASURES = MEASURES  # what other apps name and define (the measures page)


# Any of the relevant code prefixes, as one case-insensitive pattern: one match per row
# instead of an upper() and a LIKE per prefix (the OR of 40 istartswith took 640 ms over
# the 80,000 diagnoses of 50,000 clients).
_RELEVANT_PATTERN = "^(" + "|".join(re.escape(p) for p in RELEVANT_CODES) + ")"


def _client_inputs(
    *, client_filter: dict[str, Any], low: datetime | None, high: datetime | None
) -> dict[int, dict[str, Any]]:
    """Per client: ``birth``, ``died_on``, ``scores`` (team-local days, oldest first,
    corrections counted instead of what they correct) and the ``diagnoses`` that the
    depression measures read. Three queries, whatever the number of clients."""
    # "Not corrected" as NOT EXISTS, not ``amended_by__isnull`` (a LEFT JOIN ... IS NULL):
    # PostgreSQL estimated that join to keep 1 row of 90,000 and looked each response's
    # client up one by one, 880 ms for a supervisor at 50,000 clients; the anti-join it
    # plans for NOT EXISTS reads the same rows in one pass (tests/perf/bench_load.py).
    corrected = InstrumentResponse.objects.filter(amends=OuterRef("pk"))
    phq9 = InstrumentResponse.objects.filter(
        ~Exists(corrected), instrument="phq9", total__isnull=False, **client_filter
    )
    if low is not None:
        phq9 = phq9.filter(administered_at__gte=low)
    if high is not None:
        phq9 = phq9.filter(administered_at__lt=high)
    rows = phq9.order_by("client_id", "administered_at", "id").values_list(
        "client_id",
        "administered_at",
        "total",
        "client__team__time_zone",
        "client__date_of_birth",
    )
    found: dict[int, dict[str, Any]] = {}
    zones: dict[str, ZoneInfo] = {}
    for client_id, at, total, zone_name, birth in rows:
        entry = found.get(client_id)
        if entry is None:
            entry = found[client_id] = {
                "birth": birth,
                "died_on": None,
                "scores": [],
                "diagnoses": [],
            }
        zone = zones.get(zone_name)
        if zone is None:  # a team's zone is a checked IANA name (Team.time_zone)
            zone = zones[zone_name] = ZoneInfo(zone_name)
        entry["scores"].append(Score(at.astimezone(zone).date(), total or 0))
    if not found:
        return found
    ids = list(found)
    # The clients as the same filter the scores used (a join), not 25,000 literal ids:
    # a list that long cost more to send and plan than the rows it found (585 ms for an
    # admin at 50,000 clients). Clients without a score are dropped below.
    teams_only = not client_filter or set(client_filter) == {"client__team_id__in"}
    scope = client_filter if teams_only else {"client_id__in": ids}
    diagnoses = (
        Diagnosis.objects.filter(**scope)
        .exclude(status=DiagnosisStatus.ENTERED_IN_ERROR)
        .filter(icd10_code__iregex=_RELEVANT_PATTERN)
        .order_by()
        .values_list("client_id", "icd10_code", "onset_date")
    )
    for client_id, code, onset in diagnoses:
        if client_id in found:
            found[client_id]["diagnoses"].append(Dx(code, onset))
    deaths = (
        StatusChange.objects.filter(**scope, discharge_reason=DischargeReason.DECEASED)
        .values("client_id")
        .annotate(first=Min("effective_on"))
        .values_list("client_id", "first")
    )
    for client_id, day in deaths:
        if client_id in found:
            found[client_id]["died_on"] = day
    return found


def _aware_day(day: date) -> datetime:
    """The start of ``day`` well before any zone's midnight: the queries take a day of
    margin on each side and the team-local day decides."""
    return datetime.combine(day - timedelta(days=1), time.min, tzinfo=UTC)


def depression_episodes(
    *, team_ids: list[int] | None, start: date, end: date, as_of: date
) -> dict[str, list[tuple[int, Episode]]]:
    """Each depression measure's episodes (client id, episode) for the measurement period
    [``start``, ``end``] among the clients of ``team_ids`` (all teams: None), as of the
    day ``as_of``. The rules are in ``assessments.depression_outcomes``. Three queries."""
    lows, highs = [], []
    for m in MEASURES:
        low, high = m.identification_period(start, end)
        lows.append(low)
        highs.append(m.window(high)[1])
    client_filter: dict[str, Any] = {}
    if team_ids is not None:
        client_filter["client__team_id__in"] = list(team_ids)
    inputs = _client_inputs(
        client_filter=client_filter,
        low=_aware_day(min(lows)),
        high=_aware_day(max(highs) + timedelta(days=3)),
    )
    result: dict[str, list[tuple[int, Episode]]] = {m.key: [] for m in MEASURES}
    for client_id, entry in inputs.items():
        for m in MEASURES:
            episode = measurement_episode(
                m,
                entry["scores"],
                entry["diagnoses"],
                birth=entry["birth"],
                died_on=entry["died_on"],
                start=start,
                end=end,
                as_of=as_of,
            )
            if episode is not None:
                result[m.key].append((client_id, episode))
    return result


def depression_outcomes(
    *, team_ids: list[int] | None, start: date, end: date, as_of: date
) -> dict[str, dict[str, Any]]:
    """Per depression measure: ``numerator``, ``denominator``, ``excluded``, ``open``
    (windows not closed on ``as_of``, in the denominator, not met yet) and ``gap`` (the
    client ids in the denominator that did not meet it)."""
    figures: dict[str, dict[str, Any]] = {}
    for key, episodes in depression_episodes(
        team_ids=team_ids, start=start, end=end, as_of=as_of
    ).items():
        counted = [(cid, e) for cid, e in episodes if e.in_denominator]
        figures[key] = {
            "numerator": sum(1 for _, e in counted if e.counts_as_met),
            "denominator": len(counted),
            "excluded": len(episodes) - len(counted),
            "open": sum(1 for _, e in counted if e.status in ("open", "not_yet")),
            "gap": [cid for cid, e in counted if not e.counts_as_met],
        }
    return figures


def client_depression_episodes(*, client: Client, as_of: date) -> list[Episode]:
    """The client's latest episode in each depression measure (none: no index event
    yet), for the PHQ-9 trend. Three queries."""
    entry = _client_inputs(client_filter={"client_id": client.pk}, low=None, high=None).get(
        client.pk
    )
    if entry is None:
        return []
    found = []
    for m in MEASURES:
        episode = current_episode(
            m,
            entry["scores"],
            entry["diagnoses"],
            birth=entry["birth"],
            died_on=entry["died_on"],
            as_of=as_of,
        )
        if episode is not None:
            found.append(episode)
    return found


def latest_band_counts(*, instrument: str, team_ids: list[int] | None) -> dict[str, int]:
    """How many active clients (of ``team_ids``; all teams: None) have each band as their
    latest (uncorrected) result on ``instrument``. One query."""
    qs = InstrumentSummary.objects.filter(instrument=instrument, client__status="active")
    if team_ids is not None:
        qs = qs.filter(client__team_id__in=team_ids)
    rows = qs.values("latest_band").annotate(n=Count("pk")).order_by()
    return {row["latest_band"]: row["n"] for row in rows}
