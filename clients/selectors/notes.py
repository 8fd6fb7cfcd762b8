"""Reads of contact notes (with addenda) and of the care team.

``note_list``, ``note_get`` and ``care_team_list`` take a client already fetched through
``client_get`` (so in reach); the ``*_in_reach`` selectors scope by user (for the API).
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from casemgmt.accounts.models import User

from ..models import CareTeamMember, CareTeamRole, Client, ContactNote, NoteAddendum
from .record import client_list


def _addenda() -> Prefetch[str, QuerySet[NoteAddendum], str]:
    return Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author"))


def note_list(*, client: Client) -> QuerySet[ContactNote]:
    """The client's notes, newest contact first, with author, signer and
    ``addendum_count``."""
    return (
        client.notes.select_related("author", "signed_by", "related_person")
        .annotate(addendum_count=Count("addenda"))
        .order_by("-contact_at", "-id")
    )


def note_get(*, client: Client, note_id: int) -> ContactNote:
    """One note of ``client`` with its addenda (oldest first); ``Http404`` otherwise."""
    note = (
        client.notes.select_related("author", "signed_by", "client", "related_person", "consent")
        .prefetch_related(_addenda())
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404
    return note


def note_list_in_reach(*, user: User) -> QuerySet[ContactNote]:
    """Notes of every client in reach of ``user``, with people and addenda loaded."""
    reach = client_list(user=user).values("pk")
    return (
        ContactNote.objects.filter(client_id__in=reach)
        .select_related("author", "signed_by", "related_person")
        .prefetch_related(_addenda())
        .order_by("-contact_at", "-id")
    )


# Clinical order (prescriber first), not the alphabetical order of the stored values.
_ROLE_ORDER = Case(
    *[When(role=value, then=Value(i)) for i, value in enumerate(CareTeamRole.values)],
    output_field=IntegerField(),
)


def _care_team_order(qs: QuerySet[CareTeamMember]) -> QuerySet[CareTeamMember]:
    """Current members first (by role), then past members, most recently ended first."""
    return qs.order_by(F("ended_on").desc(nulls_first=True), _ROLE_ORDER, "id")


def care_team_list(*, client: Client) -> QuerySet[CareTeamMember]:
    return _care_team_order(client.care_team.select_related("user", "added_by", "related_person"))


def care_team_in_reach(*, user: User) -> QuerySet[CareTeamMember]:
    reach = client_list(user=user).values("pk")
    return _care_team_order(
        CareTeamMember.objects.filter(client_id__in=reach).select_related(
            "user", "added_by", "related_person"
        )
    )
