"""Thin Celery tasks of the portal."""

from celery import shared_task

from . import services


@shared_task
def auto_checkins_sweep() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): send the check-ins the schedule says are due."""
    return services.auto_checkins_sweep()
