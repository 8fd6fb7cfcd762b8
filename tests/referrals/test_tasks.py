"""Reminders for real: the sweep runs here, a worker thread consumes the real Redis
broker and writes PostgreSQL. Each reminder is sent exactly once."""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from casemgmt.celery import app
from casemgmt.notifications.models import Notification, NotificationPreference
from referrals import tasks
from referrals.models import FollowUp, FollowUpReason, Reminder, ReminderStage
from referrals.services import followup_create, followup_sweep, transition_record
from referrals.services.reminders import reminders_deliver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _redis():
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis+socket://"):
        return redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    return redis.Redis.from_url(url)


def _queue_length() -> int:
    return _redis().llen(app.conf.task_default_queue)


@pytest.fixture
def empty_queue():
    # A queue of this test database's own: a suite running beside this one (another
    # TEST_DATABASE_NAME) has its own worker, which must not take these messages.
    name = f"casemgmt-test-{settings.DATABASES['default']['NAME']}"
    previous = app.conf.task_default_queue
    consume_from = app.amqp.queues._consume_from  # a worker's `queues` narrows it
    app.conf.task_default_queue = name
    _redis().delete(name)
    yield
    _redis().delete(name)
    app.conf.task_default_queue = previous
    app.amqp.queues._consume_from = consume_from


@pytest.fixture
def worker(empty_queue):
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        queues=[app.conf.task_default_queue],
    ):
        yield


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _overdue_followup(client_record, case_manager, days=3, **extra):
    return followup_create(
        actor=case_manager,
        client=client_record,
        assignee=case_manager,
        reason=FollowUpReason.GENERAL,
        title="Call about housing application",
        due_on=timezone.localdate() - timedelta(days=days),
        **extra,
    )


def test_a_due_followup_sends_one_email_and_one_notification(
    worker, locmem, client_record, case_manager
):
    followup = _overdue_followup(client_record, case_manager)
    assert followup_sweep()["followups"] == 1
    assert _wait_for(lambda: len(mail.outbox) == 1), "the worker sent no email"
    assert _wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 1)
    notification = Notification.objects.get()
    assert notification.recipient == case_manager
    assert notification.kind == "reminder"
    assert notification.title.startswith("Overdue: Call about housing application")
    assert mail.outbox[0].to == [case_manager.email]
    assert client_record.last_name not in mail.outbox[0].body  # no client data in email
    reminder = Reminder.objects.get()
    assert (reminder.followup, reminder.stage) == (followup, ReminderStage.OVERDUE)
    assert reminder.notification_ids == [notification.pk]

    # Sweeping again, and running the task twice more, sends nothing more.
    assert followup_sweep()["followups"] == 0
    tasks.reminders_deliver.delay([reminder.pk])
    tasks.reminders_deliver.delay([reminder.pk])
    assert _wait_for(lambda: _queue_length() == 0)
    time.sleep(0.5)
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert Reminder.objects.count() == 1


