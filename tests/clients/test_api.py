import pytest
from django.urls import reverse

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
    assert (
        api.patch(
            detail(client_record), {"last_name": "X", "version": 1}, format="json"
        ).status_code
        == 404
    )
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


def test_partial_update_needs_the_version(api_as, case_manager, client_record):
    api = api_as(case_manager)
    response = api.patch(detail(client_record), {"pronouns": "she/her"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    response = api.patch(
        detail(client_record), {"pronouns": "she/her", "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["pronouns"] == "she/her" and response.json()["version"] == 2


def test_stale_update_is_409_with_what_changed(api_as, case_manager, teammate, client_record):
    api_as(teammate).patch(
        detail(client_record), {"phone": "555-1111", "version": 1}, format="json"
    )
    response = api_as(case_manager).patch(
        detail(client_record), {"phone": "555-2222", "version": 1}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["changed_fields"] == ["phone"] and body["version"] == 2
    assert teammate.display_name in body["detail"]
    client_record.refresh_from_db()
    assert client_record.phone == "555-1111"


def test_status_cannot_be_patched(api_as, case_manager, client_record):
    response = api_as(case_manager).patch(
        detail(client_record), {"status": "inactive", "version": 1}, format="json"
    )
    client_record.refresh_from_db()
    assert client_record.status == "active"  # ignored by PATCH: status is a verb
    assert response.status_code == 200


def test_bad_update_is_400_and_keeps_data(api_as, case_manager, client_record):
    before = client_record.date_of_birth
    response = api_as(case_manager).patch(
        detail(client_record),
        {"date_of_birth": "2999-01-01", "last_name": "New", "version": 1},
        format="json",
    )
    assert response.status_code == 400 and "date_of_birth" in response.json()
    client_record.refresh_from_db()
    assert client_record.date_of_birth == before and client_record.last_name != "New"


def test_status_verb_and_409_for_unknown_transition(api_as, case_manager, client_record):
    api = api_as(case_manager)
    url = detail(client_record) + "status/"
    response = api.post(url, {"status": "referred"}, format="json")
    assert response.status_code == 409 and "status" in response.json()
    response = api.post(url, {"status": "discharged"}, format="json")
    assert response.status_code == 400 and "discharge_reason" in response.json()
    response = api.post(
        url, {"status": "discharged", "discharge_reason": "completed"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "discharged"


def test_transfer_verb(api_as, supervisor, teammate, client_record):
    response = api_as(supervisor).post(
        detail(client_record) + "transfer/",
        {"team": client_record.team_id, "primary_case_manager": teammate.pk, "reason": "Leave"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["primary_case_manager"] == teammate.pk


def test_filters_dual_diagnosis_and_risk_flag(api_as, case_manager, team):
    ClientFactory(team=team, last_name="Dual", is_dual_diagnosis=True)
    flagged = ClientFactory(team=team, last_name="Flag")
    flagged.risk_flags.create(kind="overdose_risk", reason="x")
    api = api_as(case_manager)
    names = [c["last_name"] for c in api.get(LIST, {"dual_diagnosis": "true"}).json()["results"]]
    assert names == ["Dual"]
    body = api.get(LIST, {"risk_flag": "overdose_risk"}).json()["results"]
    assert [c["last_name"] for c in body] == ["Flag"] and body[0]["risk_flags"] == ["overdose_risk"]


@pytest.mark.parametrize("query", [{}, {"q": "zz"}, {"status": "active", "mine": "true"}])
def test_list_and_search_queries_are_flat_at_1_and_200_rows(
    api_as, case_manager, team, django_assert_max_num_queries, query
):
    api = api_as(case_manager)
    ClientFactory(team=team, first_name="Zzara", primary_case_manager=case_manager)
    with django_assert_max_num_queries(12) as one:
        assert api.get(LIST, query | {"page_size": 200}).json()["count"] == 1
    for client in ClientFactory.create_batch(
        199, team=team, first_name="Zzoe", primary_case_manager=case_manager
    ):
        client.risk_flags.create(kind="suicide_risk", reason="x")
    with django_assert_max_num_queries(12) as many:
        body = api.get(LIST, query | {"page_size": 200}).json()
    assert body["count"] == 200 and len(body["results"]) == 200
    assert len(many.captured_queries) == len(one.captured_queries)


def test_duplicates_endpoint(api_as, case_manager, team, other_team):
    from datetime import date

    ClientFactory(team=team, first_name="Ana", last_name="Silva", date_of_birth=date(1980, 2, 2))
    far = ClientFactory(
        team=other_team, first_name="Anna", last_name="Sylva", date_of_birth=date(1980, 2, 2)
    )
    body = (
        api_as(case_manager)
        .get(
            LIST + "duplicates/",
            {"first_name": "Anna", "last_name": "Silva", "date_of_birth": "1980-02-02"},
        )
        .json()
    )
    assert [c["last_name"] for c in body["in_reach"]] == ["Silva"]
    # The other team's client exists, and nothing more is said about it.
    assert body["possible_duplicate_elsewhere"] is True
    assert far.client_number not in str(body) and "Northgate" not in str(body)


def test_timeline_endpoint(api_as, case_manager, client_record):
    api = api_as(case_manager)
    api.post(detail(client_record) + "status/", {"status": "inactive"}, format="json")
    entries = api.get(detail(client_record) + "timeline/").json()["results"]
    assert entries[0]["kind"] == "status"


def test_diagnoses_api(api_as, case_manager, outsider, client_record):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/diagnoses/", {"client": client_record.pk, "icd10_code": "F33.1"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["description"].startswith("Major depressive")
    response = api.post(
        "/api/v1/diagnoses/", {"client": client_record.pk, "icd10_code": "F1O.20"}, format="json"
    )
    assert response.status_code == 400 and "icd10_code" in response.json()
    dx_id = api.get("/api/v1/diagnoses/", {"client": client_record.pk}).json()["results"][0]["id"]
    response = api.patch(f"/api/v1/diagnoses/{dx_id}/", {"status": "resolved"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert api_as(outsider).get(f"/api/v1/diagnoses/{dx_id}/").status_code == 404
    response = api_as(outsider).post(
        "/api/v1/diagnoses/", {"client": client_record.pk, "icd10_code": "F33.1"}, format="json"
    )
    assert response.status_code == 400 and "client" in response.json()


def test_risk_flags_api(api_as, case_manager, client_record):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/risk-flags/",
        {"client": client_record.pk, "kind": "violence_risk", "reason": "Threats"},
        format="json",
    )
    assert response.status_code == 201
    flag_id = response.json()["id"]
    response = api.post(f"/api/v1/risk-flags/{flag_id}/clear/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api.post(
        f"/api/v1/risk-flags/{flag_id}/clear/", {"reason": "Resolved"}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_emergency_access_api(api_as, outsider, client_record):
    api = api_as(outsider)
    assert api.get(detail(client_record)).status_code == 404
    response = api.post(
        "/api/v1/emergency-access/",
        {
            "client_number": client_record.client_number,
            "reason_code": "crisis_team",
            "reason": "Mobile crisis team on scene",
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["reason_code"] == "crisis_team"
    assert api.get(detail(client_record)).status_code == 200
    response = api.post(
        "/api/v1/emergency-access/", {"client_number": "nope", "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "reason_code" in response.json()


def test_token_authentication(api, case_manager, client_record):
    from casemgmt.accounts.services import api_token_issue

    _, raw = api_token_issue(user=case_manager, name="laptop")
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
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
    from casemgmt.accounts.models import User
    from tests.two_factor import enrol, totp_code

    device = enrol(User.objects.get(username="root"))  # an admin signs in with two factors
    token = api.post(
        reverse("api-token"),
        {"username": "root", "password": "a-long-root-password", "otp": totp_code(device)},
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(LIST).json()["count"] == 2


def test_duplicates_and_out_of_reach_filter_are_audited_honestly(
    api_as, case_manager, outsider, client_record
):
    api = api_as(case_manager)
    api.get(
        LIST + "duplicates/",
        {
            "first_name": client_record.first_name,
            "last_name": client_record.last_name,
            "date_of_birth": str(client_record.date_of_birth),
        },
    )
    event = AuditEvent.objects.get(object_type="clients.duplicates")
    assert event.detail["clients"] == [client_record.pk]
    api_as(outsider).get("/api/v1/diagnoses/", {"client": client_record.pk})
    listed = AuditEvent.objects.get(object_type="clients.diagnosis_list", user=outsider)
    assert listed.client_id is None  # not written into another team's access log
