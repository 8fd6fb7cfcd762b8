"""Integrated care plans (one plan for both conditions), their reviews and versions, the
Stanley-Brown safety plan and the relapse-prevention plan.

A plan is versioned per client: revising an active plan creates the next version as a
draft copied from it; earlier versions are never changed. Nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.AWAITING_APPROVAL)


class Domain(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    HOUSING = "housing", "Housing"
    WORK_EDUCATION = "work_education", "Work and education"
    LEGAL = "legal", "Legal"
    FAMILY_SOCIAL = "family_social", "Family and social"
    CRISIS_SAFETY = "crisis_safety", "Crisis and safety"


class Disorder(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health disorder"
    SUBSTANCE_USE = "substance_use", "Substance use disorder"


class GoalType(models.TextChoices):
    ABSTINENCE = "abstinence", "Abstinence"
    HARM_REDUCTION = "harm_reduction", "Reduced use or other harm reduction"
    SYMPTOM_MANAGEMENT = "symptom_management", "Symptom management"
    FUNCTIONAL = "functional", "Functional"
    RECOVERY = "recovery", "Recovery"


class GoalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACHIEVED = "achieved", "Achieved"
    DISCONTINUED = "discontinued", "Discontinued"


class InterventionCategory(models.TextChoices):
    # The IDDT components
    MOTIVATIONAL_INTERVIEWING = "mi", "Motivational interviewing"
    SUBSTANCE_ABUSE_COUNSELLING = "sa_counselling", "Substance abuse counselling"
    GROUP_TREATMENT = "group", "Group treatment"
    FAMILY_PSYCHOEDUCATION = "family_psychoeducation", "Family psychoeducation"
    SELF_HELP = "self_help", "Self-help groups"
    PHARMACOLOGICAL = "pharmacological", "Pharmacological treatment"
    HEALTH_PROMOTION = "health_promotion", "Health promotion"
    SECONDARY = "secondary", "Secondary interventions"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
    # Other modalities
    CBT = "cbt", "Cognitive behavioural therapy (CBT)"
    DBT = "dbt", "Dialectical behaviour therapy (DBT)"
    MAT = "mat", "Medication for addiction treatment"
    PEER_SUPPORT = "peer_support", "Peer support"
    CASE_MANAGEMENT = "case_management", "Case management"
    HOUSING_SUPPORT = "housing_support", "Housing support"
    SUPPORTED_EMPLOYMENT = "supported_employment", "Supported employment"


class SignatureRole(models.TextChoices):
    CLIENT = "client", "Client"
    CASE_MANAGER = "case_manager", "Case manager"


class SignatureMethod(models.TextChoices):
    PAPER = "paper", "In person, on paper"
    SCREEN = "screen", "On screen"


class Progress(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    IMPROVING = "improving", "Improving"
    NO_CHANGE = "no_change", "No change"
    WORSENING = "worsening", "Worsening"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Stage(models.TextChoices):
    """Stages of change (transtheoretical) and IDDT stages of treatment."""

    PRECONTEMPLATION = "precontemplation", "Precontemplation"
    CONTEMPLATION = "contemplation", "Contemplation"
    PREPARATION = "preparation", "Preparation"
    ACTION = "action", "Action"
    MAINTENANCE = "maintenance", "Maintenance"
    ENGAGEMENT = "engagement", "Engagement (IDDT)"
    PERSUASION = "persuasion", "Persuasion (IDDT)"
    ACTIVE_TREATMENT = "active_treatment", "Active treatment (IDDT)"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention (IDDT)"


# ------------------------------------------------------------------------ settings data
class TeamPlanCadence(models.Model):
    """How often a team reviews its plans (days). Teams without a row use 90 days."""

    DEFAULT_DAYS = 90

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="plan_cadence"
    )
    review_days = models.PositiveIntegerField(default=DEFAULT_DAYS)

    class Meta:
        verbose_name = "team review cadence"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_days__gte=7, review_days__lte=366), name="cadence_days_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: every {self.review_days} days"


class StageSuggestion(models.Model):
    """An intervention that fits a stage of change for a disorder (admin-editable)."""

    disorder = models.CharField(
        max_length=20, choices=Disorder.choices, blank=True, help_text="Blank: both disorders."
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    category = models.CharField(max_length=30, choices=InterventionCategory.choices)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage", "order", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_category_display()}"


# ---------------------------------------------------------------------------- the plan
class CarePlan(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="careplans")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    effective_date = models.DateField(help_text="When the plan starts.")
    review_due = models.DateField(null=True, blank=True)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approver = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    return_comments = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    # Stages of change when drafted (from the assessment), shown beside each disorder.
    stage_mental_health = models.CharField(max_length=40, blank=True)
    stage_substance_use = models.CharField(max_length=40, blank=True)
    source_assessment_id = models.PositiveIntegerField(null=True, blank=True)
    # Shared decision making
    what_matters = models.TextField(
        "what matters to the client", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    preferences = models.TextField(
        "the client's preferences", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    client_participated = models.BooleanField(
        "the client took part in writing the plan", default=False
    )
    client_agrees = models.BooleanField("the client agrees with the plan", default=False)
    integration_exception = models.TextField(
        "why the plan does not address both disorders",
        blank=True,
        help_text="Only when a dual-diagnosis client's plan lacks a goal for one disorder.",
        max_length=FREE_TEXT_MAX_LENGTH,
    )
    # Derived when the plan becomes active (its goals cannot change after that), for the
    # "goals for both disorders" measure: a goal whose need concerns mental health /
    # substance use. Kept by ``careplans.services.careplan_coverage_refresh``.
    goals_cover_mental_health = models.BooleanField(default=False, editable=False)
    goals_cover_substance_use = models.BooleanField(default=False, editable=False)
    # Optimistic locking of the draft's own fields (``version`` numbers plan versions):
    # what an editor loaded; a save over a newer one is a conflict.
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    # Not a column: the unvoided signatures, prefetched by selectors.careplan_full.
    active_signatures: list[PlanSignature]

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="careplan_client_version"),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="active"),
                name="careplan_one_active_per_client",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status__in=["draft", "awaiting_approval"]),
                name="careplan_one_open_per_client",
            ),
        ]
        indexes = [
            models.Index(
                fields=["review_due"], condition=Q(status="active"), name="careplan_review_due"
            )
        ]

    def __str__(self) -> str:
        return f"Care plan v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlanSignature(models.Model):
    """A typed-name signature. A plan with a signature in force is locked. Returning a
    plan for changes voids its signatures (kept, with ``voided_at``)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=20, choices=SignatureRole.choices)
    typed_name = models.CharField(max_length=150)
    signed_on = models.DateField()
    method = models.CharField(max_length=10, choices=SignatureMethod.choices)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "role"],
                condition=Q(voided_at__isnull=True),
                name="signature_one_per_role",
            )
        ]


