"""The FHIR R4 read API (/fhir/r4/): every answer parses with the R4B models of
fhir.resources, US Core must-support elements are there, access is the API's, every read
is audited, and 42 CFR Part 2 records are labelled and reach an outside organisation's
account only under a Part 2 consent naming it, each read in the accounting of
disclosures. Synthetic data only."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from rest_framework.test import APIClient

from assessments.services import instrument_response_record
from careplans.models import CarePlan, Domain, Goal, GoalType, PlanStatus, Problem
from casemgmt.accounts.models import Role
from casemgmt.accounts.services import api_token_issue
from casemgmt.audit.models import AuditEvent
from clients.models import (
    CareTeamMember,
    CareTeamRole,
    Consent,
    ConsentKind,
    Diagnosis,
    DiagnosisCategory,
    ExpiryKind,
    SexAtBirth,
)
from clients.services import emergency_access_grant
from referrals.models import (
    Disclosure,
    LevelOfCare,
    Organization,
    Referral,
    Service,
    ServiceCategory,
    VisitFocus,
)
from referrals.services import transition_record
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/fhir/r4/"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


def fhir_as(user):
    _, raw = api_token_issue(user=user, name="fhir-test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}", HTTP_ACCEPT="application/fhir+json")
    return api


def parsed(response, status=200):
    """The body of a FHIR answer, after checking it parses with its R4B model."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    data = response.json()
    get_fhir_model_class(data["resourceType"]).model_validate(data)
    return data


def resources_of(bundle, kind=None):
    return [
        e["resource"]
        for e in bundle.get("entry", [])
        if kind is None or e["resource"]["resourceType"] == kind
    ]


def labels(resource):
    return {(c["system"], c["code"]) for c in resource.get("meta", {}).get("security", [])}


PART2_LABELS = {(CONFIDENTIALITY, "R"), (ACT_CODE, "42CFRPart2"), (ACT_CODE, "NORDSCLCD")}


def diagnosis(client, user, code, text, category):
    return Diagnosis.objects.create(
        client=client, category=category, icd10_code=code, description=text, recorded_by=user
    )


@pytest.fixture
def record(client_record, case_manager):
    """A dual-diagnosis client: alcohol use disorder, depression, a PHQ-9 and an AUDIT-C."""
    client = client_record
    client.sex_at_birth = SexAtBirth.MALE
    client.phone = "555-0100"
    client.save(update_fields=["sex_at_birth", "phone"])
    aud = diagnosis(
        client, case_manager, "F10.20", "Alcohol dependence", DiagnosisCategory.SUBSTANCE_USE
    )
    mdd = diagnosis(
        client,
        case_manager,
        "F33.1",
        "Major depressive disorder, recurrent, moderate",
        DiagnosisCategory.MENTAL_HEALTH,
    )
    phq9 = instrument_response_record(
        actor=case_manager, client=client, instrument="phq9", answers=[1] * 9
    )
    auditc = instrument_response_record(
        actor=case_manager, client=client, instrument="audit_c", answers=[3, 2, 2], sex="male"
    )
    today = timezone.localdate()
    detox = transition_record(
        actor=case_manager,
        client=client,
        from_level=LevelOfCare.WITHDRAWAL,
        to_level=LevelOfCare.OUTPATIENT,
        facility="Harbor Detox",
        admitted_on=today - timedelta(days=9),
        discharged_on=today - timedelta(days=3),
        focus=VisitFocus.SUBSTANCE_USE,
    )
    ed = transition_record(
        actor=case_manager,
        client=client,
        from_level=LevelOfCare.EMERGENCY,
        to_level=LevelOfCare.COMMUNITY,
        facility="County General ED",
        admitted_on=today - timedelta(days=40),
        discharged_on=today - timedelta(days=40),
        focus=VisitFocus.MENTAL_HEALTH,
    )
    plan = CarePlan.objects.create(
        client=client,
        version=1,
        status=PlanStatus.ACTIVE,
        effective_date=today - timedelta(days=30),
        author=case_manager,
    )
    mood = Problem.objects.create(
        plan=plan, domain=Domain.MENTAL_HEALTH, description="Low mood", concerns_mental_health=True
    )
    drinking = Problem.objects.create(
        plan=plan, domain=Domain.SUBSTANCE_USE, description="Drinking", concerns_substance_use=True
    )
    mood_goal = Goal.objects.create(
        plan=plan,
        problem=mood,
        text="I want to get out of bed and see my kids",
        goal_type=GoalType.SYMPTOM_MANAGEMENT,
        target_date=today + timedelta(days=60),
    )
    drink_goal = Goal.objects.create(
        plan=plan,
        problem=drinking,
        text="Cut down to weekends",
        goal_type=GoalType.HARM_REDUCTION,
        target_date=today + timedelta(days=60),
    )
    return {
        "client": client,
        "aud": aud,
        "mdd": mdd,
        "phq9": phq9,
        "auditc": auditc,
        "detox": detox,
        "ed": ed,
        "plan": plan,
        "mood_goal": mood_goal,
        "drink_goal": drink_goal,
    }


