"""Reads of what hangs off a client: diagnoses, flags, history, timeline, access log.

Each takes a client already fetched through ``client_get`` (so in reach)."""

from __future__ import annotations

from django.db.models import QuerySet

from casemgmt.audit.models import AuditEvent

from ..models import Assignment, Client, Diagnosis, RiskFlag, StatusChange, TimelineEntry


def diagnosis_list(*, client: Client) -> QuerySet[Diagnosis]:
    return client.diagnoses.select_related("recorded_by").order_by(
        "status", "category", "icd10_code"
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
