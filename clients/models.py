"""The client record and what hangs off it: diagnoses, risk flags, care team, consents,
contact notes, status history, assignments, emergency access and the timeline.

Nothing clinical is ever hard-deleted: rows are closed, resolved, revoked, superseded or
marked entered-in-error, and every model here is written only through ``clients.services``.
"""

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

USER = settings.AUTH_USER_MODEL


# ----------------------------------------------------------------------------- choices
class ClientStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    INTAKE = "intake", "Intake"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DISCHARGED = "discharged", "Discharged"
    # A duplicate merged into another record: a pointer (``merged_into``), in no list.
    MERGED = "merged", "Merged into another record"


# An open episode of care: the client is being served (referred, in intake or active).
# Risk figures and the urgency lists count every open episode, not only active clients.
OPEN_EPISODE_STATUSES = (ClientStatus.REFERRED, ClientStatus.INTAKE, ClientStatus.ACTIVE)


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Goals met / completed services"
    TRANSFERRED = "transferred", "Transferred to another provider"
    MOVED = "moved", "Moved out of the area"
    DECLINED = "declined", "Declined further services"
    LOST_CONTACT = "lost_contact", "Lost contact"
    INCARCERATED = "incarcerated", "Incarcerated"
    HOSPITALISED = "hospitalised", "Long-term hospital or residential stay"
    DECEASED = "deceased", "Deceased"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    OTHER = "other", "Other"


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"
    DECLINED = "declined", "Declined to answer"


class Race(models.TextChoices):
    """OMB categories; a client may choose several, or decline."""

    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    MIDDLE_EASTERN = "mena", "Middle Eastern or North African"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Pacific Islander"
    WHITE = "white", "White"
    OTHER = "other", "Another race"
    DECLINED = "declined", "Declined to answer"


class Ethnicity(models.TextChoices):
    HISPANIC = "hispanic", "Hispanic or Latino"
    NOT_HISPANIC = "not_hispanic", "Not Hispanic or Latino"
    DECLINED = "declined", "Declined to answer"
    UNKNOWN = "unknown", "Unknown"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    MAIL = "mail", "Mail"
    IN_PERSON = "in_person", "In person only"


class InsuranceType(models.TextChoices):
    MEDICAID = "medicaid", "Medicaid"
    MEDICARE = "medicare", "Medicare"
    DUAL = "dual", "Medicare and Medicaid"
    PRIVATE = "private", "Private / employer"
    VA = "va", "VA / TRICARE"
    UNINSURED = "uninsured", "Uninsured"
    OTHER = "other", "Other"


