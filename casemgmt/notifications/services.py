"""Writes for notifications. Email goes out from a Celery task queued on commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
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


@dataclass(frozen=True)
class NotificationDraft:
    """One in-app notification to write with ``notifications_create_many``."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    email: bool = False  # announced by email later, by the caller's batch (see below)


def notifications_create_many(*, drafts: Sequence[NotificationDraft]) -> list[Notification]:
    """Write many in-app notifications in one statement (reminder batches), in the
    caller's transaction. No email is queued: the caller announces the ones with
    ``email`` in batches, claiming them with ``notification_emails_claim``."""
    return Notification.objects.bulk_create(
        Notification(
            recipient_id=d.recipient_id,
            kind=d.kind,
            title=d.title[:200],
            body=d.body,
            link=d.link,
            email_requested=d.email,
        )
        for d in drafts
    )


_CLAIM_EMAILS_SQL = """
UPDATE notifications_notification SET emailed_at = %s
WHERE id = ANY(%s::bigint[]) AND email_requested AND emailed_at IS NULL
RETURNING id, recipient_id
"""


def notification_emails_claim(
    *, notification_ids: Iterable[int], now: datetime
) -> list[tuple[int, int]]:
    """Claim the email of each notification that asked for one and was not emailed yet
    (a conditional UPDATE: two runs never claim the same one). Returns (notification id,
    recipient id) of those claimed by this call."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_EMAILS_SQL, [now, list(notification_ids)])
        return [(pk, recipient_id) for pk, recipient_id in cursor.fetchall()]


def notification_emails_release(*, notification_ids: Iterable[int]) -> int:
    """Give claimed emails back (sending failed), so a later run sends them."""
    return Notification.objects.filter(pk__in=list(notification_ids)).update(emailed_at=None)


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
