from celery import shared_task

from .services import submission_keys_expire as expire


@shared_task
def submission_keys_expire() -> int:
    """Forget submission keys older than ``IDEMPOTENCY_KEY_TTL_HOURS`` (celery beat's
    ``submission-keys-expire``; ``manage.py submission_keys_expire`` by hand)."""
    return expire()