# ------------------------------------------------------------------------------ client
class Client(models.Model):
    """A person served by a team."""

    # Not columns: set on the instances clients.selectors returns. ``client_get`` sets the
    # emergency access that opened the record (None: in reach); ``client_list`` and
    # ``client_get`` prefetch the uncleared risk flags.
    emergency_access: "EmergencyAccess | None"
    active_flags: "list[RiskFlag]"

    client_number = models.CharField(max_length=20, unique=True, editable=False)
    # Identity
    first_name = models.CharField("legal first name", max_length=100)
    last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True, help_text="e.g. she/her, they/them")
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices, blank=True)
    gender_identity = models.CharField(max_length=60, blank=True)
    # Language and culture
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    cultural_considerations = models.TextField(
        blank=True,
        help_text="Cultural, spiritual or religious considerations, in their words.",
        max_length=FREE_TEXT_MAX_LENGTH,
    )
    race = ArrayField(
        models.CharField(max_length=20, choices=Race.choices), default=list, blank=True
    )
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    # Contact
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact_method = models.CharField(
        max_length=20, choices=ContactMethod.choices, blank=True
    )
    ok_to_leave_message = models.BooleanField("OK to leave a message", default=False)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    # Insurance
    insurance_type = models.CharField(max_length=20, choices=InsuranceType.choices, blank=True)
    insurance_member_id = models.CharField(max_length=60, blank=True)
    # Episode of care
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.REFERRED
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    primary_case_manager = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="primary_clients"
    )
    enrolled_on = models.DateField("enrolment date", null=True, blank=True)
    discharged_on = models.DateField("discharge date", null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    # Set, with status "merged", when this record was a duplicate merged into another:
    # its chart then leads to the survivor (``clients.services.client_merge``).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    # Derived, kept by the services (never edited directly)
    is_dual_diagnosis = models.BooleanField(default=False, editable=False)
    diagnosis_categories = ArrayField(
        models.CharField(max_length=20),
        default=list,
        blank=True,
        editable=False,
        help_text="Categories of the active diagnoses (for rules such as re-assessments).",
    )
    search_document = SearchVectorField(null=True, editable=False)
    name_phonetic = ArrayField(
        models.CharField(max_length=8), default=list, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["team", "status"], name="client_team_status"),
            models.Index(fields=["primary_case_manager", "status"], name="client_cm_status"),
            models.Index(fields=["last_name", "first_name"], name="client_name"),
            models.Index(fields=["date_of_birth"], name="client_dob"),
            GinIndex(fields=["search_document"], name="client_search"),
            GinIndex(fields=["name_phonetic"], name="client_phonetic"),
            models.Index(fields=["team"], condition=Q(is_dual_diagnosis=True), name="client_dual"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.client_number})"

    @property
    def display_name(self) -> str:
        """Preferred name first, as the client wants to be called."""
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        from django.utils import timezone

        return self.age_on(timezone.localdate())


class StatusChange(models.Model):
    """One step of the status lifecycle, with who, when and why."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ClientStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClientStatus.choices)
    effective_on = models.DateField()
    reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class Assignment(models.Model):
    """A change of team or primary case manager (caseload transfer), with the reason."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    from_team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    from_case_manager = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_case_manager = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]


