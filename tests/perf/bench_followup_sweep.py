"""Follow-up reminder sweep at scale: 100,000 due follow-ups, one full sweep, delivered
by a real Celery worker on the real Redis broker. See README.md beside this file.

    .venv/bin/python tests/perf/bench_followup_sweep.py --followups 100000

Prints: the sweep time, the time until every reminder is sent (notification written and
its email sent through the outbox), reminders and emails per second, SQL statements
(sweep and worker) and broker messages per 1,000 reminders, statements per sweep batch,
and the outbox rows by state. ``--smtp`` sends the emails to a real SMTP server on
loopback (aiosmtpd in a process of its own) instead of the locmem backend.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchdb import use_bench_database  # noqa: E402

BENCH_DB = "casemgmt_bench_followups"
QUEUE = "casemgmt-bench"


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_thread: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        name = threading.current_thread().name
        with self.lock:
            self.by_thread[name] = self.by_thread.get(name, 0) + 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followups", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=2_000)
    parser.add_argument("--smtp", action="store_true", help="send to an SMTP server on loopback")
    args = parser.parse_args()

    use_bench_database(BENCH_DB, fresh=True)
    import django

    django.setup()
    from celery.signals import before_task_publish
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.utils import timezone

    from casemgmt.accounts.models import Team, User
    from casemgmt.celery import app
    from casemgmt.notifications.models import Notification, OutboxMessage
    from clients.models import Client
    from referrals.models import FollowUp, Reminder
    from referrals.services.followups import followup_schedule
    from referrals.services.reminders import followup_sweep

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    server = None
    if args.smtp:
        # A real SMTP server in a process of its own on loopback (it accepts and drops).
        import socket
        import subprocess

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
            + ["-l", f"127.0.0.1:{port}"]
        )
        time.sleep(1)
        settings.EMAIL_BACKEND = "casemgmt.notifications.backends.SMTPEmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    app.conf.task_default_queue = QUEUE
    call_command("migrate", verbosity=0)

    # ---- seed
    t = time.perf_counter()
    team = Team.objects.create(name="Bench team")
    supervisor = User.objects.create(username="bench-sup", email="sup@example.org")
    team.supervisors.add(supervisor)
    staff = User.objects.bulk_create(
        [User(username=f"bench-cm{i}", email=f"cm{i}@example.org") for i in range(20)]
    )
    clients = Client.objects.bulk_create(
        [
            Client(
                client_number=f"B{i:07d}",
                first_name="Bench",
                last_name=f"Client{i}",
                date_of_birth="1980-01-01",
                team=team,
                primary_case_manager=staff[i % len(staff)],
            )
            for i in range(args.clients)
        ],
        batch_size=2000,
    )
    from zoneinfo import ZoneInfo

    due_on = timezone.localdate() - timedelta(days=3)
    schedule = followup_schedule(due_on=due_on, due_time=None, tz=ZoneInfo(team.time_zone))
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                client=clients[i % len(clients)],
                assignee=staff[i % len(staff)],
                reason="general",
                title="Bench follow-up",
                due_on=due_on,
                **schedule,
            )
            for i in range(args.followups)
        ],
        batch_size=5000,
    )
    print(f"seeded {args.followups:,} due follow-ups in {time.perf_counter() - t:.1f} s")

    # ---- count statements in every thread, and broker messages
    counter = Counter()

    def instrument(connection, **kwargs):
        if counter not in connection.execute_wrappers:  # the wrapper outlives reconnects
            connection.execute_wrappers.append(counter)

    connection_created.connect(instrument, weak=False)
    connection.close()  # the next connection of this thread gets the wrapper too
    messages = {"n": 0}

    def published(**kwargs):
        messages["n"] += 1

    before_task_publish.connect(published, weak=False)
    app.control.purge()

    import celery.contrib.testing.tasks  # noqa: F401
    from celery.contrib.testing.worker import start_worker

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        start = time.perf_counter()
        result = followup_sweep()
        swept = time.perf_counter() - start
        sweep_statements = counter.by_thread.get(threading.current_thread().name, 0)
        # (the polling below runs in this thread too; it is not counted: copied above)
        while True:
            unsent = Reminder.objects.filter(sent_at__isnull=True).count()
            unemailed = Notification.objects.filter(
                email_requested=True, emailed_at__isnull=True
            ).count()
            unsent_outbox = OutboxMessage.objects.exclude(state__in=["sent", "failed"]).count()
            if not unsent and not unemailed and not unsent_outbox:
                break
            time.sleep(0.2)
        total = time.perf_counter() - start
    reminders = Reminder.objects.count()
    if server:
        server.terminate()
        server.wait(timeout=10)
    emails = OutboxMessage.objects.filter(state="sent").count() if server else len(mail.outbox)
    from django.db.models import Count

    outbox = dict(
        OutboxMessage.objects.values_list("state").annotate(n=Count("id")).order_by("state")
    )
    worker_statements = sum(
        n for name, n in counter.by_thread.items() if name != threading.current_thread().name
    )
    batches = -(-result["followups"] // settings.FOLLOWUP_SWEEP_BATCH)
    per_k = 1000 / max(reminders, 1)
    print(f"follow-ups swept:        {result['followups']:,} in {batches} batches")
    print(
        f"reminders sent:          {reminders:,}; notifications "
        f"{Notification.objects.count():,}; emails {emails:,}"
        f" ({'SMTP on loopback' if server else 'locmem'}); outbox rows {outbox}"
    )
    print(f"sweep time:              {swept:.1f} s")
    print(f"sweep + delivery time:   {total:.1f} s")
    print(f"items per second:        {reminders / total:,.0f} reminders/s")
    print(f"emails per second:       {emails / total:,.0f} emails/s (over the whole run)")
    print(
        f"SQL statements, sweep:   {sweep_statements:,} "
        f"({sweep_statements / max(batches, 1):.1f} per batch of "
        f"{settings.FOLLOWUP_SWEEP_BATCH})"
    )
    print(f"SQL statements, worker:  {worker_statements:,}")
    print(
        f"SQL per 1,000 reminders: {(sweep_statements + worker_statements) * per_k:.1f} "
        f"(sweep {sweep_statements * per_k:.1f}, worker {worker_statements * per_k:.1f})"
    )
    print(
        f"broker messages:         {messages['n']:,} "
        f"({messages['n'] * per_k:.1f} per 1,000 reminders)"
    )


if __name__ == "__main__":
    main()