class Problem(models.Model):
    """A need, by domain, tagged with the disorder(s) it concerns."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="problems")
    domain = models.CharField(max_length=20, choices=Domain.choices)
    description = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    concerns_mental_health = models.BooleanField(default=False)
    concerns_substance_use = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    edit_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic lock

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.description[:60]}"

    @property
    def disorders_label(self) -> str:
        parts = []
        if self.concerns_mental_health:
            parts.append("Mental health")
        if self.concerns_substance_use:
            parts.append("Substance use")
        return " and ".join(parts)


class Goal(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="goals")
    text = models.TextField("goal, in the client's own words", max_length=FREE_TEXT_MAX_LENGTH)
    goal_type = models.CharField(max_length=20, choices=GoalType.choices)
    target_date = models.DateField()
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    carried_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.ManyToManyField("clients.ContactNote", related_name="careplan_goals", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    edit_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic lock

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Objective(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="objectives")
    text = models.TextField("measurable objective", max_length=FREE_TEXT_MAX_LENGTH)
    target_date = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    edit_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic lock

    class Meta:
        ordering = ["goal", "order", "id"]


class Intervention(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="interventions")
    category = models.CharField(max_length=30, choices=InterventionCategory.choices)
    description = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    responsible = models.ForeignKey(
        "clients.CareTeamMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    frequency = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    edit_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic lock

    plain: str  # not a column: the plain-words category, set for the client's PDF copy

    class Meta:
        ordering = ["goal", "order", "id"]


class PlanReview(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    note = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]


class GoalProgress(models.Model):
    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress")
    progress = models.CharField(max_length=20, choices=Progress.choices)
    comment = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["review", "goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="progress_one_per_goal")
        ]


# ------------------------------------------------------------- safety and relapse plans
class _VersionedClientPlan(models.Model):
    """A plan saved whole each time: every save is a new version; the newest is current."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["client", "-version"]


class SafetyPlan(_VersionedClientPlan):
    """The Stanley-Brown safety plan; each field holds one item per line."""

    FIELDS = (
        "warning_signs",
        "internal_coping",
        "social_distraction",
        "people_to_ask",
        "professionals",
        "crisis_lines",
        "environment_safe",
        "reasons_for_living",
    )
    DEFAULT_CRISIS_LINES = (
        "988 Suicide & Crisis Lifeline: call or text 988 (24/7)\n"
        "Emergency: call 911 or go to the nearest emergency room"
    )

    warning_signs = models.TextField("1. Warning signs", max_length=FREE_TEXT_MAX_LENGTH)
    internal_coping = models.TextField(
        "2. Things I can do on my own to take my mind off things", max_length=FREE_TEXT_MAX_LENGTH
    )
    social_distraction = models.TextField(
        "3. People and places that help me feel better", max_length=FREE_TEXT_MAX_LENGTH
    )
    people_to_ask = models.TextField(
        "4. People I can ask for help", max_length=FREE_TEXT_MAX_LENGTH
    )
    professionals = models.TextField(
        "5. Professionals and agencies I can contact", max_length=FREE_TEXT_MAX_LENGTH
    )
    crisis_lines = models.TextField(
        "Crisis lines", default=DEFAULT_CRISIS_LINES, max_length=FREE_TEXT_MAX_LENGTH
    )
    environment_safe = models.TextField(
        "6. Making my environment safe", max_length=FREE_TEXT_MAX_LENGTH
    )
    reasons_for_living = models.TextField(
        "The most important reasons for me to live", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )

    class Meta(_VersionedClientPlan.Meta):
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="safetyplan_client_version"),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(superseded_at__isnull=True),
                name="safetyplan_one_current",
            ),
        ]


class RelapsePreventionPlan(_VersionedClientPlan):
    FIELDS = ("triggers", "warning_signs", "coping", "supports", "after_slip")

    triggers = models.TextField("triggers", max_length=FREE_TEXT_MAX_LENGTH)
    warning_signs = models.TextField("early warning signs", max_length=FREE_TEXT_MAX_LENGTH)
    coping = models.TextField("coping strategies", max_length=FREE_TEXT_MAX_LENGTH)
    supports = models.TextField("supports", max_length=FREE_TEXT_MAX_LENGTH)
    after_slip = models.TextField("what to do after a slip", max_length=FREE_TEXT_MAX_LENGTH)

    class Meta(_VersionedClientPlan.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["client", "version"], name="relapseplan_client_version"
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(superseded_at__isnull=True),
                name="relapseplan_one_current",
            ),
        ]
