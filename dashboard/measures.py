"""Quality measures for a period and a set of teams. Each states its definition, and each
with a gap links to the clients behind it (who to look at).

Sources:
- Follow-up after discharge: NCQA HEDIS MY2025 FUH, FUM, FUA, FUI (7- and 30-day
  rates); the window arithmetic lives in ``referrals.windows``.
- Depression remission at 12 months (CMS159v12 / NQF 0710e), remission at 6 months
  (CCBHC DEP-REM-6) and response at 6 months (NQF 1884): index event, identification
  period, the +/- 60-day window and the exclusions in ``assessments.depression_outcomes``.

The figures come from the selectors of the apps that own the data (referrals,
care plans, assessments); this module only names, defines and assembles them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from assessments.selectors import (
    DEPRESSION_MEASURES,
    depression_outcomes,
    latest_band_counts,
    reassessments_overdue_clients,
    reassessments_overdue_counts,
)
from careplans.selectors import CURRENT_PLAN_DEFINITION, plan_measure_counts, plan_measure_gap
from clients.models import Client
from referrals.selectors import (
    followup_rates,
    followup_window_missed_clients,
    referral_closure_counts,
    referral_open_loop_clients,
    transition_followup_measures,
)

logger = logging.getLogger(__name__)

_VISIT = " A visit is a signed contact note with the client (in person, video or phone)."
FOLLOW_UP_DEFINITIONS = {
    "FUH": "Acute inpatient discharges for mental illness followed by a visit within {days} "
    "days after discharge; the discharge day does not count. After a readmission or direct "
    "transfer to acute care within 30 days only the last discharge counts; a discharge "
    "followed by residential or withdrawal management care within 30 days is excluded." + _VISIT,
    "FUM": "Emergency department visits for mental illness followed by a visit within "
    "{days} days; a visit on the day of the ED visit counts. A visit followed by an "
    "admission (that day or within 30 days) is excluded; of several visits within 31 "
    "days only the first counts." + _VISIT,
    "FUA": "Emergency department visits for substance use followed by a visit within "
    "{days} days; a visit on the day of the ED visit counts. A visit followed by an "
    "admission (that day or within 30 days) is excluded; of several visits within 31 "
    "days only the first counts." + _VISIT,
    "FUI": "Acute inpatient, residential and withdrawal management episodes for substance "
    "use followed by a visit within {days} days after discharge; the discharge day does "
    "not count. A direct transfer between these settings counts once, on the last "
    "discharge; of several episodes within 31 days only the first counts." + _VISIT,
}


@dataclass(frozen=True)
class Measure:
    """What a measure is called, how it is defined, and what its drill-down lists."""

    key: str
    label: str
    definition: str
    gap: str = ""  # the clients behind the drill-down ("without a current plan"); none: ""
    lower_is_better: bool = False  # the numerator is the gap (re-assessments overdue)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in [
        *(
            Measure(
                f"{code.lower()}_{days}",
                f"{code} {days}-day follow-up",
                FOLLOW_UP_DEFINITIONS[code].format(days=days),
                gap="missed",
            )
            for code in ("FUH", "FUM", "FUA", "FUI")
            for days in (7, 30)
        ),
        Measure(
            "closed_loop",
            "Referral closed-loop rate",
            "Referrals closed in the period whose completion was confirmed (the client got "
            "the service), out of all referrals closed in the period.",
            gap="closed without a confirmed completion",
        ),
        Measure(
            "current_plan",
            "Active clients with a current plan",
            f"Active clients with {CURRENT_PLAN_DEFINITION}, out of all active clients "
            '(the team dashboard\'s "Without a current plan" counts the others).',
            gap="without a current plan",
        ),
        Measure(
            "dual_both_goals",
            "Dual-diagnosis plans with goals for both",
            "Active dual-diagnosis clients whose active plan has a goal for the mental "
            "health disorder and one for the substance use disorder, out of all active "
            "dual-diagnosis clients.",
            gap="without goals for both",
        ),
        Measure(
            "suicide_safety_plan",
            "Suicide risk with a current safety plan",
            "Clients with an active suicide risk flag who have a current safety plan, out "
            "of all clients with that flag.",
            gap="without a current safety plan",
        ),
        *(Measure(m.key, m.label, m.definition, gap="not met") for m in DEPRESSION_MEASURES),
        Measure(
            "assessments_overdue",
            "Clients with a re-assessment overdue",
            "Active clients with at least one instrument past its re-administration date "
            "(PHQ-9 and GAD-7 every 30 days, AUDIT and DAST-10 every 90 days by default, "
            "for clients with the matching diagnosis or a positive screen), out of all "
            "active clients. Lower is better.",
            gap="to re-assess",
            lower_is_better=True,
        ),
    ]
}


@dataclass
class MeasureResult:
    measure: Measure
    numerator: int
    denominator: int
    note: str = ""

    @property
    def key(self) -> str:
        return self.measure.key

    @property
    def label(self) -> str:
        return self.measure.label

    @property
    def definition(self) -> str:
        return self.measure.definition

    @property
    def gap(self) -> str:
        return self.measure.gap

    @property
    def rate(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.0%}"

    @property
    def gap_count(self) -> int:
        """How many the drill-down is about: the numerator when lower is better, else
        those in the denominator but not the numerator (discharges, referrals or
        clients, as the measure counts them)."""
        if self.measure.lower_is_better:
            return self.numerator
        return self.denominator - self.numerator


# The three costliest figures of the page (follow-up windows, depression outcomes,
# re-assessments overdue) read every transition, PHQ-9 and client of the teams: about
# a second for all 20 teams at 50,000 clients, several under load (issue 20). They are
# kept in the cache (Redis) for MEASURES_CACHE_SECONDS per teams, period and day, and
# the page says how old they are. The drill-downs behind them stay live queries.
def cached_figures(
    name: str,
    *,
    team_ids: list[int] | None,
    parts: tuple[Any, ...],
    compute: Callable[[], Any],
    refreshed: list[datetime] | None = None,
) -> Any:
    """``compute()``, or its value kept in the cache for the same ``team_ids`` and
    ``parts`` (dates). The time it was computed goes to ``refreshed``. With
    ``MEASURES_CACHE_SECONDS`` 0, or a cache that does not answer, it is computed."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = settings.MEASURES_CACHE_SECONDS
    if not seconds:
        return compute()
    teams = "all" if team_ids is None else ",".join(str(t) for t in sorted(team_ids))
    key = f"dashboard:measures:{name}:{teams}:" + ":".join(str(p) for p in parts)
    try:
        found = cache.get(key)
    except Exception:  # Redis away: compute, and say nothing of an age
        logger.warning("cache unavailable for the measures", exc_info=True)
        return compute()
    if found is None:
        found = (timezone.now(), compute())
        try:
            cache.set(key, found, seconds)
        except Exception:
            logger.warning("cache unavailable for the measures", exc_info=True)
    if refreshed is not None:
        refreshed.append(found[0])
    return found[1]


