"""The supervisor's queues: what waits for a supervisor's hand, each defined once here
(from the owning app's selector) for the queue page, its count in the navigation and any
later summary.

- ``approvals``: care plans submitted for approval (``careplans``), oldest first;
- ``cosign``: signed notes by staff whose notes need a co-signature (``Team.cosign_required``:
  trainees, peer specialists), oldest first (``clients``);
- ``consents``: consents and releases in effect that expire within 30 days (``clients``;
  the case manager is also reminded once, ``clients.services.consent_expiry_reminders_send``);
- ``no_contact``: clients in intake or active with no contact (in person, phone, video)
  in the team's ``Team.no_contact_days`` (default 30) days, longest first (``clients``).

Scope: the teams the user supervises (an admin: every team), ``supervised_team_ids``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from careplans.selectors import plans_awaiting_approval
from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import supervised_team_ids
from clients.selectors import (
    EXPIRY_NOTICE_DAYS,
    clients_without_recent_contact,
    consents_expiring,
    notes_awaiting_cosignature,
)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    url_name: str
    rule: str  # what the queue lists, stated on its page


QUEUES = (
    Queue(
        "approvals",
        "Plans awaiting approval",
        "dashboard:queue_approvals",
        "Care plans submitted for approval for clients of the teams you supervise, the "
        "longest waiting first. You cannot approve a plan you wrote or submitted.",
    ),
    Queue(
        "cosign",
        "Notes to co-sign",
        "dashboard:queue_cosign",
        "Signed contact notes by staff whose notes need a supervisor's co-signature (a "
        "team setting, e.g. trainees and peer specialists), the longest waiting first.",
    ),
    Queue(
        "consents",
        "Consents expiring",
        "dashboard:queue_consents",
        f"Consents and releases in effect that expire within {EXPIRY_NOTICE_DAYS} days, "
        "soonest first. The case manager is reminded once when one enters this list.",
    ),
    Queue(
        "no_contact",
        "No recent contact",
        "dashboard:queue_no_contact",
        "Clients in intake or active with no contact note (in person, phone or video) in "
        "the team's number of days (30 unless the team sets another), longest first.",
    ),
)
BY_KEY = {q.key: q for q in QUEUES}


_UNSET: Any = object()


def queue_items(key: str, *, user: User, team_ids: list[int] | None = _UNSET) -> QuerySet[Any]:
    """The rows of one queue for ``user`` (``team_ids``: from ``supervised_team_ids``,
    read when not given)."""
    if team_ids is _UNSET:
        team_ids = supervised_team_ids(user=user)
    if key == "approvals":
        return plans_awaiting_approval(user=user, team_ids=team_ids)
    if key == "cosign":
        return notes_awaiting_cosignature(team_ids=team_ids)
    if key == "consents":
        return consents_expiring(team_ids=team_ids, on=timezone.localdate())
    if key == "no_contact":
        return clients_without_recent_contact(team_ids=team_ids, now=timezone.now())
    raise KeyError(key)


def queue_counts(*, user: User) -> dict[str, int]:
    """{queue key: rows} for the navigation and the queues page: 1 + 4 queries (one
    more for the no-contact queue's team settings)."""
    team_ids = supervised_team_ids(user=user)
    if team_ids == []:
        return dict.fromkeys(BY_KEY, 0)
    return {
        q.key: queue_items(q.key, user=user, team_ids=team_ids).order_by().count() for q in QUEUES
    }
