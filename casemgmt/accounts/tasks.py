from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired() -> None:
    """Remove expired sessions (idle timeout) and sign-in throttles quiet for a day.
    Safe to run twice."""
    from .services import login_throttles_clear_stale

    call_command("clearsessions")
    login_throttles_clear_stale()
