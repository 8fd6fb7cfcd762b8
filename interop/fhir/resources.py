"""FHIR R4 resources built from the records, each validated with the R4B models of
``fhir.resources`` before it leaves (a resource that does not parse is a bug, a 500).

Builders take records already fetched in reach and return FHIR JSON (dicts); they read
nothing from the database themselves, so a Bundle costs only the queries of its
selectors. Part 2 labelling is applied by the caller (``part2.label``)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.html import escape
from fhir.resources.R4B import get_fhir_model_class

from assessments.models import InstrumentResponse
from assessments.selectors import instrument_get
from careplans.models import CarePlan, Goal, GoalStatus, PlanStatus, Problem
from clients.models import (
    CareTeamMember,
    Client,
    ClientStatus,
    Consent,
    ConsentKind,
    ContactNote,
    ContactType,
    Diagnosis,
    DiagnosisStatus,
    ExpiryKind,
    RelatedPerson,
    Relationship,
    SexAtBirth,
)
from clients.selectors import consent_state
from referrals.models import CareTransition, LevelOfCare, Referral, ReferralStatus, Urgency

from . import part2

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CLIENT_NUMBER = "urn:casemgmt:client-number"
INSTRUMENT_SYSTEM = "urn:casemgmt:instrument"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"

# LOINC codes of instrument totals, only where LOINC publishes one (checked at loinc.org).
LOINC_TOTALS: dict[str, tuple[str, str]] = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
    "audit_c": ("75626-2", "Total score [AUDIT-C]"),
    "audit": ("75624-7", "Total score [AUDIT]"),
    "dast10": ("82667-7", "Total score [DAST-10]"),
}

_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
_OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_CLINICAL_STATUS: dict[str, str] = {
    DiagnosisStatus.ACTIVE: "active",
    DiagnosisStatus.IN_REMISSION: "remission",
    DiagnosisStatus.RESOLVED: "resolved",
}
_GENDER: dict[str, str] = {
    SexAtBirth.FEMALE: "female",
    SexAtBirth.MALE: "male",
    SexAtBirth.INTERSEX: "other",
}


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource``, once its R4B model has parsed it (a ``ValidationError`` otherwise).
    The JSON built here is what goes out: dumping the model back would cost as much
    again for the same content (a Bundle of two years' history holds 300+ resources)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def _ref(kind: str, pk: int, display: str = "") -> dict[str, str]:
    ref = {"reference": f"{kind}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def _instant(value: datetime) -> str:
    return value.isoformat()


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


# ------------------------------------------------------------------------------ Patient
def patient(client: Client) -> dict[str, Any]:
    """US Core Patient: identifier, name, gender, birthDate, telecom, address, language."""
    names: list[dict[str, Any]] = [
        {"use": "official", "family": client.last_name, "given": [client.first_name]}
    ]
    if client.preferred_name:
        names.append({"use": "usual", "family": client.last_name, "given": [client.preferred_name]})
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    address = _drop_empty(
        {
            "line": [x for x in (client.address_line1, client.address_line2) if x],
            "city": client.city,
            "state": client.state,
            "postalCode": client.postal_code,
        }
    )
    resource = {
        "resourceType": "Patient",
        "id": str(client.pk),
        "meta": {
            "profile": [f"{US_CORE}/us-core-patient"],
            "lastUpdated": _instant(client.updated_at),
        },
        "identifier": [
            {
                "use": "usual",
                "type": {"text": "Client number"},
                "system": CLIENT_NUMBER,
                "value": client.client_number,
            }
        ],
        "active": client.status not in ("discharged", "inactive"),
        "name": names,
        "gender": _GENDER.get(client.sex_at_birth, "unknown"),
        "birthDate": _day(client.date_of_birth),
        "telecom": telecom,
        "address": [address] if address else [],
        "communication": (
            [{"language": {"text": client.preferred_language}}] if client.preferred_language else []
        ),
    }
    return validated(_drop_empty(resource))


# ---------------------------------------------------------------------------- Condition
def condition(diagnosis: Diagnosis) -> dict[str, Any]:
    """US Core Condition (problem list item) with the ICD-10-CM code."""
    in_error = diagnosis.status == DiagnosisStatus.ENTERED_IN_ERROR
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": str(diagnosis.pk),
        "meta": {
            "profile": [f"{US_CORE}/us-core-condition-problems-health-concerns"],
            "lastUpdated": _instant(diagnosis.updated_at),
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": _VERIFICATION,
                    "code": "entered-in-error" if in_error else "confirmed",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {"system": _CONDITION_CATEGORY, "code": "problem-list-item"},
                ],
                "text": diagnosis.get_category_display(),
            }
        ],
        "code": {
            "coding": [
                {"system": ICD10CM, "code": diagnosis.icd10_code, "display": diagnosis.description}
            ],
            "text": diagnosis.description,
        },
        "subject": _ref("Patient", diagnosis.client_id),
        "onsetDateTime": _day(diagnosis.onset_date),
        "recordedDate": _instant(diagnosis.recorded_at),
    }
    if not in_error:  # con-5: no clinical status on a condition entered in error
        resource["clinicalStatus"] = {
            "coding": [{"system": _CLINICAL, "code": _CLINICAL_STATUS[diagnosis.status]}]
        }
    if part2.diagnosis_is_part2(diagnosis):
        part2.label(resource)
    return validated(_drop_empty(resource))


# -------------------------------------------------------------------------- Observation
def observation(response: InstrumentResponse) -> dict[str, Any]:
    """US Core screening assessment Observation: an instrument's total (LOINC where
    published), the band as interpretation."""
    definition = instrument_get(response.instrument)
    loinc = LOINC_TOTALS.get(response.instrument)
    coding = [{"system": LOINC, "code": loinc[0], "display": loinc[1]}] if loinc else []
    coding.append(
        {"system": INSTRUMENT_SYSTEM, "code": response.instrument, "display": definition.name}
    )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(response.pk),
        "meta": {
            "profile": [f"{US_CORE}/us-core-observation-screening-assessment"],
            "lastUpdated": _instant(response.recorded_at),
        },
        "status": "amended" if response.amends_id else "final",
        "category": [
            {"coding": [{"system": _OBS_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": coding, "text": f"{definition.name} total score"},
        "subject": _ref("Patient", response.client_id),
        "effectiveDateTime": _instant(response.administered_at),
        "issued": _instant(response.recorded_at),
        "interpretation": [{"text": response.band}] if response.band else [],
    }
    if response.total is not None:
        resource["valueQuantity"] = {
            "value": response.total,
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        }
    else:
        resource["valueString"] = response.band or "no total"
    if part2.instrument_is_part2(response.instrument):
        part2.label(resource)
    return validated(_drop_empty(resource))


# ------------------------------------------------------------------------------ Consent
_CONSENT_STATUS = {
    "active": "active",
    "revoked": "inactive",
    "expired": "inactive",
    "not_yet_in_effect": "proposed",
}
PART2_POLICY = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"
HIPAA_POLICY = "https://www.hhs.gov/hipaa/for-professionals/privacy/index.html"


def consent(item: Consent, *, on: date) -> dict[str, Any]:
    """Consent: a treatment consent (scope treatment) or a release of information
    (scope patient-privacy); a 42 CFR Part 2 consent names its recipients as actors."""
    state = consent_state(item, on)
    is_treatment = item.kind == ConsentKind.TREATMENT
    period = _drop_empty(
        {
            "start": _day(item.signed_on),
            "end": _day(item.expires_on) if item.expiry_kind == ExpiryKind.DATE else None,
        }
    )
    provision: dict[str, Any] = {"type": "permit"}
    if period:
        provision["period"] = period
    recipients = [*item.recipients, *([item.recipient_class] if item.recipient_class else [])]
    if recipients:
        provision["actor"] = [
            {
                "role": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                            "code": "IRCP",
                            "display": "information recipient",
                        }
                    ]
                },
                "reference": {"display": name},
            }
            for name in recipients
        ]
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": str(item.pk),
        "status": _CONSENT_STATUS[state],
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "treatment" if is_treatment else "patient-privacy",
                }
            ]
        },
        "category": [
            {"coding": [{"system": LOINC, "code": "59284-0"}], "text": item.get_kind_display()}
        ],
        "patient": _ref("Patient", item.client_id),
        "dateTime": _day(item.signed_on),
        "policy": [{"uri": PART2_POLICY if part2.consent_is_part2(item) else HIPAA_POLICY}],
        "provision": provision,
    }
    if part2.consent_is_part2(item):
        part2.label(resource)
    return validated(_drop_empty(resource))


# ------------------------------------------------------------------ CapabilityStatement
SEARCH_PARAMS: dict[str, list[tuple[str, str]]] = {
    "Patient": [("_id", "token"), ("identifier", "token"), ("birthdate", "date")],
    "Condition": [("patient", "reference"), ("category", "token"), ("clinical-status", "token")],
    "Observation": [
        ("patient", "reference"),
        ("category", "token"),
        ("code", "token"),
        ("date", "date"),
    ],
    "Consent": [("patient", "reference"), ("date", "date")],
    "Encounter": [("patient", "reference"), ("date", "date")],
    "CarePlan": [("patient", "reference"), ("category", "token"), ("date", "date")],
    "Goal": [("patient", "reference"), ("lifecycle-status", "token")],
    "QuestionnaireResponse": [
        ("patient", "reference"),
        ("questionnaire", "reference"),
        ("authored", "date"),
    ],
    "Questionnaire": [("_id", "token")],
    "CareTeam": [("patient", "reference"), ("status", "token")],
    "EpisodeOfCare": [("patient", "reference")],
    "ServiceRequest": [("patient", "reference"), ("status", "token"), ("authored", "date")],
    "Task": [("patient", "reference"), ("status", "token"), ("authored-on", "date")],
    "RelatedPerson": [("patient", "reference")],
}


def capability_statement(*, now: datetime) -> dict[str, Any]:
    resources = []
    for kind, params in SEARCH_PARAMS.items():
        entry: dict[str, Any] = {
            "type": kind,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": name, "type": type_} for name, type_ in params],
        }
        if kind == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        resources.append(entry)
    return validated(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": _instant(now),
            "kind": "instance",
            "software": {"name": "casemgmt", "version": getattr(settings, "VERSION", "0.1.0")},
            "implementation": {"description": "casemgmt FHIR R4 read API"},
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": (
                            "Token authentication (Authorization: Token <token>), the "
                            "records of the caller's teams only. 42 CFR Part 2 records carry "
                            "DS4P security labels; an outside organisation's account "
                            "receives them only under a Part 2 consent naming it."
                        )
                    },
                    "resource": resources,
                }
            ],
        }
    )


def operation_outcome(code: str, text: str, *, severity: str = "error") -> dict[str, Any]:
    return validated(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": text}],
        }
    )


def bundle(
    entries: list[dict[str, Any]], *, kind: str, base: str, total: int | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r} for r in entries
        ],
    }
    if kind == "searchset":
        data["total"] = len(entries) if total is None else total
        for e in data["entry"]:
            e["search"] = {"mode": "match"}
    return _drop_empty(data)


# ---------------------------------------------------------------------------- Encounter
_ENCOUNTER_CLASS = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_CLASS_OF_LEVEL: dict[str, tuple[str, str]] = {
    LevelOfCare.EMERGENCY: ("EMER", "emergency"),
    LevelOfCare.INPATIENT_PSYCH: ("IMP", "inpatient encounter"),
    LevelOfCare.WITHDRAWAL: ("IMP", "inpatient encounter"),
    LevelOfCare.RESIDENTIAL: ("NONAC", "inpatient non-acute"),
    LevelOfCare.PARTIAL: ("SS", "short stay"),
}


def encounter(transition: CareTransition) -> dict[str, Any]:
    """US Core Encounter for a care transition: the stay or visit at ``facility`` (the
    level of care it was at), its period, and where the client went on discharge."""
    code, display = _CLASS_OF_LEVEL.get(transition.from_level, ("AMB", "ambulatory"))
    if transition.entered_in_error_at:
        status = "entered-in-error"
    elif transition.discharged_on:
        status = "finished"
    elif transition.admitted_on:
        status = "in-progress"
    else:
        status = "planned"
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(transition.pk),
        "meta": {
            "profile": [f"{US_CORE}/us-core-encounter"],
            "lastUpdated": _instant(transition.updated_at),
        },
        "status": status,
        "class": {"system": _ENCOUNTER_CLASS, "code": code, "display": display},
        "type": [{"text": transition.get_from_level_display()}],
        "subject": _ref("Patient", transition.client_id),
        "period": _drop_empty(
            {"start": _day(transition.admitted_on), "end": _day(transition.discharged_on)}
        ),
        "reasonCode": [{"text": transition.get_focus_display()}],
        "hospitalization": {"dischargeDisposition": {"text": transition.get_to_level_display()}},
        "location": [{"location": {"display": transition.facility}}],
    }
    if part2.transition_is_part2(transition):
        part2.label(resource)
    return validated(_drop_empty(resource))


_CLASS_OF_CONTACT: dict[str, tuple[str, str]] = {
    ContactType.PHONE: ("VR", "virtual"),
    ContactType.VIDEO: ("VR", "virtual"),
}
CONTACT_ID_PREFIX = "contact-"


def contact_encounter(note: ContactNote, *, part2_record: bool) -> dict[str, Any]:
    """US Core Encounter for a signed contact note: who met the client, how (in person,
    phone, video, collateral, outreach), when and for how long. The note's narrative is
    not sent (it stays in the record). ``part2_record``: the note belongs to a client
    with a substance use diagnosis, so it is a Part 2 record of this program."""
    code, display = _CLASS_OF_CONTACT.get(note.contact_type, ("AMB", "ambulatory"))
    end = note.contact_at + timedelta(minutes=note.duration_minutes)
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": f"{CONTACT_ID_PREFIX}{note.pk}",
        "meta": {
            "profile": [f"{US_CORE}/us-core-encounter"],
            "lastUpdated": _instant(note.updated_at),
        },
        "status": "finished",
        "class": {"system": _ENCOUNTER_CLASS, "code": code, "display": display},
        "type": [{"text": f"Case management contact: {note.get_contact_type_display()}"}],
        "subject": _ref("Patient", note.client_id),
        "participant": [{"individual": {"display": note.author.display_name}}],
        "period": {"start": _instant(note.contact_at), "end": _instant(end)},
        "length": {
            "value": note.duration_minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        },
    }
    if part2_record:
        part2.label(resource)
    return validated(_drop_empty(resource))


# ------------------------------------------------------------------- CarePlan and Goal
_PLAN_STATUS: dict[str, str] = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.AWAITING_APPROVAL: "draft",
    PlanStatus.ACTIVE: "active",
    PlanStatus.SUPERSEDED: "revoked",
    PlanStatus.CLOSED: "completed",
}
_GOAL_LIFECYCLE: dict[str, str] = {
    GoalStatus.OPEN: "active",
    GoalStatus.ACHIEVED: "completed",
    GoalStatus.DISCONTINUED: "cancelled",
}


def careplan(plan: CarePlan, *, problems: list[Problem], goals: list[Goal]) -> dict[str, Any]:
    """US Core CarePlan (assess-plan) with a narrative and the plan's goals."""
    lines = [f"Integrated care plan, version {plan.version} ({plan.get_status_display()})"]
    lines += [f"{p.get_domain_display()}: {p.description}" for p in problems]
    div = "".join(f"<p>{escape(line)}</p>" for line in lines)
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "meta": {
            "profile": [f"{US_CORE}/us-core-careplan"],
            "lastUpdated": _instant(plan.updated_at),
        },
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{div}</div>',
        },
        "status": _PLAN_STATUS[plan.status],
        "intent": "plan",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
                        "code": "assess-plan",
                    }
                ]
            }
        ],
        "title": f"Integrated care plan v{plan.version}",
        "subject": _ref("Patient", plan.client_id),
        "period": _drop_empty({"start": _day(plan.effective_date), "end": _day(plan.review_due)}),
        "created": _instant(plan.created_at),
        "goal": [_ref("Goal", g.pk) for g in goals],
    }
    if part2.careplan_is_part2(plan, problems, goals):
        part2.label(resource)
    return validated(_drop_empty(resource))


