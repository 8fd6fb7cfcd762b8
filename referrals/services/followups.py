"""Writes of follow-ups: create (with the reminder schedule), reschedule, close (done,
missed, cancelled). The schedule is computed here, in the team's time zone, and stored on the
row, so the sweep needs no time-zone logic and no ETAs ever reach the broker."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from clients.models import Client
from clients.services import timeline_record

from ..models import (
    CareTransition,
    FollowUp,
    FollowUpReason,
    FollowUpReschedule,
    FollowUpStatus,
    Referral,
    Reminder,
    ReminderStage,
)
from ..windows import Window, window

CLOSING_STATUSES = (FollowUpStatus.DONE, FollowUpStatus.MISSED, FollowUpStatus.CANCELLED)

#: The due dates a follow-up's schedule can be computed for. The schedule needs the day
#: before and the day after (and an escalation date some days on), so ``date.max``
#: (9999-12-31) would raise OverflowError; no real follow-up is due outside this range.
DUE_ON_RANGE = (date(1900, 1, 1), date(2199, 12, 31))


def _due_on_out_of_range(due_on: date) -> str | None:
    first, last = DUE_ON_RANGE
    if first <= due_on <= last:
        return None
    return f"Give a due date between {first:%Y-%m-%d} and {last:%Y-%m-%d}."


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def followup_schedule(
    *, due_on: date, due_time: time | None, tz: ZoneInfo, escalate_on: date | None = None
) -> dict[str, datetime | None]:
    """The deadline and the instants at which each reminder stage becomes due.

    - due_at: the due time on the due date, or the end of the due date;
    - day before: at ``FOLLOWUP_REMINDER_HOUR`` (team's local time) the day before;
    - due: at that hour on the due date (or at the due time if earlier);
    - overdue: at the due time when given, otherwise at that hour the day after;
    - escalation: at that hour on ``escalate_on``.
    """
    hour = time(settings.FOLLOWUP_REMINDER_HOUR)
    if due_time is not None:
        due_at = _local(due_on, due_time, tz)
        overdue_at = due_at
    else:
        due_at = _local(due_on + timedelta(days=1), time(0), tz)
        overdue_at = _local(due_on + timedelta(days=1), hour, tz)
    schedule = {
        "due_at": due_at,
        "remind_day_before_at": _local(due_on - timedelta(days=1), hour, tz),
        "remind_due_at": min(_local(due_on, hour, tz), due_at),
        "remind_overdue_at": overdue_at,
        "escalate_at": _local(escalate_on, hour, tz) if escalate_on else None,
    }
    moments = [v for k, v in schedule.items() if k != "due_at" and v is not None]
    schedule["next_check_at"] = min(moments)
    return schedule


@transaction.atomic
def _first_supervisor(client: Client) -> User | None:
    return client.team.supervisors.filter(is_active=True).order_by("pk").first()


def followup_create(
    *,
    actor: User | None,
    client: Client,
    assignee: User | None,
    reason: str,
    title: str,
    due_on: date | None,
    due_time: time | None = None,
    referral: Referral | None = None,
    transition: CareTransition | None = None,
    window_days: int | None = None,
    escalate_on: date | None = None,
    escalate_at: datetime | None = None,
) -> FollowUp:
    """Something that must happen for ``client`` by ``due_on``. The assignee defaults to
    the client's primary case manager (else the actor; for the HL7 interface, the team's
    first supervisor).

    ``escalate_at`` (an instant) escalates to the team's supervisors at that moment
    rather than at the reminder hour of ``escalate_on``: a check-in's risk answer not
    acknowledged within 60 minutes (portal)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Say what must happen."]
    if reason not in FollowUpReason.values:
        errors["reason"] = [f"Unknown reason '{reason}'."]
    if due_on is None:
        errors["due_on"] = ["Give the due date."]
    elif (out_of_range := _due_on_out_of_range(due_on)) is not None:
        errors["due_on"] = [out_of_range]
    # A system actor (the HL7 interface) is not a person: with no case manager, the
    # team's first supervisor owns the follow-up until one is assigned.
    fallback = actor if actor is None or actor.is_active else _first_supervisor(client)
    assignee = assignee or client.primary_case_manager or fallback
    if assignee is None:
        errors["assignee"] = ["Choose who will do it."]
    elif not assignee.is_active:
        errors["assignee"] = [f"{assignee.display_name} is not an active user."]
    if errors or due_on is None or assignee is None:
        raise ValidationError(errors)
    schedule = followup_schedule(
        due_on=due_on, due_time=due_time, tz=client.team.zone, escalate_on=escalate_on
    )
    if escalate_at is not None:
        schedule["escalate_at"] = escalate_at
        schedule["next_check_at"] = min(
            v for k, v in schedule.items() if k not in ("due_at", "next_check_at") and v
        )
    followup = FollowUp.objects.create(
        client=client,
        assignee=assignee,
        reason=reason,
        title=title[:200],
        due_on=due_on,
        due_time=due_time,
        referral=referral,
        transition=transition,
        window_days=window_days,
        created_by=actor,
        **schedule,
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=followup, client_id=client.pk)
    timeline_record(
        client=client,
        kind="follow_up",
        summary=f"Follow-up due {due_on:%Y-%m-%d}: {followup.title}",
        actor=actor,
        obj=followup,
    )
    return followup


