"""API: /api/v1/checkins/ list, create (send), revoke, acknowledge; self-report source on
instrument responses."""

import pytest

from portal import services
from portal.models import CheckIn

pytestmark = pytest.mark.django_db


def test_create_sends_a_check_in(api_as, phone_client, case_manager):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/checkins/",
        {"client": phone_client.pk, "instruments": ["phq9", "gad7"], "channel": "sms"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "sent" and body["instruments"] == ["phq9", "gad7"]
    assert "token" not in str(body) and "nonce" not in str(body)


def test_create_bad_input_names_the_field(api_as, phone_client, case_manager):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/checkins/",
        {"client": phone_client.pk, "instruments": ["k10"], "channel": "sms"},
        format="json",
    )
    assert response.status_code == 400 and "instruments" in response.json()
    response = api.post(
        "/api/v1/checkins/", {"client": phone_client.pk, "channel": "pigeon"}, format="json"
    )
    assert response.status_code == 400 and "channel" in response.json()
    assert not CheckIn.objects.exists()


def test_outsider_cannot_send_list_or_revoke(api_as, phone_client, case_manager, outsider):
    checkin = services.checkin_send(
        actor=case_manager, client=phone_client, instruments=["phq9"], channel="sms"
    )
    api = api_as(outsider)
    response = api.post(
        "/api/v1/checkins/",
        {"client": phone_client.pk, "instruments": ["phq9"], "channel": "sms"},
        format="json",
    )
    assert response.status_code == 400 and "client" in response.json()
    assert api.get("/api/v1/checkins/").json()["results"] == []
    assert api.get(f"/api/v1/checkins/{checkin.pk}/").status_code == 404
    assert api.post(f"/api/v1/checkins/{checkin.pk}/revoke/").status_code == 404


def test_revoke_then_revoke_again_is_409(api_as, phone_client, case_manager):
    checkin = services.checkin_send(
        actor=case_manager, client=phone_client, instruments=["phq9"], channel="sms"
    )
    api = api_as(case_manager)
    response = api.post(f"/api/v1/checkins/{checkin.pk}/revoke/")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert api.post(f"/api/v1/checkins/{checkin.pk}/revoke/").status_code == 409


def test_list_query_count_is_fixed(
    api_as, phone_client, case_manager, django_assert_max_num_queries
):
    api = api_as(case_manager)
    services.checkin_send(
        actor=case_manager, client=phone_client, instruments=["phq9"], channel="sms"
    )
    with django_assert_max_num_queries(20) as one:
        assert api.get(f"/api/v1/checkins/?client={phone_client.pk}").status_code == 200
    for _ in range(6):
        checkin = services.checkin_send(
            actor=case_manager, client=phone_client, instruments=["gad7"], channel="sms"
        )
        services.checkin_part_record(checkin=checkin, part="gad7", answers=[1] * 7)
    with django_assert_max_num_queries(20) as many:
        body = api.get(f"/api/v1/checkins/?client={phone_client.pk}").json()
    assert len(body["results"]) == 7
    assert len(many.captured_queries) == len(one.captured_queries)


def test_self_report_source_is_in_the_responses_api(api_as, phone_client, case_manager):
    checkin = services.checkin_send(
        actor=case_manager, client=phone_client, instruments=["gad7"], channel="sms"
    )
    services.checkin_part_record(checkin=checkin, part="gad7", answers=[0] * 7)
    body = api_as(case_manager).get(f"/api/v1/instrument-responses/?client={phone_client.pk}")
    assert body.json()["results"][0]["source"] == "client_self_report"