# --------------------------------------------------------------------------- diagnoses
class DiagnosisCategory(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    MEDICAL = "medical", "Medical"


class DiagnosisStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    IN_REMISSION = "in_remission", "In remission"
    RESOLVED = "resolved", "Resolved"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class CodeKind(models.TextChoices):
    """What a diagnosis is for the dual-diagnosis rule (SAMHSA TIP 42: a co-occurring
    disorder is at least one mental disorder and at least one substance use disorder)."""

    MENTAL_DISORDER = "mental_disorder", "Mental disorder"
    SUBSTANCE_USE_DISORDER = "substance_use_disorder", "Substance use disorder"
    SUBSTANCE_USE = "substance_use", "Substance use, not a disorder"
    OTHER = "other", "Other"


# The kinds that can make one half of a dual diagnosis.
DUAL_KINDS = (CodeKind.MENTAL_DISORDER, CodeKind.SUBSTANCE_USE_DISORDER)


def classification_label(kind: str, counts: bool) -> str:
    """ "Substance use disorder, counts toward dual diagnosis" / "..., does not count"."""
    label = CodeKind(kind).label
    return f"{label}, counts toward dual diagnosis" if counts else f"{label}, does not count"


class DiagnosisCodeRange(models.Model):
    """A range of ICD-10-CM codes and what its diagnoses are for the dual-diagnosis rule.

    Configuration, edited by program admins in Django admin and seeded with defaults
    (``clients/migrations/0012_seed_diagnosis_code_ranges.py``). ``first_code`` and
    ``last_code`` are code prefixes, both ends included: F10-F19 holds F10.20 and F19.99,
    F10.9-F10.9 holds F10.90-F10.99. A code takes the most specific range that holds it
    (``clients.services.classification.classify``); a code in no range is "other" and
    does not count."""

    first_code = models.CharField(max_length=8, help_text="e.g. F10, or F10.9")
    last_code = models.CharField(max_length=8, help_text="e.g. F19; the same as the first for one")
    kind = models.CharField(max_length=30, choices=CodeKind.choices)
    counts_toward_dual = models.BooleanField(
        "counts toward dual diagnosis",
        default=False,
        help_text="Only a mental disorder or a substance use disorder can count.",
    )
    note = models.CharField(max_length=255, blank=True, help_text="What the range is, and why")

    class Meta:
        ordering = ["first_code", "last_code"]
        constraints = [
            models.UniqueConstraint(fields=["first_code", "last_code"], name="code_range_unique"),
            models.CheckConstraint(
                condition=Q(first_code__lte=models.F("last_code")), name="code_range_ordered"
            ),
            models.CheckConstraint(
                condition=Q(counts_toward_dual=False) | Q(kind__in=[k.value for k in DUAL_KINDS]),
                name="code_range_counts_only_disorders",
            ),
        ]

    def __str__(self) -> str:
        span = (
            self.first_code
            if self.first_code == self.last_code
            else (f"{self.first_code}-{self.last_code}")
        )
        return f"{span}: {self.get_kind_display()}"


class Diagnosis(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="diagnoses")
    category = models.CharField(max_length=20, choices=DiagnosisCategory.choices)
    icd10_code = models.CharField("ICD-10-CM code", max_length=10)
    description = models.CharField(max_length=255)
    status = models.CharField(
        max_length=20, choices=DiagnosisStatus.choices, default=DiagnosisStatus.ACTIVE
    )
    onset_date = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=120, blank=True, help_text="Who made the diagnosis (e.g. Dr Lee, psychiatry)"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # For the dual-diagnosis rule: from the code-range table, or a clinician's own
    # classification (``reclassified_at`` set, with the reason). Kept by the services.
    kind = models.CharField(
        max_length=30, choices=CodeKind.choices, default=CodeKind.OTHER, editable=False
    )
    counts_toward_dual = models.BooleanField(default=False, editable=False)
    reclassified_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    reclassified_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reclassified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["category", "icd10_code", "id"]
        indexes = [
            models.Index(fields=["client", "category", "status"], name="diagnosis_client_cat"),
        ]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.CheckConstraint(
                condition=Q(counts_toward_dual=False) | Q(kind__in=[k.value for k in DUAL_KINDS]),
                name="diagnosis_counts_only_disorders",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.description}"

    @property
    def classification_label(self) -> str:
        return classification_label(self.kind, self.counts_toward_dual)


# -------------------------------------------------------------------------- risk flags
class RiskFlagKind(models.TextChoices):
    SUICIDE = "suicide_risk", "Suicide risk"
    OVERDOSE = "overdose_risk", "Overdose risk"
    VIOLENCE = "violence_risk", "Violence risk"
    MEDICAL = "medical_risk", "Medical risk"


class RiskFlag(models.Model):
    """A risk flag set on a client; cleared flags stay as history."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(max_length=20, choices=RiskFlagKind.choices)
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(
        max_length=60, blank=True, help_text="What raised it automatically, e.g. phq9"
    )
    cleared_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clear_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind"],
                condition=Q(cleared_at__isnull=True),
                name="one_active_flag_per_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "client"], condition=Q(cleared_at__isnull=True), name="flag_active"
            )
        ]

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


# --------------------------------------------------------------------------- care team
class CareTeamRole(models.TextChoices):
    PSYCHIATRIST = "psychiatrist", "Psychiatrist / prescriber"
    THERAPIST = "therapist", "Therapist"
    SUD_COUNSELLOR = "sud_counsellor", "Substance use counsellor"
    PEER_SPECIALIST = "peer_specialist", "Peer specialist"
    NURSE = "nurse", "Nurse"
    PRIMARY_CARE = "primary_care", "Primary care"
    FAMILY_SUPPORT = "family_support", "Family or other support"
    OTHER = "other", "Other"


class CareTeamMember(models.Model):
    """A staff user or an outside contact on the client's care team."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    role = models.CharField(max_length=20, choices=CareTeamRole.choices)
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # An outside contact picked from the client's related persons (name copied in).
    related_person = models.ForeignKey(
        "RelatedPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    notes = models.CharField(max_length=255, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="care_team_user_or_name"
            )
        ]

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user is not None else self.name

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