def goal(item: Goal) -> dict[str, Any]:
    """US Core Goal: the client's own words, lifecycle status, target date."""
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": str(item.pk),
        "meta": {"profile": [f"{US_CORE}/us-core-goal"]},
        "lifecycleStatus": _GOAL_LIFECYCLE[item.status],
        "category": [{"text": item.get_goal_type_display()}],
        "description": {"text": item.text},
        "subject": _ref("Patient", item.plan.client_id),
        "target": [{"dueDate": _day(item.target_date)}],
        "addresses": [],
    }
    if item.status == GoalStatus.ACHIEVED:
        resource["achievementStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                    "code": "achieved",
                }
            ]
        }
    if part2.goal_is_part2(item):
        part2.label(resource)
    return validated(_drop_empty(resource))


# ------------------------------------------------- Questionnaire, QuestionnaireResponse
QUESTIONNAIRE_BASE = "http://casemgmt.example.org/fhir/Questionnaire/"


def questionnaire_id(code: str) -> str:
    """A FHIR id of the instrument code (ids allow no underscore): ``audit_c`` -> ``audit-c``."""
    return code.replace("_", "-")


def _answer_system(code: str) -> str:
    return f"{INSTRUMENT_SYSTEM}:{code}"


def questionnaire(code: str) -> dict[str, Any]:
    """The instrument ``code`` as a Questionnaire: its items, their answer options (each
    option's value as the code) and when an item is asked only after an answer to another."""
    definition = instrument_get(code)
    system = _answer_system(definition.code)
    items: list[dict[str, Any]] = []
    for item in definition.items:
        entry: dict[str, Any] = {"linkId": str(item.number), "text": item.text}
        if item.options:
            entry["type"] = "choice"
            entry["answerOption"] = [
                {"valueCoding": {"system": system, "code": str(o.value), "display": o.label}}
                for o in item.options
            ]
        else:
            entry["type"] = "integer"
        if item.asked_if is not None:
            entry["enableWhen"] = [
                {
                    "question": str(item.asked_if.item),
                    "operator": "=",
                    "answerCoding": {"system": system, "code": str(item.asked_if.answer)},
                }
            ]
        items.append(entry)
    qid = questionnaire_id(definition.code)
    total = LOINC_TOTALS.get(definition.code)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": qid,
        "url": f"{QUESTIONNAIRE_BASE}{qid}",
        "name": re.sub(r"[^A-Za-z0-9]", "", definition.name) or qid,
        "title": definition.full_name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": definition.instructions,
        "copyright": definition.source,
        "item": items,
    }
    if total:
        resource["code"] = [{"system": LOINC, "code": total[0], "display": total[1]}]
    return validated(_drop_empty(resource))


