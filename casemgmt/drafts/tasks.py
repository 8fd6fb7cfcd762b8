from celery import shared_task

from casemgmt.drafts.services import drafts_purge as _drafts_purge


@shared_task
def drafts_purge() -> int:
    """Delete drafts older than DRAFT_RETENTION_DAYS. Safe to run twice."""
    return _drafts_purge()
