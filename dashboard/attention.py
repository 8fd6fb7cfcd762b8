"""The risk-weighted list: the team's clients ordered by what needs attention first.

Each reason is one query returning the client ids it concerns (a fixed number of
queries whatever the team size). The reasons and their weights are the one urgency
order of ``dashboard.urgency`` (the same as Today and My follow-ups): a client ranks by
its heaviest reason, then by the sum of its reasons' weights, so imminent risk (a crisis
or a suicide-risk answer in the last 72 hours, a follow-up due within 24 hours of a
crisis or discharge) comes first, then transition windows, safety gaps, overdue work.
Risk reasons count every open episode (referred, intake, active).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from careplans.selectors import current_safety_plan_exists
from clients.models import Client, RiskFlagKind
from clients.selectors import open_risk_flag_exists
from health.selectors import naloxone_on_record_exists
from scheduling.selectors import consecutive_no_show_client_ids

from . import metrics
from .urgency import Reason, Urgency, client_reason_conditions, urgency_weights

PER_PAGE = 25

# The reasons Needs attention looks for (the follow-up-only "this week" is left out: a
# list of everyone with something due in a week is not "attention").
CLIENT_REASONS = (
    "followup_after_event",
    "crisis_recent",
    "risk_answer_recent",
    "transition_window",
    "suicide_no_plan",
    "overdose_no_naloxone",
    "overdue",
    "two_no_shows",
    "referrals_overdue",
    "plans_overdue",
    "due_today",
    "no_plan",
)


@dataclass
class AttentionRow:
    client: Client
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.weight for r in self.reasons)


def _ids(qs: QuerySet) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def reason_ids(
    scope: QuerySet[Client], *, as_of: date, now: datetime, urgency: Urgency | None = None
) -> dict[str, set[int]]:
    """{reason key: client ids}. One query per reason."""
    from referrals.models import FollowUp, FollowUpStatus

    from .urgency import followups_by_urgency

    urgency = urgency or urgency_weights()
    open_scope = metrics.open_episodes(scope)

    def metric(key: str) -> set[int]:
        """The clients behind a team-dashboard figure (same definition, one query)."""
        rows = metrics.client_ids(key, scope, as_of=as_of, now=now)
        return {next(iter(row.values())) for row in rows}

    def followups_in(section: str) -> set[int]:
        qs = followups_by_urgency(
            FollowUp.objects.filter(
                client_id__in=open_scope.values("pk"), status=FollowUpStatus.OPEN
            ),
            urgency,
            now=now,
            today=as_of,
        ).filter(urgency_section=section)
        return set(qs.order_by().values_list("client_id", flat=True).distinct())

    conditions = client_reason_conditions(urgency, now=now)
    return {
        "followup_after_event": followups_in("imminent"),
        "crisis_recent": _ids(open_scope.filter(conditions["crisis_recent"])),
        "risk_answer_recent": _ids(open_scope.filter(conditions["risk_answer_recent"])),
        "transition_window": metric("transitions_at_risk"),
        "suicide_no_plan": _ids(
            open_scope.filter(
                open_risk_flag_exists(kinds=[RiskFlagKind.SUICIDE]), ~current_safety_plan_exists()
            )
        ),
        "overdose_no_naloxone": _ids(
            open_scope.filter(
                open_risk_flag_exists(kinds=[RiskFlagKind.OVERDOSE]), ~naloxone_on_record_exists()
            )
        ),
        "overdue": metric("overdue_followups"),
        "two_no_shows": consecutive_no_show_client_ids(scope=scope, now=now),
        "referrals_overdue": metric("referrals_overdue"),
        "plans_overdue": metric("plans_overdue"),
        "due_today": followups_in("due_today"),
        "no_plan": metric("no_plan"),
    }


@dataclass
class Attention:
    """One page of the list, how many clients each reason concerns, and the reasons."""

    page: Page
    rows: list[AttentionRow]
    total: int  # clients with at least one reason (of the chosen reason, if one)
    counts: list[tuple[Reason, int]]  # heaviest first
    reason: str  # the reason filtered on ("" for all)


def attention_list(
    *,
    scope: QuerySet[Client],
    client_list_qs: QuerySet[Client],
    reason: str = "",
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
) -> Attention:
    """The clients needing attention most, with their reasons, ``per_page`` a page; only
    those with ``reason`` when given (an unknown reason is ignored)."""
    now = timezone.now()
    urgency = urgency_weights()
    found = reason_ids(scope, as_of=timezone.localdate(), now=now, urgency=urgency)
    by_key = urgency.by_key
    reason = reason if reason in found else ""
    rows: dict[int, list[str]] = {}
    for key, ids in found.items():
        for client_id in ids:
            rows.setdefault(client_id, []).append(key)
    if reason:
        rows = {pk: keys for pk, keys in rows.items() if reason in keys}
    ranked = sorted(rows.items(), key=lambda item: (*(-w for w in urgency.rank(item[1])), item[0]))
    paginator = Paginator(ranked, per_page)
    current = paginator.get_page(page)
    top = list(current.object_list)
    clients = client_list_qs.in_bulk([client_id for client_id, _ in top])
    result = [
        AttentionRow(clients[client_id], sorted((by_key[k] for k in keys), key=lambda r: -r.weight))
        for client_id, keys in top
        if client_id in clients
    ]
    counts = [(r, len(found[r.key])) for r in urgency.reasons if r.key in found]
    return Attention(current, result, len(rows), counts, reason)
