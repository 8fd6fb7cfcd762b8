"""Writes of groups: create a group (and plan its sessions), add and remove members, take
a session's attendance with its group note, sign the notes together, cancel a session,
and family sessions (appointments with related persons attending).

Every write is one transaction: a refusal (a member over capacity, a note for a client
not in the group, a note naming another member, a related person without a covering
consent) raises before anything is saved, and nothing is half-saved.

Privacy of group notes (HIPAA minimum necessary, 45 CFR 164.502(b); 42 CFR 2.13: a
patient's record identifies no other patient): each attending member's chart gets a
note of its own holding the shared part and the line about that member. The shared
part, the topic and each member's line are refused when they name another member (their
legal, preferred or last name as a word), so no client's record or print names another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from careplans.models import Intervention
from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import staff_list
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from clients.models import Client, ClientStatus, ContactNote, ContactType, RelatedPerson
from clients.selectors import client_has_substance_use_diagnosis, related_person_disclosure_check
from clients.services import note_create, note_sign, timeline_record
from referrals.models import FollowUpReason
from referrals.services import followup_create
from scheduling.models import Appointment, AppointmentKind, AppointmentLocation
from scheduling.services import appointment_create

from .models import (
    ATTENDED,
    GROUP_COMPONENTS,
    MAX_CAPACITY,
    AttendanceStatus,
    FamilySessionAttendee,
    Group,
    GroupMembership,
    GroupSession,
    SessionAttendance,
    SessionStatus,
)

PLAN_WEEKS = 12  # sessions are written this far ahead (``group_sessions_plan``)
MAX_SESSIONS_PLANNED = 100
ABSENT_REACH_DAYS = 2
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
CONTACT_TYPES: dict[str, str] = {AppointmentLocation.TELEHEALTH: ContactType.VIDEO}


def _err(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _day(team: Team, moment: datetime) -> str:
    local = timezone.localtime(moment, team.zone)
    return f"{local:%b} {local.day}, {local:%Y}"


# ------------------------------------------------------------------------------ groups
def _rule(rule: str, first_local: datetime) -> rrule:
    text = (rule or "").strip().removeprefix("RRULE:")
    if "DTSTART" in text.upper() or "\n" in text:
        raise ValidationError(
            {"schedule_rule": ["Give only the RRULE, e.g. FREQ=WEEKLY;BYDAY=TU."]}
        )
    try:
        parsed = rrulestr(text, dtstart=first_local)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError({"schedule_rule": [f"Not an RFC 5545 rule: {exc}."]}) from None
    freq = re.search(r"FREQ=(\w+)", text.upper())
    if (
        not isinstance(parsed, rrule)
        or freq is None
        or freq[1] not in ("DAILY", "WEEKLY", "MONTHLY")
    ):
        raise ValidationError(
            {"schedule_rule": ["A group meets daily, weekly or monthly at most often."]}
        )
    return parsed


@transaction.atomic
def group_create(
    *,
    actor: User,
    team: Team,
    name: str,
    facilitators: Sequence[User],
    capacity: int,
    iddt_component: str = "group",
    description: str = "",
    location: str = AppointmentLocation.OFFICE,
    first_starts_at: datetime | None = None,
    schedule_rule: str = "",
    duration_minutes: int = 90,
) -> Group:
    """A group of ``team``, led by ``facilitators`` (active staff in the actor's teams).
    With ``first_starts_at`` its first session is written; with ``schedule_rule`` too (an
    RFC 5545 RRULE, e.g. ``FREQ=WEEKLY;BYDAY=TU``) the sessions of the next
    ``PLAN_WEEKS`` weeks, in the team's wall-clock time."""
    name, description = " ".join((name or "").split()), (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        _err(errors, "name", "Name the group, e.g. Dual Recovery Group.")
    if iddt_component not in [c.value for c in GROUP_COMPONENTS]:
        _err(errors, "iddt_component", "Choose the IDDT component the group delivers.")
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        _err(errors, "capacity", f"The capacity is between 1 and {MAX_CAPACITY} members.")
    if location not in AppointmentLocation.values:
        _err(errors, "location", "Choose where the group meets.")
    if not isinstance(duration_minutes, int) or not 15 <= duration_minutes <= 480:
        _err(errors, "duration_minutes", "A session lasts 15 minutes to 8 hours.")
    facilitators = list(dict.fromkeys(facilitators))
    allowed = set(staff_list(user=actor).values_list("pk", flat=True))
    if not facilitators:
        _err(errors, "facilitators", "Choose at least one facilitator.")
    for user in facilitators:
        if user.pk not in allowed:
            _err(errors, "facilitators", f"{user.display_name} is not active staff in your teams.")
    if schedule_rule and first_starts_at is None:
        _err(errors, "first_starts_at", "Give the first session's date and time.")
    if first_starts_at is not None and timezone.is_naive(first_starts_at):
        _err(errors, "first_starts_at", "Give the first session with a time zone.")
    if schedule_rule and first_starts_at is not None and not timezone.is_naive(first_starts_at):
        try:
            _rule(
                schedule_rule, timezone.localtime(first_starts_at, team.zone).replace(tzinfo=None)
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    group = Group.objects.create(
        team=team,
        name=name,
        description=description,
        iddt_component=iddt_component,
        capacity=capacity,
        location=location,
        first_starts_at=first_starts_at,
        schedule_rule=(schedule_rule or "").strip().removeprefix("RRULE:"),
        duration_minutes=duration_minutes,
        created_by=actor,
    )
    group.facilitators.set(facilitators)
    audit_record(user=actor, action=AuditAction.CREATE, obj=group)
    group_sessions_plan(actor=actor, group=group)
    return group


@transaction.atomic
def group_sessions_plan(*, actor: User, group: Group, now: datetime | None = None) -> int:
    """Write the group's sessions from its schedule up to ``PLAN_WEEKS`` weeks ahead
    (a session already there is kept: run twice, it writes nothing twice). Returns how
    many were written."""
    if group.first_starts_at is None or not group.is_active:
        return 0
    zone: ZoneInfo = group.team.zone
    now = now or timezone.now()
    through = now + timedelta(weeks=PLAN_WEEKS)
    first_local = timezone.localtime(group.first_starts_at, zone).replace(tzinfo=None)
    starts: list[datetime] = []
    if group.schedule_rule:
        through_local = through.astimezone(zone).replace(tzinfo=None)
        for local in _rule(group.schedule_rule, first_local):
            if local > through_local or len(starts) >= MAX_SESSIONS_PLANNED:
                break
            starts.append(local.replace(tzinfo=zone))
    else:
        starts = [group.first_starts_at]
    have = set(group.sessions.values_list("starts_at", flat=True))
    length = timedelta(minutes=group.duration_minutes)
    facilitators = list(group.facilitators.all())
    written = 0
    for start in starts:
        if start in have:
            continue
        session = GroupSession.objects.create(
            group=group, starts_at=start, ends_at=start + length, created_by=actor
        )
        session.facilitators.set(facilitators)
        written += 1
    return written


def group_sessions_extend(*, now: datetime | None = None) -> int:
    """Beat: plan every active scheduled group's sessions up to ``PLAN_WEEKS`` ahead
    (each group in its own transaction; a session already written is kept). Returns the
    number written. The sessions' author is the group's creator."""
    written = 0
    groups = Group.objects.filter(ended_on__isnull=True, first_starts_at__isnull=False).exclude(
        schedule_rule=""
    )
    for group in groups.select_related("team", "created_by"):
        written += group_sessions_plan(actor=group.created_by, group=group, now=now)
    return written


@transaction.atomic
def group_session_add(
    *, actor: User, group: Group, starts_at: datetime | None, duration_minutes: int | None = None
) -> GroupSession:
    """One extra session (outside the schedule)."""
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": ["Give the session's date and time."]})
    minutes = duration_minutes or group.duration_minutes
    if not 15 <= minutes <= 480:
        raise ValidationError({"duration_minutes": ["A session lasts 15 minutes to 8 hours."]})
    if not group.is_active:
        raise Conflict("This group has ended: it has no new sessions.", field="starts_at")
    if group.sessions.filter(starts_at=starts_at).exists():
        raise ValidationError({"starts_at": ["The group already meets at that time."]})
    session = GroupSession.objects.create(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        created_by=actor,
    )
    session.facilitators.set(list(group.facilitators.all()))
    audit_record(user=actor, action=AuditAction.CREATE, obj=session)
    return session


# ----------------------------------------------------------------------------- members
@transaction.atomic
def group_member_add(
    *, actor: User, group: Group, client: Client, joined_on: date | None = None
) -> GroupMembership:
    """Add a client of the group's team (in the actor's reach: the caller fetched it
    through ``client_get``). Refused when the group is full (its capacity counts the
    members who have not left), when the client is already a member, discharged, or of
    another team. The member's chart shows it on the timeline."""
    locked = Group.objects.select_for_update().select_related("team").get(pk=group.pk)
    today = locked.team.local_date()
    joined_on = joined_on or today
    errors: dict[str, list[str]] = {}
    if not locked.is_active:
        _err(errors, "group", "This group has ended.")
    if client.team_id != locked.team_id:
        _err(errors, "client", "Only clients of the group's team can join it.")
    elif client.status == ClientStatus.DISCHARGED:
        _err(errors, "client", "The client is discharged.")
    if joined_on > today:
        _err(errors, "joined_on", "The join date cannot be in the future.")
    if locked.memberships.filter(client=client, left_on__isnull=True).exists():
        _err(errors, "client", f"{client.display_name} is already a member.")
    active = locked.memberships.filter(left_on__isnull=True).count()
    if active >= locked.capacity:
        _err(
            errors,
            "client",
            f"The group is full: {active} of {locked.capacity} places are taken. Someone "
            "must leave, or the capacity be raised, first.",
        )
    if errors:
        raise ValidationError(errors)
    membership = GroupMembership.objects.create(
        group=locked, client=client, joined_on=joined_on, added_by=actor
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=membership, client_id=client.pk)
    timeline_record(
        client=client,
        kind="group",
        summary=f"Joined the group {locked.name}",
        actor=actor,
        obj=membership,
    )
    return membership


@transaction.atomic
def group_member_leave(
    *, actor: User, membership: GroupMembership, reason: str, left_on: date | None = None
) -> GroupMembership:
    """End a membership (kept as history), with the reason."""
    current = (
        GroupMembership.objects.select_for_update(of=("self",))
        .select_related("group__team")
        .get(pk=membership.pk)
    )
    if current.left_on is not None:
        raise Conflict(f"Already left the group on {current.left_on:%Y-%m-%d}.", field="left_on")
    today = current.group.team.local_date()
    left_on = left_on or today
    reason = " ".join((reason or "").split())
    errors: dict[str, list[str]] = {}
    if not reason:
        _err(errors, "reason", "Say why the member leaves (e.g. finished the cycle).")
    if left_on > today:
        _err(errors, "left_on", "The date cannot be in the future.")
    elif left_on < current.joined_on:
        _err(errors, "left_on", "The date cannot be before the member joined.")
    if errors:
        raise ValidationError(errors)
    current.left_on, current.left_reason = left_on, reason[:255]
    current.save(update_fields=["left_on", "left_reason"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"fields": ["left_on", "left_reason"]},
    )
    timeline_record(
        client=current.client_id,
        kind="group",
        summary=f"Left the group {current.group.name}",
        actor=actor,
        obj=current,
    )
    return current


# --------------------------------------------------------------------------- attendance
def _names(client: Client) -> set[str]:
    """The words that name ``client``: legal and preferred first names, last name, and
    the full names."""
    names = {client.first_name, client.last_name, client.preferred_name}
    names |= {client.display_name, client.legal_name}
    return {n.strip() for n in names if n and len(n.strip()) >= 2}


def _named(text: str, names: set[str]) -> list[str]:
    found = []
    for name in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE):
            found.append(name)
    return found


@dataclass(frozen=True)
class AttendanceEntry:
    """What the facilitator records for one member: a status and, for a member who
    attended, a line about them (their own chart only)."""

    status: str
    line: str = ""


def _interventions_for(client_ids: list[int], component: str, day: date) -> dict[int, list[int]]:
    """Each client's care-plan interventions of ``component`` in effect on ``day``, from
    the plan in force (active): what attending the group delivers."""
    rows = Intervention.objects.filter(
        goal__plan__client_id__in=client_ids,
        goal__plan__status="active",
        category=component,
        start_date__lte=day,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
    found: dict[int, list[int]] = {}
    for pk, client_id in rows.values_list("pk", "goal__plan__client_id"):
        found.setdefault(client_id, []).append(pk)
    return found


def _note_text(group: Group, session: GroupSession, shared_data: str, line: str) -> str:
    head = f"{group.name} ({group.get_iddt_component_display()}), group session"
    if session.topic:
        head += f": {session.topic}"
    parts = [head + ".", shared_data]
    if line:
        parts.append(f"This member: {line}")
    return "\n\n".join(p for p in parts if p)


@transaction.atomic
def group_session_record(
    *,
    actor: User,
    session: GroupSession,
    attendance: Mapping[int, AttendanceEntry],
    shared_data: str,
    shared_assessment: str,
    shared_plan: str,
    topic: str = "",
    sign: bool = False,
) -> GroupSession:
    """Take the session's attendance (``attendance``: client id -> status and line, one
    for every member on the session's day) and write the group note once: each member
    who attended (present or left early) gets a contact note of their own, in person (or
    video for a telehealth group), holding the shared part and their line, with their
    care-plan interventions of the group's IDDT component linked to the attendance. An
    absent member gets a follow-up to reach them within 2 business days. With ``sign``
    the notes are signed together (the actor is their author).

    Refused, nothing saved: a session not started, cancelled or already taken; a client
    who is not a member that day ("a group note for a client not in the group"); a member
    left out; a shared part or line naming another member."""
    current = (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("group__team")
        .get(pk=session.pk)
    )
    group = current.group
    team = group.team
    if current.status == SessionStatus.CANCELLED:
        raise Conflict("This session was cancelled: it has no attendance.", field="status")
    if current.status == SessionStatus.HELD:
        raise Conflict(
            f"Attendance was already taken on "
            f"{_day(team, current.recorded_at or current.starts_at)}: correct a member's note "
            "with an addendum.",
            field="status",
        )
    if current.starts_at > timezone.now():
        raise Conflict("This session has not started yet.", field="status")
    day = team.local_date(current.starts_at)
    members = {
        m.client_id: m.client
        for m in group.memberships.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("client__team", "client__primary_case_manager")
    }
    shared_data, shared_assessment = (shared_data or "").strip(), (shared_assessment or "").strip()
    shared_plan, topic = (shared_plan or "").strip(), " ".join((topic or "").split())[:200]
    errors: dict[str, list[str]] = {}
    strangers = sorted(set(attendance) - set(members))
    if strangers:
        known = {
            c.pk: c.display_name
            for c in Client.objects.filter(pk__in=strangers).only(
                "pk", "first_name", "preferred_name", "last_name"
            )
        }
        who = ", ".join(known.get(pk, f"client {pk}") for pk in strangers)
        _err(
            errors,
            "attendance",
            f"Not a member of {group.name} on {day:%Y-%m-%d}: {who}. Add them to the group "
            "first; a group note goes only to its members.",
        )
    missing = [c.display_name for pk, c in members.items() if pk not in attendance]
    if missing:
        _err(errors, "attendance", f"Take everyone's attendance: {', '.join(missing)}.")
    if not members:
        _err(errors, "attendance", "The group had no members on that day.")
    for entry in attendance.values():
        if entry.status not in AttendanceStatus.values:
            _err(errors, "attendance", "Choose present, left early, excused or absent.")
            break
    attended = [pk for pk, e in attendance.items() if pk in members and e.status in ATTENDED]
    if attended:
        if not shared_data:
            _err(errors, "shared_data", "Describe the session (data): what was covered, how.")
        if not shared_assessment:
            _err(errors, "shared_assessment", "Give the assessment of the session.")
        if not shared_plan:
            _err(errors, "shared_plan", "Say what happens next (plan).")
    every_name = set().union(*(_names(c) for c in members.values())) if members else set()
    for field, text in (
        ("shared_data", shared_data),
        ("shared_assessment", shared_assessment),
        ("shared_plan", shared_plan),
        ("topic", topic),
    ):
        if named := _named(text, every_name):
            _err(
                errors,
                field,
                f"The shared part goes into every member's chart: it must name no member "
                f"(found: {', '.join(named)}). Write about the member in their own line.",
            )
    for pk, entry in attendance.items():
        if pk not in members:
            continue
        others = set().union(*(_names(c) for o, c in members.items() if o != pk))
        own = _names(members[pk])
        if named := [n for n in _named(entry.line or "", others) if n not in own]:
            _err(
                errors,
                f"line_{pk}",
                f"The line about {members[pk].display_name} names another member "
                f"({', '.join(named)}): it goes into their chart only.",
            )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    links = _interventions_for(attended, group.iddt_component, day)
    contact_type = CONTACT_TYPES.get(group.location, ContactType.IN_PERSON)
    for pk in sorted(attendance, key=lambda k: members[k].last_name):
        entry, client = attendance[pk], members[pk]
        note: ContactNote | None = None
        if entry.status in ATTENDED:
            line = (entry.line or "").strip()
            if entry.status == AttendanceStatus.LEFT_EARLY and not line:
                line = "Left the session early."
            note = note_create(
                actor=actor,
                client=client,
                contact_at=min(current.starts_at, now),
                contact_type=contact_type,
                duration_minutes=max(1, min(current.duration_minutes, 600)),
                data=_note_text(group, current, shared_data, line),
                assessment=shared_assessment,
                plan=shared_plan,
            )
        row = SessionAttendance.objects.create(
            session=current,
            client=client,
            status=entry.status,
            client_line=(entry.line or "").strip(),
            note=note,
            recorded_by=actor,
        )
        if note is not None and links.get(pk):
            row.interventions.set(links[pk])
        audit_record(
            user=actor,
            action=AuditAction.CREATE,
            obj=row,
            client_id=pk,
            detail={"status": entry.status, "session": current.pk},
        )
        timeline_record(
            client=client,
            kind="group",
            summary=f"{group.name} on {_day(team, current.starts_at)}: "
            f"{AttendanceStatus(entry.status).label.lower()}",
            actor=actor,
            obj=row,
        )
        if entry.status == AttendanceStatus.ABSENT:
            local = team.local_date(current.starts_at)
            followup_create(
                actor=actor,
                client=client,
                assignee=client.primary_case_manager,
                reason=FollowUpReason.GENERAL,
                title=f"Missed {group.name} on {local.day} {local:%b}: reach the client "
                f"within {ABSENT_REACH_DAYS} days",
                due_on=_business_days(team, max(team.local_date(), local), ABSENT_REACH_DAYS),
            )
    current.status = SessionStatus.HELD
    current.topic = topic
    current.shared_data, current.shared_assessment = shared_data, shared_assessment
    current.shared_plan = shared_plan
    current.recorded_by, current.recorded_at = actor, now
    current.save(
        update_fields=[
            "status",
            "topic",
            "shared_data",
            "shared_assessment",
            "shared_plan",
            "recorded_by",
            "recorded_at",
        ]
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        detail={"verb": "record", "attended": len(attended), "members": len(members)},
    )
    if sign:
        group_session_sign(actor=actor, session=current)
    return current


def _business_days(team: Team, start: date, days: int) -> date:
    from casemgmt.lib.dates import add_business_days

    holidays = team.public_holidays(range(start.year, start.year + 2))
    return add_business_days(start, days, holidays)


@transaction.atomic
def group_session_sign(*, actor: User, session: GroupSession) -> GroupSession:
    """Sign every draft note of the session together (their author, the facilitator who
    took attendance). One refused (e.g. by another author) refuses all: none is signed."""
    current = GroupSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if current.status != SessionStatus.HELD:
        raise Conflict("Take the attendance first: there are no notes to sign.", field="status")
    notes = list(
        ContactNote.objects.filter(group_attendance__session=current, signed_at__isnull=True)
        .select_related("author")
        .order_by("pk")
    )
    others = sorted({n.author.display_name for n in notes if n.author_id != actor.pk})
    if others:
        raise Conflict(
            f"Only the author signs a note: {', '.join(others)} wrote these.", field="status"
        )
    for note in notes:
        note_sign(actor=actor, note=note)
    current.signed_at = timezone.now()
    current.save(update_fields=["signed_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        detail={"verb": "sign", "notes": len(notes)},
    )
    return current


@transaction.atomic
def group_session_cancel(*, actor: User, session: GroupSession, reason: str) -> GroupSession:
    current = GroupSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["Say why the session is cancelled."]})
    if current.status != SessionStatus.SCHEDULED:
        raise Conflict(
            f"This session is {current.get_status_display().lower()}: it cannot be cancelled.",
            field="status",
        )
    current.status, current.cancel_reason = SessionStatus.CANCELLED, reason[:255]
    current.save(update_fields=["status", "cancel_reason"])
    audit_record(user=actor, action=AuditAction.UPDATE, obj=current, detail={"verb": "cancel"})
    return current


# ----------------------------------------------------------------------- family sessions
@transaction.atomic
def family_session_create(
    *,
    actor: User,
    client: Client,
    related_persons: Sequence[RelatedPerson],
    staff: Sequence[User],
    starts_at: datetime | None,
    ends_at: datetime | None,
    location: str,
    telehealth_link: str = "",
    interventions: Sequence[Intervention] = (),
    confirm_conflicts: bool = False,
    discloses_substance_use: bool | None = None,
) -> Appointment:
    """Book a family session: an appointment of kind family session
    (``scheduling.services.appointment_create``: conflicts, reminders, audit) with the
    client's related persons attending. A family session shares the client's
    information with them, so each needs a consent covering them on the day
    (``clients.selectors.related_person_disclosure_check``; substance use information
    presumed shared when the client has a substance use diagnosis): without one the
    booking is refused on ``related_persons`` with the reason, nothing saved."""
    people = list(dict.fromkeys(related_persons))
    errors: dict[str, list[str]] = {}
    if not people:
        _err(errors, "related_persons", "Choose who of the family attends.")
    shares = (
        client_has_substance_use_diagnosis(client=client)
        if discloses_substance_use is None
        else discloses_substance_use
    )
    consents = {}
    for person in people:
        if person.client_id != client.pk:
            _err(errors, "related_persons", "Choose people related to this client.")
            continue
        person.client = client
        check = related_person_disclosure_check(person=person, substance_use=shares, when=starts_at)
        if not check.allowed:
            _err(errors, "related_persons", f"Not booked: {check.reason}")
        consents[person.pk] = check.consent
    if errors:
        raise ValidationError(errors)
    appointment = appointment_create(
        actor=actor,
        client=client,
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=AppointmentKind.FAMILY_SESSION,
        location=location,
        telehealth_link=telehealth_link,
        interventions=interventions,
        confirm_conflicts=confirm_conflicts,
    )
    for person in people:
        FamilySessionAttendee.objects.create(
            appointment=appointment,
            related_person=person,
            consent=consents[person.pk],
            added_by=actor,
        )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=appointment,
        client_id=client.pk,
        detail={"family_attendees": [p.pk for p in people]},
    )
    return appointment
