"""Celery for real: a worker thread consuming the real Redis broker, writing PostgreSQL."""

import time

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import transaction

from casemgmt.celery import app
from casemgmt.notifications.models import Notification
from casemgmt.notifications.services import notification_create, notification_email_deliver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _queue_length() -> int:
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        conn = redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    else:
        conn = redis.Redis.from_url(url)
    return conn.llen(app.conf.task_default_queue)


@pytest.fixture
def empty_queue():
    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture
def worker(empty_queue):
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping
    from celery.contrib.testing.worker import start_worker

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_committed_task_runs_on_a_real_worker(worker, case_manager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = notification_create(
        recipient=case_manager, kind="info", title="Plan approved", email=True
    )
    assert _wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None), (
        "the worker did not process the task"
    )
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [case_manager.email]
    assert "Plan approved" not in mail.outbox[0].body  # no content in email, only a link


def test_rolled_back_transaction_queues_nothing(empty_queue, case_manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_create(recipient=case_manager, kind="info", title="x", email=True)
        raise RuntimeError("roll back")
    assert _queue_length() == 0
    assert not Notification.objects.exists()
    # The same call, committed, does queue one message (the check above can fail).
    notification_create(recipient=case_manager, kind="info", title="x", email=True)
    assert _queue_length() == 1


def test_email_is_sent_once_even_if_the_task_runs_twice(case_manager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        notification = notification_create(
            recipient=case_manager, kind="info", title="x", email=False
        )
    Notification.objects.filter(pk=notification.pk).update(email_requested=True)
    assert notification_email_deliver(notification_id=notification.pk) is True
    assert notification_email_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
