"""Reads of client data, always scoped to what the user may reach."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import team_ids_in_reach

from ..models import (
    Client,
    ClientMerge,
    ClientStatus,
    EmergencyAccess,
    EmergencyAccessRequest,
    RiskFlag,
)
from ..search import phonetic_keys, search_names


def _active_flags() -> Prefetch[str, QuerySet[RiskFlag], str]:
    return Prefetch(
        "risk_flags",
        queryset=RiskFlag.objects.filter(cleared_at__isnull=True).order_by("kind"),
        to_attr="active_flags",
    )


def client_list(*, user: User) -> QuerySet[Client]:
    """Clients of the teams in reach of ``user`` (admins: all), with team, case manager
    and active risk flags (``client.active_flags``) loaded. A record merged into another
    is in no list (its chart leads to the survivor: ``client_merged_survivor``)."""
    qs = (
        Client.objects.select_related("team", "primary_case_manager")
        .prefetch_related(_active_flags())
        .exclude(status=ClientStatus.MERGED)
    )
    ids = team_ids_in_reach(user=user)
    return qs if ids is None else qs.filter(team_id__in=ids)


def client_search(*, user: User, text: str, limit: int = 20) -> list[Client]:
    """Open clients in reach whose names or number match ``text`` (every word a prefix or
    a Soundex match, as the caseload search), by name; the user's own caseload when
    ``text`` is empty. For pickers (e.g. "Refer a client" from the directory)."""
    qs = client_list(user=user).exclude(status=ClientStatus.DISCHARGED)
    qs = search_names(qs, text) if text.strip() else qs.filter(primary_case_manager=user)
    return list(qs.order_by("last_name", "first_name", "id")[:limit])


def emergency_access_active(*, user: User, client_id: int) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(
            user=user, client_id=client_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def emergency_access_allowed(*, user: User) -> bool:
    """Whether ``user`` holds a role that may break the glass (``EMERGENCY_ACCESS_ROLES``:
    clinical roles; never the auditor or an account without a role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.role_names & set(settings.EMERGENCY_ACCESS_ROLES))


def emergency_access_used(*, user: User, now: datetime | None = None) -> int:
    """How many records ``user`` opened by emergency access in the last 24 hours."""
    since = (now or timezone.now()) - timedelta(hours=24)
    return EmergencyAccess.objects.filter(user=user, granted_at__gte=since).count()


def emergency_access_request_get(*, user: User, request_id: int) -> EmergencyAccessRequest:
    """A request over the daily limit, for a supervisor of one of the requester's teams
    (never the requester); ``Http404`` for anyone else."""
    request = (
        EmergencyAccessRequest.objects.select_related("user", "client", "approved_by")
        .filter(pk=request_id, user__teams__supervisors=user)
        .exclude(user=user)
        .first()
    )
    if request is None:
        raise Http404
    return request


def client_reached_by_emergency_access(*, user: User, client_id: int) -> bool | None:
    """How ``user`` reaches the client: ``False`` through their teams, ``True`` only
    through emergency access (break the glass), ``None`` not at all. At most two small
    queries; for auditing a read of records already fetched in reach."""
    if client_list(user=user).filter(pk=client_id).exists():
        return False
    if user.is_authenticated and emergency_access_active(user=user, client_id=client_id):
        return True
    return None


def client_ids_in_reach(*, user: User) -> QuerySet[Client, Mapping[str, Any]]:
    """Ids of the clients ``user`` may open: their teams' clients, plus any client opened
    through emergency access that has not expired. For scoping the records that hang off
    a client (notes, plans, referrals, ...); never for listing clients."""
    teams = team_ids_in_reach(user=user)
    if teams is None:
        return Client.objects.values("pk")
    emergency = EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values(
        "client_id"
    )
    return Client.objects.filter(Q(team_id__in=teams) | Q(pk__in=emergency)).values("pk")


def client_get(*, user: User, client_id: int | str) -> Client:
    """One client in reach of ``user``, or opened by them through emergency access (then
    ``client.emergency_access`` is set); ``Http404`` otherwise, never 403: no leak."""
    try:
        client_id = int(client_id)
    except (TypeError, ValueError):
        raise Http404 from None
    client = client_list(user=user).filter(pk=client_id).first()
    if client is not None:
        client.emergency_access = None
        return client
    access = (
        emergency_access_active(user=user, client_id=client_id) if user.is_authenticated else None
    )
    if access is None:
        raise Http404
    client = (
        Client.objects.select_related("team", "primary_case_manager")
        .prefetch_related(_active_flags())
        .exclude(status=ClientStatus.MERGED)  # a pointer: its records are the survivor's
        .filter(pk=client_id)
        .first()
    )
    if client is None:
        raise Http404
    client.emergency_access = access
    return client


def client_possible_duplicates(
    *,
    user: User,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    exclude_id: int | None = None,
) -> tuple[list[Client], list[Client]]:
    """Existing clients with the same date of birth and a similar name.

    Similar: a name word that sounds alike (Soundex) or starts the same. Returns
    (in reach, out of reach): the page shows the first fully and only the number and
    team of the second, so nothing about other teams' clients leaks.
    """
    keys = phonetic_keys(first_name, last_name)
    if not keys or date_of_birth is None:
        return [], []
    candidates = Client.objects.filter(date_of_birth=date_of_birth).exclude(
        status=ClientStatus.MERGED
    )
    candidates = candidates.filter(
        Q(name_phonetic__overlap=keys)
        | Q(last_name__iexact=(last_name or "").strip())
        | Q(first_name__iexact=(first_name or "").strip())
    )
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    found = list(candidates.select_related("team", "primary_case_manager")[:20])
    reachable = set(
        client_list(user=user).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True)
    )
    return (
        [c for c in found if c.pk in reachable],
        [c for c in found if c.pk not in reachable],
    )


def clients_of_teams(
    *, team_ids: Iterable[int] | None, case_manager_id: int | None = None
) -> QuerySet[Client]:
    """The clients of ``team_ids`` (None: every team), of one primary case manager when
    given: for counts over teams already checked to be in the user's reach (the
    dashboard's ``dashboard_team_ids``)."""
    qs = Client.objects.all()
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    if case_manager_id is not None:
        qs = qs.filter(primary_case_manager_id=case_manager_id)
    return qs


def client_merged_survivor(*, user: User, client_id: int | str) -> Client | None:
    """The record that ``client_id`` was merged into (following a chain of merges), when
    that record is in ``user``'s reach; None otherwise (the chart then answers 404)."""
    try:
        current = int(client_id)
    except (TypeError, ValueError):
        return None
    for _ in range(10):
        pointer = (
            Client.objects.filter(pk=current, status=ClientStatus.MERGED)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if pointer is None:
            break
        current = pointer
    else:
        return None
    if current == int(client_id):
        return None
    return client_list(user=user).filter(pk=current).first()


def client_merge_list(*, user: User) -> QuerySet[ClientMerge]:
    """Merges of records in ``user``'s reach (admins: all), newest first."""
    merges = ClientMerge.objects.select_related("survivor", "merged", "merged_by", "unmerged_by")
    if not user.is_admin_role:
        return merges.none()
    return merges


def client_merge_get(*, user: User, merge_id: int) -> ClientMerge:
    merge = client_merge_list(user=user).filter(pk=merge_id).first()
    if merge is None:
        raise Http404
    return merge
