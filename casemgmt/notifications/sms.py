"""Text messages (SMS): one small backend interface, chosen by the ``SMS_BACKEND`` setting.

A message to a client or a staff member leaves through the outbox like an email
(``OutboxDraft(channel=OutboxChannel.SMS, to_address="+15551234567", template=...,
params=...)``): the sender renders ``<template>_sms.txt`` with ``params`` and hands it
to the backend here, once, recording the provider's id. The text never carries clinical
detail; ``params`` hold ids and times, never personal data.

Backends:
- ``casemgmt.notifications.sms.ConsoleBackend``: prints the message with the number
  masked (development, the demo);
- ``casemgmt.notifications.sms.FileBackend``: appends one JSON line per message to
  ``SMS_FILE_PATH`` (development, a person checking what would have been sent);
- ``casemgmt.notifications.sms.LocmemBackend``: keeps messages in ``outbox`` (tests);
- ``casemgmt.notifications.sms.TwilioBackend``: Twilio's Programmable Messaging REST
  API (``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with ``To``, ``From``
  or ``MessagingServiceSid``, and ``Body``; HTTP basic authentication with the account
  SID and auth token), the one real provider adapter. It needs no SDK: the standard
  library's HTTPS client, with a timeout.

A backend raises ``SmsError`` when the provider refuses a message; ``permanent`` says
whether trying again could help (a bad number: no; a timeout, a 5xx or 429: yes).
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

# E.164: a plus sign, a country code that does not start with 0, at most 15 digits.
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Twilio's limit for one message body (it splits longer text into segments up to this).
MAX_BODY_CHARS = 1600


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    # The outbox row's id: the same on every attempt, for the provider's logs.
    reference: str = ""


class SmsError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def normalise_number(value: str) -> str:
    """``+1 (555) 123-4567`` -> ``+15551234567``; a number not in E.164 form raises
    ``SmsError`` (permanent). A US/Canada number without the country code (10 digits)
    gets ``+1``, as the phone numbers in the record are written."""
    digits = re.sub(r"[\s().\-]", "", value or "")
    if re.fullmatch(r"\d{10}", digits):
        digits = "+1" + digits
    elif re.fullmatch(r"1\d{10}", digits):
        digits = "+" + digits
    if not E164.match(digits):
        raise SmsError("The phone number is not a valid international number.", permanent=True)
    return digits


def mask(number: str) -> str:
    """A number for a log line or the console: its last two digits only."""
    return "*" * max(len(number) - 2, 0) + number[-2:]


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the provider's id for it (may be empty)."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        sys.stdout.write(f"SMS to {mask(message.to)} (outbox {message.reference}):\n")
        sys.stdout.write(message.body.rstrip() + "\n\n")
        sys.stdout.flush()
        return f"console-{message.reference}"


_file_lock = threading.Lock()


class FileBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": message.to,
                "body": message.body,
                "reference": message.reference,
            }
        )
        with _file_lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return f"file-{message.reference}"


# What LocmemBackend has sent, oldest first (tests clear it).
outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"


class TwilioBackend(BaseSmsBackend):
    """Twilio Programmable Messaging, configured by ``TWILIO_ACCOUNT_SID``,
    ``TWILIO_AUTH_TOKEN`` and ``SMS_FROM`` (a number, or a Messaging Service SID that
    starts with ``MG``). ``TWILIO_API_BASE`` points elsewhere only in tests."""

    def send(self, message: SmsMessage) -> str:
        sid = settings.TWILIO_ACCOUNT_SID
        token = settings.TWILIO_AUTH_TOKEN
        sender = settings.SMS_FROM
        if not (sid and token and sender):
            raise SmsError("Twilio is not configured (account, token, sender).", permanent=False)
        fields = {"To": message.to, "Body": message.body}
        fields["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
        url = f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Authorization": f"Basic {auth}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read() or b"{}")
            except ValueError:
                detail = {}
            code = detail.get("code", "")
            # 4xx (bad number, unsubscribed recipient) will not change; 429 and 5xx may.
            permanent = 400 <= exc.code < 500 and exc.code not in (401, 403, 408, 429)
            raise SmsError(
                f"Twilio answered {exc.code} {code}".strip(), permanent=permanent
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(
                f"Twilio could not be reached: {type(exc).__name__}", permanent=False
            ) from exc
        except ValueError as exc:
            raise SmsError("Twilio's answer was not JSON.", permanent=False) from exc
        return str(payload.get("sid", ""))


def get_backend() -> BaseSmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    backend: BaseSmsBackend = backend_class()
    return backend


def send_sms(*, to: str, body: str, reference: str = "") -> str:
    """Send one text now (the outbox calls this; everything else enqueues). Returns the
    provider's id. Raises ``SmsError``."""
    number = normalise_number(to)
    text = body.strip()
    if not text:
        raise SmsError("The message is empty.", permanent=True)
    if len(text) > MAX_BODY_CHARS:
        raise SmsError(f"The message is longer than {MAX_BODY_CHARS} characters.", permanent=True)
    return get_backend().send(SmsMessage(to=number, body=text, reference=reference))
