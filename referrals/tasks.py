"""Thin Celery tasks: ids in, a service call, nothing else. No retries with countdowns:
what fails stays unsent in the database and the next sweep queues it again."""

from celery import shared_task

from .services import reminders


@shared_task
def followups_sweep() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): claim due follow-ups, queue their reminders."""
    return reminders.followup_sweep()


@shared_task
def reminders_deliver(reminder_ids: list[int]) -> dict:
    """Send a batch of reminders (notifications, then emails). Safe to run twice."""
    return reminders.reminders_deliver(reminder_ids=reminder_ids)
