"""The reminder sweep and reminder delivery: each reminder is sent exactly once.

How exactly-once holds:

1. The sweep claims due follow-ups in batches (``SELECT ... FOR UPDATE SKIP LOCKED``,
   then a conditional ``UPDATE ... WHERE next_check_at <= now`` that moves each one to
   its next stage time), and inserts one ``Reminder`` row per (follow-up, stage) with
   ``ON CONFLICT DO NOTHING``: a stage can exist once. Task messages are queued with
   ``transaction.on_commit``, one message per batch of reminder ids, no ETA.
2. Delivery claims reminders with a conditional ``UPDATE ... WHERE sent_at IS NULL``:
   a task run twice finds nothing left to claim. Notifications are written in the same
   transaction as the claim, so a crash before commit leaves the reminder unsent.
3. Emails go through the outbox (``casemgmt.notifications``): the transaction that writes
   the notifications also writes one outbox row per recipient for the batch, and the same
   task then sends those rows, recording each result as it comes (sent, or a temporary
   failure retried with a backoff by the outbox sweep, or a permanent failure shown in
   Django admin). A worker killed mid-send leaves its rows claimed; the outbox sweep gives
   them back.
4. Nothing lives only in the broker: a reminder queued but not sent (worker or Redis
   lost the message) is queued again by a later sweep once it is
   ``REMINDER_REQUEUE_AFTER`` old; an email not sent is due in the outbox.
5. Reminders belong to one schedule of a follow-up (``schedule_version``, raised by
   each reschedule): the sweep inserts them under the version it read with the row
   locked, and delivery skips a reminder whose follow-up has moved on to a newer
   schedule (``followup_reschedule`` also skips them itself when it moves the date).

Statements per batch are constant: the sweep runs 3 per batch of follow-ups, delivery
about 8 per batch of reminders plus one per email (its result), whatever the batch size.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import Team
from casemgmt.lib.broker import publish_quietly
from casemgmt.notifications.models import NotificationKind
from casemgmt.notifications.selectors import notification_email_reminders_off
from casemgmt.notifications.services import (
    NotificationDraft,
    OutboxDraft,
    notifications_create_many,
    outbox_enqueue,
    outbox_send,
)

from ..models import DenominatorStatus, FollowUpStatus, Reminder, ReminderStage

# The one email per recipient per batch: how many reminders, and a link (no client data).
REMINDER_EMAIL = "referrals/email/reminders"
REMINDER_STAGES = (ReminderStage.DAY_BEFORE, ReminderStage.DUE, ReminderStage.OVERDUE)
_STAGE_COLUMNS = {
    ReminderStage.DAY_BEFORE: "remind_day_before_at",
    ReminderStage.DUE: "remind_due_at",
    ReminderStage.OVERDUE: "remind_overdue_at",
}


def stages_due(row: dict[str, Any], now: datetime) -> tuple[list[str], datetime | None]:
    """Which stages to send now for one follow-up, and when to look at it next.

    Of the three reminder stages only the latest that has come is sent (a follow-up
    created on its due date gets "due today", not also "due tomorrow"); the escalation
    is independent of them."""
    stages: list[str] = []
    passed = [
        (row[column], stage)
        for stage, column in _STAGE_COLUMNS.items()
        if row[column] is not None and row[column] <= now
    ]
    if passed:
        stages.append(max(passed)[1])
    if row["escalate_at"] is not None and row["escalate_at"] <= now:
        stages.append(ReminderStage.ESCALATION)
    future = [
        row[c]
        for c in (*_STAGE_COLUMNS.values(), "escalate_at")
        if row[c] is not None and row[c] > now
    ]
    return stages, min(future) if future else None


def _queue(reminder_ids: list[int]) -> None:
    size = settings.REMINDER_DELIVERY_BATCH
    for start in range(0, len(reminder_ids), size):
        chunk = reminder_ids[start : start + size]
        transaction.on_commit(partial(_publish, chunk))


def _publish(reminder_ids: list[int]) -> None:
    """Queue a delivery after commit; a broker error is logged, not raised: the reminders
    are committed and a later sweep queues them again (``reminders_requeue``)."""
    from ..tasks import reminders_deliver

    publish_quietly(reminders_deliver, [reminder_ids], recovery="a later sweep queues it again.")


_CLAIM_SQL = """
SELECT id, schedule_version, remind_day_before_at, remind_due_at, remind_overdue_at,
    escalate_at