def questionnaire_response(response: InstrumentResponse) -> dict[str, Any]:
    """The answers of one instrument response, item by item (skipped items left out)."""
    definition = instrument_get(response.instrument)
    system = _answer_system(definition.code)
    items = []
    for item, value in zip(definition.items, response.answers or [], strict=False):
        if value is None or value == "":
            continue
        option = next((o for o in item.options if str(o.value) == str(value)), None)
        if option is not None:
            answer: dict[str, Any] = {
                "valueCoding": {
                    "system": system,
                    "code": str(option.value),
                    "display": option.label,
                }
            }
        elif isinstance(value, int):
            answer = {"valueInteger": value}
        else:
            answer = {"valueString": str(value)}
        items.append({"linkId": str(item.number), "text": item.text, "answer": [answer]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "meta": {"lastUpdated": _instant(response.recorded_at)},
        "questionnaire": f"{QUESTIONNAIRE_BASE}{questionnaire_id(definition.code)}",
        "status": "amended" if response.amends_id else "completed",
        "subject": _ref("Patient", response.client_id),
        "authored": _instant(response.administered_at),
        "item": items,
    }
    if part2.instrument_is_part2(response.instrument):
        part2.label(resource)
    return validated(_drop_empty(resource))


# ----------------------------------------------------------------------------- CareTeam
def careteam(client: Client, members: list[CareTeamMember]) -> dict[str, Any]:
    """US Core CareTeam: the client's one care team (its id is the client's), each member
    with role, name (a staff user or an outside contact) and period. Labelled when a
    substance use counsellor is on it (the caller leaves such members out where Part 2
    forbids them)."""
    participants = []
    for m in members:
        member = {"display": m.display_name}
        if m.organisation:
            member["display"] = f"{m.display_name} ({m.organisation})"
        participants.append(
            _drop_empty(
                {
                    "role": [{"text": m.get_role_display()}],
                    "member": member,
                    "period": _drop_empty({"start": _day(m.started_on), "end": _day(m.ended_on)}),
                }
            )
        )
    resource: dict[str, Any] = {
        "resourceType": "CareTeam",
        "id": str(client.pk),
        "meta": {"profile": [f"{US_CORE}/us-core-careteam"]},
        "status": "active" if any(m.ended_on is None for m in members) else "inactive",
        "name": f"Care team of {client.client_number}",
        "subject": _ref("Patient", client.pk),
        "participant": participants,
    }
    if any(part2.member_is_part2(m) for m in members):
        part2.label(resource)
    return validated(_drop_empty(resource))


# ------------------------------------------------------------------------ EpisodeOfCare
_EPISODE_STATUS: dict[str, str] = {
    ClientStatus.REFERRED: "waitlist",
    ClientStatus.INTAKE: "planned",
    ClientStatus.ACTIVE: "active",
    ClientStatus.INACTIVE: "onhold",
    ClientStatus.DISCHARGED: "finished",
}


def episode_of_care(client: Client) -> dict[str, Any]:
    """The client's enrolment with the team (its id is the client's): status from the
    client's, period from enrolment to discharge, the team and the case manager."""
    manager = client.primary_case_manager
    resource: dict[str, Any] = {
        "resourceType": "EpisodeOfCare",
        "id": str(client.pk),
        "status": _EPISODE_STATUS.get(client.status, "active"),
        "type": [{"text": "Integrated dual diagnosis treatment (IDDT) case management"}],
        "patient": _ref("Patient", client.pk),
        "managingOrganization": {"display": client.team.name},
        "period": _drop_empty(
            {"start": _day(client.enrolled_on), "end": _day(client.discharged_on)}
        ),
        "careManager": {"display": manager.display_name} if manager else None,
    }
    return validated(_drop_empty(resource))


# ----------------------------------------------------------------------- ServiceRequest
_REFERRAL_STATUS: dict[str, str] = {
    ReferralStatus.DRAFT: "draft",
    ReferralStatus.SENT: "active",
    ReferralStatus.RECEIVED: "active",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.SCHEDULED: "active",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.DECLINED: "revoked",
    ReferralStatus.NO_SHOW: "revoked",
    ReferralStatus.CANCELLED: "revoked",
}
_PRIORITY: dict[str, str] = {
    Urgency.ROUTINE: "routine",
    Urgency.URGENT: "urgent",
    Urgency.EMERGENT: "stat",
}


def service_request(referral: Referral) -> dict[str, Any]:
    """A referral as a ServiceRequest in the shape of the Gravity SDOH referral: intent
    order, the service and its organisation as performer, priority, the reason (left out,
    as the referral packet leaves it out, when the referral shares no substance use
    information for a client who has a diagnosis: ``no_disclosure_reason``)."""
    service = referral.service
    recipient = (
        f"{service.name} ({service.organization.name})" if service else referral.provider_name
    )
    reason = (
        [{"text": referral.reason}]
        if referral.discloses_substance_use or not referral.no_disclosure_reason
        else []
    )
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": {"lastUpdated": _instant(referral.updated_at)},
        "status": _REFERRAL_STATUS[referral.status],
        "intent": "order",
        "category": [{"text": service.get_category_display() if service else "Referral"}],
        "priority": _PRIORITY[referral.urgency],
        "code": {"text": service.name if service else referral.provider_name},
        "subject": _ref("Patient", referral.client_id),
        "authoredOn": _instant(referral.sent_at or referral.created_at),
        "occurrenceDateTime": _instant(referral.appointment_at)
        if referral.appointment_at
        else None,
        "performer": [{"display": recipient}],
        "reasonCode": reason,
    }
    if part2.referral_is_part2(referral):
        part2.label(resource)
    return validated(_drop_empty(resource))


