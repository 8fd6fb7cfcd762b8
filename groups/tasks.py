"""Thin periodic tasks (CELERY_BEAT_SCHEDULE); each safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def group_sessions_extend() -> int:
    """Write the next sessions of every active scheduled group, 12 weeks ahead."""
    return services.group_sessions_extend()
