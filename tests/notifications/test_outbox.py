"""The outbox's sender in this process, against a real SMTP server on loopback: what is
recorded per row for an accepted, a refused (451) and a rejected (550) message, backoff
and its bound, stale claims, the admin's view, and what a row holds."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from casemgmt.notifications.models import Notification, OutboxMessage
from casemgmt.notifications.services import (
    NOTIFICATION_EMAIL,
    OutboxDraft,
    notification_create,
    outbox_enqueue,
    outbox_retry,
    outbox_send,
    outbox_sweep,
)
from tests.factories import UserFactory

from .mailserver import MailServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = MailServer().start()
    settings.EMAIL_BACKEND = "casemgmt.notifications.backends.SMTPEmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


def _alert(user) -> OutboxMessage:
    notification_create(recipient=user, kind="escalation", title="Crisis for J. Doe", email=True)
    return OutboxMessage.objects.get(recipient=user)


def test_an_accepted_email_is_sent_once_with_the_servers_queue_id(smtp, case_manager):
    row = _alert(case_manager)
    assert outbox_send().sent == [row.pk]
    assert outbox_send().claimed == 0  # never again
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.provider_message_id == "2.0.0 Ok: queued as Q00001"
    assert Notification.objects.get(recipient=case_manager).emailed_at == row.sent_at
    (accepted,) = smtp.accepted
    assert accepted.to == (case_manager.email,)
    assert accepted.message_id == f"<outbox.{row.pk}.{int(row.created_at.timestamp())}@localhost>"
    assert "J. Doe" not in accepted.subject + accepted.body  # only a link
    assert "http://127.0.0.1:8000/notifications/" in accepted.body


def test_a_row_holds_ids_not_personal_data(case_manager):
    row = _alert(case_manager)
    assert row.params == {"notification_ids": [Notification.objects.get().pk]}
    assert row.to_address == "" and row.recipient_id == case_manager.pk
    assert row.template == NOTIFICATION_EMAIL and row.state == "pending"


def test_a_451_is_retried_after_a_backoff_and_sent_once(smtp, case_manager, settings):
    smtp.rule = lambda to, attempt: "refuse" if attempt == 1 else "accept"
    row = _alert(case_manager)
    before = timezone.now()
    assert outbox_send().retry == [row.pk]
    row.refresh_from_db()
    assert row.state == "retry" and row.last_error.startswith("SMTPDataError: 451 4.3.0")
    assert row.next_attempt_at >= before + timedelta(seconds=settings.OUTBOX_RETRY_SECONDS)
    assert outbox_send().claimed == 0  # not due yet
    later = row.next_attempt_at + timedelta(seconds=1)
    assert outbox_send(now=later).sent == [row.pk]
    assert len(smtp.accepted) == 1 and sum(smtp.attempts.values()) == 2
    # The second failure waits twice as long.
    smtp.rule = lambda to, attempt: "refuse"
    other = _alert(UserFactory())
    outbox_send()
    first = OutboxMessage.objects.get(pk=other.pk).next_attempt_at
    outbox_send(now=first + timedelta(seconds=1))
    second = OutboxMessage.objects.get(pk=other.pk).next_attempt_at
    assert second - first >= timedelta(seconds=2 * settings.OUTBOX_RETRY_SECONDS)


def test_temporary_failures_stop_after_the_last_attempt(smtp, case_manager, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp.rule = lambda to, attempt: "refuse"
    row = _alert(case_manager)
    at = timezone.now()
    for _ in range(5):
        outbox_send(now=at)
        at += timedelta(hours=2)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 3)
    assert smtp.accepted == []


def test_a_550_fails_at_once_and_the_error_names_no_address(smtp, case_manager):
    smtp.rule = lambda to, attempt: "reject"
    row = _alert(case_manager)
    assert outbox_send().failed == [row.pk]
    row.refresh_from_db()
    assert row.state == "failed" and "550 5.1.1" in row.last_error
    assert case_manager.email not in row.last_error and "<address>" in row.last_error
    assert outbox_send(now=timezone.now() + timedelta(days=1)).claimed == 0


def test_a_refusal_does_not_stop_the_rest_of_the_batch(smtp, case_manager, teammate, supervisor):
    smtp.rule = lambda to, attempt: "refuse" if to == teammate.email else "accept"
    rows = [_alert(user) for user in (case_manager, teammate, supervisor)]
    result = outbox_send()
    assert result.sent == [rows[0].pk, rows[2].pk] and result.retry == [rows[1].pk]


def test_a_user_without_an_address_is_a_permanent_failure(smtp):
    row = _alert(UserFactory(email=""))
    assert outbox_send().failed == [row.pk]
    assert OutboxMessage.objects.get(pk=row.pk).last_error == "The recipient has no email address."
    assert smtp.attempts == {}


def test_an_unreachable_server_is_a_temporary_failure(smtp, case_manager, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    row = _alert(case_manager)
    assert outbox_send().retry == [row.pk]
    assert OutboxMessage.objects.get(pk=row.pk).state == "retry"


def test_a_stale_claim_is_given_back_by_the_sweep_and_sent(smtp, case_manager, settings):
    row = _alert(case_manager)
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1)
    # A sender claimed it, then died.
    OutboxMessage.objects.filter(pk=row.pk).update(state="claimed", claimed_at=long_ago, attempts=1)
    fresh = _alert(UserFactory())
    OutboxMessage.objects.filter(pk=fresh.pk).update(state="claimed", claimed_at=timezone.now())
    assert outbox_sweep() == {"requeued": 1, "due": 1}
    row.refresh_from_db()
    assert row.state == "retry" and "Claim expired" in row.last_error
    assert outbox_send().sent == [row.pk]
    assert OutboxMessage.objects.get(pk=fresh.pk).state == "claimed"  # its sender is alive


def test_a_sender_past_half_its_claim_time_gives_the_rest_back(smtp, case_manager, settings):
    settings.OUTBOX_CLAIM_TIMEOUT = 0  # the deadline has passed before the first send
    row = _alert(case_manager)
    assert outbox_send().released == [row.pk]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claimed_at) == ("pending", 0, None)
    assert smtp.attempts == {}


def test_an_admin_sees_failed_messages_and_can_send_them_again(
    smtp, client, admin_user, case_manager
):
    smtp.rule = lambda to, attempt: "reject" if attempt == 1 else "accept"
    row = _alert(case_manager)
    outbox_send()
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client.force_login(admin_user)
    page = client.get("/admin/notifications/outboxmessage/?state__exact=failed")
    assert page.status_code == 200
    assert "550 5.1.1" in page.content.decode()
    response = client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "send_again", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert outbox_send().sent == [row.pk]
    assert outbox_retry(ids=[row.pk]) == 0  # a sent message is never sent again


@pytest.mark.parametrize("count", [1, 20])
def test_sending_costs_one_claim_and_one_statement_per_row(smtp, count, django_assert_num_queries):
    users = [UserFactory() for _ in range(count)]
    outbox_enqueue(
        drafts=[OutboxDraft(template=NOTIFICATION_EMAIL, recipient_id=u.pk) for u in users]
    )
    with django_assert_num_queries(1 + count):
        assert len(outbox_send().sent) == count
