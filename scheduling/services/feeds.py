"""Calendar feeds (a private iCalendar URL per staff member) and the client's agreement
to appointment reminders."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from clients.models import Client

from ..models import CalendarFeed, ClientReminderConsent


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User) -> str:
    """A new private feed URL token for ``user`` (the old one, if any, stops working).
    Only the digest is stored: the token is shown once."""
    calendar_feed_revoke(user=user)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(user=user, token_digest=feed_digest(token))
    audit_record(user=user, action=AuditAction.CREATE, object_type="scheduling.calendarfeed")
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> int:
    """Close ``user``'s feed URL. Returns how many were open (0 or 1)."""
    count = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        audit_record(user=user, action=AuditAction.UPDATE, object_type="scheduling.calendarfeed")
    return count


@transaction.atomic
def client_reminder_consent_set(
    *, actor: User, client: Client, by_email: bool, by_sms: bool
) -> ClientReminderConsent:
    """Record what the client agreed to: appointment reminders by email and/or SMS."""
    consent, _ = ClientReminderConsent.objects.update_or_create(
        client=client,
        defaults={"by_email": bool(by_email), "by_sms": bool(by_sms), "recorded_by": actor},
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=consent,
        client_id=client.pk,
        detail={"fields": ["by_email", "by_sms"]},
    )
    return consent
