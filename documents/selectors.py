"""Reads of documents, scoped to clients in reach and to the 42 CFR Part 2 gate.

For the program's own staff every document of a client in reach is listed. For an
outside organisation's account (``User.outside_organization_directory_id``), documents
holding substance use information are listed only under an active Part 2 consent of the
client naming that organisation (the rule of the FHIR API, ``interop.fhir.part2``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from casemgmt.accounts.models import User
from clients.models import Client, Consent
from clients.selectors import client_ids_in_reach, consent_allows_disclosure
from referrals.selectors import directory_organisation_names

from .models import Document


@dataclass(frozen=True)
class Part2Gate:
    """``outside``: the user is an outside organisation's account; ``allowed``: the
    client's substance use records may reach it (always for the program's staff);
    ``consent`` and ``recipient``: what allows it, for the accounting of disclosures."""

    outside: bool
    allowed: bool
    recipient: str = ""
    consent: Consent | None = None


def document_part2_gate(*, user: User, client: Client) -> Part2Gate:
    directory_id = user.outside_organization_directory_id
    if directory_id is None:
        return Part2Gate(outside=False, allowed=True)
    name = directory_organisation_names(ids=[directory_id]).get(directory_id, "")
    recipient = name or f"Organisation {directory_id} of the resource directory"
    check = consent_allows_disclosure(
        client=client, recipient=recipient, recipient_directory_id=directory_id
    )
    return Part2Gate(
        outside=True,
        allowed=check.allowed,
        recipient=recipient,
        consent=check.consent if check.allowed else None,
    )


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related(
        "uploaded_by", "entered_in_error_by", "consent", "transition", "referral"
    ).order_by("-uploaded_at", "-id")


def document_list(*, user: User, client: Client) -> QuerySet[Document]:
    """``client``'s documents (fetched in reach by the caller), newest first, those
    holding substance use information left out when the Part 2 gate is closed."""
    qs = _documents().filter(client=client)
    if not document_part2_gate(user=user, client=client).allowed:
        qs = qs.exclude(holds_substance_use=True)
    return qs


def document_get(*, user: User, client: Client, document_id: int) -> Document:
    document = document_list(user=user, client=client).filter(pk=document_id).first()
    if document is None:
        raise Http404
    return document


def document_list_in_reach(*, user: User) -> QuerySet[Document]:
    """Documents of every client in reach (the API's list). An outside organisation's
    account gets no document holding substance use information here: those are read per
    client (``?client=``), where the gate is checked against that client's consents."""
    qs = _documents().filter(client_id__in=client_ids_in_reach(user=user))
    if user.outside_organization_directory_id is not None:
        qs = qs.exclude(holds_substance_use=True)
    return qs