# --------------------------------------------------------------------------------- Task
# SDOHCC Task For Referral Management (HL7 Gravity SDOH Clinical Care IG, STU 2.x):
# the referral's fulfilment, its status from where the referral stands.
_TASK_STATUS: dict[str, str] = {
    ReferralStatus.DRAFT: "draft",
    ReferralStatus.SENT: "requested",
    ReferralStatus.RECEIVED: "received",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.SCHEDULED: "in-progress",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.DECLINED: "rejected",
    ReferralStatus.NO_SHOW: "failed",
    ReferralStatus.CANCELLED: "cancelled",
}
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
_SDOHCC_TASK = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
)


def task(referral: Referral) -> dict[str, Any]:
    """The referral's Task (its id is the referral's): intent order, code ``fulfill``,
    focus the ServiceRequest, for the patient, owned by the service it was sent to,
    with the referral's own status as ``businessStatus``."""
    service = referral.service
    owner = f"{service.name} ({service.organization.name})" if service else referral.provider_name
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "meta": {"profile": [_SDOHCC_TASK], "lastUpdated": _instant(referral.updated_at)},
        "status": _TASK_STATUS[referral.status],
        "businessStatus": {"text": referral.get_status_display()},
        "intent": "order",
        "priority": _PRIORITY[referral.urgency],
        "code": {
            "coding": [
                {"system": TASK_CODE, "code": "fulfill", "display": "Fulfill the focal request"}
            ]
        },
        "focus": _ref("ServiceRequest", referral.pk),
        "for": _ref("Patient", referral.client_id),
        "authoredOn": _instant(referral.sent_at or referral.created_at),
        "lastModified": _instant(referral.updated_at),
        "owner": {"display": owner} if owner else None,
    }
    if part2.referral_is_part2(referral):
        part2.label(resource)
    return validated(_drop_empty(resource))


