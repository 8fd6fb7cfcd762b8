"""42 CFR Part 2 in the FHIR API: which resources carry substance use information, their
security labels (HL7 Data Segmentation for Privacy), the §2.32 notice, and the gate for
accounts of outside organisations.

Labels, from the HL7 terminology (DS4P, FHIR security labels):
- confidentiality ``R`` (restricted), http://terminology.hl7.org/CodeSystem/v3-Confidentiality
- sensitivity ``ETH`` (substance abuse information sensitivity), v3-ActCode
- policy ``42CFRPart2``, v3-ActCode
- refrain ``NORDSCLCD`` (no redisclosure without consent directive), v3-ActCode: the
  machine-readable form of the §2.32 notice, whose text rides in an extension.

Substance use information here: a substance use diagnosis (the ``clients`` category)
other than tobacco (42 CFR 2.11 leaves tobacco and caffeine out of "substance use
disorder"), a substance use instrument (AUDIT, AUDIT-C, DAST-10, CAGE-AID; its
Observation and QuestionnaireResponse), a 42 CFR Part 2 consent (it says the client's
substance use records are held), a care transition for substance use or withdrawal
management, a care plan that addresses substance use and a goal about it (abstinence,
harm reduction, a substance use problem), a referral that shares substance use
information or goes to a substance use treatment service, and a substance use counsellor on the care
team (left out of the CareTeam where Part 2 forbids it, the rest of the team served).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from careplans.models import CarePlan, Domain, Goal, GoalType, Problem
from casemgmt.accounts.models import User
from clients.models import (
    CareTeamMember,
    CareTeamRole,
    Client,
    Consent,
    ConsentKind,
    Diagnosis,
    DiagnosisCategory,
    RelatedPerson,
    Relationship,
)
from clients.selectors import consent_allows_disclosure
from referrals.models import CareTransition, LevelOfCare, Referral, ServiceCategory, VisitFocus
from referrals.selectors import directory_organisation_names

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
NOTICE_URL = "http://casemgmt.example.org/fhir/StructureDefinition/42cfr-2-32-notice"

SECURITY_LABELS: list[dict[str, str]] = [
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
    {"system": ACT_CODE, "code": "ETH", "display": "substance abuse information sensitivity"},
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {
        "system": ACT_CODE,
        "code": "NORDSCLCD",
        "display": "no redisclosure without consent directive",
    },
]

NOTICE = (
    "Notice of prohibition on re-disclosure (42 CFR 2.32). This record which has been "
    "disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). These "
    "rules prohibit you from using or disclosing this record, or testimony that describes "
    "the information contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings by any Federal, State, or local authority, against the "
    "patient, unless authorized by the consent of the patient, except as provided at "
    "42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
    "In addition, the Federal rules prohibit you from making any other use or disclosure "
    "of this record unless at least one of the following applies: (i) Further use or "
    "disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR "
    "part 2. (ii) You are a covered entity or business associate and have received the "
    "record for treatment, payment, or health care operations, or (iii) You have received "
    "the record from a covered entity or business associate as permitted by 45 CFR part "
    "164, subparts A and E. A general authorization for the release of medical or other "
    "information is NOT sufficient to meet the required elements of written consent to "
    "further use or redisclose the record (see 42 CFR 2.31)."
)

SUBSTANCE_USE_INSTRUMENTS = frozenset({"audit", "audit_c", "dast10", "cage_aid"})
# Tobacco: not a "substance use disorder" under 42 CFR 2.11.
_TOBACCO_PREFIXES = ("F17", "Z72.0", "Z87.891")


def diagnosis_is_part2(diagnosis: Diagnosis) -> bool:
    return diagnosis.category == DiagnosisCategory.SUBSTANCE_USE and not (
        diagnosis.icd10_code.upper().startswith(_TOBACCO_PREFIXES)
    )


def instrument_is_part2(code: str) -> bool:
    return code in SUBSTANCE_USE_INSTRUMENTS


def consent_is_part2(consent: Consent) -> bool:
    return consent.kind == ConsentKind.PART2


def transition_is_part2(transition: CareTransition) -> bool:
    """A stay or visit for substance use, or withdrawal management, reveals it."""
    return transition.focus == VisitFocus.SUBSTANCE_USE or LevelOfCare.WITHDRAWAL in (
        transition.from_level,
        transition.to_level,
    )


_SUD_GOAL_TYPES = frozenset({GoalType.ABSTINENCE, GoalType.HARM_REDUCTION})


def problem_is_part2(problem: Problem) -> bool:
    return problem.concerns_substance_use or problem.domain == Domain.SUBSTANCE_USE


def goal_is_part2(goal: Goal) -> bool:
    return goal.goal_type in _SUD_GOAL_TYPES or problem_is_part2(goal.problem)


def careplan_is_part2(plan: CarePlan, problems: list[Problem], goals: list[Goal]) -> bool:
    """An integrated plan that addresses substance use (a stage of change for it, a
    problem or goal about it) holds Part 2 information as a whole."""
    return (
        bool(plan.stage_substance_use)
        or any(problem_is_part2(p) for p in problems)
        or any(goal_is_part2(g) for g in goals)
    )


_SUD_SERVICES = frozenset(
    {
        ServiceCategory.WITHDRAWAL,
        ServiceCategory.RESIDENTIAL,
        ServiceCategory.OUTPATIENT_SUD,
        ServiceCategory.MAT,
    }
)


def referral_is_part2(referral: Referral) -> bool:
    """A referral that shares substance use information, or one to a substance use
    treatment service (where the client is sent says it)."""
    service = referral.service
    return referral.discloses_substance_use or (
        service is not None and service.category in _SUD_SERVICES
    )


def related_person_is_part2(person: RelatedPerson) -> bool:
    """A recovery sponsor reveals that the client is in recovery from substance use."""
    return person.relationship == Relationship.SPONSOR


def member_is_part2(member: CareTeamMember) -> bool:
    """A substance use counsellor on the care team reveals substance use treatment."""
    return member.role == CareTeamRole.SUD_COUNSELLOR


def label(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` (FHIR JSON) with the Part 2 security labels and the §2.32 notice."""
    meta = resource.setdefault("meta", {})
    meta["security"] = [dict(c) for c in SECURITY_LABELS]
    resource.setdefault("extension", []).append({"url": NOTICE_URL, "valueString": NOTICE})
    return resource


