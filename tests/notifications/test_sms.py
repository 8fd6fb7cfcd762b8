"""SMS through the outbox: one send per row whatever the retries, the number checked
(E.164), the console/file/locmem backends, and the Twilio adapter against a real HTTP
server on loopback standing in for Twilio (what it is sent, and how each answer is
recorded: 201 sent with Twilio's SID, 400 permanent, 429/503/timeout retried)."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from casemgmt.notifications import sms
from casemgmt.notifications.models import OutboxChannel, OutboxMessage
from casemgmt.notifications.services import OutboxDraft, outbox_enqueue, outbox_send

pytestmark = pytest.mark.django_db

TEMPLATE = "notifications/sms/notification"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _enqueue(number="+15551230001") -> OutboxMessage:
    (pk,) = outbox_enqueue(
        drafts=[OutboxDraft(template=TEMPLATE, channel=OutboxChannel.SMS, to_address=number)],
        nudge=False,
    )
    return OutboxMessage.objects.get(pk=pk)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("555.123.4567", "+15551234567"),
        ("15551234567", "+15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_numbers_are_written_in_e164(given, expected):
    assert sms.normalise_number(given) == expected


@pytest.mark.parametrize("given", ["", "123", "+0123456789", "call me", "+1555123456789012"])
def test_a_number_that_is_not_e164_is_refused_for_good(given):
    with pytest.raises(sms.SmsError) as caught:
        sms.normalise_number(given)
    assert caught.value.permanent


def test_an_sms_row_is_sent_once_with_the_rendered_text(settings):
    settings.SITE_URL = "https://casemgmt.example.org"
    row = _enqueue("(555) 123-0001")
    assert outbox_send().sent == [row.pk]
    assert outbox_send().claimed == 0
    (message,) = sms.outbox
    assert message.to == "+15551230001"
    assert message.body == (
        "casemgmt: you have a new message. Sign in to read it: "
        "https://casemgmt.example.org/notifications/"
    )
    assert message.reference == str(row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.provider_message_id) == ("sent", 1, "locmem-1")


def test_a_bad_number_fails_at_once_and_nothing_is_sent():
    row = _enqueue("not a number")
    assert outbox_send().failed == [row.pk]
    row.refresh_from_db()
    assert row.state == "failed"
    assert "not a valid international number" in row.last_error
    assert sms.outbox == []


def test_a_row_for_a_user_without_a_number_fails_for_good(case_manager):
    (pk,) = outbox_enqueue(
        drafts=[
            OutboxDraft(template=TEMPLATE, channel=OutboxChannel.SMS, recipient_id=case_manager.pk)
        ],
        nudge=False,
    )
    row = OutboxMessage.objects.get(pk=pk)
    assert outbox_send().failed == [row.pk]
    row.refresh_from_db()
    assert row.last_error == "The recipient has no phone number."


def test_the_file_backend_writes_one_json_line_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "casemgmt.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    first, second = _enqueue("+15551230001"), _enqueue("+15551230002")
    assert sorted(outbox_send().sent) == sorted([first.pk, second.pk])
    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert sorted(line["to"] for line in lines) == ["+15551230001", "+15551230002"]


def test_the_console_backend_masks_the_number(settings, capsys):
    settings.SMS_BACKEND = "casemgmt.notifications.sms.ConsoleBackend"
    _enqueue("+15551230077")
    outbox_send()
    printed = capsys.readouterr().out
    assert "**********77" in printed
    assert "5551230077" not in printed


class _FakeTwilio(BaseHTTPRequestHandler):
    """Twilio's Messages endpoint, answering what the test sets in ``answers``."""

    answers: list[tuple[int, dict]] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        type(self).received.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "form": form}
        )
        status, body = type(self).answers.pop(0)
        if status == 0:  # hang past the client's timeout
            threading.Event().wait(3)
            status, body = 503, {}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    _FakeTwilio.answers, _FakeTwilio.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "casemgmt.notifications.sms.TwilioBackend"
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-token"
    settings.SMS_FROM = "+15550100000"
    settings.SMS_TIMEOUT = 1
    yield _FakeTwilio
    server.shutdown()
    server.server_close()


def test_twilio_is_sent_the_message_and_its_sid_is_kept(twilio):
    twilio.answers.append((201, {"sid": "SM" + "a" * 32, "status": "queued"}))
    row = _enqueue("+15551230001")
    assert outbox_send().sent == [row.pk]
    (request,) = twilio.received
    assert request["path"] == f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["form"]["To"] == ["+15551230001"]
    assert request["form"]["From"] == ["+15550100000"]
    assert request["form"]["Body"][0].startswith("casemgmt: you have a new message.")
    row.refresh_from_db()
    assert row.provider_message_id == "SM" + "a" * 32


def test_a_messaging_service_sender_is_sent_as_such(twilio, settings):
    settings.SMS_FROM = "MG" + "1" * 32
    twilio.answers.append((201, {"sid": "SM1"}))
    _enqueue()
    outbox_send()
    form = twilio.received[0]["form"]
    assert form["MessagingServiceSid"] == ["MG" + "1" * 32]
    assert "From" not in form


def test_twilio_refusing_the_number_is_a_permanent_failure(twilio):
    twilio.answers.append((400, {"code": 21211, "message": "Invalid 'To' Phone Number"}))
    row = _enqueue()
    assert outbox_send().failed == [row.pk]
    row.refresh_from_db()
    assert row.state == "failed"
    assert "400 21211" in row.last_error
    assert "5551230001" not in row.last_error


@pytest.mark.parametrize("status", [429, 503, 0])
def test_rate_limits_server_errors_and_timeouts_are_retried_then_sent_once(
    twilio, settings, status
):
    from datetime import timedelta

    from django.utils import timezone

    twilio.answers.extend([(status, {}), (201, {"sid": "SM2"})])
    row = _enqueue()
    assert outbox_send().retry == [row.pk]
    row.refresh_from_db()
    assert row.state == "retry"
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_MAX + 1)
    assert outbox_send(now=later).sent == [row.pk]
    assert outbox_send(now=later).claimed == 0
    row.refresh_from_db()
    assert (row.state, row.attempts, row.provider_message_id) == ("sent", 2, "SM2")
