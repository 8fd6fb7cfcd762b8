from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Notification

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from casemgmt.accounts.models import User

    from .models import NotificationPreference


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# The bell in the navigation bar shows the unread count on every page: it is kept in
# the cache (Redis) and dropped by every write that changes it (``notifications.services``
# after commit), so a page reads it without a query. The expiry (UNREAD_COUNT_CACHE_SECONDS,
# 0: no cache) is only a safety net.


def unread_count_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def notification_unread_count_cached(*, user: User) -> int:
    """``notification_unread_count``, from the cache when it is there. A cache that does
    not answer costs the query, never the page."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = settings.UNREAD_COUNT_CACHE_SECONDS
    if not seconds:
        return notification_unread_count(user=user)
    key = unread_count_key(user.pk)
    try:
        found = cache.get(key)
    except Exception:  # Redis away: count in PostgreSQL
        logger.warning("cache unavailable for the unread count", exc_info=True)
        return notification_unread_count(user=user)
    if found is not None:
        return int(found)
    count = notification_unread_count(user=user)
    try:
        cache.set(key, count, seconds)
    except Exception:
        logger.warning("cache unavailable for the unread count", exc_info=True)
    return count


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
