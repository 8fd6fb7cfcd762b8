"""Instrument responses, the comprehensive (biopsychosocial) assessment, and the
re-administration rules.

Completed records never change: a correction of an instrument response is a new response
that ``amends`` the earlier one; a change to a completed comprehensive assessment is a new
version (``supersedes``). Every model here is written only through ``assessments.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

from .instruments import INSTRUMENTS

USER = settings.AUTH_USER_MODEL

INSTRUMENT_CHOICES = [(d.code, d.name) for d in INSTRUMENTS.values()]


# ------------------------------------------------------------------ instrument responses
class ResponseSource(models.TextChoices):
    """Who answered: given by staff (in a visit, on the phone), or the client on their own
    through a check-in link (portal); both are scored by the same engine."""

    STAFF = "staff", "Given by staff"
    CLIENT_SELF_REPORT = "client_self_report", "Client self-report"


class InstrumentResponse(models.Model):
    """One administration of an instrument to a client, scored by the engine."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="instrument_responses"
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    answers = models.JSONField(help_text="One value per item, in item order.")
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40)
    positive = models.BooleanField(null=True)
    flags = models.JSONField(default=list, blank=True)
    subtotals = models.JSONField(default=dict, blank=True)
    sex_used = models.CharField(
        max_length=10, blank=True, help_text="The sex the cut-off was read for (AUDIT-C)."
    )
    administered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    administered_at = models.DateTimeField()
    amends = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
        help_text="The earlier response this one corrects.",
    )
    notes = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    source = models.CharField(
        max_length=20,
        choices=ResponseSource.choices,
        default=ResponseSource.STAFF,
        help_text="Client self-report: answered by the client through a check-in link; "
        "administered_by is then the staff member who sent the check-in.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set by the Assessments tab (assessments.views) for its "Latest" rows.
    trend_word: str
    trend_count: int

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(
                fields=["client", "instrument", "administered_at"], name="response_client_instr"
            ),
            models.Index(
                fields=["instrument", "client"], condition=Q(positive=True), name="response_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} {self.administered_at:%Y-%m-%d}"

    @property
    def definition(self):
        return INSTRUMENTS[self.instrument]

    @property
    def is_suicide_risk(self) -> bool:
        return "suicide_risk" in (self.flags or [])

    @property
    def is_self_report(self) -> bool:
        return self.source == ResponseSource.CLIENT_SELF_REPORT

    @property
    def score_text(self) -> str:
        """ "14 (moderate)" or "high" for instruments without a total; a band with a
        published meaning is shown with it ("18 (Zone III: harmful use; ...)")."""
        if self.total is None:
            return self.band
        return f"{self.total} ({self.band_text})"

    @property
    def band_text(self) -> str:
        """The band with its published meaning where the definition gives one (AUDIT)."""
        definition = INSTRUMENTS.get(self.instrument)
        return definition.band_meaning(self.band) if definition else self.band


class InstrumentSummary(models.Model):
    """Per client and instrument, derived from the current (uncorrected) responses: the
    first one (the baseline of the change shown on the trend), the latest one, the total
    of the one before the latest (the chart's trend arrow), and whether any was positive.
    Kept in step by ``assessments.services`` in the transaction that records a response
    (``instrument_summaries_refresh``); never edited by hand, rebuildable at any time from
    the responses. Dashboards, the chart Overview and the re-administration rules read
    it instead of searching every client's responses."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    responses = models.PositiveIntegerField()
    first_response = models.ForeignKey(
        InstrumentResponse, on_delete=models.CASCADE, related_name="+"
    )
    first_at = models.DateTimeField()
    first_total = models.IntegerField(null=True)
    latest_response = models.ForeignKey(
        InstrumentResponse, on_delete=models.CASCADE, related_name="+"
    )
    latest_at = models.DateTimeField()
    latest_total = models.IntegerField(null=True)
    latest_band = models.CharField(max_length=40)
    # The total of the current response before the latest one: the chart's trend arrow.
    # Null with one response, or when that response has no total (C-SSRS screener).
    previous_total = models.IntegerField(null=True)
    any_positive = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "instrument"], name="summary_client_instr")
        ]
        indexes = [models.Index(fields=["instrument", "client"], name="summary_instr_client")]

    def __str__(self) -> str:
        return f"{self.instrument} of client {self.client_id}"


# --------------------------------------------------------------- comprehensive assessment
class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class StageOfChange(models.TextChoices):
    PRECONTEMPLATION = "precontemplation", "Precontemplation"
    CONTEMPLATION = "contemplation", "Contemplation"
    PREPARATION = "preparation", "Preparation"
    ACTION = "action", "Action"
    MAINTENANCE = "maintenance", "Maintenance"


class AsamEdition(models.TextChoices):
    """The edition of The ASAM Criteria an assessment's dimensions and levels come from.

    Sources: Mee-Lee D, ed. *The ASAM Criteria: Treatment Criteria for Addictive,
    Substance-Related, and Co-Occurring Conditions*, 3rd ed. (ASAM, 2013), summarised by
    the Medicaid IAP with ASAM's review (https://cod.pressbooks.pub/addictionscounseling/
    ?p=5); and *The ASAM Criteria*, 4th ed. (ASAM, 2023), summarised at
    https://drugeval.com/asam-levels-of-care-in-2026-how-evaluations-determine-treatment-
    recommendations and https://www.cteresource.org (home health aide course, the six
    dimensions of the 4th edition).
    """

    THIRD = "3", "The ASAM Criteria, 3rd edition (2013)"
    FOURTH = "4", "The ASAM Criteria, 4th edition (2023)"


ASAM_EDITION_SHORT: dict[str, str] = {
    AsamEdition.THIRD: "ASAM 3rd ed.",
    AsamEdition.FOURTH: "ASAM 4th ed.",
}


class LevelOfCare(models.TextChoices):
    """The ASAM Criteria, 3rd edition (2013): levels of care, opioid treatment services
    and withdrawal management, as the 3rd edition lists them (Mee-Lee 2013, the Medicaid
    IAP summary's Figure 1, https://cod.pressbooks.pub/addictionscounseling/?p=5; "Level 1
    OTP" as e.g. https://midshorebehavioralhealth.org/glossary/asam-criteria/ lists it).

    Opioid treatment services (OTS) are Level 1 in the 3rd edition, in two settings: an
    opioid treatment program (OTP, methadone or buprenorphine dispensed on site) and
    office-based opioid treatment (OBOT). The codes are unique across editions where the
    editions differ ("1" here, "1.0" in the 4th edition); where a code is in both
    editions ("2.1", "3.5", "4") ``asam_edition`` says which list it comes from.
    """

    L0_5 = "0.5", "0.5 Early intervention"
    L1 = "1", "1 Outpatient services"
    OTP = "1-OTP", "1 OTP Opioid treatment program (opioid treatment services)"
    OBOT = "1-OBOT", "1 OBOT Office-based opioid treatment (opioid treatment services)"
    L2_1 = "2.1", "2.1 Intensive outpatient"
    L2_5 = "2.5", "2.5 Partial hospitalization"
    L3_1 = "3.1", "3.1 Clinically managed low-intensity residential"
    L3_3 = "3.3", "3.3 Clinically managed population-specific high-intensity residential"
    L3_5 = "3.5", "3.5 Clinically managed high-intensity residential"
    L3_7 = "3.7", "3.7 Medically monitored intensive inpatient"
    L4 = "4", "4 Medically managed intensive inpatient"
    WM1 = "1-WM", "1-WM Ambulatory withdrawal management without extended on-site monitoring"
    WM2 = "2-WM", "2-WM Ambulatory withdrawal management with extended on-site monitoring"
    WM3_2 = "3.2-WM", "3.2-WM Clinically managed residential withdrawal management"
    WM3_7 = "3.7-WM", "3.7-WM Medically monitored inpatient withdrawal management"
    WM4 = "4-WM", "4-WM Medically managed intensive inpatient withdrawal management"


class LevelOfCare4(models.TextChoices):
    """The ASAM Criteria, 4th edition (2023): the continuum of care, Levels 1-4 (ASAM
    2023; e.g. https://drugeval.com/asam-levels-of-care-in-2026-how-evaluations-determine-
    treatment-recommendations: "1.0 for Long-Term Remission Monitoring", levels x.7 and 4
    medically managed, x.1 and x.5 clinically managed). The 4th edition has no separate
    withdrawal management levels (withdrawal is managed within each level), drops 0.5 and
    3.3 from the continuum (the Colorado BHA level-of-care code system marks 3.2-D and 3.3
    "going away" with it: https://build.fhir.org/ig/RatioPBC/bha-test-ig/CodeSystem-bha-
    asam-level-of-care-cs.html), and adds 1.0, 1.5, 1.7 and 2.7.
    """

    L1_0 = "1.0", "1.0 Long-term remission monitoring"
    L1_5 = "1.5", "1.5 Outpatient therapy"
    L1_7 = "1.7", "1.7 Medically managed outpatient"
    L2_1 = "2.1", "2.1 Intensive outpatient"
    L2_5 = "2.5", "2.5 High-intensity outpatient"
    L2_7 = "2.7", "2.7 Medically managed intensive outpatient"
    L3_1 = "3.1", "3.1 Clinically managed low-intensity residential"
    L3_5 = "3.5", "3.5 Clinically managed high-intensity residential"
    L3_7 = "3.7", "3.7 Medically managed residential"
    L4 = "4", "4 Medically managed inpatient"


ASAM_LEVELS: dict[str, list[tuple[str, str]]] = {
    AsamEdition.THIRD: list(LevelOfCare.choices),
    AsamEdition.FOURTH: list(LevelOfCare4.choices),
}
# Which codes are levels depends on the edition ("1.7" is one of the 4th only), so the
# level columns have no choices of their own: ``assessments.services`` checks each code
# against the assessment's edition.

ASAM_DIMENSIONS = [
    (1, "Acute intoxication and/or withdrawal potential"),
    (2, "Biomedical conditions and complications"),
    (3, "Emotional, behavioral, or cognitive conditions and complications"),
    (4, "Readiness to change"),
    (5, "Relapse, continued use, or continued problem potential"),
    (6, "Recovery/living environment"),
]
# The 4th edition renamed and reorganised the six dimensions (readiness to change became
# part of dimension 6); as listed e.g. at https://www.cteresource.org (The ASAM Criteria,
# ASAM, as the teacher resource).
ASAM_DIMENSIONS_4 = [
    (1, "Intoxication, withdrawal, and addiction medication needs"),
    (2, "Biomedical conditions"),
    (3, "Psychiatric and cognitive conditions"),
    (4, "Substance use-related risks"),
    (5, "Recovery environment interactions"),
    (6, "Person-centered considerations"),
]
ASAM_DIMENSIONS_BY_EDITION: dict[str, list[tuple[int, str]]] = {
    AsamEdition.THIRD: ASAM_DIMENSIONS,
    AsamEdition.FOURTH: ASAM_DIMENSIONS_4,
}
ASAM_RATINGS = [
    (0, "0 No risk or problem"),
    (1, "1 Mild"),
    (2, "2 Moderate"),
    (3, "3 Significant"),
    (4, "4 Severe"),
]


def asam_level_label(edition: str, code: str) -> str:
    """ "Level 3.5 Clinically managed high-intensity residential (ASAM 3rd ed.)"; the code
    alone, with the edition, when the edition does not list it."""
    if not code:
        return ""
    name = dict(ASAM_LEVELS.get(edition, [])).get(code)
    short = ASAM_EDITION_SHORT.get(edition, "ASAM")
    return f"Level {name or code} ({short})"


class SocialNeed(models.TextChoices):
    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    TRANSPORT = "transport", "Transport"
    INCOME = "income", "Income"
    LEGAL = "legal", "Legal"
    CHILDCARE = "childcare", "Childcare"


def _rating_field(number: int):
    return models.PositiveSmallIntegerField(
        f"dimension {number} rating", null=True, blank=True, choices=ASAM_RATINGS
    )


class ComprehensiveAssessment(models.Model):
    """The biopsychosocial assessment: draft, then completed (locked); a later change is a
    new version that ``supersedes`` the completed one."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="comprehensive_assessments"
    )
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # Narrative sections
    presenting_concerns = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    psychiatric_history = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    substance_use_summary = models.TextField(
        "substance use: overview", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    medical = models.TextField(
        "medical history and current conditions", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    medications = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    trauma = models.TextField("trauma history", blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    legal = models.TextField("legal", blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    housing = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    employment_education = models.TextField(
        "employment and education", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    family_social = models.TextField(
        "family and social supports", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    strengths = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    cultural_considerations = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    client_goals = models.TextField(
        "the client's own goals, in their words", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    social_needs = models.JSONField(default=list, blank=True)
    social_needs_notes = models.TextField(
        "social needs: notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    # Stage of change per disorder
    stage_mental_health = models.CharField(
        "stage of change: mental health", max_length=20, choices=StageOfChange.choices, blank=True
    )
    stage_substance_use = models.CharField(
        "stage of change: substance use", max_length=20, choices=StageOfChange.choices, blank=True
    )
    # The ASAM Criteria: the edition the dimensions and both levels come from
    asam_edition = models.CharField(
        "ASAM Criteria edition",
        max_length=1,
        choices=AsamEdition.choices,
        default=AsamEdition.THIRD,
        help_text="The edition the six dimensions and the levels of care come from.",
    )
    asam_d1 = _rating_field(1)
    asam_d1_notes = models.TextField(
        "dimension 1 notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    asam_d2 = _rating_field(2)
    asam_d2_notes = models.TextField(
        "dimension 2 notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    asam_d3 = _rating_field(3)
    asam_d3_notes = models.TextField(
        "dimension 3 notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    asam_d4 = _rating_field(4)
    asam_d4_notes = models.TextField(
        "dimension 4 notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    asam_d5 = _rating_field(5)
    asam_d5_notes = models.TextField(
        "dimension 5 notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    asam_d6 = _rating_field(6)
    asam_d6_notes = models.TextField(
        "dimension 6 notes", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    level_indicated = models.CharField(
        "level of care indicated",
        max_length=10,
        blank=True,
        help_text="A level code of the edition in asam_edition (ASAM_LEVELS).",
    )
    level_arranged = models.CharField(
        "level of care arranged",
        max_length=10,
        blank=True,
        help_text="A level code of the edition in asam_edition (ASAM_LEVELS).",
    )
    level_difference_reason = models.TextField(
        "why the arranged level differs from the indicated one",
        blank=True,
        max_length=FREE_TEXT_MAX_LENGTH,
    )
    # Needs identified, by domain (what the care plan turns into problems)
    need_mental_health = models.TextField(
        "need: mental health", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    need_substance_use = models.TextField(
        "need: substance use", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    need_physical_health = models.TextField(
        "need: physical health", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    need_housing = models.TextField("need: housing", blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    need_work_education = models.TextField(
        "need: work and education", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    need_legal = models.TextField("need: legal", blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    need_family_social = models.TextField(
        "need: family and social", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    need_crisis_safety = models.TextField(
        "need: crisis and safety", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    # Linked screening results
    responses = models.ManyToManyField(InstrumentResponse, blank=True, related_name="assessments")
    # Who and when
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking of the draft's sections (``version`` numbers assessment
    # versions): what an editor loaded; a save over a newer save of the same fields is a
    # conflict (other sections' saves merge).
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="draft"),
                name="one_draft_assessment_per_client",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(completed_at__isnull=False),
                name="completed_assessment_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["client", "-completed_at"],
                condition=Q(status="completed"),
                name="assessment_completed",
            )
        ]

    def __str__(self) -> str:
        return f"Comprehensive assessment v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED

    @property
    def asam_dimensions(self) -> list[tuple[int, str]]:
        return ASAM_DIMENSIONS_BY_EDITION.get(self.asam_edition, ASAM_DIMENSIONS)

    @property
    def level_indicated_label(self) -> str:
        return asam_level_label(self.asam_edition, self.level_indicated)

    @property
    def level_arranged_label(self) -> str:
        return asam_level_label(self.asam_edition, self.level_arranged)

    # A level's name depends on the edition (3.7 is "medically monitored intensive
    # inpatient" in the 3rd, "medically managed residential" in the 4th): the displays
    # that choices would give a column, read by the admin and the conflict notes.
    def get_level_indicated_display(self) -> str:
        return self.level_indicated_label

    def get_level_arranged_display(self) -> str:
        return self.level_arranged_label

    def asam_rows(self) -> list[dict]:
        return [
            {
                "number": n,
                "name": name,
                "rating": getattr(self, f"asam_d{n}"),
                "rating_label": getattr(self, f"get_asam_d{n}_display")(),
                "notes": getattr(self, f"asam_d{n}_notes"),
            }
            for n, name in self.asam_dimensions
        ]


class SubstancePattern(models.TextChoices):
    DAILY = "daily", "Daily or almost daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly or less"
    BINGE = "binge", "Episodic / binge"
    PAST = "past", "Past use only"


class SubstanceRoute(models.TextChoices):
    ORAL = "oral", "Oral"
    SMOKED = "smoked", "Smoked"
    VAPED = "vaped", "Vaped"
    INTRANASAL = "intranasal", "Intranasal"
    INJECTED = "injected", "Injected"
    OTHER = "other", "Other"


class SubstanceUse(models.Model):
    """One substance in an assessment's substance use history."""

    assessment = models.ForeignKey(
        ComprehensiveAssessment, on_delete=models.CASCADE, related_name="substances"
    )
    substance = models.CharField(max_length=80)
    age_first_use = models.PositiveSmallIntegerField("age at first use", null=True, blank=True)
    pattern = models.CharField(max_length=20, choices=SubstancePattern.choices)
    route = models.CharField(max_length=20, choices=SubstanceRoute.choices)
    last_use = models.DateField("last use", null=True, blank=True)
    withdrawal_history = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["id"]


# ------------------------------------------------------------------- re-administration
class RuleCategory(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health diagnosis"
    SUBSTANCE_USE = "substance_use", "Substance use diagnosis"


class ReassessmentRule(models.Model):
    """Re-administer ``instrument`` every ``interval_days`` to active clients with an active
    diagnosis of ``diagnosis_category``, or (if ``on_positive_screen``) a positive result."""

    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES, unique=True)
    interval_days = models.PositiveIntegerField()
    diagnosis_category = models.CharField(max_length=20, choices=RuleCategory.choices, blank=True)
    on_positive_screen = models.BooleanField(
        "also for clients who screened positive on it", default=True
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["instrument"]
        constraints = [
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="rule_interval_positive")
        ]

    def __str__(self) -> str:
        return f"{INSTRUMENTS[self.instrument].name} every {self.interval_days} days"
