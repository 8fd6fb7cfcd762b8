"""Recurring appointments: a series is written as rows up to the rolling horizon; the
beat task ``recurrences_extend`` writes the next ones; "this and following" ends the
series before the chosen occurrence and starts a new one from it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from careplans.models import Intervention
from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from clients.models import Client
from clients.services import timeline_record

from ..models import Appointment, AppointmentStatus, Recurrence
from . import rules
from .appointments import (
    _new_row,
    _when,
    check_conflicts,
    staff_of,
    validate_details,
)


def _slots(recurrence: Recurrence, *, after: datetime | None, through: datetime) -> list[datetime]:
    zone = recurrence.team.zone
    first_local = timezone.localtime(recurrence.first_starts_at, zone).replace(tzinfo=None)
    parsed = rules.parse_rule(recurrence.rule, first_local=first_local)
    last = through if recurrence.until is None else min(through, recurrence.until)
    return rules.occurrences(parsed, zone=zone, after=after, through=last)


def _write_occurrences(
    recurrence: Recurrence,
    starts: Sequence[datetime],
    *,
    actor: User,
    staff: Sequence[User],
    interventions: Sequence[Intervention],
) -> list[Appointment]:
    duration = timedelta(minutes=recurrence.duration_minutes)
    taken = set(
        Appointment.objects.filter(
            recurrence=recurrence, occurrence_starts_at__in=list(starts)
        ).values_list("occurrence_starts_at", flat=True)
    )
    return [
        _new_row(
            actor=actor,
            client=recurrence.client,
            staff=staff,
            starts_at=start,
            ends_at=start + duration,
            kind=recurrence.kind,
            location=recurrence.location,
            telehealth_link=recurrence.telehealth_link,
            interventions=interventions,
            recurrence=recurrence,
            occurrence_starts_at=start,
        )
        for start in starts
        if start not in taken
    ]


def recurrence_create(
    *,
    actor: User,
    client: Client,
    staff: Sequence[User],
    starts_at: datetime,
    ends_at: datetime,
    kind: str,
    location: str,
    telehealth_link: str,
    interventions: Sequence[Intervention],
    rule: str,
    confirm_conflicts: bool,
    previous: Recurrence | None = None,
) -> Appointment:
    """A series from ``starts_at`` (validated by the caller); its rows up to the
    horizon. Returns the first occurrence. Runs in the caller's transaction."""
    zone = client.team.zone
    first_local = timezone.localtime(starts_at, zone).replace(tzinfo=None)
    parsed = rules.parse_rule(rule, first_local=first_local)
    now = timezone.now()
    horizon = rules.horizon_from(max(now, starts_at))
    local_until = rules.rule_parts(parsed)[1]
    until = local_until.replace(tzinfo=zone) if local_until is not None else None
    recurrence = Recurrence(
        client=client,
        team=client.team,
        rule=rule.strip().removeprefix("RRULE:"),
        first_starts_at=starts_at,
        duration_minutes=int((ends_at - starts_at).total_seconds() // 60),
        time_zone=client.team.time_zone,
        until=until,
        generated_until=horizon,
        kind=kind,
        location=location,
        telehealth_link=telehealth_link,
        previous=previous,
        created_by=actor,
    )
    starts = rules.occurrences(parsed, zone=zone, after=None, through=horizon)
    if not starts:
        raise ValidationError({"rule": ["This rule gives no appointment from the start on."]})
    duration = ends_at - starts_at
    check_conflicts(
        team=client.team,
        client_id=client.pk,
        staff=staff,
        slots=[(s, s + duration) for s in starts],
        confirm=confirm_conflicts,
        exclude_ids=[],
    )
    recurrence.save()
    recurrence.staff.set(staff)
    if interventions:
        recurrence.interventions.set(interventions)
    rows = _write_occurrences(
        recurrence, starts, actor=actor, staff=staff, interventions=interventions
    )
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=recurrence,
        client_id=client.pk,
        detail={"occurrences": len(rows)},
    )
    timeline_record(
        client=client,
        kind="appointment",
        summary=f"Recurring appointment booked from {_when(client.team, starts_at)} "
        f"({len(rows)} written so far)",
        actor=actor,
        obj=recurrence,
    )
    return rows[0]


