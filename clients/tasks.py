"""Thin Celery tasks of the client record: a service call, nothing else."""

from celery import shared_task

from .services import consent_expiry_reminders_send


@shared_task
def consent_expiry_sweep() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): remind case managers, once each, of consents and
    releases expiring within 30 days. Safe to run twice."""
    return consent_expiry_reminders_send()
