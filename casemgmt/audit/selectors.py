from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """The audit trail, for admins and auditors only."""
    if not getattr(user, "can_read_audit", False):
        raise PermissionDenied
    return AuditEvent.objects.select_related("user")