@transaction.atomic
def recurrence_edit_following(
    *,
    actor: User,
    appointment: Appointment,
    starts_at: datetime | None,
    ends_at: datetime | None,
    rule: str | None = None,
    kind: str | None = None,
    location: str | None = None,
    telehealth_link: str | None = None,
    staff: Sequence[User] | None = None,
    confirm_conflicts: bool = False,
) -> Appointment:
    """Edit "this and following": the series ends before this occurrence; its open
    occurrences from here on become "rescheduled" (kept, replaced); a new series starts
    at ``starts_at`` with the changes. Returns the new series' first appointment."""
    current = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("recurrence", "client__team", "team")
        .get(pk=appointment.pk)
    )
    old = current.recurrence
    if old is None:
        raise ValidationError({"scope": ["This appointment is not part of a series."]})
    old = Recurrence.objects.select_for_update().select_related("team", "client").get(pk=old.pk)
    if old.ended_at is not None and (old.until is None or old.until < current.starts_at):
        raise ValidationError({"scope": ["This series has ended."]})
    people = list(dict.fromkeys(staff)) if staff is not None else staff_of(current)
    interventions = list(old.interventions.select_related("goal__plan"))
    values: dict[str, Any] = {
        "kind": kind or old.kind,
        "location": location or old.location,
        "telehealth_link": (old.telehealth_link if telehealth_link is None else telehealth_link),
    }
    errors = validate_details(
        client=old.client,
        staff=people,
        starts_at=starts_at,
        ends_at=ends_at,
        interventions=interventions,
        **values,
    )
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    pivot = current.occurrence_starts_at or current.starts_at
    replaced = list(
        Appointment.objects.select_for_update()
        .filter(
            recurrence=old,
            status=AppointmentStatus.SCHEDULED,
            occurrence_starts_at__gte=pivot,
        )
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    Appointment.objects.filter(pk__in=replaced).update(
        status=AppointmentStatus.RESCHEDULED,
        status_changed_at=now,
        status_changed_by=actor,
        remind_at=None,
        updated_at=now,
    )
    old.until = pivot - timedelta(seconds=1)
    old.ended_at = now
    old.save(update_fields=["until", "ended_at"])
    first = recurrence_create(
        actor=actor,
        client=old.client,
        staff=people,
        starts_at=starts_at,
        ends_at=ends_at,
        interventions=interventions,
        rule=rule or old.rule,
        confirm_conflicts=confirm_conflicts,
        previous=old,
        **values,
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=old,
        client_id=old.client_id,
        detail={"ended_before": pivot.isoformat(), "replaced": len(replaced)},
    )
    return first


@transaction.atomic
def recurrence_end(*, actor: User, recurrence: Recurrence, reason: str) -> int:
    """Stop a series: its scheduled occurrences from now on are cancelled by staff with
    the reason. Returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancellation_reason": ["Give the reason for ending the series."]})
    current = Recurrence.objects.select_for_update().get(pk=recurrence.pk)
    now = timezone.now()
    count = Appointment.objects.filter(
        recurrence=current, status=AppointmentStatus.SCHEDULED, starts_at__gte=now
    ).update(
        status=AppointmentStatus.CANCELLED_STAFF,
        cancellation_reason=reason,
        status_changed_at=now,
        status_changed_by=actor,
        remind_at=None,
        updated_at=now,
    )
    current.ended_at = now
    current.until = now
    current.save(update_fields=["ended_at", "until"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"cancelled": count},
    )
    return count


def recurrences_extend(*, now: datetime | None = None, batch_size: int = 200) -> dict[str, int]:
    """Beat: move every live series' horizon on to ``now`` + the horizon, writing the new
    occurrences. Each series is claimed with ``FOR UPDATE SKIP LOCKED`` and its
    ``generated_until`` moved in the same transaction, so overlapping runs and a second
    run write nothing twice (the unique (series, slot) constraint backs this up).
    Conflicts are not checked here: nobody is there to confirm; the rows are the rule's."""
    now = now or timezone.now()
    target = rules.horizon_from(now)
    # Extend a series when its horizon is less than a week short of the target.
    due_before = target - timedelta(days=7)
    series = appointments = 0
    while True:
        with transaction.atomic():
            batch = list(
                Recurrence.objects.select_for_update(skip_locked=True)
                .select_related("team", "client", "created_by")
                .filter(ended_at__isnull=True, generated_until__lt=due_before)
                .order_by("generated_until")[:batch_size]
            )
            for recurrence in batch:
                starts = _slots(recurrence, after=recurrence.generated_until, through=target)
                staff = list(recurrence.staff.all())
                interventions = list(recurrence.interventions.all())
                rows = _write_occurrences(
                    recurrence,
                    starts,
                    actor=recurrence.created_by,
                    staff=staff,
                    interventions=interventions,
                )
                appointments += len(rows)
                recurrence.generated_until = target
                fields = ["generated_until"]
                if recurrence.until is not None and recurrence.until <= target:
                    recurrence.ended_at = now
                    fields.append("ended_at")
                recurrence.save(update_fields=fields)
            series += len(batch)
        if len(batch) < batch_size:
            return {"series": series, "appointments": appointments}
