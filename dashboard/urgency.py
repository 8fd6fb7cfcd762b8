"""One urgency order for Today, My follow-ups and Needs attention, defined here once.

Each *reason* a line or a client can need attention for has a weight; the higher the
weight, the nearer the top. A follow-up line takes the weight of the first reason it
meets (they are tried heaviest first); a client on Needs attention is ranked by its
heaviest reason, then by the sum of all its reasons' weights. The weights (and the time
windows) are data: ``dashboard.UrgencyWeight`` rows, edited in Django admin, override the
defaults below, so a program can reorder its lists without a release.

The defaults follow the order a supervisor acts in (UX.md: "what is risky where it
cannot be missed"):

=====================  ======  =====  ===================================================
reason                 weight  hours  meaning
=====================  ======  =====  ===================================================
followup_after_event     1000     24  an open follow-up due within 24 h of a crisis (in
                                      the crisis window) or of a discharge (in the last 3
                                      days): SAMHSA National Guidelines for Behavioral
                                      Health Crisis Care (2020), follow-up within 24 h
crisis_recent             950     72  a crisis episode in the last 72 hours
risk_answer_recent        900     72  a suicide-risk answer on a screening (PHQ-9 item 9,
                                      C-SSRS screen) in the last 72 hours
transition_window         700         a 7-day follow-up after a care transition (HEDIS
                                      FUH/FUM/FUA/FUI) due within 2 days, overdue or missed
suicide_no_plan           600         suicide risk flag and no current safety plan
overdose_no_naloxone      550         overdose risk flag and no naloxone on record
overdue                   400         an open follow-up whose due time has passed
two_no_shows              350         the last two appointments were no-shows
referrals_overdue         300         a referral past its response deadline
plans_overdue             250         an active care plan past its review date
due_today                 200         due today
this_week                 100         due in the next 7 days
no_plan                    50         active without a current care plan
=====================  ======  =====  ===================================================

The first three are "imminent risk"; Today shows them in their own section at the top.
Risk reasons count every open episode of care (referred, intake, active).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

IMMINENT = ("followup_after_event", "crisis_recent", "risk_answer_recent")
DISCHARGE_RECENT_DAYS = 3  # a discharge "just happened" for followup_after_event
AT_RISK_DAYS = 2  # a 7-day transition follow-up due within 2 days is at risk


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    weight: int
    hours: int | None = None
    section: str = ""  # the Today / My follow-ups section a follow-up line with it goes in

    @property
    def text(self) -> str:
        """The label with its window filled in ("Crisis in the past 72 hours")."""
        return self.label.format(hours=self.hours)

    @property
    def imminent(self) -> bool:
        return self.key in IMMINENT


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason(
        "followup_after_event",
        "Follow-up due within {hours} hours of a crisis or discharge",
        1000,
        24,
        "imminent",
    ),
    Reason("crisis_recent", "Crisis in the past {hours} hours", 950, 72),
    Reason(
        "risk_answer_recent",
        "Suicide risk answer on a screening in the past {hours} hours",
        900,
        72,
    ),
    Reason(
        "transition_window",
        "Follow-up after a care transition: 7-day window closing or missed",
        700,
        None,
        "transition",
    ),
    Reason("suicide_no_plan", "Suicide risk without a current safety plan", 600),
    Reason("overdose_no_naloxone", "Overdose risk and no naloxone on record", 550),
    Reason("overdue", "Overdue follow-up", 400, None, "overdue"),
    Reason("two_no_shows", "Two no-shows in a row", 350),
    Reason("referrals_overdue", "Referral past its response deadline", 300),
    Reason("plans_overdue", "Care plan overdue for review", 250),
    Reason("due_today", "Due today", 200, None, "due_today"),
    Reason("this_week", "Due this week", 100, None, "this_week"),
    Reason("no_plan", "Active without a current care plan", 50),
)
DEFAULTS = {r.key: r for r in DEFAULT_REASONS}

# The sections of Today and My follow-ups, in the order of their reasons' weights.
SECTION_LABELS = {
    "imminent": "Act now: imminent risk",
    "transition": "Follow-up windows after a care transition",
    "overdue": "Overdue",
    "due_today": "Due today",
    "this_week": "This week",
}


@dataclass(frozen=True)
class Urgency:
    """The reasons with this installation's weights (heaviest first)."""

    reasons: tuple[Reason, ...]

    @property
    def by_key(self) -> dict[str, Reason]:
        return {r.key: r for r in self.reasons}

    def weight(self, key: str) -> int:
        return self.by_key[key].weight

    def hours(self, key: str) -> int:
        hours = self.by_key[key].hours
        return hours if hours is not None else DEFAULTS[key].hours or 0

    def sections(self) -> list[tuple[str, str]]:
        """(section key, heading) of the follow-up sections, heaviest first."""
        return [(r.section, SECTION_LABELS[r.section]) for r in self.followup_reasons()]

    def followup_reasons(self) -> list[Reason]:
        return [r for r in self.reasons if r.section]

    def rank(self, keys: set[str] | list[str]) -> tuple[int, int]:
        """A client's rank on Needs attention: its heaviest reason, then the sum."""
        weights = [self.by_key[k].weight for k in keys]
        return (max(weights, default=0), sum(weights))


