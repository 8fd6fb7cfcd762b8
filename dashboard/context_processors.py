"""The supervisor's queue counts for the top bar (``dashboard.queues``).

Counted lazily (only when the navigation shows them, for supervisors and admins) and kept
for ``settings.QUEUE_COUNTS_SECONDS`` in the cache (counts only, no client data), so a page
does not count four queues on every request. Acting on a queue forgets the user's
counts; a cache that does not answer is skipped (the counts are computed)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger(__name__)


def _key(user_id: int) -> str:
    return f"dashboard:queue-counts:{user_id}"


def cached_queue_counts(user) -> dict[str, int]:
    from .queues import queue_counts

    seconds = settings.QUEUE_COUNTS_SECONDS
    if not seconds:
        return queue_counts(user=user)
    try:
        cached = cache.get(_key(user.pk))
    except Exception:  # the cache is an optimisation: Redis down is not a 500
        logger.warning("queue counts: cache unavailable", exc_info=True)
        return queue_counts(user=user)
    if cached is None:
        cached = queue_counts(user=user)
        try:
            cache.set(_key(user.pk), cached, seconds)
        except Exception:
            logger.warning("queue counts: cache unavailable", exc_info=True)
    return cached


def queue_counts_forget(user) -> None:
    try:
        cache.delete(_key(user.pk))
    except Exception:
        logger.warning("queue counts: cache unavailable", exc_info=True)


def supervisor_queues(request):
    """``queue_counts`` ({queue: n}, lazily) and ``queue_total`` for supervisors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not (user.is_supervisor_role or user.is_admin_role):
        return {}
    counts = SimpleLazyObject(lambda: cached_queue_counts(user))
    return {
        "queue_counts": counts,
        "queue_total": SimpleLazyObject(lambda: sum(counts.values())),
    }
