"""Thin periodic tasks (CELERY_BEAT_SCHEDULE); each safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def recurrences_extend() -> dict:
    """Write the next occurrences of every live series up to the rolling horizon."""
    return services.recurrences_extend()


@shared_task
def appointment_reminders_sweep() -> dict:
    """Send the appointment reminders that are due (each once)."""
    return services.appointment_reminders_sweep()