FROM referrals_followup
WHERE status = 'open' AND next_check_at <= %s
ORDER BY next_check_at
LIMIT %s
FOR UPDATE SKIP LOCKED
"""
_ADVANCE_SQL = """
UPDATE referrals_followup AS f SET next_check_at = v.next_check_at
FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_check_at)
WHERE f.id = v.id AND f.status = 'open' AND f.next_check_at <= %s
RETURNING f.id
"""
_INSERT_SQL = """
INSERT INTO referrals_reminder
    (followup_id, schedule_version, stage, created_at, queued_at, skipped, notification_ids)
SELECT v.followup_id, v.schedule_version, v.stage, %s, %s, false, '{}'
FROM unnest(%s::bigint[], %s::integer[], %s::text[]) AS v(followup_id, schedule_version, stage)
ON CONFLICT (followup_id, schedule_version, stage) DO NOTHING
RETURNING id
"""


def followup_sweep_batch(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Claim one batch of due follow-ups and queue their reminders. Returns how many
    follow-ups were claimed (0 when nothing is due)."""
    now = now or timezone.now()
    batch_size = batch_size or settings.FOLLOWUP_SWEEP_BATCH
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [now, batch_size])
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
        if not rows:
            return 0
        plans = {row["id"]: stages_due(row, now) for row in rows}
        versions = {row["id"]: row["schedule_version"] for row in rows}
        ids = list(plans)
        cursor.execute(_ADVANCE_SQL, [ids, [plans[i][1] for i in ids], now])
        claimed = {fid for (fid,) in cursor.fetchall()}
        pairs = [(fid, stage) for fid in ids if fid in claimed for stage in plans[fid][0]]
        reminder_ids: list[int] = []
        if pairs:
            cursor.execute(
                _INSERT_SQL,
                [
                    now,
                    now,
                    [p[0] for p in pairs],
                    [versions[p[0]] for p in pairs],
                    [str(p[1]) for p in pairs],
                ],
            )
            reminder_ids = [rid for (rid,) in cursor.fetchall()]
        _queue(reminder_ids)
        return len(rows)


def reminders_requeue(*, now: datetime | None = None) -> int:
    """Queue again what was queued but not sent (lost message, worker restart): reminders
    not sent. (Their emails are the outbox's: an unsent one is due there.)"""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.REMINDER_REQUEUE_AFTER)
    lost = Reminder.objects.filter(queued_at__lt=stale, sent_at__isnull=True).order_by("pk")
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                lost.select_for_update(skip_locked=True).values_list("pk", flat=True)[
                    : settings.FOLLOWUP_SWEEP_BATCH
                ]
            )
            Reminder.objects.filter(pk__in=ids).update(queued_at=now)
            _queue(ids)
        total += len(ids)
        if len(ids) < settings.FOLLOWUP_SWEEP_BATCH:
            return total


def followup_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """One full sweep: every due follow-up, batch by batch, then the re-queue of lost
    reminders. Safe to run concurrently with itself and to run twice."""
    now = now or timezone.now()
    followups = 0
    while claimed := followup_sweep_batch(now=now):
        followups += claimed
    return {"followups": followups, "requeued": reminders_requeue(now=now)}


