from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from casemgmt.accounts.models import User


def audit_event_list(*, user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit trail, for admins and auditors only."""
    if not getattr(user, "can_read_audit", False):
        raise PermissionDenied
    return AuditEvent.objects.select_related("user")