@pytest.fixture
def partner(team):
    """An outside organisation (primary care) in the directory, and its API account,
    which reaches the team's clients as the team's members do."""
    org = Organization.objects.create(name="Lakeside Primary Care")
    user = UserFactory(username="lakeside", role=Role.CASE_MANAGER)
    user.outside_organization_directory_id = org.pk
    user.save(update_fields=["outside_organization_directory_id"])
    team.members.add(user)
    return org, user


def part2_consent_for(client, org, recorded_by, **extra):
    values = {
        "client": client,
        "kind": ConsentKind.PART2,
        "patient_name": client.legal_name,
        "discloser": "Riverside",
        "information_description": "Substance use diagnosis and screening results",
        "recipients": [org.name],
        "recipient_directory_ids": [org.pk],
        "purpose": "Coordinate treatment",
        "right_to_revoke_explained": True,
        "expiry_kind": ExpiryKind.DATE,
        "expires_on": timezone.localdate() + timedelta(days=90),
        "signed_by": client.legal_name,
        "signed_on": timezone.localdate() - timedelta(days=1),
        "signature_method": "paper",
        "recorded_by": recorded_by,
    }
    values.update(extra)
    return Consent.objects.create(**values)


# ----------------------------------------------------------------------------- metadata
def test_metadata_is_a_capability_statement_in_fhir_json(db):
    data = parsed(APIClient().get(BASE + "metadata"))
    assert data["resourceType"] == "CapabilityStatement"
    assert data["fhirVersion"] == "4.0.1"
    served = {r["type"] for r in data["rest"][0]["resource"]}
    assert served == {
        "Patient",
        "Condition",
        "Observation",
        "QuestionnaireResponse",
        "Questionnaire",
        "Consent",
        "Encounter",
        "CarePlan",
        "Goal",
        "CareTeam",
        "EpisodeOfCare",
        "ServiceRequest",
        "Task",
        "RelatedPerson",
    }


def test_reads_need_a_token(record):
    data = parsed(APIClient().get(f"{BASE}Patient/{record['client'].pk}"), status=401)
    assert data["resourceType"] == "OperationOutcome"


# ------------------------------------------------------------------------------ Patient
def test_patient_read_has_us_core_must_support_and_is_audited(record, case_manager):
    client = record["client"]
    data = parsed(fhir_as(case_manager).get(f"{BASE}Patient/{client.pk}"))
    assert data["identifier"][0]["value"] == client.client_number
    assert data["identifier"][0]["system"]
    assert data["name"][0]["family"] == client.last_name
    assert data["name"][0]["given"] == [client.first_name]
    assert data["gender"] == "male"
    assert data["birthDate"] == client.date_of_birth.isoformat()
    assert data["telecom"][0]["value"] == "555-0100"
    event = AuditEvent.objects.get(client_id=client.pk, object_type="clients.client")
    assert event.action == "view" and event.user == case_manager


def test_outsider_gets_404_operation_outcome_and_no_audit_of_the_client(record, outsider):
    client = record["client"]
    api = fhir_as(outsider)
    for path in (
        f"Patient/{client.pk}",
        f"Patient/{client.pk}/$everything",
        f"Condition/{record['mdd'].pk}",
        f"Observation/{record['phq9'].pk}",
        f"Condition?patient={client.pk}",
        f"Observation?patient=Patient/{client.pk}",
    ):
        data = parsed(api.get(BASE + path), status=404)
        assert data["resourceType"] == "OperationOutcome", path
    assert not AuditEvent.objects.filter(client_id=client.pk, action="view").exists()