# ------------------------------------------------------------------------- delivery
_CLAIM_REMINDERS_SQL = """
UPDATE referrals_reminder SET sent_at = %s
WHERE id = ANY(%s::bigint[]) AND sent_at IS NULL
RETURNING id
"""
_SET_NOTIFICATIONS_SQL = """
UPDATE referrals_reminder AS r SET notification_ids = v.ids
FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[])::bigint[] AS ids) AS v
WHERE r.id = v.id
"""
# What delivery reads (a client row is wide: search vectors, arrays, free text).
_DELIVERY_FIELDS = (
    "id",
    "stage",
    "schedule_version",
    "followup__id",
    "followup__status",
    "followup__schedule_version",
    "followup__title",
    "followup__due_on",
    "followup__window_days",
    "followup__transition_id",
    "followup__client__id",
    "followup__client__first_name",
    "followup__client__last_name",
    "followup__client__preferred_name",
    "followup__client__team_id",
    "followup__assignee__id",
    "followup__assignee__first_name",
    "followup__assignee__last_name",
    "followup__assignee__username",
    "followup__transition__id",
    "followup__transition__client_id",
    "followup__transition__measure",
    "followup__transition__discharged_on",
    "followup__transition__denominator",
    "followup__transition__denominator_reason",
)

_TITLES: dict[str, str] = {
    ReminderStage.DAY_BEFORE: "Due tomorrow",
    ReminderStage.DUE: "Due today",
    ReminderStage.OVERDUE: "Overdue",
    ReminderStage.ESCALATION: "Escalation: still open",
}


def _notifications_for(reminders: list[Reminder]) -> tuple[list[NotificationDraft], list[int]]:
    """Unsaved notifications for the claimed reminders (recipient per stage), and for each
    notification the index of its reminder."""
    team_ids = {r.followup.client.team_id for r in reminders if r.stage == "escalation"}
    supervisors: dict[int, list[int]] = defaultdict(list)
    if team_ids:
        through = Team.supervisors.through.objects.filter(
            team_id__in=team_ids, user__is_active=True
        )
        for team_id, user_id in through.values_list("team_id", "user_id"):
            supervisors[team_id].append(user_id)
    recipients = []
    for r in reminders:
        if r.stage == ReminderStage.ESCALATION:
            recipients.append(
                supervisors.get(r.followup.client.team_id) or [r.followup.assignee_id]
            )
        else:
            recipients.append([r.followup.assignee_id])
    email_off = notification_email_reminders_off(user_ids={u for us in recipients for u in us})
    notifications, owners = [], []
    for index, (r, users) in enumerate(zip(reminders, recipients, strict=True)):
        followup = r.followup
        client = followup.client
        link = reverse("referrals:client_referrals", args=[client.pk]) + f"#followup-{followup.pk}"
        if r.stage == ReminderStage.ESCALATION:
            body = (
                f"{followup.assignee.display_name}'s follow-up for {client.display_name} "
                f"(due {followup.due_on:%Y-%m-%d}) is still open."
            )
            kind = NotificationKind.ESCALATION
        else:
            body = f"Due {followup.due_on:%Y-%m-%d}."
            kind = NotificationKind.REMINDER
        for user_id in users:
            notifications.append(
                NotificationDraft(
                    recipient_id=user_id,
                    kind=kind,
                    title=f"{_TITLES[r.stage]}: {followup.title} ({client.display_name})",
                    body=body,
                    link=link,
                    email=user_id not in email_off,
                )
            )
            owners.append(index)
    return notifications, owners


def _close_met_transition_followups(reminders: list[Reminder], now: datetime) -> None:
    """A transition follow-up whose window is already met by a visit (contact note) is
    done: it is closed here and its reminder skipped, rather than nagging about a visit
    that took place. One query for all (``transition_windows``)."""
    from ..selectors import transition_windows

    pending = [
        (r.followup, r.followup.transition)
        for r in reminders
        if r.followup.transition is not None and r.followup.status == FollowUpStatus.OPEN
    ]
    if not pending:
        return
    windows = transition_windows([transition for _, transition in pending])
    for followup, transition in pending:
        if transition.measure and transition.denominator != DenominatorStatus.COUNTED:
            # Superseded or excluded (referrals.windows.denominator_statuses): not measured.
            followup.status = FollowUpStatus.CANCELLED
            followup.outcome_note = f"Not measured ({transition.measure}): "[:500] + (
                transition.denominator_reason or "no window"
            )
            followup.closed_at = now
            followup.next_check_at = None
            followup.save(update_fields=["status", "outcome_note", "closed_at", "next_check_at"])
            continue
        for status in windows.get(transition.pk, []):
            if status.window.days == followup.window_days and status.state == "met":
                followup.status = FollowUpStatus.DONE
                followup.outcome_note = f"Follow-up visit on {status.met_on:%Y-%m-%d}."
                followup.closed_at = now
                followup.next_check_at = None
                followup.save(
                    update_fields=["status", "outcome_note", "closed_at", "next_check_at"]
                )


