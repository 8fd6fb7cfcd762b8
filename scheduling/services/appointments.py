"""Writes of appointments: book (one, or a recurring series), check in, complete,
no-show, cancel, reschedule, and edits of a series ("this one" or "this and following").

Every write runs in one transaction, is audited, lands on the client's timeline and,
where a reminder or a follow-up results, queues it in the same transaction.

Conflicts: booking or moving a staff member or the client into a time they are already
busy warns (``Conflict`` on the field ``confirm_conflicts``, listing the overlaps) and
goes through only when confirmed. The check is race-safe: before looking for overlaps,
the transaction takes a PostgreSQL advisory lock per person and local day
(``pg_advisory_xact_lock``, held to commit), in a fixed order, so two bookings of the
same person on the same day run one after the other and the second sees the first. (An
exclusion constraint would need ``btree_gist``, which the embedded PostgreSQL lacks.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from careplans.models import Intervention
from casemgmt.accounts.models import Team, User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.dates import add_business_days
from casemgmt.lib.errors import Conflict
from clients.models import Client, ClientStatus
from clients.services import timeline_record
from referrals.models import FollowUpReason
from referrals.services import followup_create

from ..models import (
    BUSY_STATUSES,
    OPEN_STATUSES,
    Appointment,
    AppointmentKind,
    AppointmentLocation,
    AppointmentStaff,
    AppointmentStatus,
    Recurrence,
)
from . import reminders as reminder_schedule

MAX_DURATION = timedelta(hours=12)
NO_SHOW_REACH_DAYS = 2  # business days to reach the client after a no-show


@dataclass(frozen=True)
class Overlap:
    """One appointment a booking would overlap, as shown in the warning."""

    appointment_id: int
    who: str  # "Casey Jones" or "the client"
    starts_at: datetime
    ends_at: datetime


def _err(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _local_day(team: Team, moment: datetime) -> date:
    return timezone.localtime(moment, team.zone).date()


def _hm(team: Team, moment: datetime) -> str:
    return f"{timezone.localtime(moment, team.zone):%H:%M}"


def _when(team: Team, moment: datetime) -> str:
    local = timezone.localtime(moment, team.zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _link(appointment: Appointment) -> str:
    return reverse("scheduling:detail", args=[appointment.pk])


# ----------------------------------------------------------------------------- locks
def _lock_key(kind: str, pk: int, day: date) -> int:
    """A signed 64-bit advisory lock key for (person, local day)."""
    digest = hashlib.blake2b(f"scheduling:{kind}:{pk}:{day:%Y%m%d}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def lock_people_days(
    *,
    team: Team,
    client_id: int,
    staff_ids: Iterable[int],
    slots: Iterable[tuple[datetime, datetime]],
) -> None:
    """Take the advisory lock of every (person, local day) the slots touch, in one fixed
    order (no deadlock between two bookings taking overlapping sets). Held to commit."""
    days: set[date] = set()
    for start, end in slots:
        day = _local_day(team, start)
        last = _local_day(team, end)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    keys = sorted(
        {_lock_key("client", client_id, d) for d in days}
        | {_lock_key("user", uid, d) for uid in staff_ids for d in days}
    )
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys]
        )


def find_overlaps(
    *,
    team: Team,
    client_id: int,
    staff: Sequence[User],
    slots: Sequence[tuple[datetime, datetime]],
    exclude_ids: Iterable[int] = (),
) -> list[Overlap]:
    """Busy appointments of the client or any of ``staff`` overlapping one of ``slots``
    (two queries whatever the number of slots)."""
    if not slots:
        return []
    exclude = list(exclude_ids)
    window = Q()
    for start, end in slots:
        window |= Q(starts_at__lt=end, ends_at__gt=start)
    names = {u.pk: u.display_name for u in staff}
    found: list[Overlap] = []
    client_rows = (
        Appointment.objects.filter(window, client_id=client_id, status__in=BUSY_STATUSES)
        .exclude(pk__in=exclude)
        .values_list("pk", "starts_at", "ends_at")
    )
    found += [Overlap(pk, "the client", s, e) for pk, s, e in client_rows]
    staff_rows = (
        AppointmentStaff.objects.filter(
            window,
            user_id__in=list(names),
            appointment__status__in=BUSY_STATUSES,
        )
        .exclude(appointment_id__in=exclude)
        .values_list("appointment_id", "user_id", "starts_at", "ends_at")
    )
    found += [Overlap(pk, names[uid], s, e) for pk, uid, s, e in staff_rows]
    return sorted(found, key=lambda o: (o.starts_at, o.who))


def _conflict(team: Team, overlaps: list[Overlap]) -> Conflict:
    shown = overlaps[:5]
    lines = "; ".join(f"{o.who} {_when(team, o.starts_at)}-{_hm(team, o.ends_at)}" for o in shown)
    more = f" and {len(overlaps) - len(shown)} more" if len(overlaps) > len(shown) else ""
    return Conflict(
        f"This overlaps another appointment: {lines}{more}. Confirm to book anyway.",
        field="confirm_conflicts",
        extra={
            "conflicts": [
                {
                    "appointment": o.appointment_id,
                    "who": o.who,
                    "starts_at": o.starts_at.isoformat(),
                    "ends_at": o.ends_at.isoformat(),
                }
                for o in overlaps
            ]
        },
    )


def check_conflicts(
    *,
    team: Team,
    client_id: int,
    staff: Sequence[User],
    slots: Sequence[tuple[datetime, datetime]],
    confirm: bool,
    exclude_ids: Iterable[int] = (),
) -> list[Overlap]:
    """Lock the people's days, then look for overlaps; unconfirmed overlaps raise."""
    lock_people_days(team=team, client_id=client_id, staff_ids=[u.pk for u in staff], slots=slots)
    overlaps = find_overlaps(
        team=team, client_id=client_id, staff=staff, slots=slots, exclude_ids=exclude_ids
    )
    if overlaps and not confirm:
        raise _conflict(team, overlaps)
    return overlaps


