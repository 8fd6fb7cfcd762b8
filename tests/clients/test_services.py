from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import Notification
from clients import services
from clients.models import (
    Assignment,
    Client,
    ClientStatus,
    DiagnosisStatus,
    RiskFlag,
    StatusChange,
    TimelineEntry,
)
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _create(actor, team, **overrides):
    values = {
        "actor": actor,
        "first_name": "Jordan",
        "last_name": "Reyes",
        "date_of_birth": date(1985, 4, 2),
        "team": team,
        "status": ClientStatus.INTAKE,
    }
    return services.client_create(**(values | overrides))


# ------------------------------------------------------------------------------- create
def test_create_assigns_number_history_audit_and_timeline(case_manager, team):
    client = _create(case_manager, team, primary_case_manager=case_manager, pronouns="they/them")
    assert client.client_number.startswith("C") and len(client.client_number) == 8
    assert client.pronouns == "they/them" and client.version == 1
    assert AuditEvent.objects.get(action="create", client_id=client.pk).user == case_manager
    assert StatusChange.objects.get(client=client).to_status == ClientStatus.INTAKE
    assert Assignment.objects.get(client=client).to_case_manager == case_manager
    assert TimelineEntry.objects.filter(client=client, kind="record").exists()


def test_create_active_sets_enrolment_date(case_manager, team):
    client = _create(case_manager, team, status=ClientStatus.ACTIVE)
    assert client.enrolled_on == timezone.localdate()


def test_create_makes_client_searchable(case_manager, team):
    client = _create(case_manager, team, first_name="Katherine", last_name="Oduya")
    client.refresh_from_db()
    assert "K365" in client.name_phonetic and client.search_document


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"date_of_birth": timezone.localdate() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth"),
        ({"status": ClientStatus.DISCHARGED}, "status"),
        ({"race": ["white", "declined"]}, "race"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(case_manager, team, overrides, field):
    with pytest.raises(ValidationError) as error:
        _create(case_manager, team, **overrides)
    assert field in error.value.message_dict
    assert not Client.objects.exists()


def test_cannot_place_a_client_in_someone_elses_team(case_manager, other_team):
    with pytest.raises(ValidationError) as error:
        _create(case_manager, other_team)
    assert "team" in error.value.message_dict


def test_case_manager_must_belong_to_the_team(case_manager, team, outsider):
    with pytest.raises(ValidationError) as error:
        _create(case_manager, team, primary_case_manager=outsider)
    assert "primary_case_manager" in error.value.message_dict


def test_inactive_staff_cannot_be_case_manager(case_manager, team):
    gone = UserFactory(is_active=False)
    team.members.add(gone)
    with pytest.raises(ValidationError) as error:
        _create(case_manager, team, primary_case_manager=gone)
    assert "primary_case_manager" in error.value.message_dict


def test_new_case_manager_is_notified(supervisor, case_manager, team):
    client = _create(supervisor, team, primary_case_manager=case_manager)
    note = Notification.objects.get(recipient=case_manager)
    assert client.client_number in note.title


# ------------------------------------------------------------------------- edit, locking
def test_update_changes_fields_bumps_version_and_audits(case_manager, team):
    client = ClientFactory(team=team)
    services.client_update(
        actor=case_manager, client=client, data={"phone": "555-0100"}, expected_version=1
    )
    client.refresh_from_db()
    assert client.phone == "555-0100" and client.version == 2
    event = AuditEvent.objects.get(action="update", client_id=client.pk)
    assert event.detail == {"fields": ["phone"], "version": 2}


def test_stale_save_is_a_conflict_naming_who_and_what(case_manager, teammate, team):
    client = ClientFactory(team=team, phone="555-0000")
    first_view = Client.objects.get(pk=client.pk)
    second_view = Client.objects.get(pk=client.pk)
    services.client_update(
        actor=teammate, client=first_view, data={"phone": "555-1111"}, expected_version=1
    )
    with pytest.raises(Conflict) as error:
        services.client_update(
            actor=case_manager, client=second_view, data={"phone": "555-2222"}, expected_version=1
        )
    assert teammate.display_name in error.value.message
    assert error.value.extra["changed_fields"] == ["phone"]
    assert error.value.extra["version"] == 2
    client.refresh_from_db()
    assert client.phone == "555-1111"  # never a silent overwrite


def test_update_with_nothing_changed_writes_no_event(case_manager, team):
    client = ClientFactory(team=team)
    services.client_update(actor=case_manager, client=client, data={"last_name": client.last_name})
    assert not AuditEvent.objects.filter(action="update").exists()


def test_update_refuses_status_and_unknown_fields(case_manager, team):
    client = ClientFactory(team=team)
    for field in ("status", "client_number", "team"):
        with pytest.raises(ValidationError) as error:
            services.client_update(actor=case_manager, client=client, data={field: "x"})
        assert field in error.value.message_dict


def test_update_bad_input_keeps_what_was_saved(case_manager, team):
    client = ClientFactory(team=team, last_name="Keep")
    with pytest.raises(ValidationError):
        services.client_update(actor=case_manager, client=client, data={"last_name": ""})
    client.refresh_from_db()
    assert client.last_name == "Keep" and client.version == 1


def test_renaming_refreshes_search(case_manager, team):
    client = ClientFactory(team=team, last_name="Smith")
    services.client_update(actor=case_manager, client=client, data={"last_name": "Nakamura"})
    client.refresh_from_db()
    assert "N256" in client.name_phonetic and "'nakamura'" in client.search_document


# ----------------------------------------------------------------------- status lifecycle
@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("referred", "intake"),
        ("intake", "active"),
        ("active", "inactive"),
        ("inactive", "active"),
        ("referred", "discharged"),
    ],
)
def test_allowed_transitions(case_manager, team, start, target):
    client = ClientFactory(team=team, status=start)
    extra = {"discharge_reason": "declined"} if target == "discharged" else {}
    services.client_change_status(actor=case_manager, client=client, status=target, **extra)
    client.refresh_from_db()
    assert client.status == target
    change = StatusChange.objects.get(client=client)
    assert (change.from_status, change.to_status, change.changed_by) == (
        start,
        target,
        case_manager,
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("referred", "inactive"),
        ("intake", "inactive"),
        ("active", "referred"),
        ("active", "active"),
    ],
)
def test_unknown_transition_is_a_conflict_and_saves_nothing(case_manager, team, start, target):
    client = ClientFactory(team=team, status=start)
    with pytest.raises(Conflict) as error:
        services.client_change_status(actor=case_manager, client=client, status=target)
    assert error.value.field == "status" and "Allowed next" in error.value.message
    client.refresh_from_db()
    assert client.status == start and not StatusChange.objects.exists()


