"""Reads of what hangs off a client: diagnoses, flags, history, timeline, access log.

Each takes a client already fetched through ``client_get`` (so in reach)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditEvent

from ..icd10 import CODES, is_remission_code
from ..models import (
    OPEN_EPISODE_STATUSES,
    Assignment,
    Client,
    Diagnosis,
    DiagnosisCategory,
    DiagnosisStatus,
    RiskFlag,
    RiskFlagKind,
    StatusChange,
    TimelineEntry,
)
from .record import client_ids_in_reach


def diagnosis_codes(*, category: str) -> list[tuple[str, str]]:
    """(ICD-10-CM code, description) of the curated pick-list for one diagnosis category."""
    return [(code, text) for code, text, cat in CODES if cat == category]


def diagnosis_code_in_remission(*, code: str) -> bool:
    """Whether the ICD-10-CM table describes ``code`` as in remission (F10.21): such a
    diagnosis is recorded with the status "in remission" (for bulk loaders)."""
    return is_remission_code(code)


def diagnosis_list(*, client: Client) -> QuerySet[Diagnosis]:
    return client.diagnoses.select_related("recorded_by", "reclassified_by").order_by(
        "status", "category", "icd10_code"
    )


def diagnosis_list_in_reach(*, user: User) -> QuerySet[Diagnosis]:
    """Diagnoses of every client in reach of ``user`` (teams and emergency access; for
    the FHIR API's reads by id)."""
    return Diagnosis.objects.filter(client_id__in=client_ids_in_reach(user=user))


def client_has_substance_use_diagnosis(*, client: Client | int) -> bool:
    """Whether any substance use diagnosis is on record for the client (active, in
    remission or resolved; not one entered in error): then what leaves the program about
    the client is presumed to carry 42 CFR Part 2 information."""
    return (
        Diagnosis.objects.filter(client=client, category=DiagnosisCategory.SUBSTANCE_USE)
        .exclude(status=DiagnosisStatus.ENTERED_IN_ERROR)
        .exists()
    )


def risk_flag_history(*, client: Client) -> QuerySet[RiskFlag]:
    return client.risk_flags.select_related("set_by", "cleared_by")


def status_history(*, client: Client) -> QuerySet[StatusChange]:
    return client.status_changes.select_related("changed_by")


def assignment_history(*, client: Client) -> QuerySet[Assignment]:
    return client.assignments.select_related(
        "from_team", "to_team", "from_case_manager", "to_case_manager", "assigned_by"
    )


def timeline_list(*, client: Client, kinds: list[str] | None = None) -> QuerySet[TimelineEntry]:
    qs = client.timeline.select_related("actor")
    return qs.filter(kind__in=kinds) if kinds else qs


def access_log(*, client: Client) -> QuerySet[AuditEvent]:
    """Who read or changed this client's record (the audit trail, for supervisors)."""
    return AuditEvent.objects.filter(client_id=client.pk).select_related("user")


# Conditions on a Client queryset (``Exists`` on the outer client), for the apps that count
# or list clients in SQL (the dashboard): the one spelling of each rule.
def open_risk_flag_exists(*, kinds: Iterable[str] | None = None) -> Exists:
    """The client has an open (not cleared) risk flag, of one of ``kinds`` when given."""
    flags = RiskFlag.objects.filter(client=OuterRef("pk"), cleared_at__isnull=True)
    if kinds is not None:
        flags = flags.filter(kind__in=list(kinds))
    return Exists(flags)


# "High-risk client", once: the team dashboard's figure, the Today page's list and the
# client list's filter read this rule. Every open episode counts, not only active clients:
# a client in intake with an overdose today is as much at risk as an active one.
HIGH_RISK_FLAGS = (RiskFlagKind.SUICIDE, RiskFlagKind.OVERDOSE, RiskFlagKind.VIOLENCE)
HIGH_RISK_DEFINITION = (
    "Clients with an open episode of care (referred, intake or active) and an open "
    "suicide, overdose or violence risk flag."
)


def high_risk_q() -> Q:
    """The condition on a Client queryset: ``HIGH_RISK_DEFINITION``."""
    return Q(status__in=OPEN_EPISODE_STATUSES) & Q(open_risk_flag_exists(kinds=HIGH_RISK_FLAGS))
