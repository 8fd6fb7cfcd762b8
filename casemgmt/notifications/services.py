"""Writes for notifications, and the outbox through which every email leaves.

The outbox (``OutboxMessage``): a message row per recipient is written in the same
transaction as the change that causes it (``outbox_enqueue``); ``outbox_send`` claims
due rows with a conditional UPDATE (``FOR UPDATE SKIP LOCKED``), sends each one and
records its result right away (sent, temporary failure with a backoff, permanent
failure); ``outbox_sweep`` (celery beat) gives back claims of a sender that died and
nudges a sender when rows are due. The broker only carries "look at the outbox" nudges,
queued on commit; a broker error is logged, never raised, so losing Redis delays mail
and never loses it nor turns a committed request into an error.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from casemgmt.lib.broker import publish_quietly
from casemgmt.lib.i18n import render_in

from .models import Notification, NotificationKind, OutboxChannel, OutboxMessage, OutboxState
from .selectors import unread_count_key

logger = logging.getLogger(__name__)

# The email that announces one in-app notification (alerts, approvals, transfers): no
# content, only a link back to the app.
NOTIFICATION_EMAIL = "notifications/email/notification"

if TYPE_CHECKING:
    from casemgmt.accounts.models import User

    from .models import NotificationPreference


@transaction.atomic
def notification_create(
    *,
    recipient: User,
    kind: NotificationKind | str,
    title: str,
    body: str = "",
    link: str = "",
    email: bool = False,
) -> Notification:
    """Write one in-app notification; with ``email``, its announcement goes to the
    outbox in the same transaction (sent after commit, retried until the server takes it).
    """
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, link=link, email_requested=email
    )
    unread_counts_forget(user_ids=[recipient.pk])
    if email:
        outbox_enqueue(
            drafts=[
                OutboxDraft(
                    template=NOTIFICATION_EMAIL,
                    recipient_id=recipient.pk,
                    params={"notification_ids": [notification.pk]},
                )
            ]
        )
    return notification


@dataclass(frozen=True)
class NotificationDraft:
    """One in-app notification to write with ``notifications_create_many``."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    email: bool = False  # announced by email later, by the caller's batch (see below)


def notifications_create_many(*, drafts: Sequence[NotificationDraft]) -> list[Notification]:
    """Write many in-app notifications in one statement (reminder batches), in the
    caller's transaction. No email is queued: the caller announces the ones with
    ``email`` in batches, through ``outbox_enqueue`` in the same transaction."""
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=d.recipient_id,
            kind=d.kind,
            title=d.title[:200],
            body=d.body,
            link=d.link,
            email_requested=d.email,
        )
        for d in drafts
    )
    unread_counts_forget(user_ids={d.recipient_id for d in drafts})
    return created


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    if changed:
        unread_counts_forget(user_ids=[user.pk])
    return changed


def unread_counts_forget(*, user_ids: Iterable[int]) -> None:
    """Drop the cached unread counts of ``user_ids`` once the transaction commits (the
    navigation bar's bell, ``notification_unread_count_cached``); and right away too, so
    that a page rendered before the commit in this transaction does not keep an old
    count. A cache that does not answer is logged: its entries expire by themselves."""
    keys = [unread_count_key(pk) for pk in user_ids]
    if not keys:
        return

    def forget() -> None:
        from django.core.cache import cache

        try:
            cache.delete_many(keys)
        except Exception:
            logger.warning("cache unavailable: unread counts expire by themselves", exc_info=True)

    forget()
    transaction.on_commit(forget)


def notifications_mark_done(*, link: str, kinds: Sequence[str] | None = None) -> int:
    """The work a notification asked for is done (a plan approved or returned, a note
    co-signed): mark every unread notification pointing at ``link`` read, whoever it went
    to (of ``kinds`` when given), so nobody is sent to work someone else finished."""
    qs = Notification.objects.filter(link=link, read_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.update(read_at=timezone.now())


def notification_preference_set(*, user: User, email_reminders: bool) -> NotificationPreference:
    """Turn reminder and escalation emails on or off for ``user``."""
    from .models import NotificationPreference

    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_reminders": bool(email_reminders)}
    )
    return preference


# ---------------------------------------------------------------------------- the outbox
@dataclass(frozen=True)
class OutboxDraft:
    """One message to write with ``outbox_enqueue``. ``template`` names the text
    (``<template>_subject.txt`` and ``<template>_body.txt``, rendered when sending with
    ``params`` and ``site_url``); ``params`` holds ids and counts, never personal data.
    A message to a client carries ``params["language"]`` (``casemgmt.lib.i18n``'s code
    for the client's language, e.g. "es"): it is rendered in that language; without it,
    in English."""

    template: str
    recipient_id: int | None = None
    to_address: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    channel: str = OutboxChannel.EMAIL


