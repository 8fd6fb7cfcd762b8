from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Notification

if TYPE_CHECKING:
    from casemgmt.accounts.models import User

    from .models import NotificationPreference


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_email_reminders_off(*, user_ids: Iterable[int]) -> set[int]:
    """Of ``user_ids``, those who turned reminder emails off (one query)."""
    from .models import NotificationPreference

    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), email_reminders=False
        ).values_list("user_id", flat=True)
    )


def notification_preference_get(*, user: User) -> NotificationPreference:
    """The user's preferences (an unsaved default row when none was saved)."""
    from .models import NotificationPreference

    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )
