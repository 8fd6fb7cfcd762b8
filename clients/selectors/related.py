"""Reads of the client's related persons (family, friends, collateral contacts), each with
what covers them today (``person.coverage``: the release and Part 2 consent naming them).

``related_person_list`` and ``related_person_get`` take a client already fetched through
``client_get`` (so in reach); ``related_person_list_in_reach`` scopes by user (the API).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from casemgmt.accounts.models import User

from ..models import Client, Consent, ConsentKind, RelatedPerson
from .consents import related_person_coverage
from .record import client_list


def _consents() -> Prefetch[str, QuerySet[Consent], str]:
    return Prefetch(
        "consents",
        queryset=Consent.objects.filter(kind__in=[ConsentKind.RELEASE, ConsentKind.PART2]),
    )


def _order(qs: QuerySet[RelatedPerson]) -> QuerySet[RelatedPerson]:
    """Active people first (by name), then inactive ones, most recently inactive first."""
    return qs.order_by(F("inactive_on").desc(nulls_first=True), "name", "id")


def related_persons_covered(people: Iterable[RelatedPerson], on: date) -> list[RelatedPerson]:
    """``people`` (with ``consents`` prefetched) with ``coverage`` set for the day ``on``."""
    shown = list(people)
    for person in shown:
        person.coverage = related_person_coverage(person, on)
    return shown


def related_person_list(*, client: Client) -> QuerySet[RelatedPerson]:
    """The client's related persons, active first, with their consents prefetched (set
    ``coverage`` with ``related_persons_covered``)."""
    return _order(client.related_persons.select_related("added_by").prefetch_related(_consents()))


def related_person_get(*, client: Client, person_id: int) -> RelatedPerson:
    """One related person of ``client`` (``coverage`` set for today); ``Http404`` else."""
    person = related_person_list(client=client).filter(pk=person_id).first()
    if person is None:
        raise Http404
    person.client = client
    person.coverage = related_person_coverage(person, client.team.local_date())
    return person


def related_person_list_in_reach(*, user: User) -> QuerySet[RelatedPerson]:
    """Related persons of every client in reach of ``user``, consents prefetched."""
    reach = client_list(user=user).values("pk")
    return _order(
        RelatedPerson.objects.filter(client_id__in=reach)
        .select_related("added_by", "client__team")
        .prefetch_related(_consents())
    )