def test_running_the_delivery_twice_in_process_sends_once(
    empty_queue, locmem, client_record, case_manager
):
    _overdue_followup(client_record, case_manager)
    with transaction.atomic():  # queue nothing to the broker: on_commit runs after
        from referrals.services.reminders import followup_sweep_batch

        followup_sweep_batch()
        transaction.set_rollback(False)
    _redis().delete(app.conf.task_default_queue)
    reminder = Reminder.objects.get()
    assert reminders_deliver(reminder_ids=[reminder.pk]) == {"sent": 1, "emailed": 1}
    assert reminders_deliver(reminder_ids=[reminder.pk]) == {"sent": 0, "emailed": 0}
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_a_rolled_back_followup_sends_nothing(empty_queue, locmem, client_record, case_manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        _overdue_followup(client_record, case_manager)
        raise RuntimeError("roll back")
    assert followup_sweep() == {"followups": 0, "requeued": 0}
    assert _queue_length() == 0
    assert not FollowUp.objects.exists()
    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()
    # The same, committed, does queue one message (so the check above can fail).
    _overdue_followup(client_record, case_manager)
    followup_sweep()
    assert _queue_length() == 1


def test_a_closed_followup_is_not_reminded(worker, locmem, client_record, case_manager):
    from referrals.services import followup_close

    followup = _overdue_followup(client_record, case_manager)
    followup_close(actor=case_manager, followup=followup, status="done")
    assert followup_sweep()["followups"] == 0
    assert not Reminder.objects.exists()


def test_email_off_still_notifies_in_app(worker, locmem, client_record, case_manager):
    NotificationPreference.objects.create(user=case_manager, email_reminders=False)
    _overdue_followup(client_record, case_manager)
    followup_sweep()
    assert _wait_for(lambda: Reminder.objects.filter(sent_at__isnull=False).exists())
    time.sleep(0.3)
    assert Notification.objects.count() == 1
    assert not Notification.objects.get().email_requested
    assert mail.outbox == []


def test_transition_followup_escalates_to_supervisors_on_day_5(
    worker, locmem, client_record, case_manager, supervisor
):
    # Inpatient discharge 6 days ago (FUH): day 5 of the 7-day window was yesterday.
    transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude Behavioral",
        admitted_on=timezone.localdate() - timedelta(days=10),
        discharged_on=timezone.localdate() - timedelta(days=6),
    )
    followup_sweep(now=timezone.now() + timedelta(days=1))  # past 08:00 local either way
    assert _wait_for(lambda: Notification.objects.filter(kind="escalation").count() == 1)
    escalation = Notification.objects.get(kind="escalation")
    assert escalation.recipient == supervisor
    stages = set(Reminder.objects.values_list("stage", flat=True))
    assert "escalation" in stages
    assert stages - {"escalation"} <= {"day_before", "due"}  # depends on the hour of the run


def test_a_lost_message_is_queued_again_by_a_later_sweep(
    empty_queue, locmem, client_record, case_manager, settings
):
    _overdue_followup(client_record, case_manager)
    followup_sweep()
    _redis().delete(app.conf.task_default_queue)  # the broker lost it (Redis restart)
    reminder = Reminder.objects.get()
    assert reminder.sent_at is None
    # Too early: nothing re-queued yet.
    assert followup_sweep()["requeued"] == 0
    later = timezone.now() + timedelta(seconds=settings.REMINDER_REQUEUE_AFTER + 1)
    assert followup_sweep(now=later)["requeued"] == 1
    assert _queue_length() == 1
    assert reminders_deliver(reminder_ids=[reminder.pk]) == {"sent": 1, "emailed": 1}
    assert len(mail.outbox) == 1


def test_the_management_command_runs_the_sweep(empty_queue, client_record, case_manager, capsys):
    _overdue_followup(client_record, case_manager)
    call_command("followup_sweep")
    assert "Swept 1 follow-up(s)" in capsys.readouterr().out
    assert _queue_length() == 1


def test_the_sweep_is_in_the_beat_schedule():
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "referrals.tasks.followups_sweep" in entries
    assert "referrals.tasks.followups_sweep" in app.tasks


