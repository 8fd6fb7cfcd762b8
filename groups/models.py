"""Treatment groups, their members and sessions, attendance, and family sessions.

IDDT names group treatment and family psychoeducation among its components (SAMHSA,
"Integrated Treatment for Co-Occurring Disorders" Evidence-Based Practices KIT, 2009). A
``Group`` ("Dual Recovery Group", "Seeking Safety") belongs to a team, has facilitators,
a weekly or fortnightly schedule (an RFC 5545 rule), a capacity and members with join
and leave dates. Each ``GroupSession`` takes attendance once; the group note is written
once and every attending member's chart gets a contact note of its own (the shared part
plus a line about that member), never naming the other members.

Nothing here is deleted: members leave (``left_on``), sessions are cancelled, groups end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from careplans.models import InterventionCategory
from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH
from scheduling.models import AppointmentLocation

if TYPE_CHECKING:
    from casemgmt.accounts.models import User

USER = settings.AUTH_USER_MODEL

#: The IDDT components a group can deliver (InterventionCategory values): a member's
#: care-plan interventions of the group's component are linked to their attendance.
GROUP_COMPONENTS = [
    InterventionCategory.GROUP_TREATMENT,
    InterventionCategory.FAMILY_PSYCHOEDUCATION,
    InterventionCategory.SELF_HELP,
    InterventionCategory.RELAPSE_PREVENTION,
    InterventionCategory.HEALTH_PROMOTION,
    InterventionCategory.MOTIVATIONAL_INTERVIEWING,
    InterventionCategory.SUBSTANCE_ABUSE_COUNSELLING,
    InterventionCategory.CBT,
    InterventionCategory.DBT,
    InterventionCategory.PEER_SUPPORT,
]
MAX_CAPACITY = 40


class Group(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    iddt_component = models.CharField(
        "IDDT component",
        max_length=30,
        choices=[(c.value, c.label) for c in GROUP_COMPONENTS],
        default=InterventionCategory.GROUP_TREATMENT,
    )
    facilitators: models.ManyToManyField[User, Any] = models.ManyToManyField(USER, related_name="+")
    capacity = models.PositiveSmallIntegerField(help_text="Most members at one time.")
    location = models.CharField(
        max_length=20, choices=AppointmentLocation.choices, default=AppointmentLocation.OFFICE
    )
    # The schedule: an RFC 5545 RRULE from the first session, in the team's wall-clock
    # time; sessions are rows written ahead (``groups.services.group_sessions_plan``).
    schedule_rule = models.CharField(max_length=200, blank=True)
    first_starts_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    # Not a column: set by groups.views.group_index (``active_member_count`` is an
    # annotation of groups.selectors.group_list).
    next_session: GroupSession | None

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY), name="group_capacity"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="group_duration",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    left_reason = models.CharField(max_length=255, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "client"],
                condition=Q(left_on__isnull=True),
                name="group_member_once",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="group_member_dates",
            ),
        ]
        indexes = [models.Index(fields=["client", "group"], name="group_member_client")]

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held (attendance taken)"
    CANCELLED = "cancelled", "Cancelled"


class GroupSession(models.Model):
    """One meeting of a group: attendance is taken once, and the group note (the shared
    part, written once) goes into each attending member's own contact note."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    facilitators: models.ManyToManyField[User, Any] = models.ManyToManyField(USER, related_name="+")
    topic = models.CharField(max_length=200, blank=True)
    shared_data = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    shared_assessment = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    shared_plan = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    cancel_reason = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "starts_at"], name="group_session_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="group_session_ends"
            ),
        ]
        indexes = [models.Index(fields=["group", "starts_at"], name="group_session_time")]

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LEFT_EARLY = "left_early", "Left early"
    EXCUSED = "excused", "Excused"
    ABSENT = "absent", "Absent"


#: Who attended: they get a contact note, and it counts as group treatment received.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LEFT_EARLY)


class SessionAttendance(models.Model):
    """One member at one session: present, left early, excused or absent; for those who
    attended, their own contact note and the care-plan interventions it delivered."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendance")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    client_line = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    note = models.OneToOneField(
        "clients.ContactNote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_attendance",
    )
    interventions = models.ManyToManyField("careplans.Intervention", related_name="+", blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "client"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(note__isnull=True) | Q(status__in=["present", "left_early"]),
                name="attendance_note_only_attended",
            ),
        ]
        indexes = [models.Index(fields=["client", "session"], name="attendance_client")]

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


class FamilySessionAttendee(models.Model):
    """A related person at a family session (an appointment of kind family session):
    the many-to-many from ``scheduling.Appointment`` to ``clients.RelatedPerson``, with the
    consent that covered sharing with them on the day."""

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="family_attendees"
    )
    related_person = models.ForeignKey(
        "clients.RelatedPerson", on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(
        "clients.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appointment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "related_person"], name="family_attendee_once"
            )
        ]
