"""The API's ``Idempotency-Key`` header on POST: a repeat gets the stored answer (status,
body, ``Idempotent-Replayed: true``); the same key with another body is a 422; a key is
one user's; errors are not kept."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import InstrumentResponse
from casemgmt.accounts.services import api_token_issue
from casemgmt.lib.idempotency.models import SubmissionKey, SubmissionMode

from .helpers import gad7_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/instrument-responses/"


def post(api, body, key):
    return api.post(URL, body, format="json", headers={"Idempotency-Key": key})


def test_replay_returns_the_same_status_and_body(api_as, case_manager, client_record):
    api = api_as(case_manager)
    first = post(api, gad7_body(client_record), "retry-1")
    assert first.status_code == 201
    again = post(api, gad7_body(client_record), "retry-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1
    row = SubmissionKey.objects.get(key="retry-1")
    assert row.mode == SubmissionMode.API
    assert json.loads(bytes(row.response_body)) == first.json()


def test_same_key_with_a_different_body_is_422(api_as, case_manager, client_record):
    api = api_as(case_manager)
    post(api, gad7_body(client_record), "k-422")
    other = post(api, gad7_body(client_record, answers=(3, 3, 3, 3, 3, 3, 3)), "k-422")
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1


def test_same_key_on_another_endpoint_is_422(api_as, case_manager, client_record):
    api = api_as(case_manager)
    post(api, gad7_body(client_record), "k-path")
    other = api.post(
        "/api/v1/follow-ups/",
        {"client": client_record.pk, "due_on": "2030-01-01", "what": "Call"},
        format="json",
        headers={"Idempotency-Key": "k-path"},
    )
    assert other.status_code == 422


def test_another_users_key_is_not_replayed_to_them(api_as, case_manager, teammate, client_record):
    post(api_as(case_manager), gad7_body(client_record), "shared-key")
    theirs = post(api_as(teammate), gad7_body(client_record), "shared-key")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert InstrumentResponse.objects.filter(client=client_record).count() == 2


def test_outsider_with_the_same_key_gets_404_not_the_stored_body(
    api_as, case_manager, outsider, client_record
):
    post(api_as(case_manager), gad7_body(client_record), "mine")
    theirs = post(api_as(outsider), gad7_body(client_record), "mine")
    assert theirs.status_code in (400, 404)
    assert "Idempotent-Replayed" not in theirs
    assert InstrumentResponse.objects.filter(client=client_record).count() == 1


def test_bad_input_is_not_kept_and_the_corrected_request_saves(api_as, case_manager, client_record):
    api = api_as(case_manager)
    bad = post(api, {**gad7_body(client_record), "answers": [1, 2]}, "fix-me")
    assert bad.status_code == 400
    assert not SubmissionKey.objects.filter(key="fix-me").exists()
    assert post(api, gad7_body(client_record), "fix-me").status_code == 201


def test_token_authentication_is_keyed_to_the_token_user(case_manager, client_record):
    api = APIClient()
    _, raw = api_token_issue(user=case_manager, name="test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    first = post(api, gad7_body(client_record), "tok")
    again = post(api, gad7_body(client_record), "tok")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert SubmissionKey.objects.get(key="tok").user == case_manager


def test_without_a_key_nothing_changes(api_as, case_manager, client_record):
    api = api_as(case_manager)
    api.post(URL, gad7_body(client_record), format="json")
    api.post(URL, gad7_body(client_record), format="json")
    assert InstrumentResponse.objects.filter(client=client_record).count() == 2
    assert not SubmissionKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ünïcode"])
def test_a_malformed_key_is_400(api_as, case_manager, client_record, key):
    response = api_as(case_manager).post(
        URL, gad7_body(client_record), format="json", headers={"Idempotency-Key": key}
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not InstrumentResponse.objects.exists()


def test_an_expired_key_is_a_new_request(api_as, case_manager, client_record):
    api = api_as(case_manager)
    post(api, gad7_body(client_record), "old")
    SubmissionKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    again = post(api, gad7_body(client_record), "old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert InstrumentResponse.objects.filter(client=client_record).count() == 2
    assert SubmissionKey.objects.filter(key="old").count() == 1


def test_schema_documents_the_header_on_every_post(api_as, case_manager):
    schema = api_as(case_manager).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert posts
    for post in posts:
        names = [p["name"] for p in post.get("parameters", []) if p["in"] == "header"]
        assert names.count("Idempotency-Key") == 1
        assert "422" in post["responses"]
    gets = [ops["get"] for ops in schema["paths"].values() if "get" in ops]
    assert not any(
        p["name"] == "Idempotency-Key" for get in gets for p in get.get("parameters", [])
    )


def test_a_session_request_without_csrf_gets_no_stored_answer(api_as, case_manager, client_record):
    first = post(api_as(case_manager), gad7_body(client_record), "csrf")
    assert first.status_code == 201
    cross_site = APIClient(enforce_csrf_checks=True)
    cross_site.force_login(case_manager)
    refused = post(cross_site, gad7_body(client_record), "csrf")
    assert refused.status_code == 403 and "Idempotent-Replayed" not in refused
    assert str(first.json()["id"]) not in refused.content.decode()
