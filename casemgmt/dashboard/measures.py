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

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from assessments.selectors import (
    latest_band_counts,
    phq9_outcomes,
    reassessments_overdue_counts,
)
from careplans.models import CarePlan, Goal, PlanStatus, SafetyPlan
from clients.models import Client, ClientStatus, RiskFlag, RiskFlagKind
from referrals.models import Referral, ReferralStatus
from referrals.selectors import followup_rates, transition_followup_measures

FOLLOW_UP_DEFINITIONS = {
    "FUH": "Discharges from inpatient psychiatric care followed by a visit (in person, video "
    "or phone) within {days} days after discharge; the discharge day does not count.",
    "FUM": "Emergency department visits for mental illness followed by a visit within "
    "{days} days; a visit on the day of the ED visit counts.",
    "FUA": "Emergency department visits for substance use followed by a visit within "
    "{days} days; a visit on the day of the ED visit counts.",
    "FUI": "Discharges from withdrawal management or residential substance use care "
    "followed by a visit within {days} days; a visit on the discharge day counts.",
}


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate PERCENTILE_CONT(0.5) (core, no extension)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


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


def _clients(team_ids: list[int] | None) -> QuerySet[Client]:
    qs = Client.objects.all()
    return qs if team_ids is None else qs.filter(team_id__in=team_ids)


def _in_teams(qs: QuerySet, team_ids: list[int] | None) -> QuerySet:
    """Rows of clients in the teams (all rows when ``team_ids`` is None: no join)."""
    return qs if team_ids is None else qs.filter(client__team_id__in=team_ids)


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
    closed = _in_teams(Referral.objects, team_ids).filter(
        closed_at__gte=low,
        closed_at__lt=high,
        status__in=[
            ReferralStatus.COMPLETED,
            ReferralStatus.DECLINED,
            ReferralStatus.NO_SHOW,
            ReferralStatus.CANCELLED,
        ],
    )
    loop = Q(status=ReferralStatus.COMPLETED) & ~Q(completion_confirmation="")
    figures = closed.order_by().aggregate(
        total=Count("pk"),
        loop=Count("pk", filter=loop),
        median=Median(F("closed_at") - F("sent_at"), filter=loop & Q(sent_at__isnull=False)),
    )
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
    active = _clients(team_ids).filter(status=ClientStatus.ACTIVE)
    current = CarePlan.objects.filter(
        client=OuterRef("pk"), status=PlanStatus.ACTIVE, review_due__gte=as_of
    )
    plan = CarePlan.objects.filter(client=OuterRef("pk"), status=PlanStatus.ACTIVE)
    both = plan.filter(
        Exists(Goal.objects.filter(plan=OuterRef("pk"), problem__concerns_mental_health=True))
        & Exists(Goal.objects.filter(plan=OuterRef("pk"), problem__concerns_substance_use=True))
    )
    dual = active.filter(is_dual_diagnosis=True)
    flagged = _clients(team_ids).filter(
        Exists(
            RiskFlag.objects.filter(
                client=OuterRef("pk"), kind=RiskFlagKind.SUICIDE, cleared_at__isnull=True
            )
        )
    )
    safety = SafetyPlan.objects.filter(client=OuterRef("pk"), superseded_at__isnull=True)
    # Numerator and denominator of each measure in one query.
    current_n = active.aggregate(n=Count("pk", filter=Q(Exists(current))), d=Count("pk"))
    both_n = dual.aggregate(n=Count("pk", filter=Q(Exists(both))), d=Count("pk"))
    safety_n = flagged.aggregate(n=Count("pk", filter=Q(Exists(safety))), d=Count("pk"))
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