def test_a_read_under_emergency_access_is_audited_as_such(record, outsider):
    client = record["client"]
    emergency_access_grant(
        user=outsider,
        client_number=client.client_number,
        reason_code="medical_emergency",
        reason="Found unresponsive, ED asks for diagnoses",
    )
    bundle = parsed(fhir_as(outsider).get(f"{BASE}Condition?patient={client.pk}"))
    assert len(resources_of(bundle, "Condition")) == 2
    event = AuditEvent.objects.get(client_id=client.pk, object_type="clients.diagnosis_list")
    assert event.action == "emergency_access" and event.user == outsider


def test_patient_search_returns_only_clients_in_reach(record, case_manager, other_team):
    ClientFactory(team=other_team)
    bundle = parsed(fhir_as(case_manager).get(BASE + "Patient"))
    assert bundle["type"] == "searchset"
    assert [p["id"] for p in resources_of(bundle)] == [str(record["client"].pk)]


def test_bad_date_is_400_operation_outcome(record, case_manager):
    url = f"{BASE}Observation?patient={record['client'].pk}&date=yesterday"
    assert parsed(fhir_as(case_manager).get(url), status=400)["resourceType"] == "OperationOutcome"


def test_search_without_patient_is_400(record, case_manager):
    assert parsed(fhir_as(case_manager).get(BASE + "Condition"), status=400)


