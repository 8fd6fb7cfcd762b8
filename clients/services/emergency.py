"""Emergency ("break the glass") access to a client outside the user's reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction, AuditEvent
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.services import notification_create

from ..models import Client, EmergencyAccess, EmergencyAccessRequest, EmergencyReason
from ..selectors import emergency_access_allowed, emergency_access_used
from .timeline import timeline_record

EMERGENCY_ACCESS_MINUTES = 60
# A wrong number and a right one the user may not use are told apart by nobody: the role
# and the daily limit are checked before the number is looked up, and a number that
# opens nothing gets this one sentence, whichever the reason.
EMERGENCY_ACCESS_REFUSED = (
    "Emergency access is for clinical staff (case managers and supervisors). "
    "Ask a case manager or supervisor on duty to open the record."
)
NOT_OPENED = "No record can be opened with this number. Check the number with the caller."


def _supervisors_of(user: User) -> QuerySet[User]:
    return (
        User.objects.filter(supervised_teams__members=user, is_active=True)
        .exclude(pk=user.pk)
        .distinct()
    )


def _limit_reached(
    user: User, limit: int, client_number: str, reason_code: str, reason: str
) -> Conflict:
    """Over the limit: the request waits for a supervisor of the user's teams (notified,
    with a link to approve it). The answer says nothing about the number."""
    number = (client_number or "").strip().upper()
    request = EmergencyAccessRequest.objects.create(
        user=user,
        client_number=number[:20],
        client=Client.objects.filter(client_number=number).first(),
        reason_code=reason_code,
        reason=reason.strip(),
    )
    audit_record(
        user=user,
        action=AuditAction.EMERGENCY_ACCESS,
        obj=request,
        client_id=request.client_id,
        detail={"over_limit": limit, "reason_code": reason_code, "approved": False},
    )
    supervisors = list(_supervisors_of(user))
    for supervisor in supervisors:
        notification_create(
            recipient=supervisor,
            kind=NotificationKind.ESCALATION,
            title=f"{user.display_name} asks you to approve emergency access",
            body=f"{limit} records opened by emergency access in 24 hours, the most allowed; "
            f"one more needs your approval. {request.get_reason_code_display()}. "
            f"Reason given: {request.reason}",
            link=reverse("clients:emergency_request", args=[request.pk]),
            email=True,
        )
    who = (
        "It has gone to the supervisors of your team for approval; you will be notified "
        "when one approves it."
        if supervisors
        else "Your teams have no supervisor to approve it: call a supervisor on duty."
    )
    return Conflict(
        f"You have opened {limit} records by emergency access in the last 24 hours, the most "
        f"allowed. {who} A supervisor can also open the record by emergency access themselves.",
        field="client_number",
    )


def emergency_access_grant(
    *, user: User, client_number: str, reason_code: str, reason: str
) -> EmergencyAccess:
    """Open a client by number with the kind of emergency and what it is, for 60 minutes.

    Only clinical roles (``EMERGENCY_ACCESS_ROLES``) may: anyone else is refused
    (``PermissionDenied``) before the number is looked up. At most
    ``EMERGENCY_ACCESS_DAILY_LIMIT`` grants per user in 24 hours; beyond that the
    request is refused (``Conflict``, also before the lookup, the same answer for any
    number) and waits for a supervisor of the user's teams to approve it
    (``emergency_access_request_approve``). Audited as emergency access; the
    supervisors of the client's team are notified. The client number must be known
    exactly: there is no search across teams, and a number that opens nothing answers
    one sentence (``NOT_OPENED``).
    """
    if not emergency_access_allowed(user=user):
        raise PermissionDenied(EMERGENCY_ACCESS_REFUSED)
    errors: dict[str, list[str]] = {}
    if reason_code not in EmergencyReason.values:
        errors["reason_code"] = ["Choose the kind of emergency."]
    if len((reason or "").strip()) < 10:
        errors["reason"] = ["Describe the emergency (at least 10 characters)."]
    if errors:
        raise ValidationError(errors)
    limit = settings.EMERGENCY_ACCESS_DAILY_LIMIT
    with transaction.atomic():
        # One grant at a time per user, so two requests at once cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if emergency_access_used(user=user) >= limit:
            refusal = _limit_reached(user, limit, client_number, reason_code, reason)
        else:
            refusal = None
            access = _grant(user, client_number, reason_code, reason)
    if refusal is not None:
        raise refusal  # the request and the supervisors' notifications above are committed
    return access


def _grant(
    user: User,
    client_number: str,
    reason_code: str,
    reason: str,
    approved_by: User | None = None,
) -> EmergencyAccess:
    number = (client_number or "").strip().upper()
    client = Client.objects.select_related("team").filter(client_number=number).first()
    if client is None:
        raise ValidationError({"client_number": [NOT_OPENED]})
    access = EmergencyAccess.objects.create(
        client=client,
        user=user,
        reason_code=reason_code,
        reason=reason.strip(),
        expires_at=timezone.now() + timedelta(minutes=EMERGENCY_ACCESS_MINUTES),
    )
    audit_record(
        user=user,
        action=AuditAction.EMERGENCY_ACCESS,
        obj=access,
        client_id=client.pk,
        detail={"minutes": EMERGENCY_ACCESS_MINUTES, "reason_code": reason_code}
        | ({"approved_by": approved_by.pk} if approved_by else {}),
    )
    timeline_record(
        client=client,
        kind="emergency_access",
        actor=user,
        obj=access,
        summary=f"Emergency access by {user.display_name}",
    )
    kind = access.get_reason_code_display()
    for supervisor in client.team.supervisors.filter(is_active=True):
        notification_create(
            recipient=supervisor,
            kind=NotificationKind.ESCALATION,
            title=f"Emergency access to {client.client_number} by {user.display_name}",
            body=f"{kind}. Reason given: {access.reason}",
            link=reverse("clients:access_log", args=[client.pk]),
            email=True,
        )
    return access


@transaction.atomic
def emergency_access_request_approve(
    *, supervisor: User, request: EmergencyAccessRequest
) -> EmergencyAccess:
    """A supervisor of one of the requester's teams (never the requester) approves a
    request over the daily limit: the grant opens for 60 minutes from now, audited and
    notified as any other, and the requester is told."""
    request = EmergencyAccessRequest.objects.select_for_update().get(pk=request.pk)
    if not _supervisors_of(request.user).filter(pk=supervisor.pk).exists():
        raise PermissionDenied("Only a supervisor of the requester's team may approve this.")
    if request.approved_at is not None:
        raise Conflict("This request was already approved.", field="request")
    if request.client_id is None:
        raise Conflict(
            f"The number {request.client_number} names no client: there is nothing to open. "
            "Tell the requester to check the number.",
            field="request",
        )
    access = _grant(
        request.user,
        request.client_number,
        request.reason_code,
        request.reason,
        approved_by=supervisor,
    )
    request.approved_by, request.approved_at, request.access = supervisor, timezone.now(), access
    request.save(update_fields=["approved_by", "approved_at", "access"])
    notification_create(
        recipient=request.user,
        kind=NotificationKind.ESCALATION,
        title=f"Emergency access to {request.client_number} approved",
        body=f"Approved by {supervisor.display_name}; open for {EMERGENCY_ACCESS_MINUTES} minutes.",
        link=reverse("clients:detail", args=[access.client_id]),
    )
    return access


def client_read_audit(
    *,
    user: User,
    client: Client,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Audit a read of ``client``'s record (of ``obj`` in it, or of the client itself).

    The one spelling of the rule: ``emergency_access`` when ``user`` reached the client
    through break-the-glass access (``client_get`` set ``client.emergency_access``),
    ``view`` otherwise, so the client's access log tells the two apart on every page."""
    action = AuditAction.EMERGENCY_ACCESS if client.emergency_access else AuditAction.VIEW
    return audit_record(
        user=user, action=action, obj=obj or client, client_id=client.pk, detail=detail
    )
