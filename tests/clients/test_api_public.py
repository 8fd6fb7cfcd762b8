"""``clients.api.public``: what other apps' APIs build on. ``client_in_payload`` answers a
bad client id with a 400 naming the field, never a 500; ``AuditedReadMixin`` audits lists
(with the client of ``?client=`` when in reach) and retrieves (with the object's client)."""

from datetime import date

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from casemgmt.audit.models import AuditEvent
from clients.api.public import client_in_payload
from clients.services import emergency_access_grant
from referrals.services import followup_create
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

MEDICATION = {
    "name": "Sertraline",
    "dose": "50 mg",
    "frequency": "daily",
    "started_on": "2026-01-05",
}


def _request(user):
    request = APIRequestFactory().post("/")
    request.user = user
    return request


def test_client_in_payload_returns_the_client_in_reach(case_manager, client_record):
    assert client_in_payload(_request(case_manager), client_record.pk) == client_record


@pytest.mark.parametrize("bad", [987654, -1, 0, "abc", None, 10**30])
def test_client_in_payload_bad_id_is_400_naming_the_field(case_manager, client_record, bad):
    with pytest.raises(ValidationError) as raised:
        client_in_payload(_request(case_manager), bad, field="for_client")
    assert list(raised.value.detail) == ["for_client"]


def test_client_in_payload_out_of_reach_is_400_like_an_unknown_id(outsider, client_record):
    with pytest.raises(ValidationError) as raised:
        client_in_payload(_request(outsider), client_record.pk)
    assert raised.value.detail == {"client": ["No client with this id in your teams."]}


def test_client_in_payload_opens_a_client_under_emergency_access(outsider, client_record):
    emergency_access_grant(
        reason_code="medical_emergency",
        user=outsider,
        client_number=client_record.client_number,
        reason="ED called: crisis",
    )
    assert client_in_payload(_request(outsider), client_record.pk) == client_record


@pytest.mark.parametrize(
    "url, payload",
    [
        ("/api/v1/diagnoses/", {"icd10_code": "F33.1"}),
        ("/api/v1/follow-ups/", {"title": "Call back", "due_on": "2030-01-01"}),
        ("/api/v1/careplans/", {}),
        ("/api/v1/safety-plans/", {}),
        ("/api/v1/medications/", MEDICATION),
        ("/api/v1/comprehensive-assessments/", {}),
    ],
)
@pytest.mark.parametrize("bad", [987654, 10**18])
def test_every_app_answers_a_bad_client_with_400_naming_client(
    api_as, case_manager, client_record, url, payload, bad
):
    response = api_as(case_manager).post(url, {"client": bad, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["client"]


def test_every_app_answers_an_outsider_client_with_400_and_creates_nothing(
    api_as, outsider, client_record
):
    api = api_as(outsider)
    before = AuditEvent.objects.count()
    response = api.post(
        "/api/v1/follow-ups/",
        {"client": client_record.pk, "title": "Call back", "due_on": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["client"]
    assert AuditEvent.objects.count() == before


def test_list_with_a_client_in_reach_writes_that_clients_access_log(
    api_as, case_manager, client_record
):
    api_as(case_manager).get("/api/v1/follow-ups/", {"client": client_record.pk})
    event = AuditEvent.objects.get(object_type="referrals.followup_list")
    assert event.action == "view" and event.client_id == client_record.pk
    assert event.detail == {"filters": ["client"]}


def test_list_with_a_client_out_of_reach_names_no_client(api_as, outsider, client_record):
    api_as(outsider).get("/api/v1/careplans/", {"client": client_record.pk})
    event = AuditEvent.objects.get(object_type="careplans.careplan_list", user=outsider)
    assert event.client_id is None


def test_retrieve_is_audited_for_the_objects_client_and_outsider_gets_404(
    api_as, case_manager, outsider, team
):
    client = ClientFactory(team=team)
    followup = followup_create(
        actor=case_manager,
        client=client,
        assignee=case_manager,
        reason="general",
        title="Call back",
        due_on=date(2030, 1, 1),
    )
    url = f"/api/v1/follow-ups/{followup.pk}/"
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(case_manager).get(url).status_code == 200
    event = AuditEvent.objects.get(
        action="view", object_type="referrals.followup", object_id=str(followup.pk)
    )
    assert event.user == case_manager and event.client_id == client.pk
