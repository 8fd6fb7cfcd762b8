"""Appointment reminders, each written exactly once.

When: at ``APPOINTMENT_REMINDER_HOUR`` (the team's local time) the day before the
appointment; booked later than that, at booking (the sweep's next run); none for an
appointment less than ``APPOINTMENT_REMINDER_MIN_LEAD`` minutes ahead. The instant is on
the row (``remind_at``); a move writes a new row with its own.

Who: each staff member (in-app notification, and an email through the outbox unless
they turned reminder emails off) and the client, only where they agreed
(``ClientReminderConsent``) and have the address: email and/or SMS, through the outbox.
The client's message names the day, the time and the staff member's first name, never a
kind, a place or anything clinical: "You have an appointment tomorrow at 10:00 with
Casey". Outbox params carry the appointment id and those words only.

Exactly once: the sweep claims due appointments (``FOR UPDATE SKIP LOCKED``), clears
``remind_at`` with a conditional update and inserts one ``AppointmentReminder`` per
(appointment, schedule, audience) with ``ON CONFLICT DO NOTHING``; notifications and
outbox rows are written in the same transaction for the rows that were inserted only.
A sweep run twice, or two at once, write nothing twice; the outbox sends each row once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from casemgmt.accounts.models import Team
from casemgmt.lib.i18n import client_language, render_in
from casemgmt.notifications.models import NotificationKind, OutboxChannel
from casemgmt.notifications.selectors import notification_email_reminders_off
from casemgmt.notifications.services import (
    NotificationDraft,
    OutboxDraft,
    notifications_create_many,
    outbox_enqueue,
)

STAFF_EMAIL = "scheduling/email/staff_reminder"
CLIENT_EMAIL = "scheduling/email/client_reminder"
CLIENT_SMS = "scheduling/reminder"


def remind_at_for(*, team: Team, starts_at: datetime, now: datetime) -> datetime | None:
    """When the reminder of an appointment at ``starts_at`` is due (see the module)."""
    hour = time(int(getattr(settings, "APPOINTMENT_REMINDER_HOUR", 9)))
    lead = timedelta(minutes=int(getattr(settings, "APPOINTMENT_REMINDER_MIN_LEAD", 120)))
    if starts_at - now < lead:
        return None
    day_before = timezone.localtime(starts_at, team.zone).date() - timedelta(days=1)
    at = datetime.combine(day_before, hour, tzinfo=team.zone)
    return max(at, now)


def day_words(*, team: Team, starts_at: datetime, now: datetime) -> str:
    """ "today at 10:00", "tomorrow at 10:00", "on Fri 4 Dec at 10:00" (team's time), in
    the active language ("mañana a las 10:00", "el viernes 4 de diciembre a las 10:00"
    inside ``casemgmt.lib.i18n.render_in("es")``)."""
    local = timezone.localtime(starts_at, team.zone)
    today = timezone.localtime(now, team.zone).date()
    at = f"{local:%H:%M}"
    if local.date() == today:
        return gettext("today at %(time)s") % {"time": at}
    if local.date() == today + timedelta(days=1):
        return gettext("tomorrow at %(time)s") % {"time": at}
    # Translators: a date format (Django's "date" filter): "Fri 4 Dec".
    day = date_format(local, gettext("D j M"))
    return gettext("on %(day)s at %(time)s") % {"day": day, "time": at}


_CLAIM_SQL = """
SELECT a.id, a.schedule_version
FROM scheduling_appointment AS a
WHERE a.status = 'scheduled' AND a.remind_at IS NOT NULL AND a.remind_at <= %s
ORDER BY a.remind_at
LIMIT %s
FOR UPDATE SKIP LOCKED
"""
_CLEAR_SQL = """
UPDATE scheduling_appointment SET remind_at = NULL
WHERE id = ANY(%s::bigint[]) AND remind_at IS NOT NULL
RETURNING id
"""
_INSERT_SQL = """
INSERT INTO scheduling_appointmentreminder (appointment_id, schedule_version, audience, created_at)
SELECT v.appointment_id, v.version, v.audience, %s
FROM unnest(%s::bigint[], %s::integer[], %s::text[]) AS v(appointment_id, version, audience)
ON CONFLICT (appointment_id, schedule_version, audience) DO NOTHING
RETURNING appointment_id, audience
"""


def appointment_reminders_batch(*, now: datetime, batch_size: int) -> int:
    """One batch of due reminders; returns how many appointments were claimed."""
    from ..models import Appointment, AppointmentStaff, ClientReminderConsent

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [now, batch_size])
        claimed = dict(cursor.fetchall())
        if not claimed:
            return 0
        cursor.execute(_CLEAR_SQL, [list(claimed)])
        ids = [pk for (pk,) in cursor.fetchall()]
        rows = {
            a.pk: a
            for a in Appointment.objects.filter(pk__in=ids)
            .select_related("team", "client")
            .only(
                "id",
                "starts_at",
                "client_id",
                "client__id",
                "client__email",
                "client__phone",
                "client__preferred_language",
                "team__id",
                "team__time_zone",
            )
        }
        staff: dict[int, list[tuple[int, str]]] = {}
        for row in (
            AppointmentStaff.objects.filter(appointment_id__in=ids)
            .order_by("pk")
            .values_list("appointment_id", "user_id", "user__first_name")
        ):
            staff.setdefault(row[0], []).append((row[1], row[2] or ""))
        consents = {
            c.client_id: c
            for c in ClientReminderConsent.objects.filter(
                client_id__in={a.client_id for a in rows.values()}
            )
        }
        audiences: list[tuple[int, str]] = []
        for pk, appointment in rows.items():
            audiences.append((pk, "staff"))
            consent = consents.get(appointment.client_id)
            if consent is not None and consent.by_email and appointment.client.email:
                audiences.append((pk, "client_email"))
            if consent is not None and consent.by_sms and appointment.client.phone:
                audiences.append((pk, "client_sms"))
        cursor.execute(
            _INSERT_SQL,
            [
                now,
                [a for a, _ in audiences],
                [claimed[a] for a, _ in audiences],
                [aud for _, aud in audiences],
            ],
        )
        fresh = cursor.fetchall()
        notifications: list[NotificationDraft] = []
        outbox: list[OutboxDraft] = []
        staff_ids = {uid for pk, aud in fresh if aud == "staff" for uid, _ in staff.get(pk, [])}
        email_off = notification_email_reminders_off(user_ids=staff_ids)
        for pk, audience in fresh:
            appointment = rows[pk]
            words = day_words(team=appointment.team, starts_at=appointment.starts_at, now=now)
            people = staff.get(pk, [])
            with_name = people[0][1] if people else ""
            link = reverse("scheduling:detail", args=[pk])
            if audience == "staff":
                for uid, _name in people:
                    notifications.append(
                        NotificationDraft(
                            recipient_id=uid,
                            kind=NotificationKind.REMINDER,
                            title=f"Appointment {words}",
                            link=link,
                            email=uid not in email_off,
                        )
                    )
                    if uid not in email_off:
                        outbox.append(
                            OutboxDraft(
                                template=STAFF_EMAIL,
                                recipient_id=uid,
                                params={"appointment_id": pk, "when": words},
                            )
                        )
                continue
            # The client's message is in the client's language (the outbox renders it
            # in params["language"]).
            language = client_language(appointment.client)
            with render_in(language):
                client_words = day_words(
                    team=appointment.team, starts_at=appointment.starts_at, now=now
                )
            params = {
                "appointment_id": pk,
                "when": client_words,
                "staff_name": with_name,
                "language": language,
            }
            if audience == "client_email":
                outbox.append(
                    OutboxDraft(
                        template=CLIENT_EMAIL, to_address=appointment.client.email, params=params
                    )
                )
            else:
                outbox.append(
                    OutboxDraft(
                        template=CLIENT_SMS,
                        channel=OutboxChannel.SMS,
                        to_address=appointment.client.phone,
                        params=params,
                    )
                )
        notifications_create_many(drafts=notifications)
        outbox_enqueue(drafts=outbox)
        return len(claimed)


def appointment_reminders_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: every due appointment reminder, batch by batch. Safe to run twice."""
    now = now or timezone.now()
    size = int(getattr(settings, "APPOINTMENT_REMINDER_BATCH", 500))
    total = 0
    while claimed := appointment_reminders_batch(now=now, batch_size=size):
        total += claimed
    return {"appointments": total}
