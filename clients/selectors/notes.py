"""Reads of contact notes (with addenda) and of the care team.

``note_list``, ``note_get`` and ``care_team_list`` take a client already fetched through
``client_get`` (so in reach); the ``*_in_reach`` selectors scope by user (for the API).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from casemgmt.accounts.models import User

from ..models import (
    CareTeamMember,
    CareTeamRole,
    Client,
    ClientStatus,
    ContactNote,
    ContactType,
    NoteAddendum,
)
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
        client.notes.select_related(
            "author", "signed_by", "cosigned_by", "client", "related_person", "consent"
        )
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


def notes_awaiting_cosignature(*, team_ids: list[int] | None) -> QuerySet[ContactNote]:
    """Signed notes waiting for a supervisor's co-signature, of the clients of
    ``team_ids`` (None: every team), the longest waiting first."""
    qs = ContactNote.objects.filter(
        cosign_required=True, signed_at__isnull=False, cosigned_at__isnull=True
    )
    if team_ids is not None:
        qs = qs.filter(client__team_id__in=team_ids)
    return qs.select_related("client", "client__team", "author").order_by("signed_at", "pk")


# A contact with the client (not an outreach attempt, not a collateral contact).
CLIENT_CONTACT_TYPES = (ContactType.IN_PERSON, ContactType.PHONE, ContactType.VIDEO)


def clients_without_recent_contact(
    *, team_ids: list[int] | None, now: datetime
) -> QuerySet[Client]:
    """Clients in intake or active of ``team_ids`` (None: every team) with no contact
    note (in person, phone or video) in the last ``Team.no_contact_days`` days of their
    team (a client never seen counts from its registration), annotated with
    ``last_contact_at`` (None: never) and ordered longest without contact first."""
    from casemgmt.accounts.models import Team

    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
    cutoffs = list(teams.values_list("pk", "no_contact_days"))
    if not cutoffs:
        return Client.objects.none()
    last = (
        ContactNote.objects.filter(client=OuterRef("pk"), contact_type__in=CLIENT_CONTACT_TYPES)
        .order_by("-contact_at")
        .values("contact_at")[:1]
    )
    qs = Client.objects.filter(
        status__in=[ClientStatus.INTAKE, ClientStatus.ACTIVE],
        team_id__in=[pk for pk, _ in cutoffs],
    ).annotate(last_contact_at=Subquery(last), since=Coalesce(Subquery(last), F("created_at")))
    late = Q()
    for pk, days in cutoffs:
        late |= Q(team_id=pk, since__lt=now - timedelta(days=days))
    return qs.filter(late).select_related("team", "primary_case_manager").order_by("since", "pk")


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