def _result(key: str, numerator: int, denominator: int, note: str = "") -> MeasureResult:
    return MeasureResult(MEASURES[key], numerator, denominator, note)


def _day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the current time zone, for index-friendly filters."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tz),
        datetime.combine(end + timedelta(days=1), time.min, tz),
    )


def follow_up_measures(
    *, team_ids, start: date, end: date, as_of: date, tallies=None
) -> list[MeasureResult]:
    """``tallies`` (from ``followup_window_tallies``, covering the period) saves the query
    when the caller already has them for the trend chart."""
    if tallies is None:
        rates = transition_followup_measures(team_ids=team_ids, start=start, end=end, as_of=as_of)
    else:
        rates = followup_rates(tallies, start=start, end=end)
    return [
        _result(f"{code.lower()}_{days}", cell["numerator"], cell["denominator"])
        for code in ("FUH", "FUM", "FUA", "FUI")
        for days, cell in sorted(rates[code].items())
    ]


def referral_measures(*, team_ids, start: date, end: date) -> list[MeasureResult]:
    low, high = _day_range(start, end)
    figures = referral_closure_counts(team_ids=team_ids, low=low, high=high)
    days = None if figures["median"] is None else figures["median"].total_seconds() / 86400
    note = "" if days is None else f"median {days:.1f} days from sending to completion"
    return [_result("closed_loop", figures["loop"], figures["total"], note)]


def plan_measures(*, team_ids, as_of: date) -> list[MeasureResult]:
    counts = plan_measure_counts(team_ids=team_ids, as_of=as_of)
    return [
        _result(key, *counts[key])
        for key in ("current_plan", "dual_both_goals", "suicide_safety_plan")
    ]