@dataclass
class OutboxResult:
    """What one ``outbox_send`` call did, by outbox id."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.failed) + len(self.released)


def outbox_enqueue(*, drafts: Sequence[OutboxDraft], nudge: bool = True) -> list[int]:
    """Write outbox rows in the caller's transaction (one INSERT) and, with ``nudge``,
    queue one "look at the outbox" message after commit (one per transaction). Returns
    the new rows' ids."""
    if not drafts:
        return []
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel=d.channel,
            template=d.template,
            params=d.params,
            recipient_id=d.recipient_id,
            to_address=d.to_address,
            next_attempt_at=now,
            created_at=now,
        )
        for d in drafts
    )
    if nudge:
        outbox_nudge_on_commit()
    return [row.pk for row in rows]


def outbox_nudge_on_commit() -> None:
    """Queue a sender run after the current transaction commits, once per transaction.

    The broker error, if any, is caught and logged (``_outbox_nudge``): the rows are
    committed and ``outbox_sweep`` finds them without the nudge."""
    conn = transaction.get_connection()
    # Django keeps the callbacks of the open transaction as (savepoint ids, func, robust).
    if any(entry[1] is _outbox_nudge for entry in conn.run_on_commit):
        return
    transaction.on_commit(_outbox_nudge)


def _outbox_nudge() -> None:
    from .tasks import outbox_flush

    publish_quietly(outbox_flush, recovery="the outbox sweep will send the messages.")


_CLAIM_SQL = """
UPDATE notifications_outboxmessage AS o
SET state = 'claimed', claimed_at = %(now)s, attempts = o.attempts + 1
FROM (
    SELECT id FROM notifications_outboxmessage
    WHERE state IN ('pending', 'retry') AND next_attempt_at <= %(now)s {only}
    ORDER BY next_attempt_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
) AS due
WHERE o.id = due.id AND o.state IN ('pending', 'retry')
RETURNING o.id, o.channel, o.template, o.params, o.recipient_id, o.to_address, o.attempts,
    o.created_at, (SELECT u.email FROM {users} AS u WHERE u.id = o.recipient_id)
"""
_SENT_SQL = """
WITH sent AS (
    UPDATE notifications_outboxmessage
    SET state = 'sent', sent_at = %(now)s, provider_message_id = %(provider_id)s,
        last_error = ''
    WHERE id = %(id)s
    RETURNING id
)
UPDATE notifications_notification SET emailed_at = %(now)s
WHERE id = ANY(%(notification_ids)s::bigint[]) AND emailed_at IS NULL
    AND EXISTS (SELECT 1 FROM sent)
"""
_FAILED_SQL = """
UPDATE notifications_outboxmessage
SET state = CASE WHEN %(permanent)s OR attempts >= %(max_attempts)s THEN 'failed'
                 ELSE 'retry' END,
    next_attempt_at = %(next_attempt_at)s, last_error = %(error)s
WHERE id = %(id)s AND state = 'claimed'
"""
_RELEASE_SQL = """
UPDATE notifications_outboxmessage
SET state = CASE WHEN last_error = '' THEN 'pending' ELSE 'retry' END,
    attempts = GREATEST(attempts - 1, 0), claimed_at = NULL
WHERE id = ANY(%s::bigint[]) AND state = 'claimed'
"""
_STALE_SQL = """
UPDATE notifications_outboxmessage
SET state = CASE WHEN attempts >= %(max_attempts)s THEN 'failed' ELSE 'retry' END,
    next_attempt_at = %(now)s,
    last_error = 'Claim expired: the sender stopped while sending (worker lost?).'
WHERE state = 'claimed' AND claimed_at < %(stale)s
"""


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: str
    template: str
    params: dict[str, Any]
    recipient_id: int | None
    to_address: str
    attempts: int
    created_at: datetime
    user_email: str | None


def _claim(*, now: datetime, limit: int, ids: Sequence[int] | None) -> list[_Claimed]:
    from django.contrib.auth import get_user_model

    sql = _CLAIM_SQL.format(
        only="AND id = ANY(%(ids)s::bigint[])" if ids is not None else "",
        users=connection.ops.quote_name(get_user_model()._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "limit": limit, "ids": list(ids or [])})
        # Django reads jsonb as text on raw cursors (its JSONField decodes it).
        return [
            _Claimed(
                id=row[0],
                channel=row[1],
                template=row[2],
                params=json.loads(row[3]) if isinstance(row[3], str) else row[3],
                recipient_id=row[4],
                to_address=row[5],
                attempts=row[6],
                created_at=row[7],
                user_email=row[8],
            )
            for row in cursor.fetchall()
        ]


