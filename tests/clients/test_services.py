from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from casemgmt.audit.models import AuditEvent
from clients.models import ClientStatus
from clients.services import client_create, client_update
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
    return client_create(**(values | overrides))


def test_create_assigns_a_client_number_and_audits(case_manager, team):
    client = _create(case_manager, team, primary_case_manager=case_manager)
    assert client.client_number.startswith("C") and len(client.client_number) == 8
    event = AuditEvent.objects.get(action="create", client_id=client.pk)
    assert event.user == case_manager
    assert event.object_type == "clients.client"


def test_client_numbers_are_unique(case_manager, team):
    numbers = {_create(case_manager, team).client_number for _ in range(3)}
    assert len(numbers) == 3


def test_create_strips_names(case_manager, team):
    client = _create(case_manager, team, first_name="  Jo ", preferred_name=" J ")
    assert (client.first_name, client.preferred_name) == ("Jo", "J")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"date_of_birth": date.today() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth"),
        ({"status": "sleeping"}, "status"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(case_manager, team, overrides, field):
    with pytest.raises(ValidationError) as error:
        _create(case_manager, team, **overrides)
    assert field in error.value.message_dict
    assert not AuditEvent.objects.filter(action="create").exists()


def test_cannot_place_a_client_in_someone_elses_team(case_manager, other_team):
    with pytest.raises(ValidationError) as error:
        _create(case_manager, other_team)
    assert "team" in error.value.message_dict


def test_case_manager_must_belong_to_the_team(case_manager, team, outsider):
    with pytest.raises(ValidationError) as error:
        _create(case_manager, team, primary_case_manager=outsider)
    assert "primary_case_manager" in error.value.message_dict


def test_update_changes_only_given_fields_and_audits_their_names(case_manager, team):
    client = ClientFactory(team=team, status=ClientStatus.INTAKE)
    client_update(actor=case_manager, client=client, data={"status": ClientStatus.ACTIVE})
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE
    event = AuditEvent.objects.get(action="update", client_id=client.pk)
    assert event.detail == {"fields": ["status"]}


def test_update_with_nothing_changed_writes_no_event(case_manager, team):
    client = ClientFactory(team=team)
    client_update(actor=case_manager, client=client, data={"status": client.status})
    assert not AuditEvent.objects.filter(action="update").exists()


def test_update_refuses_unknown_fields(case_manager, team):
    client = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        client_update(actor=case_manager, client=client, data={"client_number": "X"})
    assert "client_number" in error.value.message_dict


def test_update_bad_input_keeps_what_was_saved(case_manager, team):
    client = ClientFactory(team=team, last_name="Keep")
    with pytest.raises(ValidationError):
        client_update(actor=case_manager, client=client, data={"last_name": ""})
    client.refresh_from_db()
    assert client.last_name == "Keep"


def test_inactive_staff_cannot_be_case_manager(case_manager, team):
    gone = UserFactory(is_active=False)
    team.members.add(gone)
    with pytest.raises(ValidationError) as error:
        _create(case_manager, team, primary_case_manager=gone)
    assert "primary_case_manager" in error.value.message_dict
