"""The outbox under faults, for real: a Celery worker in its own process (so it can be
SIGKILLed) on the real Redis broker and the test PostgreSQL database, sending to a real
SMTP server on loopback (``mailserver.py``) that delays, refuses with 451 or accepts.

Recovery is what celery beat would do: the test process runs every job of
``CELERY_BEAT_SCHEDULE`` in turn (``_beat``) until the mail is in or the time is up. Every
wait is bounded; the worker and the server are stopped by the fixtures.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from casemgmt.celery import app
from casemgmt.notifications.models import Notification
from casemgmt.notifications.services import notification_create
from referrals.models import FollowUp, Reminder
from referrals.services import followup_schedule
from tests.assessments.helpers import PHQ9_ITEM9
from tests.factories import UserFactory

from .mailserver import MailServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]
QUEUE_SUFFIX = "outbox-faults"


def _redis() -> redis.Redis:
    url = settings.CELERY_BROKER_URL
    no_retry = Retry(NoBackoff(), 0)  # a server that is down answers at once
    if url.startswith("redis+socket://"):
        return redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"), retry=no_retry)
    return redis.Redis.from_url(url, retry=no_retry)


def _wait_for(predicate, seconds: float, step: float = 0.1, between=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        if between is not None:
            between()
        time.sleep(step)
    return predicate()


def _beat() -> None:
    """Run every periodic job once, in this process, as celery beat would queue them."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        module, name = entry["task"].rsplit(".", 1)
        getattr(importlib.import_module(module), name).apply()


@pytest.fixture
def queue():
    """A queue of this database's own, consumed by the worker process below."""
    name = f"casemgmt-{QUEUE_SUFFIX}-{connection.settings_dict['NAME']}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    _redis().delete(name)
    yield name
    _redis().delete(name)
    app.conf.task_default_queue = previous


@pytest.fixture
def mailserver():
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def fast_recovery(settings):
    # The test process runs the sweeps: stale claims after 3 s, retries due at once, a
    # reminder lost with its worker queued again after 1 s.
    settings.OUTBOX_CLAIM_TIMEOUT = 3
    settings.OUTBOX_RETRY_SECONDS = 0
    settings.REMINDER_REQUEUE_AFTER = 1


class Worker:
    """``celery worker`` in a process of its own, configured from the environment like a
    deployment: DATABASE_URL (the test database), REDIS_URL, EMAIL_URL (the test server)."""

    def __init__(self, queue: str, mailserver: MailServer):
        db = connection.settings_dict
        host = quote(str(db["HOST"]), safe="")
        credentials = quote(str(db["USER"]), safe="")
        if db.get("PASSWORD"):  # a server configured by URL (CI's system job) has one
            credentials += ":" + quote(str(db["PASSWORD"]), safe="")
        self.queue = queue
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casemgmt.settings_test",
            "DATABASE_URL": f"postgres://{credentials}@/{db['NAME']}?host={host}&port={db['PORT']}",
            "TEST_DATABASE_NAME": queue.removeprefix("casemgmt-"),  # its default queue
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "EMAIL_URL": f"smtp://{mailserver.host}:{mailserver.port}",
            "EMAIL_TIMEOUT": "10",
            "OUTBOX_CLAIM_TIMEOUT": "3",
            "OUTBOX_RETRY_SECONDS": "0",
            "REMINDER_REQUEUE_AFTER": "1",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "casemgmt.celery:app",
                "worker",
                "--pool=solo",
                f"--queues={self.queue}",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def worker_process(queue, mailserver):
    workers: list[Worker] = []

    def start() -> Worker:
        workers.append(Worker(queue, mailserver).start())
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()


def _staff(count: int) -> list:
    return [UserFactory(username=f"staff{i}", email=f"staff{i}@example.org") for i in range(count)]


def _due_followups(client_record, users) -> None:
    """One overdue follow-up per user (written as the benchmark does: one statement)."""
    due_on = timezone.localdate() - timedelta(days=3)
    schedule = followup_schedule(
        due_on=due_on, due_time=None, tz=ZoneInfo(client_record.team.time_zone)
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            client=client_record,
            assignee=user,
            reason="general",
            title="Call about housing",
            due_on=due_on,
            **schedule,
        )
        for user in users
    )


def _exactly_once(mailserver: MailServer, users) -> bool:
    return mailserver.per_recipient() == {u.email: 1 for u in users}