# ---------------------------------------------------------------- Condition, Observation
def test_conditions_carry_icd10cm_and_only_sud_ones_are_labelled(record, case_manager):
    bundle = parsed(fhir_as(case_manager).get(f"{BASE}Condition?patient={record['client'].pk}"))
    by_code = {c["code"]["coding"][0]["code"]: c for c in resources_of(bundle, "Condition")}
    assert set(by_code) == {"F10.20", "F33.1"}
    for c in by_code.values():
        assert c["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
        assert c["clinicalStatus"]["coding"][0]["code"] == "active"
        assert c["verificationStatus"]["coding"][0]["code"] == "confirmed"
        assert c["category"][0]["coding"][0]["code"] == "problem-list-item"
        assert c["subject"]["reference"] == f"Patient/{record['client'].pk}"
    assert labels(by_code["F10.20"]) >= PART2_LABELS
    assert by_code["F10.20"]["extension"][0]["valueString"].startswith(
        "Notice of prohibition on re-disclosure (42 CFR 2.32)"
    )
    assert labels(by_code["F33.1"]) == set()


def test_nicotine_dependence_is_not_part2(record, case_manager):
    nic = diagnosis(
        record["client"],
        case_manager,
        "F17.210",
        "Nicotine dependence, cigarettes",
        DiagnosisCategory.SUBSTANCE_USE,
    )
    data = parsed(fhir_as(case_manager).get(f"{BASE}Condition/{nic.pk}"))
    assert labels(data) == set()


def test_observations_have_loinc_totals_and_date_search(record, case_manager):
    api = fhir_as(case_manager)
    client = record["client"]
    bundle = parsed(api.get(f"{BASE}Observation?patient={client.pk}&category=survey"))
    obs = {o["id"]: o for o in resources_of(bundle, "Observation")}
    phq9 = obs[str(record["phq9"].pk)]
    assert phq9["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "44261-6",
        "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
    }
    assert phq9["valueQuantity"]["value"] == 9
    assert phq9["status"] == "final"
    assert phq9["category"][0]["coding"][0]["code"] == "survey"
    assert labels(phq9) == set()
    auditc = obs[str(record["auditc"].pk)]
    assert auditc["code"]["coding"][0]["code"] == "75626-2"
    assert labels(auditc) >= PART2_LABELS

    today = timezone.localdate()
    later = (today + timedelta(days=2)).isoformat()
    assert (
        resources_of(parsed(api.get(f"{BASE}Observation?patient={client.pk}&date=ge{later}"))) == []
    )
    code = parsed(api.get(f"{BASE}Observation?patient={client.pk}&code=http://loinc.org|44261-6"))
    assert [o["id"] for o in resources_of(code)] == [str(record["phq9"].pk)]


def test_consent_resource_parses_and_part2_consent_is_labelled(record, case_manager, partner):
    org, _ = partner
    consent = part2_consent_for(record["client"], org, case_manager)
    data = parsed(fhir_as(case_manager).get(f"{BASE}Consent/{consent.pk}"))
    assert data["status"] == "active"
    assert data["provision"]["actor"][0]["reference"]["display"] == org.name
    assert labels(data) >= PART2_LABELS


# ---------------------------------------------------------------------- 42 CFR Part 2
def test_outside_organisation_without_consent_gets_no_substance_use_resources(record, partner):
    _, user = partner
    api = fhir_as(user)
    client = record["client"]
    everything = parsed(api.get(f"{BASE}Patient/{client.pk}/$everything"))
    assert [c["code"]["coding"][0]["code"] for c in resources_of(everything, "Condition")] == [
        "F33.1"
    ]
    assert [o["id"] for o in resources_of(everything, "Observation")] == [str(record["phq9"].pk)]
    for r in resources_of(everything):
        assert not labels(r)
    conditions = parsed(api.get(f"{BASE}Condition?patient={client.pk}"))
    assert len(resources_of(conditions)) == 1
    assert parsed(api.get(f"{BASE}Condition/{record['aud'].pk}"), status=404)
    assert parsed(api.get(f"{BASE}Observation/{record['auditc'].pk}"), status=404)
    assert [e["id"] for e in resources_of(everything, "Encounter")] == [str(record["ed"].pk)]
    assert resources_of(everything, "CarePlan") == []  # it addresses the drinking
    assert [g["id"] for g in resources_of(everything, "Goal")] == [str(record["mood_goal"].pk)]
    assert [q["id"] for q in resources_of(everything, "QuestionnaireResponse")] == [
        str(record["phq9"].pk)
    ]
    assert parsed(api.get(f"{BASE}QuestionnaireResponse/{record['auditc'].pk}"), status=404)
    assert parsed(api.get(f"{BASE}Encounter/{record['detox'].pk}"), status=404)
    assert parsed(api.get(f"{BASE}CarePlan/{record['plan'].pk}"), status=404)
    assert parsed(api.get(f"{BASE}Goal/{record['drink_goal'].pk}"), status=404)
    assert not Disclosure.objects.filter(client=client).exists()


def test_outside_organisation_under_consent_gets_them_labelled_and_accounted(
    record, partner, case_manager
):
    org, user = partner
    client = record["client"]
    consent = part2_consent_for(client, org, case_manager)
    api = fhir_as(user)

    everything = parsed(api.get(f"{BASE}Patient/{client.pk}/$everything"))
    sud = [r for r in resources_of(everything) if labels(r)]
    assert {(r["resourceType"], r["id"]) for r in sud} == {
        ("Condition", str(record["aud"].pk)),
        ("Observation", str(record["auditc"].pk)),
        ("Consent", str(consent.pk)),
        ("Encounter", str(record["detox"].pk)),
        ("CarePlan", str(record["plan"].pk)),
        ("Goal", str(record["drink_goal"].pk)),
        ("QuestionnaireResponse", str(record["auditc"].pk)),
    }
    for r in sud:
        assert labels(r) >= PART2_LABELS
    disclosure = Disclosure.objects.get(client=client)
    assert disclosure.recipient == org.name
    assert disclosure.consent_id == consent.pk
    assert f"Condition/{record['aud'].pk}" in disclosure.information
    assert f"Observation/{record['auditc'].pk}" in disclosure.information
    assert disclosure.disclosed_by == user

    data = parsed(api.get(f"{BASE}Condition/{record['aud'].pk}"))
    assert labels(data) >= PART2_LABELS
    assert Disclosure.objects.filter(client=client).count() == 2
    # A read of something with no Part 2 information is no disclosure to account for.
    parsed(api.get(f"{BASE}Condition/{record['mdd'].pk}"))
    assert Disclosure.objects.filter(client=client).count() == 2


def test_revoked_consent_shuts_the_gate_again(record, partner, case_manager):
    org, user = partner
    part2_consent_for(record["client"], org, case_manager, revoked_on=timezone.localdate())
    assert parsed(fhir_as(user).get(f"{BASE}Condition/{record['aud'].pk}"), status=404)


def test_a_consent_for_another_organisation_does_not_open_it(record, partner, case_manager):
    _, user = partner
    other = Organization.objects.create(name="Harbor Detox")
    part2_consent_for(record["client"], other, case_manager)
    assert parsed(fhir_as(user).get(f"{BASE}Condition/{record['aud'].pk}"), status=404)


def test_staff_reads_are_audited_not_disclosures(record, case_manager):
    parsed(fhir_as(case_manager).get(f"{BASE}Observation/{record['auditc'].pk}"))
    event = AuditEvent.objects.get(object_type="assessments.instrumentresponse", action="view")
    assert event.object_id == str(record["auditc"].pk)
    assert event.client_id == record["client"].pk
    assert not Disclosure.objects.exists()


# ------------------------------------------------- Questionnaire, QuestionnaireResponse
def test_every_instrument_is_a_questionnaire_that_parses(case_manager):
    from assessments.instruments import INSTRUMENTS

    bundle = parsed(fhir_as(case_manager).get(BASE + "Questionnaire"))
    ids = {q["id"] for q in resources_of(bundle, "Questionnaire")}
    assert ids == {code.replace("_", "-") for code in INSTRUMENTS}
    phq9 = parsed(fhir_as(case_manager).get(BASE + "Questionnaire/phq9"))
    assert len(phq9["item"]) == 9
    assert phq9["code"][0]["code"] == "44261-6"
    assert parsed(fhir_as(case_manager).get(BASE + "Questionnaire/nope"), status=404)


def test_questionnaire_response_has_the_answers_and_sud_ones_are_labelled(record, case_manager):
    api = fhir_as(case_manager)
    client = record["client"]
    qr = parsed(api.get(f"{BASE}QuestionnaireResponse/{record['phq9'].pk}"))
    assert qr["status"] == "completed"
    assert qr["questionnaire"].endswith("/Questionnaire/phq9")
    assert qr["subject"]["reference"] == f"Patient/{client.pk}"
    assert len(qr["item"]) == 9
    assert qr["item"][0]["answer"][0]["valueCoding"]["display"] == "Several days"
    assert labels(qr) == set()
    found = parsed(
        api.get(f"{BASE}QuestionnaireResponse?patient={client.pk}&questionnaire=audit-c")
    )
    (auditc,) = resources_of(found)
    assert auditc["id"] == str(record["auditc"].pk)
    assert labels(auditc) >= PART2_LABELS


# ------------------------------------------------------------- Encounter, CarePlan, Goal
def test_encounters_are_care_transitions_with_period_and_date_search(record, case_manager):
    api = fhir_as(case_manager)
    client = record["client"]
    bundle = parsed(api.get(f"{BASE}Encounter?patient={client.pk}"))
    by_id = {e["id"]: e for e in resources_of(bundle, "Encounter")}
    detox, ed = by_id[str(record["detox"].pk)], by_id[str(record["ed"].pk)]
    assert detox["status"] == "finished"
    assert detox["class"]["code"] == "IMP"
    assert detox["period"]["end"] == record["detox"].discharged_on.isoformat()
    assert detox["location"][0]["location"]["display"] == "Harbor Detox"
    assert labels(detox) >= PART2_LABELS
    assert ed["class"]["code"] == "EMER"
    assert labels(ed) == set()
    since = (timezone.localdate() - timedelta(days=20)).isoformat()
    recent = parsed(api.get(f"{BASE}Encounter?patient={client.pk}&date=ge{since}"))
    assert [e["id"] for e in resources_of(recent)] == [str(record["detox"].pk)]


def test_careplan_and_goals_have_us_core_elements(record, case_manager):
    api = fhir_as(case_manager)
    client = record["client"]
    plan = resources_of(parsed(api.get(f"{BASE}CarePlan?patient={client.pk}&category=assess-plan")))
    assert len(plan) == 1
    plan = plan[0]
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["category"][0]["coding"][0]["code"] == "assess-plan"
    assert plan["text"]["status"] == "generated"
    assert {g["reference"] for g in plan["goal"]} == {
        f"Goal/{record['mood_goal'].pk}",
        f"Goal/{record['drink_goal'].pk}",
    }
    assert labels(plan) >= PART2_LABELS
    goals = {g["id"]: g for g in resources_of(parsed(api.get(f"{BASE}Goal?patient={client.pk}")))}
    mood = goals[str(record["mood_goal"].pk)]
    assert mood["lifecycleStatus"] == "active"
    assert mood["description"]["text"] == "I want to get out of bed and see my kids"
    assert mood["target"][0]["dueDate"] == record["mood_goal"].target_date.isoformat()
    assert labels(mood) == set()
    assert labels(goals[str(record["drink_goal"].pk)]) >= PART2_LABELS


# ----------------------------------------------------------------------- ServiceRequest
def test_referrals_are_service_requests_gated_by_part2(record, case_manager, partner):
    org, partner_user = partner
    client = record["client"]
    detox = Service.objects.create(
        organization=Organization.objects.create(name="Harbor Detox"),
        name="Medically managed withdrawal",
        category=ServiceCategory.WITHDRAWAL,
    )
    housing = Service.objects.create(
        organization=Organization.objects.create(name="Open Door Housing"),
        name="Rapid rehousing",
        category=ServiceCategory.HOUSING,
    )
    to_detox = Referral.objects.create(
        client=client, service=detox, reason="Alcohol withdrawal", created_by=case_manager
    )
    to_housing = Referral.objects.create(
        client=client,
        service=housing,
        reason="Alcohol use; needs housing",
        urgency="urgent",
        discloses_substance_use=False,
        no_disclosure_reason="Housing needs only the housing history",
        created_by=case_manager,
    )
    staff = parsed(fhir_as(case_manager).get(f"{BASE}ServiceRequest?patient={client.pk}"))
    by_id = {r["id"]: r for r in resources_of(staff, "ServiceRequest")}
    detox_sr, housing_sr = by_id[str(to_detox.pk)], by_id[str(to_housing.pk)]
    assert detox_sr["intent"] == "order" and detox_sr["status"] == "draft"
    assert detox_sr["performer"][0]["display"] == "Medically managed withdrawal (Harbor Detox)"
    assert detox_sr["reasonCode"][0]["text"] == "Alcohol withdrawal"
    assert labels(detox_sr) >= PART2_LABELS
    assert housing_sr["priority"] == "urgent"
    assert "reasonCode" not in housing_sr  # as the packet, no substance use reason
    assert labels(housing_sr) == set()

    api = fhir_as(partner_user)
    outside = parsed(api.get(f"{BASE}ServiceRequest?patient={client.pk}"))
    assert [r["id"] for r in resources_of(outside)] == [str(to_housing.pk)]
    assert parsed(api.get(f"{BASE}ServiceRequest/{to_detox.pk}"), status=404)

    # Each referral's fulfilment as a Task (Gravity SDOHCC Task For Referral Management).
    tasks = parsed(fhir_as(case_manager).get(f"{BASE}Task?patient={client.pk}"))
    by_id = {r["id"]: r for r in resources_of(tasks, "Task")}
    detox_task = by_id[str(to_detox.pk)]
    assert detox_task["status"] == "draft" and detox_task["intent"] == "order"
    assert detox_task["code"]["coding"][0]["code"] == "fulfill"
    assert detox_task["focus"] == {"reference": f"ServiceRequest/{to_detox.pk}"}
    assert detox_task["for"] == {"reference": f"Patient/{client.pk}"}
    assert detox_task["owner"]["display"] == "Medically managed withdrawal (Harbor Detox)"
    assert labels(detox_task) >= PART2_LABELS
    to_housing.status = "sent"
    to_housing.save(update_fields=["status"])
    requested = parsed(
        fhir_as(case_manager).get(f"{BASE}Task?patient={client.pk}&status=requested")
    )
    assert [r["id"] for r in resources_of(requested)] == [str(to_housing.pk)]
    outside_tasks = parsed(api.get(f"{BASE}Task?patient={client.pk}"))
    assert [r["id"] for r in resources_of(outside_tasks)] == [str(to_housing.pk)]
    assert parsed(api.get(f"{BASE}Task/{to_detox.pk}"), status=404)


# ------------------------------------------------------------------------ RelatedPerson
def test_related_persons_are_served_and_a_sponsor_is_part2(record, case_manager, partner):
    from clients.models import RelatedPerson

    org, partner_user = partner
    client = record["client"]
    sister = RelatedPerson.objects.create(
        client=client,
        name="Marisol Quintero",
        relationship="sibling",
        relationship_detail="older sister",
        phone="555-0142",
        preferred_language="Spanish",
        added_by=case_manager,
    )
    sponsor = RelatedPerson.objects.create(
        client=client, name="Dale Whitcomb", relationship="sponsor", added_by=case_manager
    )
    data = parsed(fhir_as(case_manager).get(f"{BASE}RelatedPerson?patient={client.pk}"))
    by_id = {r["id"]: r for r in resources_of(data, "RelatedPerson")}
    mine = by_id[str(sister.pk)]
    assert mine["patient"] == {"reference": f"Patient/{client.pk}"}
    assert mine["relationship"][0]["coding"][0]["code"] == "SIB"
    assert mine["relationship"][0]["text"] == "older sister"
    assert mine["name"] == [{"text": "Marisol Quintero"}]
    assert mine["telecom"] == [{"system": "phone", "value": "555-0142"}]
    assert mine["active"] is True
    assert labels(mine) == set()
    assert labels(by_id[str(sponsor.pk)]) >= PART2_LABELS
    api = fhir_as(partner_user)
    outside = parsed(api.get(f"{BASE}RelatedPerson?patient={client.pk}"))
    assert [r["id"] for r in resources_of(outside)] == [str(sister.pk)]
    assert parsed(api.get(f"{BASE}RelatedPerson/{sponsor.pk}"), status=404)


# ------------------------------------------------------------------------ EpisodeOfCare
def test_episode_of_care_is_the_enrolment(record, case_manager, outsider):
    client = record["client"]
    client.enrolled_on = timezone.localdate() - timedelta(days=200)
    client.save(update_fields=["enrolled_on"])
    data = parsed(fhir_as(case_manager).get(f"{BASE}EpisodeOfCare/{client.pk}"))
    assert data["status"] == "active"
    assert data["period"]["start"] == client.enrolled_on.isoformat()
    assert data["managingOrganization"]["display"] == "Riverside"
    assert data["careManager"]["display"] == case_manager.display_name
    bundle = parsed(fhir_as(case_manager).get(f"{BASE}EpisodeOfCare?patient={client.pk}"))
    assert [e["id"] for e in resources_of(bundle)] == [str(client.pk)]
    assert parsed(fhir_as(outsider).get(f"{BASE}EpisodeOfCare/{client.pk}"), status=404)


def test_patient_search_by_name_and_identifier(record, case_manager):
    client = record["client"]
    api = fhir_as(case_manager)
    by_name = parsed(api.get(f"{BASE}Patient?name={client.last_name[:3]}"))
    assert [p["id"] for p in resources_of(by_name)] == [str(client.pk)]
    by_number = parsed(
        api.get(f"{BASE}Patient?identifier=urn:casemgmt:client-number|{client.client_number}")
    )
    assert by_number["total"] == 1
    other_system = parsed(api.get(f"{BASE}Patient?identifier=urn:other|{client.client_number}"))
    assert resources_of(other_system) == []


# ----------------------------------------------------------------------------- CareTeam
def test_careteam_leaves_the_substance_use_counsellor_out_without_consent(
    record, case_manager, partner
):
    org, partner_user = partner
    client = record["client"]
    CareTeamMember.objects.create(
        client=client, role=CareTeamRole.THERAPIST, user=case_manager, added_by=case_manager
    )
    CareTeamMember.objects.create(
        client=client,
        role=CareTeamRole.SUD_COUNSELLOR,
        name="Dee Okafor",
        organisation="Harbor Detox",
        added_by=case_manager,
    )
    staff = parsed(fhir_as(case_manager).get(f"{BASE}CareTeam/{client.pk}"))
    assert staff["status"] == "active"
    assert staff["subject"]["reference"] == f"Patient/{client.pk}"
    assert {p["role"][0]["text"] for p in staff["participant"]} == {
        "Therapist",
        "Substance use counsellor",
    }
    assert labels(staff) >= PART2_LABELS

    api = fhir_as(partner_user)
    bundle = parsed(api.get(f"{BASE}CareTeam?patient={client.pk}"))
    (team,) = resources_of(bundle, "CareTeam")
    assert [p["member"]["display"] for p in team["participant"]] == [case_manager.display_name]
    assert labels(team) == set()
    assert not Disclosure.objects.exists()

    part2_consent_for(client, org, case_manager)
    team = parsed(api.get(f"{BASE}CareTeam/{client.pk}"))
    assert len(team["participant"]) == 2
    assert labels(team) >= PART2_LABELS
    assert Disclosure.objects.get(client=client).information.endswith(f"CareTeam/{client.pk}")


# ------------------------------------------------------------------------- $everything
def _history(client, user, n):
    for i in range(n):
        diagnosis(
            client, user, "F41.1", f"Generalized anxiety {i}", DiagnosisCategory.MENTAL_HEALTH
        )
        diagnosis(client, user, "F11.20", f"Opioid dependence {i}", DiagnosisCategory.SUBSTANCE_USE)
        instrument_response_record(
            actor=user,
            client=client,
            instrument="gad7",
            answers=[i % 4] * 7,
            administered_at=timezone.now() - timedelta(days=i + 1),
        )
        transition_record(
            actor=user,
            client=client,
            from_level=LevelOfCare.RESIDENTIAL,
            to_level=LevelOfCare.OUTPATIENT,
            facility=f"Residence {i}",
            admitted_on=timezone.localdate() - timedelta(days=100 + i * 10),
            discharged_on=timezone.localdate() - timedelta(days=95 + i * 10),
            focus=VisitFocus.SUBSTANCE_USE,
        )


@pytest.mark.parametrize("persona", ["staff", "partner"])
def test_everything_is_a_bundle_in_a_fixed_number_of_queries(
    persona, record, case_manager, partner, django_assert_num_queries
):
    org, partner_user = partner
    part2_consent_for(record["client"], org, case_manager)
    user = case_manager if persona == "staff" else partner_user
    api = fhir_as(user)
    url = f"{BASE}Patient/{record['client'].pk}/$everything"
    api.get(url)  # warm up (token touch, caches)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        small = parsed(api.get(url))
    _history(record["client"], case_manager, 25)
    with CaptureQueriesContext(connection) as many:
        big = parsed(api.get(url))
    assert len(resources_of(big)) == len(resources_of(small)) + 125
    assert len(many) == len(few)
    # Token and roles, client and flags, twelve kinds of resource (the plans with problems,
    # goals and their problems; observations and questionnaire responses share one, as
    # service requests and tasks do; related persons with their consents; signed contact
    # notes), reach check,
    # audit, two savepoints; an outside organisation adds its directory name, its
    # consents and the disclosure.
    assert len(few) <= 24
    assert resources_of(big)[0]["resourceType"] == "Patient"


# --------------------------------------------------------------- Encounter: contact notes
def _note(client, author, *, signed=True, minutes=45, kind="in_person", days_ago=2):
    from clients.models import ContactNote

    at = timezone.now() - timedelta(days=days_ago)
    return ContactNote.objects.create(
        client=client,
        contact_at=at,
        contact_type=kind,
        duration_minutes=minutes,
        data="Met at the drop-in centre; talked about drinking and sleep.",
        author=author,
        signed_at=at if signed else None,
        signed_by=author if signed else None,
    )


def test_signed_contact_notes_are_encounters_without_their_narrative(record, case_manager, partner):
    client = record["client"]
    visit = _note(client, case_manager, minutes=45)
    call = _note(client, case_manager, kind="phone", minutes=15, days_ago=40)
    draft = _note(client, case_manager, signed=False)
    api = fhir_as(case_manager)
    bundle = parsed(api.get(f"{BASE}Encounter?patient={client.pk}"))
    ids = {e["id"] for e in resources_of(bundle, "Encounter")}
    assert {f"contact-{visit.pk}", f"contact-{call.pk}"} <= ids
    assert f"contact-{draft.pk}" not in ids  # an unsigned draft is not a record yet
    one = parsed(api.get(f"{BASE}Encounter/contact-{visit.pk}"))
    assert one["status"] == "finished" and one["class"]["code"] == "AMB"
    assert one["length"] == {
        "value": 45,
        "unit": "min",
        "system": "http://unitsofmeasure.org",
        "code": "min",
    }
    assert one["participant"][0]["individual"]["display"] == case_manager.display_name
    assert "drinking" not in json.dumps(one)  # the narrative stays in the record
    # The client has an alcohol use disorder: this program's notes are Part 2 records.
    assert labels(one) >= PART2_LABELS
    phone = parsed(api.get(f"{BASE}Encounter/contact-{call.pk}"))
    assert phone["class"]["code"] == "VR"
    since = (timezone.localdate() - timedelta(days=20)).isoformat()
    recent = parsed(api.get(f"{BASE}Encounter?patient={client.pk}&date=ge{since}"))
    recent_ids = {e["id"] for e in resources_of(recent)}
    assert f"contact-{visit.pk}" in recent_ids and f"contact-{call.pk}" not in recent_ids
    assert parsed(api.get(f"{BASE}Encounter/contact-{draft.pk}"), status=404)
    assert parsed(api.get(f"{BASE}Encounter/contact-x1"), status=404)
    everything = parsed(api.get(f"{BASE}Patient/{client.pk}/$everything"))
    assert f"contact-{visit.pk}" in {e["id"] for e in resources_of(everything, "Encounter")}
    # An outside organisation without a Part 2 consent gets none of them.
    org, outside_user = partner
    outside = fhir_as(outside_user)
    shown = {
        e["id"] for e in resources_of(parsed(outside.get(f"{BASE}Encounter?patient={client.pk}")))
    }
    assert not any(i.startswith("contact-") for i in shown)
    assert parsed(outside.get(f"{BASE}Encounter/contact-{visit.pk}"), status=404)