@pytest.mark.parametrize("count", [1, 30])
def test_sweep_and_delivery_statements_do_not_grow_with_the_batch(
    empty_queue, locmem, client_record, case_manager, count, django_assert_max_num_queries
):
    from referrals.services.reminders import followup_sweep_batch

    for _ in range(count):
        _overdue_followup(client_record, case_manager)
    with django_assert_max_num_queries(5):  # BEGIN, claim, advance, insert, COMMIT
        assert followup_sweep_batch() == count
    _redis().delete(app.conf.task_default_queue)
    ids = list(Reminder.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(11):  # two transactions, then the user emails
        assert reminders_deliver(reminder_ids=ids) == {"sent": count, "emailed": count}


def test_a_transition_followup_already_met_by_a_visit_is_closed_not_reminded(
    empty_queue, locmem, client_record, case_manager
):
    from referrals.services.reminders import followup_sweep_batch
    from tests.referrals.conftest import contact_note

    discharged = timezone.localdate() - timedelta(days=9)
    transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude",
        discharged_on=discharged,
    )
    contact_note(client_record, case_manager, discharged + timedelta(days=3), contact_type="phone")
    followup_sweep_batch()
    _redis().delete(app.conf.task_default_queue)
    seven = FollowUp.objects.get(window_days=7)
    ids = list(Reminder.objects.filter(followup=seven).values_list("pk", flat=True))
    assert len(ids) == 2  # overdue and the escalation
    assert reminders_deliver(reminder_ids=ids) == {"sent": 0, "emailed": 0}
    seven.refresh_from_db()
    assert seven.status == "done"
    assert seven.outcome_note == f"Follow-up visit on {discharged + timedelta(days=3):%Y-%m-%d}."
    assert Reminder.objects.filter(pk__in=ids, skipped=True).count() == 2
    assert not Notification.objects.exists()


def test_stages_due_sends_only_the_latest_reminder_stage(settings):
    from datetime import date
    from zoneinfo import ZoneInfo

    from referrals.services import followup_schedule
    from referrals.services.reminders import stages_due

    tz = ZoneInfo("America/New_York")
    row = followup_schedule(
        due_on=date(2026, 6, 10), due_time=None, tz=tz, escalate_on=date(2026, 6, 11)
    )
    at = lambda *a: timezone.datetime(*a, tzinfo=tz)  # noqa: E731
    assert stages_due(row, at(2026, 6, 9, 7)) == ([], row["remind_day_before_at"])
    assert stages_due(row, at(2026, 6, 9, 9)) == (["day_before"], row["remind_due_at"])
    assert stages_due(row, at(2026, 6, 10, 9)) == (["due"], row["remind_overdue_at"])
    assert stages_due(row, at(2026, 6, 11, 9)) == (["overdue", "escalation"], None)


def test_a_referral_without_response_past_its_deadline_escalates(
    empty_queue, locmem, client_record, case_manager, supervisor
):
    from referrals.models import Organization, Service
    from referrals.services import referral_create, referral_send
    from referrals.services.reminders import followup_sweep_batch

    service = Service.objects.create(
        organization=Organization.objects.create(name="Food bank"), name="Pantry", category="food"
    )
    referral = referral_create(
        actor=case_manager,
        client=client_record,
        service=service,
        reason="Food",
        discloses_substance_use=False,
    )
    referral_send(actor=case_manager, referral=referral)
    followup = FollowUp.objects.get(referral=referral)
    later = followup.escalate_at + timedelta(minutes=1)
    followup_sweep_batch(now=later)
    _redis().delete(app.conf.task_default_queue)
    ids = list(Reminder.objects.values_list("pk", flat=True))
    reminders_deliver(reminder_ids=ids)
    escalation = Notification.objects.get(kind="escalation")
    assert escalation.recipient == supervisor
    assert Notification.objects.get(kind="reminder").recipient == case_manager


def test_import_hsds_command(capsys):
    from pathlib import Path

    from django.core.management.base import CommandError

    from referrals.models import Service

    data = Path(__file__).parent / "data"
    with pytest.raises(CommandError):
        call_command("import_hsds", str(data / "bad"), "--commit")
    call_command("import_hsds", str(data / "good"))
    assert "Dry run OK: 2 organisation(s), 3 service(s)." in capsys.readouterr().out
    assert not Service.objects.exists()
    call_command("import_hsds", str(data / "good"), "--commit")
    assert Service.objects.count() == 3


# ------------------------------------------------------------------- after a reschedule
def _sweep_and_deliver(now):
    """One sweep batch at ``now`` and the delivery of what it queued, in process."""
    from referrals.services.reminders import followup_sweep_batch

    before = set(Reminder.objects.values_list("pk", flat=True))
    followup_sweep_batch(now=now)
    _redis().delete(app.conf.task_default_queue)
    new = sorted(set(Reminder.objects.values_list("pk", flat=True)) - before)
    return reminders_deliver(reminder_ids=new) if new else {"sent": 0, "emailed": 0}


