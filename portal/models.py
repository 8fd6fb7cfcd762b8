"""What a client sees without an account: check-ins from home and their own plan, by a
secure link (DESIGN.md: portal, a gatherer).

- ``PortalLink``: a link for one client, for one check-in (``purpose`` check-in) or a
  standing link to their plan and safety plan (``purpose`` plan). The token is 256 bits,
  derived from a random ``nonce`` with a server-side key (``portal.tokens``); the database
  keeps only its sha256 (``token_hash``), so a copy of the database opens nothing.
- ``CheckIn``: what was sent (instruments, optionally a team's question set), by whom,
  how, and what came of it (opened, completed, needs a look, acknowledged).
- ``CheckInResult``: one completed instrument (or question set) of a check-in, unique
  per check-in and instrument: a double submit or the Back button records once.
- ``QuestionSet``: a short craving/use/medication question set a team defines as data
  (not a published instrument: kept here, never scored as one).
- ``PortalThrottle``: request counts per link and per address (fixed windows).

Every model here is written only through ``portal.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class LinkPurpose(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    PLAN = "plan", "Plan and safety plan"


class DeliveryChannel(models.TextChoices):
    SMS = "sms", "Text message (SMS)"
    EMAIL = "email", "Email"


class PortalLink(models.Model):
    """One secure link for one client. Opening it needs the client's date of birth;
    ``max_uses`` wrong dates of birth lock it (``locked_at``)."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, help_text="sha256 of the token")
    nonce = models.CharField(
        max_length=64, help_text="Random seed the token is derived from with a server key."
    )
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveSmallIntegerField(
        help_text="How many times the date of birth may be confirmed (sessions opened)."
    )
    uses = models.PositiveSmallIntegerField(default=0)
    dob_failures = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["client", "purpose"],
                condition=Q(revoked_at__isnull=True),
                name="portallink_live",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="portallink_uses_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link #{self.pk}"


class QuestionSet(models.Model):
    """A short question set a team defines (cravings, use, medication), as data.

    ``questions``: a list of ``{"text": str, "options": [{"value": str, "label": str,
    "risk": "" | "suicide_risk" | "overdose_risk"}]}``. Choosing an option with a
    ``risk`` is a risk answer: the client sees what to do now and the team is told, as
    for PHQ-9 item 9. Not a published instrument: no total, no band; the answers are
    shown as given. ``team`` empty: offered to every team."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    questions = models.JSONField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CheckInStatus(models.TextChoices):
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    COMPLETED = "completed", "Completed"
    REVOKED = "revoked", "Revoked"


class CheckIn(models.Model):
    """A check-in sent to a client: instruments (and a question set) to answer at home."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    link = models.OneToOneField(PortalLink, on_delete=models.PROTECT, related_name="checkin")
    instruments = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.SENT
    )
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    automatic = models.BooleanField(
        default=False, help_text="Sent by the re-administration schedule, not by hand."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set when completed: what the case manager should look at ("risk", "worse").
    needs_look = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    risk_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The follow-up that carries the 60-minute escalation of a risk answer (referrals).
    followup = models.ForeignKey(
        "referrals.FollowUp", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Not columns: set by the selectors (sent / opened / completed / expired / revoked,
    # and the names of the instruments and question set).
    state: str
    names: list[str]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="checkin_client"),
            models.Index(
                fields=["completed_at"],
                condition=Q(acknowledged_at__isnull=True) & ~Q(needs_look=[]),
                name="checkin_to_look_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in #{self.pk}"

    @property
    def parts(self) -> list[str]:
        """What the client answers, in order: instrument codes, then ``set:<code>``."""
        parts = list(self.instruments)
        if self.question_set_id is not None:
            parts.append(f"set:{self.question_set_id}")
        return parts


class CheckInResult(models.Model):
    """One completed part of a check-in. ``response`` is the scored InstrumentResponse
    (source "client self-report"); a question set keeps its answers here."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="results")
    part = models.CharField(max_length=40, help_text="Instrument code or set:<id>.")
    response = models.OneToOneField(
        "assessments.InstrumentResponse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answers = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "part"], name="checkin_part_once")
        ]


class AutoCheckIn(models.Model):
    """The client agreed to get check-ins automatically: when the re-administration
    schedule (assessments ``ReassessmentRule``) says a self-report instrument is due, the
    sweep sends a check-in for it by ``channel`` (``portal.services.auto_checkins_sweep``)."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    enabled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    enabled_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Automatic check-ins of client {self.client_id}"


class PortalThrottle(models.Model):
    """Requests in the current window of one bucket: ``link:<id>`` or ``addr:<sha256>``
    (the address itself is not kept)."""

    key = models.CharField(max_length=80, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
