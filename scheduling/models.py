"""Appointments and their recurrences, calendar feeds, reminder records.

Times are stored in UTC (``starts_at``, ``ends_at``) and shown in the time zone of the
appointment's team. A recurrence is an RFC 5545 rule (``dateutil.rrule``) whose
occurrences are ordinary ``Appointment`` rows, written up to a rolling horizon
(``RECURRENCE_HORIZON_DAYS``, extended by the beat task ``recurrences_extend``), so one
visit can be moved, cancelled or marked without touching the others.

Nothing here is deleted: an appointment is cancelled, marked no-show or rescheduled
(the old row stays, ``rescheduled_to`` names the new one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

if TYPE_CHECKING:
    from casemgmt.accounts.models import User

USER = settings.AUTH_USER_MODEL


class AppointmentKind(models.TextChoices):
    CASE_MANAGEMENT = "case_management", "Case management visit"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    THERAPY = "therapy", "Therapy"
    PEER_SUPPORT = "peer_support", "Peer support"
    GROUP = "group", "Group"
    FAMILY_SESSION = "family_session", "Family session"
    INTAKE = "intake", "Intake"
    OUTREACH = "outreach", "Outreach"
    COURT = "court", "Court"
    MEDICAL = "medical", "Medical"
    OTHER = "other", "Other"


class AppointmentLocation(models.TextChoices):
    OFFICE = "office", "Office"
    HOME = "home", "Client's home"
    COMMUNITY = "community", "Community"
    TELEHEALTH = "telehealth", "Telehealth (video)"
    PHONE = "phone", "Phone"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED_CLIENT = "cancelled_client", "Cancelled by client"
    CANCELLED_STAFF = "cancelled_staff", "Cancelled by staff"
    RESCHEDULED = "rescheduled", "Rescheduled"


#: The statuses an appointment can still leave; the others are final.
OPEN_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.CHECKED_IN)
CANCELLED_STATUSES = (AppointmentStatus.CANCELLED_CLIENT, AppointmentStatus.CANCELLED_STAFF)
#: What still takes up the people's time (conflicts, calendars, feeds).
BUSY_STATUSES = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


class Recurrence(models.Model):
    """A repeating appointment: an RFC 5545 RRULE (``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU``)
    expanded in the team's wall-clock time from ``first_starts_at`` (so 10:00 stays 10:00
    across daylight saving time). Its occurrences are ``Appointment`` rows written up to
    ``generated_until``. "This and following" ends this rule (``until``) and starts a new
    one (``previous`` points back)."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(
        max_length=200, help_text="RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU"
    )
    first_starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField()
    time_zone = models.CharField(max_length=64)
    until = models.DateTimeField(null=True, blank=True, help_text="No occurrence after this.")
    generated_until = models.DateTimeField(
        help_text="Occurrences exist up to this instant; beat extends it."
    )
    # What each new occurrence copies.
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    location = models.CharField(max_length=20, choices=AppointmentLocation.choices)
    telehealth_link = models.URLField(blank=True, max_length=500)
    staff: models.ManyToManyField[User, Any] = models.ManyToManyField(USER, related_name="+")
    interventions = models.ManyToManyField("careplans.Intervention", related_name="+", blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_starts_at", "id"]
        indexes = [
            models.Index(
                fields=["generated_until"],
                condition=Q(ended_at__isnull=True),
                name="recurrence_to_extend",
            )
        ]


class Appointment(models.Model):
    """One visit: a client, one or more staff members, a start and an end."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The client's team when booked: its calendar and time zone.",
    )
    staff: models.ManyToManyField[User, AppointmentStaff] = models.ManyToManyField(
        USER, through="AppointmentStaff", related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    location = models.CharField(max_length=20, choices=AppointmentLocation.choices)
    telehealth_link = models.URLField(blank=True, max_length=500)
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    cancellation_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    interventions = models.ManyToManyField("careplans.Intervention", related_name="+", blank=True)
    recurrence = models.ForeignKey(
        Recurrence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    occurrence_starts_at = models.DateTimeField(
        null=True, blank=True, help_text="The slot the rule gave (kept when the visit moves)."
    )
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_from"
    )
    contact_note = models.OneToOneField(
        "clients.ContactNote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
    )
    # Room for a group session (the groups app adds ``group_session`` beside ``client``).
    checked_in_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Reminder schedule: the instant the reminder is due (NULL: none left), and the
    # schedule it belongs to (one more with each move; a reminder is sent once per one).
    remind_at = models.DateTimeField(null=True, blank=True)
    schedule_version = models.PositiveIntegerField(default=1)
    edit_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: set by the selectors (the staff members, in booking order).
    staff_rows: list[AppointmentStaff]

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appt_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["recurrence", "occurrence_starts_at"],
                condition=Q(recurrence__isnull=False) & ~Q(status="rescheduled"),
                name="appt_one_row_per_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "starts_at"], name="appt_team_time"),
            models.Index(fields=["client", "starts_at"], name="appt_client_time"),
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False, status="scheduled"),
                name="appt_remind_due",
            ),
        ]

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def staff_names(self) -> str:
        return ", ".join(row.user.display_name for row in self.staff_rows)


class AppointmentStaff(models.Model):
    """A staff member at an appointment, with the appointment's times copied in, so that
    a person's week and the conflict check read one index (user, starts_at)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="staff_links"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "user"], name="appt_staff_once")
        ]
        indexes = [models.Index(fields=["user", "starts_at"], name="appt_staff_time")]


class ReminderAudience(models.TextChoices):
    STAFF = "staff", "Staff member"
    CLIENT_EMAIL = "client_email", "Client by email"
    CLIENT_SMS = "client_sms", "Client by SMS"


class AppointmentReminder(models.Model):
    """One reminder actually written for one schedule of one appointment and one
    audience: unique, so a reminder is sent once whatever retries happen."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    schedule_version = models.PositiveIntegerField()
    audience = models.CharField(max_length=20, choices=ReminderAudience.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "schedule_version", "audience"],
                name="appt_reminder_once",
            )
        ]


class ClientReminderConsent(models.Model):
    """Whether the client agreed to appointment reminders, and on which channels. No row:
    no reminders to the client."""

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="reminder_consent"
    )
    by_email = models.BooleanField(default=False)
    by_sms = models.BooleanField("by text message", default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)


class TeamCalendarSetting(models.Model):
    """A team's calendar options (configuration, Django admin)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    feed_shows_initials = models.BooleanField(
        "calendar feeds show client initials",
        default=False,
        help_text="Off: a staff member's iCalendar feed names no client at all.",
    )

    def __str__(self) -> str:
        return f"Calendar settings of {self.team}"


class CalendarFeed(models.Model):
    """A staff member's private iCalendar feed: the URL carries a token whose SHA-256
    digest is stored; revoking it (or making a new one) closes the old URL."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed"
            )
        ]