# --------------------------------------------------------------------- related persons
class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    PARTNER = "partner", "Spouse or partner"
    CHILD = "child", "Son or daughter"
    SIBLING = "sibling", "Brother or sister"
    OTHER_FAMILY = "other_family", "Other family"
    GUARDIAN = "guardian", "Legal guardian"
    FRIEND = "friend", "Friend"
    SPONSOR = "sponsor", "Recovery sponsor or peer"
    PAYEE = "payee", "Representative payee"
    HOUSING = "housing", "Landlord or housing staff"
    EMPLOYER = "employer", "Employer or school"
    JUSTICE = "justice", "Probation, parole or court"
    FAITH = "faith", "Faith community"
    OTHER = "other", "Other"


class RelatedPerson(models.Model):
    """Someone in the client's life the team may talk to: family, a friend, a sponsor,
    a landlord, a probation officer (collateral contacts, family sessions).

    What may be shared with them is what the consents linked to them allow (a release of
    information naming them; a 42 CFR Part 2 consent for substance use information):
    ``clients.selectors.related_person_disclosure_check``. Never deleted: marked
    inactive (``inactive_on``) with the reason."""

    # Not columns: ``coverage`` (what covers them today) is set by
    # clients.selectors.related_persons_covered; the links by clients.views.related.
    coverage: "RelatedPersonCoverage"
    release_link: str
    part2_link: str
    collateral_link: str

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="related_persons")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    relationship_detail = models.CharField(
        "relationship in their words", max_length=100, blank=True, help_text="e.g. older sister"
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    in_support_network = models.BooleanField(
        "part of the client's support network",
        default=True,
        help_text="Someone the client counts on (not only someone the team must talk to).",
    )
    notes = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    inactive_on = models.DateField(null=True, blank=True)
    inactive_reason = models.CharField(max_length=255, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["client", "name"], name="related_person_client")]
        constraints = [
            models.CheckConstraint(
                condition=Q(inactive_on__isnull=True) | ~Q(inactive_reason=""),
                name="related_person_inactive_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship_label})"

    @property
    def relationship_label(self) -> str:
        return self.relationship_detail or self.get_relationship_display()

    @property
    def is_active(self) -> bool:
        return self.inactive_on is None


class RelatedPersonCoverage:
    """What covers a related person on a day: the release of information and the
    42 CFR Part 2 consent in effect that name them (``None``: none)."""

    __slots__ = ("release", "part2")

    def __init__(self, release: "Consent | None", part2: "Consent | None") -> None:
        self.release = release
        self.part2 = part2

    @property
    def any(self) -> "Consent | None":
        return self.release or self.part2


# ---------------------------------------------------------------------------- consents
class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    RELEASE = "release", "Release of information (general)"
    PART2 = "part2", "42 CFR Part 2 consent (substance use records)"


class ExpiryKind(models.TextChoices):
    DATE = "date", "On a date"
    EVENT = "event", "On an event"
    NONE = "none", "No expiry (treatment, payment and health care operations only)"


class SignatureMethod(models.TextChoices):
    PAPER = "paper", "Signed on paper"
    SCREEN = "screen", "Signed on screen"
    ELECTRONIC = "electronic", "Electronic signature"


class Consent(models.Model):
    """Consent to treatment, or a release of information.

    A Part 2 consent holds every element required by 42 CFR 2.31(a); the services
    refuse an incomplete one naming what is missing.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    # 42 CFR 2.31(a)(1) name of the patient, as written on the form
    patient_name = models.CharField(max_length=200, blank=True)
    # (a)(2) who may disclose
    discloser = models.CharField("who may disclose", max_length=255, blank=True)
    # (a)(3) specific description of the information
    information_description = models.TextField(
        "information to be disclosed", blank=True, max_length=FREE_TEXT_MAX_LENGTH
    )
    # (a)(4) recipient(s) by name, or a general designation for TPO consents
    recipients = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    # The recipients chosen from the resource directory (their names are in
    # ``recipients`` too): the Part 2 gate matches a referral's organisation on these,
    # not on a typed name. ``clients`` keeps the ids only (the directory is referrals').
    recipient_directory_ids = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    # The client's related persons among the recipients (their names are in
    # ``recipients`` too): a collateral contact is gated on these links. Kept by the
    # services: a typed name equal to a related person's is linked to them.
    related_persons = models.ManyToManyField(RelatedPerson, blank=True, related_name="consents")
    # (a)(4)(ii) when the recipient is an intermediary (e.g. a health information
    # exchange): its name, and its member participants by name or a general designation
    # limited to participants with a treating provider relationship with the client.
    intermediary_name = models.CharField(max_length=255, blank=True)
    intermediary_participants = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    # (a)(4)(iii) for a TPO consent: the statement that the record may be redisclosed
    # under HIPAA, as written on the consent.
    hipaa_redisclosure_statement = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    is_tpo = models.BooleanField("for treatment, payment and health care operations", default=False)
    recipient_class = models.CharField(
        "general designation of recipients", max_length=255, blank=True
    )
    # (a)(5) purpose
    purpose = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    # (a)(6) right to revoke, and how the client may revoke
    right_to_revoke_explained = models.BooleanField(default=False)
    how_to_revoke = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    # (a)(7) expiry
    expiry_kind = models.CharField(max_length=10, choices=ExpiryKind.choices, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=255, blank=True)
    # (a)(8)-(9) signature and date
    signed_by = models.CharField("signed by (name)", max_length=200, blank=True)
    signer_relationship = models.CharField(
        max_length=60, blank=True, help_text="Blank when the client signed themselves"
    )
    signed_on = models.DateField(null=True, blank=True)
    signature_method = models.CharField(max_length=20, choices=SignatureMethod.choices, blank=True)
    # Revocation or end
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    revoked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # When the case manager was reminded that it expires within 30 days (claimed with a
    # conditional UPDATE, so the reminder goes out once whatever the retries).
    expiry_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Optimistic locking: what an editor loaded; a change over a newer one is a conflict.
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    # Not columns: what the Consents tab shows for one day (clients.views.consents).
    state: str
    state_label: str
    summary: str
    is_part2: bool
    short_kind: str
    days_left: int | None
    expires_soon: bool

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["client", "kind"], name="consent_client_kind")]


# ----------------------------------------------------------------------- contact notes
class ContactType(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    COLLATERAL = "collateral", "Collateral (with someone else about the client)"
    OUTREACH = "outreach", "Outreach attempt"


class ContactNote(models.Model):
    """A contact note in DAP format. Signing locks it; afterwards only addenda."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    contact_at = models.DateTimeField()
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    duration_minutes = models.PositiveIntegerField()
    data = models.TextField(
        "data", help_text="What was observed and said (facts).", max_length=FREE_TEXT_MAX_LENGTH
    )
    assessment = models.TextField(
        "assessment", help_text="Your clinical interpretation.", max_length=FREE_TEXT_MAX_LENGTH
    )
    plan = models.TextField(
        "plan",
        help_text="What happens next, who does it, by when.",
        max_length=FREE_TEXT_MAX_LENGTH,
    )
    # A collateral contact: with whom, whether substance use information was shared, and
    # the consent that covered it (checked when the note is saved and signed).
    related_person = models.ForeignKey(
        RelatedPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_notes",
    )
    discloses_substance_use = models.BooleanField(default=False)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Co-signature (a team setting, ``Team.cosign_required``): a note by a trainee or a
    # peer specialist is signed by its author, then co-signed by a supervisor of the team.
    cosign_required = models.BooleanField(default=False, editable=False)
    cosigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    cosigned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1)

    heading: str  # not a column: set by the note pages (clients.services.notes.note_heading)

    class Meta:
        ordering = ["-contact_at", "-id"]
        indexes = [models.Index(fields=["client", "-contact_at"], name="note_client_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(related_person__isnull=True) | Q(contact_type="collateral"),
                name="note_related_person_collateral",
            )
        ]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def awaits_cosignature(self) -> bool:
        return self.cosign_required and self.signed_at is not None and self.cosigned_at is None


class NoteAddendum(models.Model):
    note = models.ForeignKey(ContactNote, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


# ------------------------------------------------------------------- emergency access
class EmergencyReason(models.TextChoices):
    """Why the glass was broken: a bona fide medical emergency (42 CFR 2.51), named."""

    MEDICAL_EMERGENCY = "medical_emergency", "Medical emergency: the client needs care now"
    SUICIDE_RISK = "suicide_risk", "Suicide or self-harm risk"
    OVERDOSE = "overdose", "Overdose or poisoning"
    HOSPITAL_REQUEST = "hospital_request", "Emergency department or hospital asks for the record"
    CRISIS_TEAM = "crisis_team", "Mobile crisis team on scene"
    OTHER = "other", "Other emergency (describe it)"


class EmergencyAccess(models.Model):
    """Break-the-glass access to a client outside the user's reach, for 60 minutes."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(
        "kind of emergency",
        max_length=30,
        choices=EmergencyReason.choices,
        default=EmergencyReason.OTHER,
    )
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "client", "expires_at"], name="emergency_user")]


class EmergencyAccessRequest(models.Model):
    """A break-the-glass request over the user's daily limit, waiting for a supervisor of
    one of the user's teams to approve it (then ``access`` is the grant it opened).
    ``client`` is None when the number named no client (the requester is not told)."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    client_number = models.CharField(max_length=20)
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(max_length=30, choices=EmergencyReason.choices)
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    access = models.OneToOneField(
        EmergencyAccess, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]


# ---------------------------------------------------------------------------- timeline
class TimelineEntry(models.Model):
    """One line of a client's chronological record.

    Written through ``clients.services.timeline_record`` by this app and by the apps
    above it (assessments, care plans, referrals), so the clients app never imports them.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=40, help_text="e.g. status, note, diagnosis, consent")
    summary = models.CharField(max_length=300)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    link = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["client", "-occurred_at"], name="timeline_client_time")]


# ------------------------------------------------------------------------------- merge
class ClientMerge(models.Model):
    """A duplicate record (``merged``) merged into ``survivor``: what moved, what the
    survivor took from the duplicate and what it had before, so that ``client_unmerge``
    can put everything back within ``MERGE_UNDO_DAYS`` (``clients.services.merge``).

    ``moved``: ``{"app.model": {"field": [pk, ...]}}``, the rows that pointed at the
    duplicate; ``adjusted``: ``{"app.model": {"pk": {"field": old value}}}``, rows changed
    so they could move (a plan version renumbered, a duplicate risk flag cleared);
    ``kept``: one-to-one records left with the duplicate because the survivor has its own;
    ``survivor_before``: the survivor's values of the fields it took, for the undo."""

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH)
    previous_status = models.CharField(max_length=20, choices=ClientStatus.choices)
    taken_fields = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    survivor_before = models.JSONField(default=dict, blank=True)
    moved = models.JSONField(default=dict, blank=True)
    adjusted = models.JSONField(default=dict, blank=True)
    kept = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True, max_length=FREE_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(unmerged_at__isnull=True), name="one_open_merge"
            )
        ]

    def __str__(self) -> str:
        return f"merge {self.merged_id} -> {self.survivor_id}"
