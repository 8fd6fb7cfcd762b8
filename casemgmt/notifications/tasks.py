"""Thin tasks: no personal data in their arguments, safe to run twice. The broker only
carries "look at the outbox" nudges; what to send lives in PostgreSQL."""

from celery import shared_task

from . import services


@shared_task
def outbox_flush() -> dict:
    """A nudge: send one batch of due outbox rows (and nudge again if there are more)."""
    result = services.outbox_flush()
    return {"sent": len(result.sent), "retry": len(result.retry), "failed": len(result.failed)}


@shared_task
def outbox_sweep() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): give back stale claims, nudge when rows are due."""
    return services.outbox_sweep()


@shared_task
def notification_email_send(notification_id: int | None = None) -> dict:
    """Messages queued by the previous release (one per notification): the email is in
    the outbox now (migration 0003), so this is a nudge like ``outbox_flush``."""
    return outbox_flush()