def reminders_send(*, reminder_ids: list[int], now: datetime | None = None) -> int:
    """Write the in-app notifications of the given reminders, once, and their emails to
    the outbox in the same transaction. Returns how many reminders this call sent (0 when
    another run already did)."""
    return _reminders_write(reminder_ids=reminder_ids, now=now)[0]


def _reminders_write(
    *, reminder_ids: list[int], now: datetime | None = None
) -> tuple[int, dict[int, int]]:
    """``reminders_send``, also returning the outbox rows it wrote: {outbox id: how many
    notifications the email announces}."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_REMINDERS_SQL, [now, list(reminder_ids)])
        claimed = [rid for (rid,) in cursor.fetchall()]
        if not claimed:
            return 0, {}
        reminders = list(
            Reminder.objects.filter(pk__in=claimed)
            .select_related("followup__client", "followup__assignee", "followup__transition")
            .only(*_DELIVERY_FIELDS)
            .order_by("pk")
        )
        _close_met_transition_followups(reminders, now)
        # Closed since, or rescheduled since (a reminder of the earlier date): skipped.
        live = [
            r
            for r in reminders
            if r.followup.status == FollowUpStatus.OPEN
            and r.schedule_version == r.followup.schedule_version
        ]
        live_ids = {r.pk for r in live}
        skipped = [r.pk for r in reminders if r.pk not in live_ids]
        if skipped:
            Reminder.objects.filter(pk__in=skipped).update(skipped=True)
        if not live:
            return 0, {}
        drafts, owners = _notifications_for(live)
        notifications = notifications_create_many(drafts=drafts)
        ids_per_reminder: dict[int, list[int]] = defaultdict(list)
        emailed_per_user: dict[int, list[int]] = defaultdict(list)
        for notification, draft, index in zip(notifications, drafts, owners, strict=True):
            ids_per_reminder[live[index].pk].append(notification.pk)
            if draft.email:
                emailed_per_user[draft.recipient_id].append(notification.pk)
        keys = list(ids_per_reminder)
        cursor.execute(
            _SET_NOTIFICATIONS_SQL,
            [keys, ["{" + ",".join(map(str, ids_per_reminder[k])) + "}" for k in keys]],
        )
        # One email per recipient per batch: several reminders at once make one message.
        # The task sends these rows itself right after commit (no nudge).
        users = list(emailed_per_user)
        outbox_ids = outbox_enqueue(
            drafts=[
                OutboxDraft(
                    template=REMINDER_EMAIL,
                    recipient_id=user_id,
                    params={
                        "count": len(emailed_per_user[user_id]),
                        "notification_ids": emailed_per_user[user_id],
                    },
                )
                for user_id in users
            ],
            nudge=False,
        )
        counts = {
            outbox_id: len(emailed_per_user[user_id])
            for outbox_id, user_id in zip(outbox_ids, users, strict=True)
        }
        return len(live), counts


def reminders_deliver(*, reminder_ids: list[int]) -> dict[str, int]:
    """What the task does: notifications and their outbox rows first (committed), then
    those emails, each recorded as it is sent. ``emailed`` counts the notifications whose
    email this call sent; one that failed is retried by the outbox sweep."""
    sent, counts = _reminders_write(reminder_ids=reminder_ids)
    emailed = 0
    if counts:
        result = outbox_send(ids=list(counts))
        emailed = sum(counts[outbox_id] for outbox_id in result.sent)
    return {"sent": sent, "emailed": emailed}