# ------------------------------------------------------------------------ RelatedPerson
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
# HL7 v3 RoleCode (personal relationship role types); the rest are sent as text only.
_ROLE: dict[str, tuple[str, str]] = {
    Relationship.PARENT: ("PRN", "parent"),
    Relationship.PARTNER: ("SIGOTHR", "significant other"),
    Relationship.CHILD: ("CHILD", "child"),
    Relationship.SIBLING: ("SIB", "sibling"),
    Relationship.OTHER_FAMILY: ("FAMMEM", "family member"),
    Relationship.GUARDIAN: ("GUARD", "guardian"),
    Relationship.FRIEND: ("FRND", "unrelated friend"),
}


def related_person(person: RelatedPerson) -> dict[str, Any]:
    """A related person (collateral contact) of the client: name, relationship (v3
    RoleCode where one fits, always the words), phone and email, language."""
    relationship: dict[str, Any] = {"text": person.relationship_label}
    if person.relationship in _ROLE:
        code, display = _ROLE[person.relationship]
        relationship["coding"] = [{"system": ROLE_CODE, "code": code, "display": display}]
    telecom = [
        {"system": "phone", "value": person.phone} if person.phone else None,
        {"system": "email", "value": person.email} if person.email else None,
    ]
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": str(person.pk),
        "meta": {"lastUpdated": _instant(person.updated_at)},
        "active": person.inactive_on is None,
        "patient": _ref("Patient", person.client_id),
        "relationship": [relationship],
        "name": [{"text": person.name}],
        "telecom": [t for t in telecom if t],
        "address": [{"text": person.address}] if person.address else [],
        "communication": [{"language": {"text": person.preferred_language}}]
        if person.preferred_language
        else [],
    }
    if part2.related_person_is_part2(person):
        part2.label(resource)
    return validated(_drop_empty(resource))
