"""Reads of client data, always scoped to what the user may reach."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import team_ids_in_reach

from .models import Client


def client_list(*, user: User) -> QuerySet[Client]:
    """Clients of the teams in reach of ``user`` (admins: all), with team and case manager."""
    qs = Client.objects.select_related("team", "primary_case_manager")
    ids = team_ids_in_reach(user=user)
    return qs if ids is None else qs.filter(team_id__in=ids)


def client_get(*, user: User, client_id: int) -> Client:
    """One client in reach of ``user``; ``Http404`` otherwise (never 403: no leak)."""
    return get_object_or_404(client_list(user=user), pk=client_id)
