"""Celery for real: a worker thread consuming the real Redis broker, writing PostgreSQL."""

import time

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import transaction

from casemgmt.celery import app
from casemgmt.notifications import tasks
from casemgmt.notifications.models import Notification, OutboxMessage
from casemgmt.notifications.services import notification_create, outbox_send

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
    assert not OutboxMessage.objects.exists()
    # The same call, committed, does queue one nudge (the check above can fail).
    notification_create(recipient=case_manager, kind="info", title="x", email=True)
    assert _queue_length() == 1
    assert OutboxMessage.objects.get().state == "pending"


def test_email_is_sent_once_even_if_the_task_runs_twice(empty_queue, case_manager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = notification_create(recipient=case_manager, kind="info", title="x", email=True)
    assert len(outbox_send().sent) == 1
    assert outbox_send().claimed == 0
    tasks.outbox_flush()
    tasks.notification_email_send(notification.pk)  # a message of the previous release
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_several_emails_in_one_transaction_queue_one_nudge(empty_queue, case_manager, supervisor):
    with transaction.atomic():
        for recipient in (case_manager, supervisor):
            notification_create(recipient=recipient, kind="info", title="x", email=True)
    assert OutboxMessage.objects.count() == 2
    assert _queue_length() == 1
