"""Risk flags: who set or cleared each, when and why."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from ..models import Client, RiskFlag, RiskFlagKind
from .timeline import timeline_record


@transaction.atomic
def risk_flag_set(
    *, actor: User | None, client: Client, kind: str, reason: str, source: str = ""
) -> RiskFlag:
    """Raise a flag. Setting a flag that is already active keeps the active one (and
    returns it): other apps (an instrument, a crisis) may raise it again safely."""
    errors: dict[str, list[str]] = {}
    if kind not in RiskFlagKind.values:
        errors["kind"] = [f"Unknown risk flag '{kind}'."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the flag is set."]
    if errors:
        raise ValidationError(errors)
    existing = RiskFlag.objects.filter(client=client, kind=kind, cleared_at__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            flag = RiskFlag.objects.create(
                client=client, kind=kind, reason=reason.strip(), set_by=actor, source=source
            )
    except IntegrityError:  # raised at the same moment by another request
        return RiskFlag.objects.get(client=client, kind=kind, cleared_at__isnull=True)
    audit_record(user=actor, action=AuditAction.CREATE, obj=flag, client_id=client.pk)
    timeline_record(
        client=client,
        kind="flag",
        actor=actor,
        obj=flag,
        summary=f"{RiskFlagKind(kind).label} flag set: {reason.strip()}"[:300],
    )
    return flag


@transaction.atomic
def risk_flag_clear(*, actor: User, flag: RiskFlag, reason: str) -> RiskFlag:
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the flag is cleared."]})
    cleared = RiskFlag.objects.filter(pk=flag.pk, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=actor, clear_reason=reason.strip()
    )
    if not cleared:
        raise ValidationError({"reason": ["This flag was already cleared."]})
    flag.refresh_from_db()
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        client_id=flag.client_id,
        detail={"fields": ["cleared_at"]},
    )
    timeline_record(
        client=flag.client_id,
        kind="flag",
        actor=actor,
        obj=flag,
        summary=f"{flag.get_kind_display()} flag cleared: {reason.strip()}"[:300],
    )
    return flag