def _depression_note(figures: dict[str, Any]) -> str:
    parts = []
    if figures["open"]:
        parts.append(f"{figures['open']} still in their window")
    if figures["excluded"]:
        parts.append(f"{figures['excluded']} excluded")
    return ", ".join(parts)


def _depression_counts(*, team_ids, start: date, end: date, as_of: date) -> dict[str, Any]:
    """The depression figures without the gap's client ids (the page shows counts)."""
    figures = depression_outcomes(team_ids=team_ids, start=start, end=end, as_of=as_of)
    return {key: {k: v for k, v in f.items() if k != "gap"} for key, f in figures.items()}


def depression_measures(
    *, team_ids, start: date, end: date, as_of: date, refreshed: list[datetime] | None = None
) -> list[MeasureResult]:
    figures = cached_figures(
        "depression",
        team_ids=team_ids,
        parts=(start, end, as_of),
        compute=lambda: _depression_counts(team_ids=team_ids, start=start, end=end, as_of=as_of),
        refreshed=refreshed,
    )
    return [
        _result(m.key, f["numerator"], f["denominator"], _depression_note(f))
        for m in DEPRESSION_MEASURES
        for f in [figures[m.key]]
    ]


def assessment_measures(
    *, team_ids, as_of: date, refreshed: list[datetime] | None = None
) -> list[MeasureResult]:
    counts = cached_figures(
        "reassessments",
        team_ids=team_ids,
        parts=(as_of,),
        compute=lambda: reassessments_overdue_counts(team_ids=team_ids, as_of=as_of),
        refreshed=refreshed,
    )
    note = f"{counts['items']} overdue instruments"
    return [_result("assessments_overdue", counts["clients"], counts["active"], note)]


def quality_measures(
    *,
    team_ids,
    start: date,
    end: date,
    as_of: date,
    tallies=None,
    refreshed: list[datetime] | None = None,
) -> list[MeasureResult]:
    """``refreshed`` receives the times the cached figures were computed."""
    return [
        *follow_up_measures(team_ids=team_ids, start=start, end=end, as_of=as_of, tallies=tallies),
        *referral_measures(team_ids=team_ids, start=start, end=end),
        *plan_measures(team_ids=team_ids, as_of=as_of),
        *depression_measures(
            team_ids=team_ids, start=start, end=end, as_of=as_of, refreshed=refreshed
        ),
        *assessment_measures(team_ids=team_ids, as_of=as_of, refreshed=refreshed),
    ]


def phq9_band_distribution(*, team_ids) -> list[tuple[str, int]]:
    """Latest PHQ-9 band of each active client (one query)."""
    found = latest_band_counts(instrument="phq9", team_ids=team_ids)
    bands = ["minimal", "mild", "moderate", "moderately severe", "severe"]
    counts = dict.fromkeys(bands, 0)
    for band, n in found.items():
        counts[band] = counts.get(band, 0) + n
    return list(counts.items())


def measure_gap_clients(
    key: str, *, team_ids, start: date, end: date, as_of: date
) -> QuerySet[Client, Mapping[str, Any]]:
    """The clients behind a measure's gap (``Measure.gap``), as a subquery of ids, from
    the app that owns the data. KeyError for a measure without a drill-down."""
    measure = MEASURES[key]
    if not measure.gap:
        raise KeyError(key)
    if key in ("current_plan", "dual_both_goals", "suicide_safety_plan"):
        return plan_measure_gap(key=key, team_ids=team_ids, as_of=as_of)
    if key == "assessments_overdue":
        return reassessments_overdue_clients(team_ids=team_ids, as_of=as_of)
    if key in {m.key for m in DEPRESSION_MEASURES}:
        figures = depression_outcomes(team_ids=team_ids, start=start, end=end, as_of=as_of)
        return Client.objects.filter(pk__in=figures[key]["gap"]).values("pk")
    low, high = _day_range(start, end)
    if key == "closed_loop":
        return referral_open_loop_clients(team_ids=team_ids, low=low, high=high)
    code, _, days = key.partition("_")  # fuh_7
    return followup_window_missed_clients(
        team_ids=team_ids,
        measure=code.upper(),
        days=int(days),
        start=start,
        end=end,
        as_of=None,  # a window closes by its own team's date, as on the measures page
    )


def follow_up_measure_code(key: str) -> str:
    """'FUH' for 'fuh_7' (a follow-up measure's key), '' for any other measure."""
    code = key.partition("_")[0].upper()
    return code if code in FOLLOW_UP_DEFINITIONS and key in MEASURES else ""
