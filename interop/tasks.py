"""Thin Celery tasks: ids in, a service call. A message not processed (broker down, a
worker lost) is found again by the sweep."""

from celery import shared_task

from . import services


@shared_task
def adt_process(message_id: int) -> str:
    """Apply one received ADT message; safe to run twice."""
    return services.adt_process(message_id=message_id)


@shared_task
def adt_sweep() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): queue again the received, unprocessed messages."""
    return services.adt_sweep()
