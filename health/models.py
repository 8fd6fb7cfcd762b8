"""Medications with adherence check-ins and reconciliation, crisis episodes, and harm
reduction supplies. Nothing here is deleted: medications are stopped, records stay."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


class MedicationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    STOPPED = "stopped", "Stopped"


class Route(models.TextChoices):
    ORAL = "oral", "By mouth"
    SUBLINGUAL = "sublingual", "Under the tongue"
    INJECTION = "injection", "Injection"
    LONG_ACTING_INJECTION = "lai", "Long-acting injection"
    TRANSDERMAL = "transdermal", "Patch"
    INHALED = "inhaled", "Inhaled"
    NASAL = "nasal", "Nasal"
    OTHER = "other", "Other"


class Medication(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="medications"
    )
    name = models.CharField(max_length=120)
    dose = models.CharField(max_length=60, help_text="e.g. 16 mg, 100 mg")
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.ORAL)
    frequency = models.CharField(max_length=60, help_text="e.g. once daily, every 4 weeks")
    prescriber_member = models.ForeignKey(
        "clients.CareTeamMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prescriber (care team)",
    )
    prescriber_name = models.CharField("prescriber (outside)", max_length=150, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    is_moud = models.BooleanField(
        "medication for addiction treatment",
        default=False,
        help_text="Buprenorphine, methadone, naltrexone, acamprosate, disulfiram, ...",
    )
    is_psychiatric = models.BooleanField("psychiatric medication", default=False)
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MedicationStatus.choices, default=MedicationStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: what an editor loaded; a save over a newer one is a conflict.
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["status", "name", "id"]
        indexes = [models.Index(fields=["client", "status"], name="medication_client_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=models.F("started_on")),
                name="medication_stop_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"

    @property
    def prescriber(self) -> str:
        if self.prescriber_member is not None:
            return self.prescriber_member.display_name
        return self.prescriber_name


class Adherence(models.TextChoices):
    AS_PRESCRIBED = "as_prescribed", "Taken as prescribed"
    SOME_MISSED = "some_missed", "Some doses missed"
    STOPPED = "stopped", "Stopped taking it"
    UNKNOWN = "unknown", "Unknown"


NON_ADHERENT = (Adherence.SOME_MISSED, Adherence.STOPPED)


class AdherenceCheckIn(models.Model):
    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="check_ins")
    checked_on = models.DateField()
    adherence = models.CharField(max_length=20, choices=Adherence.choices)
    side_effects = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["medication", "-checked_on"], name="checkin_med_day")]


class Reconciliation(models.Model):
    """Comparing the medication list before and after a stay (e.g. at a care transition).

    ``transition_id`` names the care transition it belongs to, when there is one (the
    referrals app owns transitions; this app stores the id only)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="reconciliations"
    )
    transition_id = models.BigIntegerField(null=True, blank=True)
    reconciled_on = models.DateField()
    summary = models.TextField(
        help_text="What changed, in a sentence or two.", max_length=FREE_TEXT_MAX_LENGTH
    )
    changes = models.JSONField(default=list, help_text="[{medication, change, detail}]")
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_with = models.CharField(
        max_length=150, blank=True, help_text="e.g. discharge summary, prescriber, pharmacy"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reconciled_on", "-id"]


class CrisisType(models.TextChoices):
    SUICIDAL = "suicidal", "Suicidal crisis"
    OVERDOSE = "overdose", "Overdose"
    PSYCHIATRIC = "psychiatric", "Psychiatric emergency"
    INTOXICATION = "intoxication", "Intoxication or withdrawal"
    VIOLENCE = "violence", "Violence"
    HOUSING = "housing", "Loss of housing"
    OTHER = "other", "Other"


class CrisisAction(models.TextChoices):
    SAFETY_PLAN = "safety_plan", "Safety plan used"
    CRISIS_LINE = "crisis_line", "988 or crisis line"
    MOBILE_TEAM = "mobile_team", "Mobile crisis team"
    EMERGENCY_DEPARTMENT = "ed", "Emergency department"
    CIT_POLICE = "cit_police", "Police with crisis-trained officers"
    ADMISSION = "admission", "Hospital admission"
    NALOXONE = "naloxone", "Naloxone given"


class CrisisEpisode(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="crisis_episodes"
    )
    occurred_at = models.DateTimeField()
    crisis_type = models.CharField(max_length=20, choices=CrisisType.choices)
    actions = models.JSONField(default=list, help_text="CrisisAction values")
    description = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    outcome = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    responders = models.CharField(max_length=255, blank=True, help_text="Who responded")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    safety_plan_review_due = models.BooleanField(default=True)
    # The care transition recording the emergency department visit, when it was recorded
    # with the crisis (the referrals app owns transitions; this app stores the id only).
    ed_transition_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["client", "-occurred_at"], name="crisis_client_time")]

    @property
    def action_labels(self) -> list[str]:
        return [CrisisAction(a).label for a in self.actions if a in CrisisAction.values]


class SupplyKind(models.TextChoices):
    NALOXONE = "naloxone", "Naloxone kit"
    FENTANYL_STRIPS = "fentanyl_strips", "Fentanyl test strips"
    XYLAZINE_STRIPS = "xylazine_strips", "Xylazine test strips"
    SAFER_USE = "safer_use", "Safer-use supplies"
    WOUND_CARE = "wound_care", "Wound care kit"
    OTHER = "other", "Other"


class HarmReductionSupply(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="harm_reduction"
    )
    kind = models.CharField(max_length=20, choices=SupplyKind.choices)
    given_on = models.DateField()
    quantity = models.PositiveIntegerField(default=1)
    training_done = models.BooleanField(
        "overdose-response education given",
        default=False,
        help_text="Recognising an overdose, calling 911, giving naloxone, rescue breathing",
    )
    note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["client", "kind"], name="supply_client_kind")]