# ------------------------------------------------------------------------ validation
def validate_details(
    *,
    client: Client,
    staff: Sequence[User],
    starts_at: datetime | None,
    ends_at: datetime | None,
    kind: str,
    location: str,
    telehealth_link: str,
    interventions: Sequence[Intervention],
) -> dict[str, list[str]]:
    """Every problem at once, by field (the forms and the API name the same fields)."""
    errors: dict[str, list[str]] = {}
    if starts_at is None:
        _err(errors, "starts_at", "Give the start date and time.")
    elif timezone.is_naive(starts_at):
        _err(errors, "starts_at", "Give the start with a time zone.")
    if ends_at is None:
        _err(errors, "ends_at", "Give the end time.")
    elif timezone.is_naive(ends_at):
        _err(errors, "ends_at", "Give the end with a time zone.")
    if not errors and starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            _err(errors, "ends_at", "The end must be after the start.")
        elif ends_at - starts_at > MAX_DURATION:
            _err(errors, "ends_at", "An appointment lasts at most 12 hours.")
    if kind not in AppointmentKind.values:
        _err(errors, "kind", "Choose the kind of appointment.")
    if location not in AppointmentLocation.values:
        _err(errors, "location", "Choose where it takes place.")
    if telehealth_link and not telehealth_link.startswith("https://"):
        _err(errors, "telehealth_link", "Give the video link starting with https://.")
    if not staff:
        _err(errors, "staff", "Choose at least one staff member.")
    team_people = set(client.team.members.values_list("pk", flat=True)) | set(
        client.team.supervisors.values_list("pk", flat=True)
    )
    for user in staff:
        if not user.is_active:
            _err(errors, "staff", f"{user.display_name} is not an active user.")
        elif user.pk not in team_people:
            _err(errors, "staff", f"{user.display_name} is not on the client's team.")
    for intervention in interventions:
        if intervention.goal.plan.client_id != client.pk:
            _err(errors, "interventions", "Choose interventions of this client's care plan.")
            break
    # A closed episode: a discharged client, or a day after the discharge date.
    if client.status == ClientStatus.DISCHARGED:
        _err(
            errors,
            "client",
            "The client is discharged: reopen the episode before booking an appointment.",
        )
    elif (
        client.discharged_on is not None
        and starts_at is not None
        and not timezone.is_naive(starts_at)
        and _local_day(client.team, starts_at) > client.discharged_on
    ):
        _err(
            errors,
            "starts_at",
            f"The client's episode closed on {client.discharged_on:%Y-%m-%d}.",
        )
    return errors


