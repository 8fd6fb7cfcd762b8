"""Resource directory, closed-loop referrals, care transitions, follow-ups and reminders.

See ../shared/DESIGN.md (referrals). Business rules live in ``referrals.services``; the
models hold the schema, choices, constraints and small properties.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

if TYPE_CHECKING:
    from .selectors import WindowStatus

USER = settings.AUTH_USER_MODEL


# ------------------------------------------------------------------------ directory
class ServiceCategory(models.TextChoices):
    HOUSING = "housing", "Housing"
    WITHDRAWAL = "withdrawal_management", "Withdrawal management"
    RESIDENTIAL = "residential", "Residential treatment"
    OUTPATIENT_SUD = "outpatient_sud", "Outpatient substance use treatment"
    MAT = "mat", "Medication for addiction treatment"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PRIMARY_CARE = "primary_care", "Primary care"
    PEER_SUPPORT = "peer_support", "Peer support"
    MUTUAL_HELP = "mutual_help", "Mutual-help groups"
    EMPLOYMENT = "employment", "Employment"
    LEGAL = "legal", "Legal"
    FOOD = "food", "Food"
    TRANSPORT = "transport", "Transport"
    OTHER = "other", "Other"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    TEMPORARILY_CLOSED = "temporarily_closed", "Temporarily closed"


class Organization(models.Model):
    """An organisation in the resource directory (HSDS ``organization``)."""

    hsds_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hsds_id"], condition=~Q(hsds_id=""), name="organization_hsds_id"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service an organisation offers (HSDS ``service`` with its location and phone)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services"
    )
    hsds_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    category = models.CharField(max_length=30, choices=ServiceCategory.choices)
    languages = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    eligibility = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    insurance_accepted = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    hours = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    waitlist = models.CharField(
        "waitlist or capacity", max_length=200, blank=True, help_text="e.g. 2 beds, 3-week wait"
    )
    last_verified_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hsds_id"], condition=~Q(hsds_id=""), name="service_hsds_id"
            )
        ]
        indexes = [
            models.Index(fields=["category", "status"], name="service_category"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization.name})"

    @property
    def verification_stale(self) -> bool:
        """Never verified, or not in the last year: call before referring."""
        from django.utils import timezone

        return self.last_verified_on is None or (
            (timezone.localdate() - self.last_verified_on).days > 365
        )


# ------------------------------------------------------------------------ referrals
class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    EMERGENT = "emergent", "Emergent (same day)"


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


class ReferralOutcome(models.TextChoices):
    GOT_SERVICE = "got_service", "Got the service"
    COULD_NOT_CONTACT = "could_not_contact", "Could not contact"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    NO_CAPACITY = "no_capacity", "No capacity"
    NO_LONGER_INTERESTED = "no_longer_interested", "No longer interested"


class CompletionConfirmation(models.TextChoices):
    PROVIDER = "provider", "Confirmed by the receiving provider"
    RECORDS = "records", "Confirmed from records (visit note, claim)"
    CLIENT = "client", "Confirmed by the client"


class Referral(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    provider_name = models.CharField(
        "provider (free text)",
        max_length=255,
        blank=True,
        help_text="When the service is not in the directory.",
    )
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    goal_id = models.PositiveIntegerField(
        "care-plan goal", null=True, blank=True, help_text="careplans.Goal id, when linked."
    )
    discloses_substance_use = models.BooleanField(
        "shares substance use information",
        default=True,
        help_text="42 CFR Part 2: sending or printing needs an active consent naming the "
        "recipient.",
    )
    no_disclosure_reason = models.TextField(
        "why no substance use information is shared",
        blank=True,
        max_length=FREE_TEXT_MAX_LENGTH,
        help_text="Required when the client has a substance use diagnosis and the referral "
        "says it shares none; the packet then leaves out the reason and every substance use "
        "field.",
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    outcome = models.CharField(max_length=30, choices=ReferralOutcome.choices, blank=True)
    completion_confirmation = models.CharField(
        max_length=20, choices=CompletionConfirmation.choices, blank=True
    )
    consent_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="clients.Consent used when sending."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    response_due_on = models.DateField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "status"], name="referral_client_status"),
            models.Index(fields=["status", "response_due_on"], name="referral_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | ~Q(provider_name=""),
                name="referral_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.service is not None:
            return self.service.organization.name
        return self.provider_name

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_REFERRAL_STATUSES

    @property
    def is_closed_loop(self) -> bool:
        """Closed-loop only when completion was confirmed (not merely marked)."""
        return self.status == ReferralStatus.COMPLETED and bool(self.completion_confirmation)


CLOSED_REFERRAL_STATUSES = frozenset(
    {
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
        ReferralStatus.NO_SHOW,
        ReferralStatus.CANCELLED,
    }
)


class ReferralEvent(models.Model):
    """One step of a referral's history: who moved it, when, with what note."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    note = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]