def _message_id(row: _Claimed) -> str:
    """The same Message-ID on every attempt of a row, so a receiving server (or a person
    tracing a complaint) can tell a repeat from a new message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{row.id}.{int(row.created_at.timestamp())}@{domain}>"


def _render(row: _Claimed) -> EmailMessage:
    context = {**row.params, "site_url": settings.SITE_URL}
    with render_in(row.params.get("language")):
        subject = render_to_string(f"{row.template}_subject.txt", context)
        body = render_to_string(f"{row.template}_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address or row.user_email or ""],
        headers={"Message-ID": _message_id(row)},
    )


_ADDRESS = re.compile(r"[^\s<>@,;:\"']+@[^\s<>@,;:\"']+")


def _describe(exc: BaseException) -> str:
    """The error for the admin: the SMTP code and text, without any address in it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {_decode(msg)}" for code, msg in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    else:
        text = str(exc)
    return _ADDRESS.sub("<address>", f"{type(exc).__name__}: {text}")[:300]


def _decode(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _is_permanent(exc: BaseException) -> bool:
    """5xx answers are permanent; 4xx, lost connections, timeouts and anything unknown
    are temporary (retried with a backoff, at most OUTBOX_MAX_ATTEMPTS times). A refused
    login is a configuration problem: retried, so fixing the setting sends the mail."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _keeps_connection(exc: BaseException) -> bool:
    """After a refusal the SMTP session goes on (smtplib sends RSET); after anything
    else the connection is closed and the next message opens a new one."""
    return isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def _backoff(attempts: int) -> timedelta:
    base = settings.OUTBOX_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX))


def _record_sent(row: _Claimed, *, now: datetime, provider_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _SENT_SQL,
            {
                "now": now,
                "provider_id": provider_id[:200],
                "id": row.id,
                "notification_ids": list(row.params.get("notification_ids", [])),
            },
        )


def _record_failure(row: _Claimed, *, now: datetime, error: str, permanent: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _FAILED_SQL,
            {
                "permanent": permanent,
                "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
                "next_attempt_at": now + _backoff(row.attempts),
                "error": error[:300],
                "id": row.id,
            },
        )


def _provider_id(message: EmailMessage) -> str:
    """The provider's id for an accepted message where the backend tells it: an
    ESP backend's ``anymail_status``, or the SMTP server's reply to DATA
    (``casemgmt.notifications.backends.SMTPEmailBackend``)."""
    status = getattr(message, "anymail_status", None)
    if status is not None and getattr(status, "message_id", None):
        return str(status.message_id)
    return getattr(message, "provider_reply", "") or ""


def outbox_send(
    *, ids: Sequence[int] | None = None, limit: int | None = None, now: datetime | None = None
) -> OutboxResult:
    """Claim due outbox rows (all due, or only ``ids``), send each and record its result
    right away, one UPDATE per row: a sender killed mid-batch leaves what it sent marked
    sent and the rest claimed, which ``outbox_sweep`` gives back after
    ``OUTBOX_CLAIM_TIMEOUT``. Safe to run concurrently and twice."""
    # ``now`` (tests, the command) stands for the clock throughout; else the real time.
    clock: Callable[[], datetime] = timezone.now
    if now is not None:
        fixed = now
        clock = lambda: fixed  # noqa: E731
    claim_time = clock()
    limit = limit or (len(ids) if ids is not None else settings.OUTBOX_BATCH)
    result = OutboxResult()
    rows = _claim(now=claim_time, limit=limit, ids=ids)
    if not rows:
        return result
    # Stop well before the claim could be taken for stale, and give the rest back.
    deadline = time.monotonic() + settings.OUTBOX_CLAIM_TIMEOUT / 2
    backend: BaseEmailBackend | None = None
    try:
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                _release(rows[index:], result)
                break
            now = clock()
            if row.channel == OutboxChannel.SMS:
                _send_sms_row(row, clock=clock, result=result)
                continue
            if row.channel != OutboxChannel.EMAIL:
                _record_failure(row, now=now, error="Unknown channel.", permanent=True)
                result.failed.append(row.id)
                continue
            if not (row.to_address or row.user_email):
                _record_failure(
                    row, now=now, error="The recipient has no email address.", permanent=True
                )
                result.failed.append(row.id)
                continue
            try:
                message = _render(row)
            except Exception as exc:
                logger.exception("Outbox message %s could not be rendered", row.id)
                _record_failure(row, now=now, error=_describe(exc), permanent=True)
                result.failed.append(row.id)
                continue
            try:
                if backend is None:
                    backend = get_connection()
                    backend.open()
                backend.send_messages([message])
            except Exception as exc:
                permanent = _is_permanent(exc)
                _record_failure(row, now=clock(), error=_describe(exc), permanent=permanent)
                (result.failed if permanent else result.retry).append(row.id)
                logger.warning("Outbox message %s not sent: %s", row.id, _describe(exc))
                if not _keeps_connection(exc) and backend is not None:
                    _close_quietly(backend)
                    backend = None
                continue
            _record_sent(row, now=clock(), provider_id=_provider_id(message))
            result.sent.append(row.id)
    finally:
        if backend is not None:
            _close_quietly(backend)
    if result.released:
        _outbox_nudge()  # another run takes what this one gave back
    return result


def _send_sms_row(row: _Claimed, *, clock: Callable[[], datetime], result: OutboxResult) -> None:
    """One SMS row: render ``<template>_sms.txt`` and hand it to the SMS backend; the
    outcome is recorded as for email (sent with the provider's id, retry, failed)."""
    from .sms import SmsError, send_sms

    if not row.to_address:
        _record_failure(
            row, now=clock(), error="The recipient has no phone number.", permanent=True
        )
        result.failed.append(row.id)
        return
    try:
        with render_in(row.params.get("language")):
            body = render_to_string(
                f"{row.template}_sms.txt", {**row.params, "site_url": settings.SITE_URL}
            )
    except Exception as exc:
        logger.exception("Outbox message %s could not be rendered", row.id)
        _record_failure(row, now=clock(), error=_describe(exc), permanent=True)
        result.failed.append(row.id)
        return
    try:
        provider_id = send_sms(to=row.to_address, body=body, reference=str(row.id))
    except SmsError as exc:
        _record_failure(row, now=clock(), error=f"SmsError: {exc}", permanent=exc.permanent)
        (result.failed if exc.permanent else result.retry).append(row.id)
        logger.warning("Outbox message %s not sent: %s", row.id, exc)
        return
    except Exception as exc:
        logger.exception("Outbox message %s: the SMS backend failed", row.id)
        _record_failure(row, now=clock(), error=_describe(exc), permanent=False)
        result.retry.append(row.id)
        return
    _record_sent(row, now=clock(), provider_id=provider_id)
    result.sent.append(row.id)


def _release(rows: Sequence[_Claimed], result: OutboxResult) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE_SQL, [[row.id for row in rows]])
    result.released.extend(row.id for row in rows)


def _close_quietly(backend: BaseEmailBackend) -> None:
    try:
        backend.close()
    except Exception:  # a connection already gone
        pass


def outbox_flush(*, now: datetime | None = None) -> OutboxResult:
    """What a nudge does: send one batch of due rows; when the batch was full, nudge
    again so a backlog drains across workers."""
    result = outbox_send(now=now)
    if result.claimed >= settings.OUTBOX_BATCH and not result.released:
        _outbox_nudge()
    return result


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic (celery beat): give back claims older than ``OUTBOX_CLAIM_TIMEOUT`` (their
    sender died mid-send) as due retries, then nudge a sender if any row is due (due
    retries, rows whose nudge the broker lost)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    with connection.cursor() as cursor:
        cursor.execute(
            _STALE_SQL,
            {"max_attempts": settings.OUTBOX_MAX_ATTEMPTS, "now": now, "stale": stale},
        )
        requeued = cursor.rowcount
    due = OutboxMessage.objects.filter(
        state__in=[OutboxState.PENDING, OutboxState.RETRY], next_attempt_at__lte=now
    ).exists()
    if due:
        _outbox_nudge()
    return {"requeued": requeued, "due": int(due)}


@transaction.atomic
def outbox_retry(*, ids: Sequence[int]) -> int:
    """An admin's "send again": failed or retrying rows become due now with a fresh
    count of attempts. Sent and in-flight rows are left alone (never sent twice)."""
    count = OutboxMessage.objects.filter(
        pk__in=list(ids), state__in=[OutboxState.FAILED, OutboxState.RETRY]
    ).update(state=OutboxState.RETRY, attempts=0, next_attempt_at=timezone.now())
    if count:
        outbox_nudge_on_commit()
    return count
