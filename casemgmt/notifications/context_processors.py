from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count_cached


def unread_notifications(request):
    """Unread count for the bell in the top bar (from the cache, else one query; only
    when rendered)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: notification_unread_count_cached(user=user)
        )
    }
