"""Writes for notifications. Email goes out from a Celery task queued on commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification, NotificationKind

if TYPE_CHECKING:
    from casemgmt.accounts.models import User

    from .models import NotificationPreference


@transaction.atomic
def notification_create(
    *,
    recipient: User,
    kind: NotificationKind | str,
    title: str,
    body: str = "",
    link: str = "",
    email: bool = False,
) -> Notification:
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, link=link, email_requested=email
    )
    if email:
        from .tasks import notification_email_send

        notification_email_send.delay_on_commit(notification.pk)
    return notification


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send the email for one notification, once.

    The row is claimed with a conditional UPDATE, so a retried or duplicated task finds
    it already claimed and sends nothing. Returns whether this call sent the email.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, email_requested=True, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not notification.recipient.email:
        return False
    try:
        send_mail(
            subject="casemgmt: you have a new notification",
            message=(
                "There is a new notification for you in casemgmt.\n\n"
                f"Open it here: {settings.SITE_URL}/notifications/\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        # Release the claim so the task's retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def notification_preference_set(*, user: User, email_reminders: bool) -> NotificationPreference:
    """Turn reminder and escalation emails on or off for ``user``."""
    from .models import NotificationPreference

    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_reminders": bool(email_reminders)}
    )
    return preference