def transition_window(followup: FollowUp) -> Window | None:
    """The HEDIS window a care-transition follow-up stands for (``None`` for others)."""
    t = followup.transition
    if followup.reason != FollowUpReason.TRANSITION or t is None or not followup.window_days:
        return None
    if not t.measure or t.discharged_on is None:
        return None
    return window(t.measure, t.discharged_on, followup.window_days)


def _day(day: date) -> str:
    return f"{day:%a %b} {day.day}, {day.year}"


def _when(day: date, at: time | None) -> str:
    return f"{day:%Y-%m-%d}" + (f" {at:%H:%M}" if at else "")


@transaction.atomic
def followup_reschedule(
    *,
    actor: User | None,
    followup: FollowUp,
    due_on: date | None,
    due_time: time | None = None,
    reason: str,
) -> FollowUp:
    """Move an open follow-up to another due date (and time), saying why.

    Rules: only an open follow-up moves (409 otherwise); a reason is required; the new
    date may be today but not in the past (in the team's time zone; with a time today,
    not a time already gone); moving to the same date and time is refused as a no-op.
    A care-transition follow-up stands for a HEDIS window (FUH/FUM/FUA/FUI, 7 or 30
    days): it may move inside the window but never past its last day, because a visit
    after that does not count for the measure and a later due date would hide a missed
    window. Then the honest record is to close it as missed (and add a general
    follow-up for the late visit).

    The schedule is recomputed as at creation (``followup_schedule``, team time zone).
    The escalation keeps its distance from the due date (a referral's "day after the
    response deadline" moves with it), except for a care transition, whose escalation
    is day 5 of the window and stays there; an escalation already sent for a date that
    does not move is not sent again.

    Reminders: ``Reminder`` is unique per (follow-up, ``schedule_version``, stage) and
    a reschedule raises the follow-up's ``schedule_version``. So the reminders sent for
    the old date stay as the record of what was sent and do not block the stages of the
    new date, and moving back to an earlier date (Tuesday -> Thursday -> Tuesday) gets
    its reminders again. Keying by due date instead would have blocked that return trip
    (and a change of time on the same day), and deleting the sent rows would have lost
    the record. Reminders of the old schedule not yet sent are claimed and skipped here
    with the same conditional update delivery uses (``sent_at IS NULL``), so a delivery
    already running either sent them before the move or finds nothing to claim; delivery
    also skips any reminder whose version is not the follow-up's current one. The row is
    locked (``FOR UPDATE``), so a sweep cannot insert reminders for the old schedule
    meanwhile (it skips locked rows).
    """
    followup = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("client__team", "transition")
        .get(pk=followup.pk)
    )
    if followup.status != FollowUpStatus.OPEN:
        raise Conflict(
            f"This follow-up is already {followup.get_status_display().lower()}; "
            "only an open follow-up can be rescheduled."
        )
    tz = followup.client.team.zone
    now = timezone.now()
    today = timezone.localdate(now, timezone=tz)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why it is being moved."]
    if due_on is None:
        errors["due_on"] = ["Give the new due date."]
    elif (out_of_range := _due_on_out_of_range(due_on)) is not None:
        errors["due_on"] = [out_of_range]
    elif due_on < today:
        errors["due_on"] = [f"The new due date cannot be in the past (today is {_day(today)})."]
    elif (due_on, due_time) == (followup.due_on, followup.due_time):
        errors["due_on"] = ["It is already due then: choose another date or time."]
    elif due_time is not None and due_on == today and _local(due_on, due_time, tz) <= now:
        errors["due_time"] = ["That time today has already passed."]
    w = transition_window(followup)
    if due_on is not None and w is not None and due_on > w.last_day:
        errors.setdefault("due_on", []).append(
            f"The {w.days}-day {w.measure} follow-up window ends on {_day(w.last_day)}: "
            "a visit after that does not count for the quality measure. Choose a date up "
            f"to {_day(w.last_day)}, or close this follow-up as missed."
        )
    elif due_on is not None and w is not None and not w.contains(due_on):
        errors.setdefault("due_on", []).append(
            f"The {w.days}-day {w.measure} follow-up window starts on {_day(w.first_day)}: "
            "a visit before that does not count for the quality measure."
        )
    if errors or due_on is None:
        raise ValidationError(errors)

    old_version = followup.schedule_version
    escalate_on: date | None = None
    if followup.escalate_at is not None:
        escalated_on = timezone.localdate(followup.escalate_at, timezone=tz)
        if w is not None:
            already_sent = Reminder.objects.filter(
                followup=followup,
                schedule_version=old_version,
                stage=ReminderStage.ESCALATION,
                sent_at__isnull=False,
                skipped=False,
            ).exists()
            escalate_on = None if already_sent else escalated_on
        else:
            escalate_on = due_on + (escalated_on - followup.due_on)
    # What the old schedule has not sent yet will not be sent (see the docstring).
    Reminder.objects.filter(
        followup=followup, schedule_version=old_version, sent_at__isnull=True
    ).update(sent_at=now, skipped=True)

    FollowUpReschedule.objects.create(
        followup=followup,
        from_due_on=followup.due_on,
        from_due_time=followup.due_time,
        to_due_on=due_on,
        to_due_time=due_time,
        reason=reason,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    moved_from = _when(followup.due_on, followup.due_time)
    schedule = followup_schedule(due_on=due_on, due_time=due_time, tz=tz, escalate_on=escalate_on)
    followup.due_on = due_on
    followup.due_time = due_time
    for field, value in schedule.items():
        setattr(followup, field, value)
    followup.schedule_version = old_version + 1
    followup.save(update_fields=["due_on", "due_time", *schedule, "schedule_version"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=followup,
        client_id=followup.client_id,
        detail={"fields": ["due_on", "due_time"], "action": "reschedule"},
    )
    timeline_record(
        client=followup.client_id,
        kind="follow_up",
        summary=f"Follow-up moved from {moved_from} to {_when(due_on, due_time)}: {followup.title}",
        actor=actor,
        obj=followup,
    )
    return followup


@transaction.atomic
def followup_close(
    *, actor: User | None, followup: FollowUp, status: str, outcome_note: str = ""
) -> FollowUp:
    """Mark an open follow-up done, missed or cancelled; the sweep then leaves it alone
    (``next_check_at`` cleared), and a queued reminder finds it closed and is skipped."""
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if status not in CLOSING_STATUSES:
        raise ValidationError({"status": ["Choose done, missed or cancelled."]})
    if followup.status != FollowUpStatus.OPEN:
        raise Conflict(
            f"This follow-up is already {followup.get_status_display().lower()}.", field="status"
        )
    outcome_note = (outcome_note or "").strip()
    if status in (FollowUpStatus.MISSED, FollowUpStatus.CANCELLED) and not outcome_note:
        raise ValidationError({"outcome_note": ["Say why."]})
    followup.status = status
    followup.outcome_note = outcome_note
    followup.closed_at = timezone.now()
    followup.closed_by = actor if actor is not None and actor.is_authenticated else None
    followup.next_check_at = None
    followup.save(
        update_fields=["status", "outcome_note", "closed_at", "closed_by", "next_check_at"]
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=followup,
        client_id=followup.client_id,
        detail={"fields": ["status"]},
    )
    timeline_record(
        client=followup.client_id,
        kind="follow_up",
        summary=f"Follow-up {followup.get_status_display().lower()}: {followup.title}",
        actor=actor,
        obj=followup,
    )
    return followup


def followups_close_for(
    *, actor: User | None, referral: Referral, status: str, outcome_note: str
) -> int:
    """Close a referral's open follow-ups (called inside the referral's transaction)."""
    count = 0
    for followup in referral.followups.filter(status=FollowUpStatus.OPEN):
        followup_close(actor=actor, followup=followup, status=status, outcome_note=outcome_note)
        count += 1
    return count
