"""Writes of follow-ups: create (with the reminder schedule), close (done, missed,
cancelled). The schedule is computed here, in the team's time zone, and stored on the
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
    FollowUpStatus,
    Referral,
)

CLOSING_STATUSES = (FollowUpStatus.DONE, FollowUpStatus.MISSED, FollowUpStatus.CANCELLED)


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


def team_zone(client: Client) -> ZoneInfo:
    return ZoneInfo(client.team.time_zone)


@transaction.atomic
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
) -> FollowUp:
    """Something that must happen for ``client`` by ``due_on``. The assignee defaults to
    the client's primary case manager (else the actor)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Say what must happen."]
    if reason not in FollowUpReason.values:
        errors["reason"] = [f"Unknown reason '{reason}'."]
    if due_on is None:
        errors["due_on"] = ["Give the due date."]
    assignee = assignee or client.primary_case_manager or actor
    if assignee is None:
        errors["assignee"] = ["Choose who will do it."]
    elif not assignee.is_active:
        errors["assignee"] = [f"{assignee.display_name} is not an active user."]
    if errors:
        raise ValidationError(errors)
    schedule = followup_schedule(
        due_on=due_on, due_time=due_time, tz=team_zone(client), escalate_on=escalate_on
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