def urgency_weights() -> Urgency:
    """The reasons with the weights of ``dashboard.UrgencyWeight`` where set (one query)."""
    from .models import UrgencyWeight

    rows = {row.reason: row for row in UrgencyWeight.objects.all()}
    reasons = []
    for default in DEFAULT_REASONS:
        row = rows.get(default.key)
        if row is None:
            reasons.append(default)
        else:
            hours = row.hours if row.hours is not None else default.hours
            reasons.append(replace(default, weight=row.weight, hours=hours))
    reasons.sort(key=lambda r: (-r.weight, DEFAULT_REASONS.index(DEFAULTS[r.key])))
    return Urgency(tuple(reasons))


# ------------------------------------------------------------------ follow-up lines
def _followup_conditions(urgency: Urgency, *, now: datetime, today: date) -> dict[str, Q]:
    """The condition of each follow-up reason on a FollowUp queryset (open follow-ups)."""
    from health.models import CrisisEpisode

    window = timedelta(hours=urgency.hours("followup_after_event"))
    crisis_since = now - timedelta(hours=urgency.hours("crisis_recent"))
    after_crisis = Exists(
        CrisisEpisode.objects.filter(
            client=OuterRef("client_id"),
            occurred_at__gte=crisis_since,
            occurred_at__lte=OuterRef("due_at"),
        ).filter(occurred_at__gte=OuterRef("due_at") - window)
    )
    discharge_plus_window = ExpressionWrapper(
        F("transition__discharged_on") + timedelta(days=max(1, window.days or 1)),
        output_field=DateField(),
    )
    after_discharge = Q(
        transition__discharged_on__gte=today - timedelta(days=DISCHARGE_RECENT_DAYS),
        due_on__lte=discharge_plus_window,
    )
    return {
        "followup_after_event": Q(after_crisis) | after_discharge,
        "transition_window": Q(
            reason="transition", window_days=7, due_on__lte=today + timedelta(days=AT_RISK_DAYS)
        ),
        "overdue": Q(due_at__lt=now),
        "due_today": Q(due_on=today),
        "this_week": Q(due_on__gt=today),
    }


def followups_by_urgency(
    qs: QuerySet[Any, Any], urgency: Urgency, *, now: datetime, today: date
) -> QuerySet[Any, Any]:
    """Open follow-ups annotated with ``urgency_section`` (the section key of the heaviest
    reason they meet) and ``urgency_weight``, heaviest first, then soonest due."""
    conditions = _followup_conditions(urgency, now=now, today=today)
    reasons = urgency.followup_reasons()
    return qs.annotate(
        urgency_section=Case(
            *(When(conditions[r.key], then=Value(r.section)) for r in reasons),
            default=Value("this_week"),
        ),
        urgency_weight=Case(
            *(When(conditions[r.key], then=Value(r.weight)) for r in reasons),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("-urgency_weight", "due_at", "pk")


def section_of_date(urgency: Urgency, due_on: date, today: date) -> str:
    """The section of a dated line that is not a follow-up (a plan review, a
    re-assessment): overdue, due today or this week, as for a follow-up without a time."""
    if due_on < today:
        return "overdue"
    return "due_today" if due_on == today else "this_week"


def section_weight(urgency: Urgency, section: str) -> int:
    return next((r.weight for r in urgency.followup_reasons() if r.section == section), 0)


# -------------------------------------------------------------------- client reasons
def client_reason_conditions(urgency: Urgency, *, now: datetime) -> dict[str, Exists]:
    """The imminent-risk conditions on a Client queryset (a crisis, a risk answer in
    their windows), usable in ``filter`` and ``annotate``."""
    from assessments.selectors import risk_answer_since_exists
    from health.selectors import crisis_since_exists

    return {
        "crisis_recent": crisis_since_exists(
            since=now - timedelta(hours=urgency.hours("crisis_recent"))
        ),
        "risk_answer_recent": risk_answer_since_exists(
            since=now - timedelta(hours=urgency.hours("risk_answer_recent"))
        ),
    }
