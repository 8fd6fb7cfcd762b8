"""Quality measures for a period and a set of teams. Each states its definition.

Sources:
- Follow-up after discharge: NCQA HEDIS MY2025 FUH, FUM, FUA, FUI (7- and 30-day
  rates); the window arithmetic lives in ``referrals.windows``.
- PHQ-9 response (>= 50 % reduction from baseline) and remission (PHQ-9 < 5) among
  clients with a baseline PHQ-9 >= 10: after NQF 0710 "Depression Remission at Twelve
  Months" and NQF 1884 "Depression Response at Six Months" (MN Community Measurement);
  simplified here to the latest PHQ-9 administered in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from assessments.selectors import (
    latest_band_counts,
    phq9_outcomes,
    reassessments_overdue_counts,
)
from careplans.selectors import plan_measure_counts
from referrals.selectors import (
    followup_rates,
    referral_closure_counts,
    transition_followup_measures,
)

FOLLOW_UP_DEFINITIONS = {
    "FUH": "Discharges from inpatient psychiatric care followed by a visit (in person, video "
    "or phone) within {days} days after discharge; the discharge day does not count.",
    "FUM": "Emergency department visits for mental illness followed by a visit within "
    "{days} days; a visit on the day of the ED visit counts.",
    "FUA": "Emergency department visits for substance use followed by a visit within "
    "{days} days; a visit on the day of the ED visit counts.",
    "FUI": "Discharges from withdrawal management, residential or inpatient substance use "
    "care followed by a visit within {days} days after discharge; the discharge day does "
    "not count.",
}


@dataclass
class MeasureResult:
    key: str
    label: str
    definition: str
    numerator: int
    denominator: int
    note: str = ""

    @property
    def rate(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.0%}"


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
    results = []
    for measure in ("FUH", "FUM", "FUA", "FUI"):
        for days in (7, 30):
            cell = rates[measure][days]
            results.append(
                MeasureResult(
                    f"{measure.lower()}_{days}",
                    f"{measure} {days}-day follow-up",
                    FOLLOW_UP_DEFINITIONS[measure].format(days=days),
                    cell["numerator"],
                    cell["denominator"],
                )
            )
    return results


def referral_measures(*, team_ids, start: date, end: date) -> list[MeasureResult]:
    low, high = _day_range(start, end)
    figures = referral_closure_counts(team_ids=team_ids, low=low, high=high)
    days = None if figures["median"] is None else figures["median"].total_seconds() / 86400
    return [
        MeasureResult(
            "closed_loop",
            "Referral closed-loop rate",
            "Referrals closed in the period whose completion was confirmed (the client got the "
            "service), out of all referrals closed in the period.",
            figures["loop"],
            figures["total"],
            note="" if days is None else f"median {days:.1f} days from sending to completion",
        )
    ]


def plan_measures(*, team_ids, as_of: date) -> list[MeasureResult]:
    counts = plan_measure_counts(team_ids=team_ids, as_of=as_of)
    current_n = dict(zip("nd", counts["current_plan"], strict=True))
    both_n = dict(zip("nd", counts["dual_both_goals"], strict=True))
    safety_n = dict(zip("nd", counts["suicide_safety_plan"], strict=True))
    return [
        MeasureResult(
            "current_plan",
            "Active clients with a current plan",
            "Active clients whose active care plan is not overdue for review, out "
            "of all active clients.",
            current_n["n"],
            current_n["d"],
        ),
        MeasureResult(
            "dual_both_goals",
            "Dual-diagnosis plans with goals for both",
            "Active dual-diagnosis clients whose active plan has a goal for the "
            "mental health disorder and one for the substance use disorder, out of "
            "all active dual-diagnosis clients.",
            both_n["n"],
            both_n["d"],
        ),
        MeasureResult(
            "suicide_safety_plan",
            "Suicide risk with a current safety plan",
            "Clients with an active suicide risk flag who have a current safety "
            "plan, out of all clients with that flag.",
            safety_n["n"],
            safety_n["d"],
        ),
    ]


def phq9_measures(*, team_ids, start: date, end: date) -> list[MeasureResult]:
    low, high = _day_range(start, end)
    counts = phq9_outcomes(team_ids=team_ids, low=low, high=high)
    definition = (
        "Among clients whose first PHQ-9 scored 10 or more (baseline) and who had a "
        "later PHQ-9 in the period: "
    )
    return [
        MeasureResult(
            "phq9_response",
            "PHQ-9 response",
            definition + "the latest total is at most half of the baseline.",
            counts["response"],
            counts["denominator"],
        ),
        MeasureResult(
            "phq9_remission",
            "PHQ-9 remission",
            definition + "the latest total is below 5.",
            counts["remission"],
            counts["denominator"],
        ),
    ]


def assessment_measures(*, team_ids, as_of: date) -> list[MeasureResult]:
    counts = reassessments_overdue_counts(team_ids=team_ids, as_of=as_of)
    return [
        MeasureResult(
            "assessments_overdue",
            "Clients with a re-assessment overdue",
            "Active clients with at least one instrument past its re-administration date "
            "(PHQ-9 and GAD-7 every 30 days, AUDIT and DAST-10 every 90 days by default, "
            "for clients with the matching diagnosis or a positive screen), out of all "
            "active clients. Lower is better.",
            counts["clients"],
            counts["active"],
            note=f"{counts['items']} overdue instruments",
        )
    ]


def quality_measures(
    *, team_ids, start: date, end: date, as_of: date, tallies=None
) -> list[MeasureResult]:
    return [
        *follow_up_measures(team_ids=team_ids, start=start, end=end, as_of=as_of, tallies=tallies),
        *referral_measures(team_ids=team_ids, start=start, end=end),
        *plan_measures(team_ids=team_ids, as_of=as_of),
        *phq9_measures(team_ids=team_ids, start=start, end=end),
        *assessment_measures(team_ids=team_ids, as_of=as_of),
    ]


def phq9_band_distribution(*, team_ids) -> list[tuple[str, int]]:
    """Latest PHQ-9 band of each active client (one query)."""
    found = latest_band_counts(instrument="phq9", team_ids=team_ids)
    bands = ["minimal", "mild", "moderate", "moderately severe", "severe"]
    counts = dict.fromkeys(bands, 0)
    for band, n in found.items():
        counts[band] = counts.get(band, 0) + n
    return list(counts.items())