def test_discharge_needs_a_reason(case_manager, team):
    client = ClientFactory(team=team, status="active")
    with pytest.raises(ValidationError) as error:
        services.client_change_status(actor=case_manager, client=client, status="discharged")
    assert "discharge_reason" in error.value.message_dict


def test_discharge_then_reopen_starts_a_new_episode(case_manager, team):
    client = ClientFactory(team=team, status="active", enrolled_on=date(2024, 1, 5))
    services.client_change_status(
        actor=case_manager,
        client=client,
        status="discharged",
        discharge_reason="moved",
        effective_on=date(2025, 6, 1),
    )
    client.refresh_from_db()
    assert (client.discharged_on, client.discharge_reason) == (date(2025, 6, 1), "moved")
    services.client_change_status(actor=case_manager, client=client, status="active")
    client.refresh_from_db()
    assert client.discharged_on is None and client.discharge_reason == ""
    assert client.enrolled_on == timezone.localdate()
    assert StatusChange.objects.filter(client=client).count() == 2


def test_status_date_cannot_be_in_the_future(case_manager, team):
    client = ClientFactory(team=team, status="active")
    with pytest.raises(ValidationError) as error:
        services.client_change_status(
            actor=case_manager,
            client=client,
            status="inactive",
            effective_on=timezone.localdate() + timedelta(days=2),
        )
    assert "effective_on" in error.value.message_dict


def test_status_change_makes_an_open_edit_stale(case_manager, teammate, team):
    client = ClientFactory(team=team, status="active")
    services.client_change_status(
        actor=teammate, client=Client.objects.get(pk=client.pk), status="inactive"
    )
    with pytest.raises(Conflict):
        services.client_update(
            actor=case_manager, client=client, data={"phone": "1"}, expected_version=1
        )


