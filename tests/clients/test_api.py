import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from casemgmt.audit.models import AuditEvent
from clients.models import Client, ClientStatus
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/clients/"


def detail(client):
    return f"/api/v1/clients/{client.pk}/"


def _payload(team, **overrides):
    return {
        "first_name": "Sasha",
        "last_name": "Lindqvist",
        "date_of_birth": "1992-06-15",
        "team": team.pk,
        "status": ClientStatus.INTAKE,
    } | overrides


def test_anonymous_is_refused(api, client_record):
    assert api.get(LIST).status_code in (401, 403)
    assert api.get(detail(client_record)).status_code in (401, 403)


def test_list_is_scoped_and_paginated(api_as, case_manager, client_record, other_team):
    ClientFactory(team=other_team)
    body = api_as(case_manager).get(LIST).json()
    assert body["count"] == 1
    assert body["results"][0]["client_number"] == client_record.client_number
    assert body["results"][0]["primary_case_manager_name"] == case_manager.display_name


def test_list_filters(api_as, case_manager, team):
    ClientFactory(team=team, last_name="Alpha", status=ClientStatus.ACTIVE)
    ClientFactory(team=team, last_name="Beta", status=ClientStatus.DISCHARGED)
    api = api_as(case_manager)
    names = [c["last_name"] for c in api.get(LIST, {"status": "discharged"}).json()["results"]]
    assert names == ["Beta"]
    names = [c["last_name"] for c in api.get(LIST, {"q": "alph"}).json()["results"]]
    assert names == ["Alpha"]


def test_list_is_audited(api_as, case_manager, client_record):
    api_as(case_manager).get(LIST, {"status": "active"})
    assert AuditEvent.objects.filter(
        object_type="clients.client_list", user=case_manager, detail={"filters": ["status"]}
    ).exists()


def test_list_query_count_is_flat(api_as, case_manager, team, django_assert_max_num_queries):
    api = api_as(case_manager)
    ClientFactory(team=team, primary_case_manager=case_manager)
    with django_assert_max_num_queries(10) as one:
        api.get(LIST)
    ClientFactory.create_batch(40, team=team, primary_case_manager=case_manager)
    with django_assert_max_num_queries(10) as many:
        assert api.get(LIST).json()["count"] == 41
    assert len(many.captured_queries) == len(one.captured_queries)


def test_retrieve_and_audit(api_as, case_manager, client_record):
    response = api_as(case_manager).get(detail(client_record))
    assert response.status_code == 200 and response.json()["id"] == client_record.pk
    assert AuditEvent.objects.filter(
        action="view", object_type="clients.client", client_id=client_record.pk
    ).exists()


def test_outsider_gets_404_everywhere(api_as, outsider, client_record):
    api = api_as(outsider)
    assert api.get(detail(client_record)).status_code == 404
    assert api.patch(detail(client_record), {"last_name": "X"}, format="json").status_code == 404
    assert (
        api.put(detail(client_record), _payload(client_record.team), format="json").status_code
        == 404
    )
    assert api.get(LIST).json()["count"] == 0


def test_unknown_id_is_404(api_as, case_manager):
    assert api_as(case_manager).get("/api/v1/clients/987654/").status_code == 404


def test_create(api_as, case_manager, team):
    response = api_as(case_manager).post(
        LIST, _payload(team, primary_case_manager=case_manager.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["client_number"].startswith("C") and body["team_name"] == "Riverside"
    assert Client.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"status": "asleep"}, "status"),
        ({"team": 0}, "team"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(api_as, case_manager, team, overrides, field):
    response = api_as(case_manager).post(LIST, _payload(team) | overrides, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Client.objects.exists()


def test_create_in_unreachable_team_is_400(api_as, case_manager, other_team):
    response = api_as(case_manager).post(LIST, _payload(other_team), format="json")
    assert response.status_code == 400 and "team" in response.json()


def test_create_with_outside_case_manager_is_400(api_as, case_manager, team, outsider):
    response = api_as(case_manager).post(
        LIST, _payload(team, primary_case_manager=outsider.pk), format="json"
    )
    assert response.status_code == 400 and "primary_case_manager" in response.json()


def test_partial_update(api_as, case_manager, client_record):
    response = api_as(case_manager).patch(
        detail(client_record), {"status": "inactive"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "inactive"
    client_record.refresh_from_db()
    assert client_record.status == "inactive"


def test_bad_update_is_400_and_keeps_data(api_as, case_manager, client_record):
    before = client_record.date_of_birth
    response = api_as(case_manager).patch(
        detail(client_record), {"date_of_birth": "2999-01-01", "last_name": "New"}, format="json"
    )
    assert response.status_code == 400 and "date_of_birth" in response.json()
    client_record.refresh_from_db()
    assert client_record.date_of_birth == before and client_record.last_name != "New"


def test_token_authentication(api, case_manager, client_record):
    token = Token.objects.create(user=case_manager)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(LIST).json()["count"] == 1


def test_obtain_token_with_password(api, case_manager):
    response = api.post(
        reverse("api-token"), {"username": "cm", "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


def test_schema_and_docs_need_login(api, client, case_manager):
    assert api.get("/api/schema/").status_code in (401, 403)
    client.force_login(case_manager)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/clients/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_createsuperuser_can_list_every_client(api, monkeypatch, client_record, other_team):
    from django.core.management import call_command

    ClientFactory(team=other_team)
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-root-password")
    call_command("createsuperuser", interactive=False, verbosity=0)
    token = api.post(
        reverse("api-token"), {"username": "root", "password": "a-long-root-password"}
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(LIST).json()["count"] == 2
