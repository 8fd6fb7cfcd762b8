"""End to end: HL7 over the socket, the nudge through the real Redis broker, a real
Celery worker applying the messages to PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from casemgmt.celery import app
from interop.models import AdtMessage, AdtStatus
from referrals.models import CareTransition, FollowUp

from .conftest import adt, msa

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _redis():
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        return redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    return redis.Redis.from_url(url)


@pytest.fixture
def worker():
    """A worker thread on a queue of this test database's own (as tests/referrals)."""
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping
    from celery.contrib.testing.worker import start_worker

    name = f"casemgmt-test-adt-{settings.DATABASES['default']['NAME']}"
    previous = app.conf.task_default_queue
    consume_from = app.amqp.queues._consume_from
    app.conf.task_default_queue = name
    _redis().delete(name)
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[name]
    ):
        yield
    _redis().delete(name)
    app.conf.task_default_queue = previous
    app.amqp.queues._consume_from = consume_from


def _wait_for(predicate, seconds=30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_admit_and_discharge_applied_by_a_real_worker(worker, mllp, inpatient_client):
    today = timezone.localdate()
    admitted = today - timedelta(days=6)
    assert msa(mllp.send(adt("A01", "W-1", admitted=admitted)))[0] == "AA"
    assert _wait_for(lambda: CareTransition.objects.exists())
    discharged = today - timedelta(days=2)
    assert msa(mllp.send(adt("A03", "W-2", admitted=admitted, discharged=discharged)))[0] == "AA"
    assert _wait_for(
        lambda: (
            not AdtMessage.objects.filter(status=AdtStatus.RECEIVED).exists()
            and CareTransition.objects.filter(discharged_on=discharged).exists()
        )
    )
    transition = CareTransition.objects.get()
    assert FollowUp.objects.filter(transition=transition).count() == 2
    assert set(AdtMessage.objects.values_list("status", flat=True)) == {AdtStatus.PROCESSED}
