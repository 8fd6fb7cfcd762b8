"""Emergency ("break the glass") access to a client outside the user's reach."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction, AuditEvent
from casemgmt.audit.services import audit_record
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create

from ..models import Client, EmergencyAccess
from .timeline import timeline_record

EMERGENCY_ACCESS_MINUTES = 60


@transaction.atomic
def emergency_access_grant(*, user: User, client_number: str, reason: str) -> EmergencyAccess:
    """Open a client by number with a reason, for 60 minutes.

    Audited as emergency access; the supervisors of the client's team are notified.
    The client number must be known exactly: there is no search across teams.
    """
    errors: dict[str, list[str]] = {}
    if len((reason or "").strip()) < 10:
        errors["reason"] = ["Describe the emergency (at least 10 characters)."]
    number = (client_number or "").strip().upper()
    client = Client.objects.select_related("team").filter(client_number=number).first()
    if client is None:
        errors["client_number"] = ["No client has this number."]
    if errors or client is None:
        raise ValidationError(errors)
    access = EmergencyAccess.objects.create(
        client=client,
        user=user,
        reason=reason.strip(),
        expires_at=timezone.now() + timedelta(minutes=EMERGENCY_ACCESS_MINUTES),
    )
    audit_record(
        user=user,
        action=AuditAction.EMERGENCY_ACCESS,
        obj=access,
        client_id=client.pk,
        detail={"minutes": EMERGENCY_ACCESS_MINUTES},
    )
    timeline_record(
        client=client,
        kind="emergency_access",
        actor=user,
        obj=access,
        summary=f"Emergency access by {user.display_name}",
    )
    for supervisor in client.team.supervisors.filter(is_active=True):
        notification_create(
            recipient=supervisor,
            kind=NotificationKind.ESCALATION,
            title=f"Emergency access to {client.client_number} by {user.display_name}",
            body=f"Reason given: {access.reason}",
            link=reverse("clients:access_log", args=[client.pk]),
            email=True,
        )
    return access


def client_read_audit(*, user: User, client: Client, obj: models.Model | None = None) -> AuditEvent:
    """Audit a read of ``client``'s record (of ``obj`` in it, or of the client itself).

    The one spelling of the rule: ``emergency_access`` when ``user`` reached the client
    through break-the-glass access (``client_get`` set ``client.emergency_access``),
    ``view`` otherwise, so the client's access log tells the two apart on every page."""
    action = AuditAction.EMERGENCY_ACCESS if client.emergency_access else AuditAction.VIEW
    return audit_record(user=user, action=action, obj=obj or client, client_id=client.pk)