def test_reminders_already_sent_for_the_old_date_do_not_block_the_new_date(
    empty_queue, locmem, client_record, case_manager
):
    from referrals.services import followup_reschedule

    followup = _overdue_followup(client_record, case_manager)
    assert _sweep_and_deliver(timezone.now())["sent"] == 1  # "Overdue" for the old date
    followup_reschedule(
        actor=case_manager,
        followup=followup,
        due_on=timezone.localdate() + timedelta(days=2),
        reason="Client asked for Thursday",
    )
    followup.refresh_from_db()
    # Nothing is due until the day before the new date...
    assert _sweep_and_deliver(timezone.now()) == {"sent": 0, "emailed": 0}
    # ...then each stage of the new date goes out once, "Overdue" included.
    for at, title in [
        (followup.remind_day_before_at, "Due tomorrow"),
        (followup.remind_due_at, "Due today"),
        (followup.remind_overdue_at, "Overdue"),
    ]:
        assert _sweep_and_deliver(at + timedelta(minutes=1))["sent"] == 1, title
        assert Notification.objects.order_by("-pk").first().title.startswith(title)
        assert _sweep_and_deliver(at + timedelta(minutes=2))["sent"] == 0  # once
    assert Notification.objects.filter(title__startswith="Overdue").count() == 2
    assert list(
        Reminder.objects.order_by("pk").values_list("schedule_version", "stage", "skipped")
    ) == [(1, "overdue", False), (2, "day_before", False), (2, "due", False), (2, "overdue", False)]
    assert len(mail.outbox) == 4


def test_reminders_of_the_old_date_not_yet_sent_never_go_out(
    empty_queue, locmem, client_record, case_manager, settings
):
    from referrals.services import followup_reschedule
    from referrals.services.reminders import followup_sweep_batch

    followup = _overdue_followup(client_record, case_manager)
    followup_sweep_batch()  # "Overdue" queued, not delivered yet
    _redis().delete(app.conf.task_default_queue)
    queued = Reminder.objects.get()
    followup_reschedule(
        actor=case_manager,
        followup=followup,
        due_on=timezone.localdate() + timedelta(days=3),
        reason="Moved",
    )
    queued.refresh_from_db()
    assert queued.skipped and queued.sent_at is not None
    # The message that was queued arrives late: nothing is sent.
    assert reminders_deliver(reminder_ids=[queued.pk]) == {"sent": 0, "emailed": 0}
    # A later sweep does not queue it again.
    later = timezone.now() + timedelta(seconds=settings.REMINDER_REQUEUE_AFTER + 1)
    assert followup_sweep(now=later)["requeued"] == 0
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_delivery_skips_a_reminder_of_an_earlier_schedule(
    empty_queue, locmem, client_record, case_manager
):
    from referrals.services import followup_reschedule

    followup = _overdue_followup(client_record, case_manager)
    followup_reschedule(
        actor=case_manager,
        followup=followup,
        due_on=timezone.localdate() + timedelta(days=3),
        reason="Moved",
    )
    # A row of the old schedule that slipped in (say, by a sweep of an older release).
    stale = Reminder.objects.create(followup=followup, schedule_version=1, stage="due")
    assert reminders_deliver(reminder_ids=[stale.pk]) == {"sent": 0, "emailed": 0}
    stale.refresh_from_db()
    assert stale.skipped
    assert not Notification.objects.exists()


def test_moving_back_to_the_first_date_reminds_again(
    empty_queue, locmem, client_record, case_manager
):
    from referrals.services import followup_reschedule

    tuesday = timezone.localdate() + timedelta(days=1)
    followup = _overdue_followup(client_record, case_manager, days=-1)  # due tomorrow
    day_before = followup.remind_day_before_at
    assert _sweep_and_deliver(day_before + timedelta(minutes=1))["sent"] == 1
    followup_reschedule(
        actor=case_manager, followup=followup, due_on=tuesday + timedelta(days=2), reason="a"
    )
    followup_reschedule(actor=case_manager, followup=followup, due_on=tuesday, reason="b")
    followup.refresh_from_db()
    assert followup.schedule_version == 3
    assert followup.remind_day_before_at == day_before
    assert _sweep_and_deliver(day_before + timedelta(minutes=1))["sent"] == 1
    assert Notification.objects.filter(title__startswith="Due tomorrow").count() == 2