class Disclosure(models.Model):
    """Accounting of disclosures: one row per disclosure of a client's information to an
    outside organisation (42 CFR 2.24 / 45 CFR 164.528 style log)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="disclosures"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    recipient = models.CharField(max_length=255)
    purpose = models.CharField(max_length=255)
    information = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    consent_id = models.PositiveIntegerField(null=True, blank=True)
    consent_summary = models.CharField(max_length=300, blank=True)
    disclosed_at = models.DateTimeField()
    disclosed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [models.Index(fields=["client", "-disclosed_at"], name="disclosure_client")]


# ---------------------------------------------------------------------- transitions
class LevelOfCare(models.TextChoices):
    EMERGENCY = "emergency", "Emergency department"
    # The value predates the label: any acute hospital stay (psychiatric, or for substance
    # use with the focus "substance use", which is FUI).
    INPATIENT_PSYCH = "inpatient_psych", "Inpatient (acute hospital)"
    WITHDRAWAL = "withdrawal_management", "Withdrawal management"
    RESIDENTIAL = "residential", "Residential"
    PARTIAL = "partial_hospitalization", "Partial hospitalisation"
    INTENSIVE_OUTPATIENT = "intensive_outpatient", "Intensive outpatient"
    OUTPATIENT = "outpatient", "Outpatient"
    COMMUNITY = "community", "Community"
    CORRECTIONS = "corrections", "Release from jail or prison"


class VisitFocus(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental illness"
    SUBSTANCE_USE = "substance_use", "Substance use"


class DenominatorStatus(models.TextChoices):
    """Whether a discharge (or ED visit) is in its HEDIS measure's denominator
    (``referrals.windows.denominator_statuses``)."""

    NONE = "", "No measure"
    COUNTED = "counted", "Counted"
    SUPERSEDED = "superseded", "Superseded"
    EXCLUDED = "excluded", "Excluded"


class Measure(models.TextChoices):
    FUH = "FUH", "FUH: follow-up after hospitalisation for mental illness"
    FUM = "FUM", "FUM: follow-up after ED visit for mental illness"
    FUA = "FUA", "FUA: follow-up after ED visit for substance use"
    FUI = "FUI", "FUI: follow-up after high-intensity care for substance use"


class CareTransition(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="care_transitions"
    )
    from_level = models.CharField("from level of care", max_length=30, choices=LevelOfCare.choices)
    to_level = models.CharField("to level of care", max_length=30, choices=LevelOfCare.choices)
    focus = models.CharField(
        "visit for",
        max_length=20,
        choices=VisitFocus.choices,
        default=VisitFocus.MENTAL_HEALTH,
        help_text="What the stay or visit was for: an acute hospital stay for mental illness "
        "is FUH, for substance use FUI; an ED visit FUM or FUA; residential care counts "
        "(FUI) only for substance use.",
    )
    facility = models.CharField(max_length=255)
    admitted_on = models.DateField("admission date", null=True, blank=True)
    discharged_on = models.DateField("discharge date", null=True, blank=True)
    measure = models.CharField(max_length=3, choices=Measure.choices, blank=True)
    # Kept by referrals.services.transitions whenever a transition of the client changes
    # (referrals.windows.denominator_statuses), so pages, API, sweep and SQL read one answer.
    denominator = models.CharField(
        "in the measure's denominator",
        max_length=10,
        choices=DenominatorStatus.choices,
        blank=True,
        default=DenominatorStatus.NONE,
        editable=False,
    )
    denominator_reason = models.CharField(max_length=200, blank=True, default="", editable=False)
    followup_appointment_at = models.DateTimeField("follow-up appointment", null=True, blank=True)
    followup_appointment_with = models.CharField(max_length=255, blank=True)
    # Checklist
    discharge_summary_received = models.BooleanField(default=False)
    medications_reconciled = models.BooleanField(default=False)
    appointment_scheduled = models.BooleanField(default=False)
    safety_plan_reviewed = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: set by the chart's Referrals tab (selectors.transition_windows).
    window_statuses: list[WindowStatus]

    # Optimistic locking: what an editor loaded; a save over a newer save of the same
    # fields is a conflict.
    edit_version = models.PositiveIntegerField(default=1, editable=False)
    # Recorded in error (a hospital's A11 "cancel admit", or a case manager's correction):
    # kept with the reason, out of every measure and list of open admissions.
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-discharged_on", "-admitted_on", "-id"]
        indexes = [
            models.Index(fields=["client", "-discharged_on"], name="transition_client"),
            models.Index(fields=["measure", "discharged_on"], name="transition_measure"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(admitted_on__isnull=True)
                | Q(discharged_on__isnull=True)
                | Q(discharged_on__gte=models.F("admitted_on")),
                name="transition_discharge_after_admission",
            )
        ]

    CHECKLIST = (
        "discharge_summary_received",
        "medications_reconciled",
        "appointment_scheduled",
        "safety_plan_reviewed",
    )

    @property
    def checklist_done(self) -> int:
        return sum(bool(getattr(self, f)) for f in self.CHECKLIST)


# ------------------------------------------------------------------------ follow-ups
class FollowUpReason(models.TextChoices):
    REFERRAL_RESPONSE = "referral_response", "Referral response"
    TRANSITION = "transition", "Care transition"
    PLAN_REVIEW = "plan_review", "Plan review"
    REASSESSMENT = "reassessment", "Re-assessment due"
    GENERAL = "general", "General"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class FollowUp(models.Model):
    """Something that must happen by a date for a client, assigned to someone.

    The reminder schedule is in the row: ``remind_*_at`` are the instants (computed in
    the team's time zone when the follow-up is created) at which each reminder stage
    becomes due, and ``next_check_at`` the next one the sweep must look at (``NULL``
    when nothing is left). The database is the schedule; the broker holds no ETAs.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="followups")
    assignee = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="followups")
    reason = models.CharField(max_length=30, choices=FollowUpReason.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    due_time = models.TimeField(null=True, blank=True)
    due_at = models.DateTimeField(help_text="The deadline instant (end of day without a time).")
    status = models.CharField(
        max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    outcome_note = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    # Source object (a referral or a care transition), by id to keep one table.
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="followups"
    )
    transition = models.ForeignKey(
        CareTransition, on_delete=models.PROTECT, null=True, blank=True, related_name="followups"
    )
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Reminder schedule (UTC instants)
    remind_day_before_at = models.DateTimeField(null=True, blank=True)
    remind_due_at = models.DateTimeField(null=True, blank=True)
    remind_overdue_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    schedule_version = models.PositiveIntegerField(
        default=1,
        help_text="1 when created, one more with each reschedule; reminders belong to one.",
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Not columns: set by the follow-up lists (selectors.followup_state, the window met).
    state: str
    window_met_on: date | None
    window_pending_on: date | None  # only an unsigned note in the window (views._mark_met)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(status="open", next_check_at__isnull=False),
                name="followup_sweep",
            ),
            models.Index(
                fields=["assignee", "due_at"], condition=Q(status="open"), name="followup_mine"
            ),
            models.Index(fields=["client", "status"], name="followup_client"),
            # The team dashboard's "7-day window at risk or missed" figure.
            models.Index(
                fields=["status", "due_on"],
                condition=Q(reason="transition", window_days=7),
                name="followup_transition7",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FollowUpReschedule(models.Model):
    """One move of a follow-up's due date: who moved it, from when to when, and why."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reschedules")
    from_due_on = models.DateField()
    from_due_time = models.TimeField(null=True, blank=True)
    to_due_on = models.DateField()
    to_due_time = models.TimeField(null=True, blank=True)
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]


class ReminderStage(models.TextChoices):
    DAY_BEFORE = "day_before", "Due tomorrow"
    DUE = "due", "Due today"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Escalation to supervisors"


class Reminder(models.Model):
    """One reminder stage of one schedule of one follow-up. Unique per (follow-up,
    schedule version, stage): whatever retries or restarts happen, a stage is sent once
    per schedule; a reschedule starts a new version (see ``followup_reschedule``).

    ``queued_at``: when the sweep last queued it; ``sent_at``: when its notifications
    were written (claimed with a conditional update); ``skipped``: the follow-up was no
    longer open when the task ran."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=20, choices=ReminderStage.choices)
    schedule_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped = models.BooleanField(default=False)
    notification_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["followup", "schedule_version", "stage"], name="reminder_once_per_stage"
            )
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(sent_at__isnull=True), name="reminder_unsent"
            )
        ]