def _write_staff(appointment: Appointment, staff: Sequence[User]) -> None:
    AppointmentStaff.objects.bulk_create(
        AppointmentStaff(
            appointment=appointment,
            user=user,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
        )
        for user in staff
    )


def _new_row(
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
    recurrence: Recurrence | None = None,
    occurrence_starts_at: datetime | None = None,
) -> Appointment:
    appointment = Appointment.objects.create(
        client=client,
        team=client.team,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        location=location,
        telehealth_link=telehealth_link,
        recurrence=recurrence,
        occurrence_starts_at=occurrence_starts_at,
        remind_at=reminder_schedule.remind_at_for(
            team=client.team, starts_at=starts_at, now=timezone.now()
        ),
        created_by=actor,
    )
    _write_staff(appointment, staff)
    if interventions:
        appointment.interventions.set(interventions)
    return appointment


def _record(
    actor: User, appointment: Appointment, action: str, summary: str, **detail: Any
) -> None:
    audit_record(
        user=actor,
        action=action,
        obj=appointment,
        client_id=appointment.client_id,
        detail=detail or None,
    )
    timeline_record(
        client=appointment.client_id,
        kind="appointment",
        summary=summary,
        actor=actor,
        obj=appointment,
        link=_link(appointment),
    )


@transaction.atomic
def appointment_create(
    *,
    actor: User,
    client: Client,
    staff: Sequence[User],
    starts_at: datetime | None,
    ends_at: datetime | None,
    kind: str,
    location: str,
    telehealth_link: str = "",
    interventions: Sequence[Intervention] = (),
    rule: str = "",
    confirm_conflicts: bool = False,
) -> Appointment:
    """Book one appointment, or with ``rule`` (an RFC 5545 RRULE) a series whose
    occurrences up to the horizon are written now (the first is returned). Overlaps
    need ``confirm_conflicts``. Nothing is saved when anything is refused."""
    from .recurrences import recurrence_create

    staff = list(dict.fromkeys(staff))
    telehealth_link = (telehealth_link or "").strip()
    errors = validate_details(
        client=client,
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        location=location,
        telehealth_link=telehealth_link,
        interventions=interventions,
    )
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    if rule:
        return recurrence_create(
            actor=actor,
            client=client,
            staff=staff,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=kind,
            location=location,
            telehealth_link=telehealth_link,
            interventions=interventions,
            rule=rule,
            confirm_conflicts=confirm_conflicts,
        )
    check_conflicts(
        team=client.team,
        client_id=client.pk,
        staff=staff,
        slots=[(starts_at, ends_at)],
        confirm=confirm_conflicts,
    )
    appointment = _new_row(
        actor=actor,
        client=client,
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        location=location,
        telehealth_link=telehealth_link,
        interventions=interventions,
    )
    _record(
        actor,
        appointment,
        AuditAction.CREATE,
        f"Appointment booked for {_when(client.team, starts_at)}",
    )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client", "team", "client__team")
        .get(pk=appointment.pk)
    )


def _require(appointment: Appointment, allowed: Sequence[str], doing: str) -> None:
    if appointment.status not in allowed:
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()}: "
            f"it cannot be {doing}.",
            field="status",
        )


def _set_status(actor: User, appointment: Appointment, status: str, *fields: str) -> Appointment:
    appointment.status = status
    appointment.status_changed_at = timezone.now()
    appointment.status_changed_by = actor
    appointment.edit_version += 1
    if status != AppointmentStatus.SCHEDULED:
        appointment.remind_at = None  # no reminder for what is no longer ahead
    appointment.save(
        update_fields=[
            "status",
            "status_changed_at",
            "status_changed_by",
            "edit_version",
            "remind_at",
            "updated_at",
            *fields,
        ]
    )
    return appointment


@transaction.atomic
def appointment_check_in(*, actor: User, appointment: Appointment) -> Appointment:
    """The client has arrived (scheduled -> checked in)."""
    current = _locked(appointment)
    _require(current, [AppointmentStatus.SCHEDULED], "checked in")
    current.checked_in_at = timezone.now()
    _set_status(actor, current, AppointmentStatus.CHECKED_IN, "checked_in_at")
    _record(actor, current, AuditAction.UPDATE, "Checked in", status=current.status)
    return current