@dataclass
class Part2Gate:
    """What one request may see of one client's Part 2 records.

    ``outside``: the caller is an outside organisation's account; ``allowed``: Part 2
    records may go to it (always, for the program's own staff); ``consent``: the consent
    that allows it (outside callers only); ``disclosed``: the Part 2 resources this
    request sends to the outside organisation, for the accounting of disclosures."""

    outside: bool
    allowed: bool
    recipient: str = ""
    consent: Consent | None = None
    disclosed: list[str] = field(default_factory=list)

    def admit(self, reference: str) -> bool:
        """Whether the Part 2 resource ``reference`` may be sent; notes it when it goes
        to an outside organisation."""
        if not self.allowed:
            return False
        if self.outside:
            self.disclosed.append(reference)
        return True


def part2_gate(*, user: User, client: Client) -> Part2Gate:
    """The gate for ``user`` reading ``client``'s records: staff of the program see Part 2
    records (labelled); an outside organisation's account only under an active 42 CFR
    Part 2 consent naming that organisation (``consent_allows_disclosure``)."""
    directory_id = user.outside_organization_directory_id
    if directory_id is None:
        return Part2Gate(outside=False, allowed=True)
    name = directory_organisation_names(ids=[directory_id]).get(directory_id, "")
    recipient = name or f"Organisation {directory_id} of the resource directory"
    check = consent_allows_disclosure(
        client=client, recipient=recipient, recipient_directory_id=directory_id
    )
    return Part2Gate(
        outside=True,
        allowed=check.allowed,
        recipient=recipient,
        consent=check.consent if check.allowed else None,
    )