# --------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("path", ["alerts", "reminders"])
def test_a_worker_killed_mid_send_and_restarted_sends_every_email_exactly_once(
    path, worker_process, mailserver, fast_recovery, client_record
):
    users = _staff(12)
    # The server holds the 5th message in DATA: the worker is killed while sending it,
    # with 4 sent and 7 more waiting in the same batch.
    fifth = users[4].email
    mailserver.rule = lambda to, attempt: "hold" if (to, attempt) == (fifth, 1) else "accept"
    worker = worker_process()
    if path == "alerts":
        with transaction.atomic():  # one change alerting 12 people
            for user in users:
                notification_create(recipient=user, kind="escalation", title="Crisis", email=True)
    else:
        _due_followups(client_record, users)
        _beat()  # the follow-up sweep queues one delivery for the batch
    assert mailserver.holding.wait(timeout=60), "the worker never reached the 5th email"
    assert len(mailserver.accepted) == 4
    worker.kill()

    worker_process()  # restarted
    assert _wait_for(lambda: len(mailserver.accepted) >= 12, seconds=60, step=0.5, between=_beat)
    time.sleep(1)
    _beat()
    time.sleep(1)
    assert _exactly_once(mailserver, users), mailserver.per_recipient()
    assert len({a.message_id for a in mailserver.accepted}) == 12
    assert not Notification.objects.filter(email_requested=True, emailed_at=None).exists()
    if path == "reminders":
        assert Reminder.objects.filter(sent_at__isnull=False).count() == 12


def test_two_percent_temporary_refusals_send_no_duplicate(
    worker_process, mailserver, fast_recovery, client_record, settings
):
    # 100 recipients in one reminder batch; the server answers 451 to 2 of them the
    # first time (2 %), and accepts everything else.
    users = _staff(100)
    refused = {users[17].email, users[63].email}
    mailserver.rule = lambda to, attempt: "refuse" if to in refused and attempt == 1 else "accept"
    worker_process()
    _due_followups(client_record, users)
    _beat()
    assert _wait_for(lambda: len(mailserver.accepted) >= 100, seconds=60, step=0.5, between=_beat)
    time.sleep(1)
    _beat()
    time.sleep(1)
    assert sum(mailserver.attempts.values()) == 102  # each refused one tried again, once
    assert _exactly_once(mailserver, users), [
        (to, n) for to, n in mailserver.per_recipient().items() if n != 1
    ]


def test_redis_down_while_an_alert_commits_answers_2xx_and_mails_after_redis_returns(
    api_as, case_manager, supervisor, client_record, worker_process, mailserver, fast_recovery
):
    if os.environ.get("REDIS_URL"):
        pytest.skip("stops the embedded Redis; REDIS_URL points elsewhere")
    from casemgmt.lib import embedded

    api = api_as(case_manager)
    _redis().shutdown(nosave=False)  # the broker is gone
    assert _wait_for(lambda: not _broker_up(), seconds=10)
    try:
        started = time.monotonic()
        response = api.post(
            "/api/v1/instrument-responses/",
            {"client": client_record.pk, "instrument": "phq9", "answers": PHQ9_ITEM9},
            format="json",
        )
        elapsed = time.monotonic() - started
    finally:
        embedded.redis_url()  # Redis returns
    assert response.status_code == 201, response.content
    assert response.json()["flags"] == ["suicide_risk"]
    assert elapsed < 5, f"the request waited {elapsed:.1f} s for the broker"
    assert mailserver.accepted == []

    worker_process()
    users = [case_manager, supervisor]
    assert _wait_for(lambda: len(mailserver.accepted) >= 2, seconds=60, step=0.5, between=_beat)
    time.sleep(1)
    _beat()
    time.sleep(1)
    assert _exactly_once(mailserver, users), mailserver.per_recipient()
    assert all(client_record.last_name not in a.body for a in mailserver.accepted)


def test_the_sweeps_during_a_redis_outage_raise_nothing_and_remind_after_it(
    client_record, worker_process, mailserver, fast_recovery
):
    if os.environ.get("REDIS_URL"):
        pytest.skip("stops the embedded Redis; REDIS_URL points elsewhere")
    from casemgmt.lib import embedded

    users = _staff(3)
    _due_followups(client_record, users)
    _redis().shutdown(nosave=False)
    assert _wait_for(lambda: not _broker_up(), seconds=10)
    try:
        # What beat runs (had it a broker), called directly so that an error would raise:
        # the deliveries cannot be queued, and nothing raises.
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            module, name = entry["task"].rsplit(".", 1)
            getattr(importlib.import_module(module), name)()
    finally:
        embedded.redis_url()
    assert Reminder.objects.filter(sent_at=None).count() == 3  # committed, not sent

    worker_process()
    assert _wait_for(lambda: len(mailserver.accepted) >= 3, seconds=60, step=0.5, between=_beat)
    time.sleep(1)
    _beat()
    time.sleep(1)
    assert _exactly_once(mailserver, users), mailserver.per_recipient()
    assert not Reminder.objects.filter(sent_at=None).exists()


def _broker_up() -> bool:
    try:
        return bool(_redis().ping())
    except (redis.ConnectionError, OSError):
        return False