@transaction.atomic
def appointment_complete(*, actor: User, appointment: Appointment) -> Appointment:
    """The visit happened (scheduled or checked in -> completed). The caller then opens
    the contact note, prefilled (``note_prefill``); a signed note of it is a visit for the
    HEDIS follow-up windows (``referrals.windows``)."""
    current = _locked(appointment)
    _require(current, OPEN_STATUSES, "completed")
    if current.starts_at > timezone.now():
        raise Conflict(
            "This appointment has not started yet: it cannot be completed.", field="status"
        )
    _set_status(actor, current, AppointmentStatus.COMPLETED)
    _record(actor, current, AuditAction.UPDATE, "Appointment completed", status=current.status)
    return current


def _assignee(appointment: Appointment) -> User | None:
    """Who follows up: the client's primary case manager, else the first staff member."""
    if appointment.client.primary_case_manager_id is not None:
        return appointment.client.primary_case_manager
    first = (
        AppointmentStaff.objects.filter(appointment=appointment)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return first.user if first is not None else None


@transaction.atomic
def appointment_no_show(*, actor: User, appointment: Appointment) -> Appointment:
    """The client did not come (scheduled -> no-show). A follow-up for the assignee:
    "No-show on 3 Dec: reach the client within 2 days" (business days, the team's
    holidays skipped). Two no-shows in a row put the client on the supervisor's
    attention list (``selectors.clients_with_consecutive_no_shows``)."""
    current = _locked(appointment)
    _require(current, [AppointmentStatus.SCHEDULED], "marked as a no-show")
    if current.starts_at > timezone.now():
        raise Conflict(
            "This appointment has not started yet: it cannot be a no-show.", field="status"
        )
    _set_status(actor, current, AppointmentStatus.NO_SHOW)
    team = current.team
    day = _local_day(team, current.starts_at)
    today = team.local_date()
    holidays = team.public_holidays(range(today.year, today.year + 2))
    due = add_business_days(max(today, day), NO_SHOW_REACH_DAYS, holidays)
    followup_create(
        actor=actor,
        client=current.client,
        assignee=_assignee(current),
        reason=FollowUpReason.GENERAL,
        title=f"No-show on {day.day} {day:%b}: reach the client within {NO_SHOW_REACH_DAYS} days",
        due_on=due,
    )
    _record(actor, current, AuditAction.UPDATE, f"No-show on {day:%Y-%m-%d}", status=current.status)
    return current


@transaction.atomic
def appointment_cancel(
    *, actor: User, appointment: Appointment, by: str, reason: str
) -> Appointment:
    """Cancel (by the client or by staff), with the reason."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if by not in ("client", "staff"):
        _err(errors, "by", "Say who cancelled: the client or staff.")
    if not reason:
        _err(errors, "cancellation_reason", "Give the reason for the cancellation.")
    if errors:
        raise ValidationError(errors)
    current = _locked(appointment)
    _require(current, OPEN_STATUSES, "cancelled")
    status = (
        AppointmentStatus.CANCELLED_CLIENT if by == "client" else AppointmentStatus.CANCELLED_STAFF
    )
    current.cancellation_reason = reason
    _set_status(actor, current, status, "cancellation_reason")
    _record(actor, current, AuditAction.UPDATE, current.get_status_display(), status=status)
    return current


def staff_of(appointment: Appointment) -> list[User]:
    return [
        row.user
        for row in AppointmentStaff.objects.filter(appointment=appointment)
        .select_related("user")
        .order_by("pk")
    ]


@transaction.atomic
def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    starts_at: datetime | None,
    ends_at: datetime | None,
    staff: Sequence[User] | None = None,
    confirm_conflicts: bool = False,
) -> Appointment:
    """Move one appointment (one occurrence of a series, the others untouched): the old
    row becomes "rescheduled" and names the new one, which keeps the series and the
    slot the rule gave it. Returns the new appointment."""
    current = _locked(appointment)
    _require(current, [AppointmentStatus.SCHEDULED], "rescheduled")
    people = list(dict.fromkeys(staff)) if staff is not None else staff_of(current)
    interventions = list(current.interventions.select_related("goal__plan"))
    errors = validate_details(
        client=current.client,
        staff=people,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=current.kind,
        location=current.location,
        telehealth_link=current.telehealth_link,
        interventions=interventions,
    )
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    check_conflicts(
        team=current.team,
        client_id=current.client_id,
        staff=people,
        slots=[(starts_at, ends_at)],
        confirm=confirm_conflicts,
        exclude_ids=[current.pk],
    )
    _set_status(actor, current, AppointmentStatus.RESCHEDULED)
    moved = _new_row(
        actor=actor,
        client=current.client,
        staff=people,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=current.kind,
        location=current.location,
        telehealth_link=current.telehealth_link,
        interventions=interventions,
        recurrence=current.recurrence,
        occurrence_starts_at=current.occurrence_starts_at,
    )
    current.rescheduled_to = moved
    current.save(update_fields=["rescheduled_to"])
    _record(
        actor,
        moved,
        AuditAction.UPDATE,
        f"Appointment moved from {_when(current.team, current.starts_at)} to "
        f"{_when(current.team, starts_at)}",
        rescheduled_from=current.pk,
    )
    return moved


UPDATABLE = ("kind", "location", "telehealth_link")


@transaction.atomic
def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    kind: str | None = None,
    location: str | None = None,
    telehealth_link: str | None = None,
    interventions: Sequence[Intervention] | None = None,
) -> Appointment:
    """Change what an open appointment is (not when: that is ``appointment_reschedule``)."""
    current = _locked(appointment)
    _require(current, OPEN_STATUSES, "changed")
    values = {
        "kind": current.kind if kind is None else kind,
        "location": current.location if location is None else location,
        "telehealth_link": (
            current.telehealth_link if telehealth_link is None else telehealth_link.strip()
        ),
    }
    errors = validate_details(
        client=current.client,
        staff=staff_of(current),
        starts_at=current.starts_at,
        ends_at=current.ends_at,
        interventions=list(interventions or []),
        **values,
    )
    errors.pop("starts_at", None)  # a past appointment may still be corrected
    errors.pop("client", None)
    if errors:
        raise ValidationError(errors)
    changed = [f for f in UPDATABLE if getattr(current, f) != values[f]]
    for name in changed:
        setattr(current, name, values[name])
    if changed:
        current.edit_version += 1
        current.save(update_fields=[*changed, "edit_version", "updated_at"])
    if interventions is not None:
        current.interventions.set(interventions)
        changed.append("interventions")
    if changed:
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=current,
            client_id=current.client_id,
            detail={"fields": changed},
        )
    return current


def note_prefill(appointment: Appointment) -> dict[str, Any]:
    """What the contact note of a completed appointment starts with: the date and time,
    the type (telehealth: video; phone: phone; else in person), the duration, and the
    goals addressed (the linked care-plan interventions' goals) in the data section."""
    types: dict[str, str] = {
        AppointmentLocation.TELEHEALTH: "video",
        AppointmentLocation.PHONE: "phone",
    }
    contact_type = types.get(appointment.location, "in_person")
    goals = list(
        dict.fromkeys(
            i.goal.text.strip()
            for i in appointment.interventions.select_related("goal").order_by("pk")
        )
    )
    data = ""
    if goals:
        data = "Goals addressed:\n" + "\n".join(f"- {g}" for g in goals) + "\n\n"
    return {
        "contact_at": min(appointment.starts_at, timezone.now()),
        "contact_type": contact_type,
        "duration_minutes": max(1, min(appointment.duration_minutes, 600)),
        "data": data,
    }


@transaction.atomic
def appointment_note_write(*, actor: User, appointment: Appointment, values: dict[str, Any]) -> Any:
    """Write the (draft) contact note of a completed appointment and link it."""
    from clients.services import note_create

    current = _locked(appointment)
    _require(current, [AppointmentStatus.COMPLETED], "documented")
    if current.contact_note_id is not None:
        raise Conflict("This appointment already has its note.", field="contact_note")
    note = note_create(actor=actor, client=current.client, **values)
    current.contact_note = note
    current.save(update_fields=["contact_note", "updated_at"])
    return note