def test_a_transition_escalation_already_sent_is_not_sent_again_after_a_move(
    empty_queue, locmem, client_record, case_manager, supervisor
):
    from referrals.services import followup_reschedule

    # FUH discharge 6 days ago: day 5 of the 7-day window was yesterday, the last day is
    # tomorrow.
    transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude Behavioral",
        discharged_on=timezone.localdate() - timedelta(days=6),
    )
    seven = FollowUp.objects.get(window_days=7)
    _sweep_and_deliver(seven.escalate_at + timedelta(minutes=1))
    assert Notification.objects.filter(kind="escalation").count() == 1
    followup_reschedule(
        actor=case_manager,
        followup=seven,
        due_on=timezone.localdate(),
        reason="Visit booked for this afternoon",
    )
    seven.refresh_from_db()
    assert seven.escalate_at is None
    _sweep_and_deliver(seven.remind_overdue_at + timedelta(minutes=1))
    assert Notification.objects.filter(kind="escalation").count() == 1
    assert Notification.objects.filter(kind="reminder", title__startswith="Overdue").exists()


def test_a_reminder_whose_email_was_not_sent_is_emailed_by_the_outbox_once(
    empty_queue, locmem, client_record, case_manager, settings
):
    from casemgmt.notifications.services import outbox_send, outbox_sweep
    from referrals.services.reminders import reminders_send

    _overdue_followup(client_record, case_manager)
    followup_sweep()
    _redis().delete(app.conf.task_default_queue)
    reminder = Reminder.objects.get()
    # In-app written and the email in the outbox; the worker died before sending it.
    assert reminders_send(reminder_ids=[reminder.pk]) == 1
    later = timezone.now() + timedelta(seconds=settings.REMINDER_REQUEUE_AFTER + 1)
    assert followup_sweep(now=later)["requeued"] == 0  # the reminder itself was sent
    assert outbox_sweep()["due"] == 1  # ...its email is due in the outbox: nudged
    assert _queue_length() == 1
    assert len(outbox_send().sent) == 1
    assert len(mail.outbox) == 1
    assert "1 follow-up" not in mail.outbox[0].subject  # "a follow-up needs ..."
    assert mail.outbox[0].subject == "casemgmt: a follow-up needs your attention"
    assert outbox_send().claimed == 0
    assert reminders_deliver(reminder_ids=[reminder.pk]) == {"sent": 0, "emailed": 0}
    assert len(mail.outbox) == 1


def test_a_superseded_discharge_is_neither_reminded_nor_escalated(
    empty_queue, client_record, case_manager
):
    """FUH MY2025 ("Acute readmission or direct transfer": count only the last
    discharge): once the readmission is recorded, the first discharge's windows are not
    measured, so the sweep neither reminds nor escalates them, and the Today page's
    "7-day follow-up about to be missed" condition no longer finds them."""
    from clients.models import Client
    from referrals.selectors import transition_followups_at_risk_of

    today = timezone.localdate()
    first = transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude Behavioral",
        admitted_on=today - timedelta(days=10),
        discharged_on=today - timedelta(days=6),
    )
    transition_record(  # readmitted yesterday, still in hospital
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude Behavioral",
        admitted_on=today - timedelta(days=1),
    )
    followup_sweep(now=timezone.now() + timedelta(days=1))
    assert not Reminder.objects.filter(followup__transition=first).exists()
    clients = Client.objects.filter(pk=client_record.pk)
    assert not transition_followups_at_risk_of(clients=clients, as_of=today, within_days=2).exists()
