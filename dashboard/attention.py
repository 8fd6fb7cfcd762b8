"""The risk-weighted list: the team's clients ordered by what needs attention first.

Each reason is one query returning the client ids it concerns (a fixed number of
queries whatever the team size); a client's priority is the sum of the weights of its
reasons, and the reasons are shown. Weights follow the order a supervisor would act in:
safety first (suicide risk without a safety plan, a recent crisis, overdose risk without
naloxone), then a transition follow-up about to be missed, then overdue work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from careplans.selectors import current_safety_plan_exists
from clients.models import Client, RiskFlagKind
from clients.selectors import open_risk_flag_exists
from health.selectors import crisis_since_exists, naloxone_on_record_exists
from scheduling.selectors import consecutive_no_show_client_ids

from . import metrics


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    weight: int


REASONS = [
    Reason("suicide_no_plan", "Suicide risk without a current safety plan", 100),
    Reason("recent_crisis", "Crisis in the past 7 days", 70),
    Reason("overdose_no_naloxone", "Overdose risk and no naloxone on record", 60),
    Reason("transition_at_risk", "7-day follow-up after discharge about to be missed", 80),
    Reason("overdue_followups", "Overdue follow-up", 50),
    Reason("two_no_shows", "Two no-shows in a row", 40),
    Reason("referrals_overdue", "Referral past its response deadline", 30),
    Reason("plans_overdue", "Care plan overdue for review", 20),
    Reason("no_plan", "Active without a care plan", 10),
]
BY_KEY = {r.key: r for r in REASONS}


@dataclass
class AttentionRow:
    client: Client
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.weight for r in self.reasons)


def _ids(qs: QuerySet) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def reason_ids(scope: QuerySet[Client], *, as_of: date, now) -> dict[str, set[int]]:
    """{reason key: client ids}. One query per reason."""

    def metric(key: str) -> set[int]:
        """The clients behind a team-dashboard figure (same definition, one query)."""
        rows = metrics.client_ids(key, scope, as_of=as_of, now=now)
        return {next(iter(row.values())) for row in rows}

    return {
        "suicide_no_plan": _ids(
            scope.filter(
                open_risk_flag_exists(kinds=[RiskFlagKind.SUICIDE]), ~current_safety_plan_exists()
            )
        ),
        "recent_crisis": _ids(scope.filter(crisis_since_exists(since=now - timedelta(days=7)))),
        "overdose_no_naloxone": _ids(
            scope.filter(
                open_risk_flag_exists(kinds=[RiskFlagKind.OVERDOSE]), ~naloxone_on_record_exists()
            )
        ),
        "transition_at_risk": metric("transitions_at_risk"),
        "overdue_followups": metric("overdue_followups"),
        "two_no_shows": consecutive_no_show_client_ids(scope=scope, now=now),
        "referrals_overdue": metric("referrals_overdue"),
        "plans_overdue": metric("plans_overdue"),
        "no_plan": metric("no_plan"),
    }


def attention_list(
    *, scope: QuerySet[Client], client_list_qs: QuerySet[Client], limit: int = 100
) -> tuple[list[AttentionRow], int]:
    """The ``limit`` clients needing attention most, with their reasons; and how many
    clients have any reason at all."""
    now = timezone.now()
    found = reason_ids(scope, as_of=timezone.localdate(), now=now)
    rows: dict[int, list[Reason]] = {}
    for key, ids in found.items():
        for client_id in ids:
            rows.setdefault(client_id, []).append(BY_KEY[key])
    ranked = sorted(rows.items(), key=lambda item: (-sum(r.weight for r in item[1]), item[0]))
    top = ranked[:limit]
    clients = client_list_qs.in_bulk([client_id for client_id, _ in top])
    result = [
        AttentionRow(clients[client_id], sorted(reasons, key=lambda r: -r.weight))
        for client_id, reasons in top
        if client_id in clients
    ]
    return result, len(rows)