# ------------------------------------------------------------------------------ transfer
def test_transfer_keeps_history_and_notifies(supervisor, case_manager, teammate, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    services.client_transfer(
        actor=supervisor,
        client=client,
        team=team,
        primary_case_manager=teammate,
        reason="Caseload balance",
    )
    client.refresh_from_db()
    assert client.primary_case_manager == teammate
    assignment = Assignment.objects.get(client=client)
    assert (assignment.from_case_manager, assignment.to_case_manager) == (case_manager, teammate)
    assert assignment.reason == "Caseload balance"
    assert Notification.objects.filter(recipient=teammate, title__contains="caseload").exists()


def test_transfer_needs_reason_and_a_change(supervisor, case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    with pytest.raises(ValidationError) as error:
        services.client_transfer(
            actor=supervisor, client=client, team=team, primary_case_manager=case_manager, reason=""
        )
    assert {"reason", "primary_case_manager"} <= set(error.value.message_dict)


def test_transfer_to_team_out_of_reach_is_refused(case_manager, team, other_team):
    client = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.client_transfer(
            actor=case_manager,
            client=client,
            team=other_team,
            primary_case_manager=None,
            reason="Moved",
        )
    assert "team" in error.value.message_dict


# ---------------------------------------------------------------- diagnoses, dual diagnosis
def test_dual_diagnosis_needs_active_mental_health_and_substance_use(case_manager, team):
    client = ClientFactory(team=team)
    mh = services.diagnosis_add(
        actor=case_manager, client=client, icd10_code="f33.1", description=""
    )
    assert mh.icd10_code == "F33.1" and mh.category == "mental_health"
    assert mh.description == "Major depressive disorder, recurrent, moderate"  # from the list
    client.refresh_from_db()
    assert not client.is_dual_diagnosis
    assert client.diagnosis_categories == ["mental_health"]
    su = services.diagnosis_add(
        actor=case_manager, client=client, icd10_code="F1020", description="Alcohol dependence"
    )
    client.refresh_from_db()
    assert su.icd10_code == "F10.20" and su.category == "substance_use"
    assert client.is_dual_diagnosis
    assert client.diagnosis_categories == ["mental_health", "substance_use"]
    services.diagnosis_update(
        actor=case_manager, diagnosis=su, data={"status": DiagnosisStatus.RESOLVED}
    )
    client.refresh_from_db()
    assert not client.is_dual_diagnosis  # resolved is no longer diagnosed
    assert client.diagnosis_categories == ["mental_health"]


@pytest.mark.parametrize(
    ("code", "field"),
    [
        ("F3", "icd10_code"),
        ("U07.1", "icd10_code"),
        ("F33.12345", "icd10_code"),
        ("33.1", "icd10_code"),
        ("", "icd10_code"),
    ],
)
def test_malformed_icd10_code_is_rejected(case_manager, team, code, field):
    client = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.diagnosis_add(
            actor=case_manager,
            client=client,
            icd10_code=code,
            description="x",
            category="mental_health",
        )
    assert field in error.value.message_dict
    assert not client.diagnoses.exists()


def test_codes_off_the_list_are_allowed(case_manager, team):
    client = ClientFactory(team=team)
    diagnosis = services.diagnosis_add(
        actor=case_manager,
        client=client,
        icd10_code="E11.9",
        description="Type 2 diabetes",
        category="medical",
    )
    assert diagnosis.pk


def test_category_must_fit_the_code(case_manager, team):
    client = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.diagnosis_add(
            actor=case_manager,
            client=client,
            icd10_code="F11.20",
            description="Opioid dependence",
            category="mental_health",
        )
    assert "category" in error.value.message_dict


def test_diagnosis_code_never_changes(case_manager, team):
    client = ClientFactory(team=team)
    d = services.diagnosis_add(
        actor=case_manager, client=client, icd10_code="F41.1", description="GAD"
    )
    with pytest.raises(ValidationError):
        services.diagnosis_update(actor=case_manager, diagnosis=d, data={"icd10_code": "F41.0"})


# ---------------------------------------------------------------------------- risk flags
def test_flag_set_and_clear_keeps_history(case_manager, team):
    client = ClientFactory(team=team)
    flag = services.risk_flag_set(
        actor=case_manager, client=client, kind="suicide_risk", reason="Said they have a plan"
    )
    again = services.risk_flag_set(
        actor=None, client=client, kind="suicide_risk", reason="PHQ-9 item 9", source="phq9"
    )
    assert again.pk == flag.pk  # raising an active flag again is harmless
    services.risk_flag_clear(actor=case_manager, flag=flag, reason="Safety plan in place")
    flag.refresh_from_db()
    assert flag.cleared_by == case_manager and flag.clear_reason == "Safety plan in place"
    new = services.risk_flag_set(
        actor=case_manager, client=client, kind="suicide_risk", reason="New disclosure"
    )
    assert new.pk != flag.pk and RiskFlag.objects.filter(client=client).count() == 2


def test_flag_needs_reason_and_known_kind(case_manager, team):
    client = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.risk_flag_set(actor=case_manager, client=client, kind="bad_luck", reason="")
    assert {"kind", "reason"} <= set(error.value.message_dict)


# ------------------------------------------------------------------------ emergency access
def test_emergency_access_is_audited_and_notifies_supervisors(outsider, supervisor, team):
    client = ClientFactory(team=team)
    access = services.emergency_access_grant(
        reason_code="medical_emergency",
        user=outsider,
        client_number=client.client_number,
        reason="Client in ED, needs med list",
    )
    assert abs(access.expires_at - access.granted_at - timedelta(minutes=60)) < timedelta(seconds=2)
    assert AuditEvent.objects.filter(
        action="emergency_access", client_id=client.pk, user=outsider
    ).exists()
    assert Notification.objects.filter(recipient=supervisor, kind="escalation").exists()


def test_emergency_access_needs_exact_number_and_a_reason(outsider, team):
    ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        services.emergency_access_grant(
            user=outsider, client_number="C9999999", reason_code="", reason="short"
        )
    assert {"reason_code", "reason"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.emergency_access_grant(
            user=outsider,
            client_number="C9999999",
            reason_code="overdose",
            reason="Found unresponsive",
        )
    assert error.value.message_dict == {"client_number": [services.emergency.NOT_OPENED]}
