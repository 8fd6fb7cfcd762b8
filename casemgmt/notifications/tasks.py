from celery import shared_task
from celery.contrib.django.task import DjangoTask

from .services import notification_email_deliver


# base: the class Celery uses under Django anyway, named so that delay_on_commit is typed.
@shared_task(bind=True, base=DjangoTask, max_retries=5, default_retry_delay=60)
def notification_email_send(self, notification_id: int) -> None:
    """Thin task: takes an id, calls the service; retries on mail failure."""
    try:
        notification_email_deliver(notification_id=notification_id)
    except OSError as exc:  # SMTP connection problems
        raise self.retry(exc=exc) from exc
