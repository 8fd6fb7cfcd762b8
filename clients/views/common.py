"""Helpers every client-chart view uses: fetch-or-404 with audit, and the chart context."""

from __future__ import annotations

from django.db import models

from casemgmt.accounts.models import AuthenticatedHttpRequest
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..chart import banner_warnings, chart_tabs
from ..models import Client
from ..selectors import client_get


def chart_client(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    obj: models.Model | None = None,
    audit: bool = True,
) -> Client:
    """The client for a chart page, in reach or via emergency access, else 404.

    Writes the audit event for the view: ``emergency_access`` when opened that way."""
    client = client_get(user=request.user, client_id=pk)
    if audit:
        audit_record(
            user=request.user,
            action=AuditAction.EMERGENCY_ACCESS if client.emergency_access else AuditAction.VIEW,
            obj=obj or client,
            client_id=client.pk,
        )
    return client


def can_see_access_log(user, client: Client) -> bool:
    """Supervisors of the client's team and admins see who opened the record."""
    if user.is_admin_role:
        return True
    return client.team.supervisors.filter(pk=user.pk).exists()


def chart_context(request: AuthenticatedHttpRequest, client: Client, tab: str, **extra) -> dict:
    return {
        "client": client,
        "tab": tab,
        "tabs": chart_tabs(client),
        "banner_warnings": banner_warnings(client),
        "can_see_access_log": can_see_access_log(request.user, client),
        **extra,
    }
