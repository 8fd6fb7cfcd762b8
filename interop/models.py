"""HL7 v2 ADT intake: every message as received, the identifiers other systems give our
clients, and which level of care a sending facility's locations are."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from referrals.models import LevelOfCare, VisitFocus

USER = settings.AUTH_USER_MODEL


class AdtStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # stored and acknowledged, not processed yet
    PROCESSED = "processed", "Processed"
    ERROR = "error", "Error"  # rejected (AR) or in error (AE), or failed in processing
    REVIEW = "review", "Needs review"  # no confident patient match, or needs a person
    DISMISSED = "dismissed", "Dismissed"


class AckCode(models.TextChoices):
    ACCEPT = "AA", "Accepted"
    ERROR = "AE", "Application error"
    REJECT = "AR", "Rejected"


class AdtMessage(models.Model):
    """One HL7 v2 message exactly as received, stored before anything else is done with
    it. ``(sending_application, sending_facility, control_id)`` is unique among accepted
    messages: one resent with the same MSH-10 is acknowledged again and changes nothing.
    A rejected or erroneous message does not hold its control id: the sender may send
    it again, corrected, and it is read afresh (each attempt is kept)."""

    raw = models.TextField()
    received_via = models.CharField(max_length=100, help_text="mllp or api, and the peer")
    sending_application = models.CharField("sending application (MSH-3)", max_length=180)
    sending_facility = models.CharField("sending facility (MSH-4)", max_length=180)
    control_id = models.CharField("control id (MSH-10)", max_length=199, blank=True)
    message_type = models.CharField("message type (MSH-9.1)", max_length=3, blank=True)
    event = models.CharField("event (MSH-9.2)", max_length=3, blank=True)
    message_at = models.DateTimeField("message time (MSH-7)", null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=AdtStatus.choices)
    ack_code = models.CharField(max_length=2, choices=AckCode.choices)
    error = models.TextField(blank=True)
    # What the message says (read when processing; shown on the feed).
    patient_class = models.CharField("patient class (PV1-2)", max_length=5, blank=True)
    location = models.CharField("location (PV1-3)", max_length=200, blank=True)
    visit_number = models.CharField("visit number (PV1-19)", max_length=100, blank=True)
    diagnoses = models.JSONField(
        default=list, blank=True, help_text="DG1 codes and text: shown, never added to the record"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transition = models.ForeignKey(
        "referrals.CareTransition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=300, blank=True, help_text="what processing did")
    processed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    dismissed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sending_application", "sending_facility", "control_id"],
                condition=~Q(control_id="") & Q(ack_code="AA"),
                name="adt_control_id_once_per_sender",
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "received_at"],
                name="adt_unprocessed",
                condition=Q(status="received"),
            ),
            models.Index(fields=["transition"], name="adt_transition"),
            models.Index(fields=["sending_facility", "visit_number"], name="adt_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.message_type}^{self.event} {self.control_id or '(no control id)'}"


class IdentifierKind(models.TextChoices):
    """HL7 table 0203 identifier type codes (the ones a team meets)."""

    MRN = "MR", "Medical record number"
    MEDICAID = "MA", "Medicaid number"
    MEDICARE = "MC", "Medicare number"
    MEMBER = "MB", "Member number (health plan)"
    PATIENT = "PI", "Patient internal identifier"
    OTHER = "OT", "Other"


class ClientIdentifier(models.Model):
    """An identifier another system gives one of our clients (an MRN per facility, a
    Medicaid id per state): an ADT message naming it is matched exactly."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="external_identifiers"
    )
    kind = models.CharField(max_length=2, choices=IdentifierKind.choices)
    issuer = models.CharField(
        max_length=180, help_text="assigning authority or facility (PID-3.4), e.g. MERCY"
    )
    value = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "issuer", "value"], name="client_identifier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.issuer} {self.value}"


class FacilityMapping(models.Model):
    """Which level of care a sending facility's patient class and location are. The most
    specific row wins (location and patient class given, then one of them, then neither).
    Without a row, patient class E is an ED visit and I an acute inpatient stay."""

    sending_facility = models.CharField("sending facility (MSH-4)", max_length=180)
    patient_class = models.CharField(
        "patient class (PV1-2)", max_length=5, blank=True, help_text="blank: any, e.g. I, E, O"
    )
    location_prefix = models.CharField(
        "location starts with (PV1-3)", max_length=100, blank=True, help_text="blank: any"
    )
    level_of_care = models.CharField(max_length=30, choices=LevelOfCare.choices)
    focus = models.CharField(
        "visit for", max_length=20, choices=VisitFocus.choices, default=VisitFocus.MENTAL_HEALTH
    )
    facility_name = models.CharField(
        max_length=255, blank=True, help_text="shown on the transition; blank: the MSH-4 value"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sending_facility", "patient_class", "location_prefix"],
                name="facility_mapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sending_facility} {self.patient_class or '*'} {self.location_prefix or '*'}"
