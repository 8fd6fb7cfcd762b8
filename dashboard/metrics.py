"""The caseload figures of the team dashboard, each defined once.

A metric answers two questions with a fixed number of queries whatever the team size:
``counts(scope, as_of)`` -> {case manager id: count}, and ``client_ids(scope, as_of)`` ->
a subquery of the client ids behind the figure (the drill-down list). ``scope`` is the
queryset of clients in reach (already filtered by team or case manager).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from careplans.selectors import CURRENT_PLAN_DEFINITION, active_plan_exists, current_plan_exists
from clients.models import OPEN_EPISODE_STATUSES, ClientStatus
from clients.selectors import HIGH_RISK_DEFINITION, HIGH_RISK_FLAGS, high_risk_q
from referrals.selectors import (
    followups_overdue_of,
    referral_waiting_exists,
    transition_followups_at_risk_of,
)

from .urgency import AT_RISK_DAYS  # a 7-day transition follow-up due within 2 days

__all__ = ["AT_RISK_DAYS", "HIGH_RISK_FLAGS"]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str


METRICS = [
    Metric(
        "active",
        "Active caseload",
        "Clients with status active whose primary case manager this is.",
    ),
    Metric(
        "high_risk",
        "High-risk clients",
        HIGH_RISK_DEFINITION,
    ),
    Metric(
        "overdue_followups",
        "Overdue follow-ups",
        "Clients with an open follow-up assigned to this case manager whose due time has passed.",
    ),
    Metric(
        "plans_overdue",
        "Plans overdue for review",
        "Clients whose active care plan's review date is before today.",
    ),
    Metric(
        "no_plan",
        "Without a current plan",
        f"Active clients without {CURRENT_PLAN_DEFINITION} (the quality measure's rule).",
    ),
    Metric(
        "referrals_overdue",
        "Referrals past deadline",
        "Clients with a referral sent or received, still waiting for a response, past "
        "its response deadline.",
    ),
    Metric(
        "transitions_at_risk",
        "7-day window at risk or missed",
        "Clients with a 7-day follow-up after a care transition that is still open and "
        f"due within {AT_RISK_DAYS} days, overdue, or marked missed.",
    ),
]
BY_KEY = {m.key: m for m in METRICS}


def _active(scope: QuerySet) -> QuerySet:
    return scope.filter(status=ClientStatus.ACTIVE)


def open_episodes(scope: QuerySet) -> QuerySet:
    """The clients of ``scope`` with an open episode of care (referred, intake, active)."""
    return scope.filter(status__in=OPEN_EPISODE_STATUSES)


def high_risk_clients(scope: QuerySet) -> QuerySet:
    """The "High-risk clients" rule, for the dashboard figure and the Today page alike."""
    return scope.filter(high_risk_q())


def without_current_plan(scope: QuerySet, as_of: date) -> QuerySet:
    """Active clients without a current plan (``careplans.selectors.current_plan_exists``)."""
    return _active(scope).filter(~current_plan_exists(as_of=as_of))


def _high_risk(scope: QuerySet) -> QuerySet:
    return high_risk_clients(scope)


def _plans_overdue(scope: QuerySet, as_of: date) -> QuerySet:
    return scope.filter(active_plan_exists(review_due_before=as_of))


def _no_plan(scope: QuerySet, as_of: date) -> QuerySet:
    return without_current_plan(scope, as_of)


def _referrals_overdue(scope: QuerySet, as_of: date) -> QuerySet:
    return scope.filter(referral_waiting_exists(response_due_before=as_of))


def _transitions_at_risk(scope: QuerySet, as_of: date) -> QuerySet:
    return transition_followups_at_risk_of(clients=scope, as_of=as_of, within_days=AT_RISK_DAYS)


def _by_manager(qs: QuerySet, field: str = "primary_case_manager") -> dict[int, int]:
    """{case manager id: number of clients}; each client row counts once (no DISTINCT)."""
    rows = qs.values(field).annotate(n=Count("pk")).order_by()
    return {row[field]: row["n"] for row in rows if row[field] is not None}


def counts(key: str, scope: QuerySet, *, as_of: date, now) -> dict[int, int]:
    """{case manager id: count} for one metric. One query."""
    if key == "active":
        return _by_manager(_active(scope))
    if key == "high_risk":
        return _by_manager(_high_risk(scope))
    if key == "plans_overdue":
        return _by_manager(_plans_overdue(scope, as_of))
    if key == "no_plan":
        return _by_manager(_no_plan(scope, as_of))
    if key == "referrals_overdue":
        return _by_manager(_referrals_overdue(scope, as_of))
    if key == "overdue_followups":
        rows = (
            followups_overdue_of(clients=scope, now=now)
            .values("assignee")
            .annotate(n=Count("client", distinct=True))
            .order_by()
        )
        return {r["assignee"]: r["n"] for r in rows}
    if key == "transitions_at_risk":
        rows = (
            _transitions_at_risk(scope, as_of)
            .values("client__primary_case_manager")
            .annotate(n=Count("client", distinct=True))
            .order_by()
        )
        return {
            r["client__primary_case_manager"]: r["n"]
            for r in rows
            if r["client__primary_case_manager"]
        }
    raise KeyError(key)


def client_ids(key: str, scope: QuerySet, *, as_of: date, now, case_manager_id=None) -> QuerySet:
    """The clients behind one figure, as a subquery of ids."""
    if key == "overdue_followups":
        return followups_overdue_of(
            clients=scope, now=now, assignee_id=case_manager_id or None
        ).values("client_id")
    if key == "transitions_at_risk":
        qs = _transitions_at_risk(scope, as_of)
        if case_manager_id:
            qs = qs.filter(client__primary_case_manager_id=case_manager_id)
        return qs.values("client_id")
    if case_manager_id:
        scope = scope.filter(primary_case_manager_id=case_manager_id)
    builders = {
        "active": lambda: _active(scope),
        "high_risk": lambda: _high_risk(scope),
        "plans_overdue": lambda: _plans_overdue(scope, as_of),
        "no_plan": lambda: _no_plan(scope, as_of),
        "referrals_overdue": lambda: _referrals_overdue(scope, as_of),
    }
    return builders[key]().values("pk")
