"""Finding 6 of issue 14: no page or API answer carrying client data may be cached."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _assert_no_store(response, url):
    assert "no-store" in response.headers.get("Cache-Control", ""), url
    assert "private" in response["Cache-Control"], url
    assert response.headers.get("Pragma") == "no-cache", url


def test_chart_pages_are_never_stored(client, case_manager, client_record):
    client.force_login(case_manager)
    pk = client_record.pk
    for url in (
        reverse("home"),
        reverse("clients:list"),
        reverse("clients:detail", args=[pk]),
        reverse("clients:diagnoses", args=[pk]),
        reverse("clients:timeline", args=[pk]),
        reverse("clients:notes", args=[pk]),
        reverse("clients:consents", args=[pk]),
        reverse("clients:careteam", args=[pk]),
        reverse("careplans:client_plan", args=[pk]),
        reverse("careplans:safety_plan", args=[pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_store(response, url)


def test_an_outsiders_404_is_not_stored_either(client, outsider, client_record):
    client.force_login(outsider)
    url = reverse("clients:detail", args=[client_record.pk])
    response = client.get(url)
    assert response.status_code == 404
    _assert_no_store(response, url)


def test_api_answers_are_never_stored(api_as, case_manager, client_record):
    api = api_as(case_manager)
    for url in (
        "/api/v1/clients/",
        f"/api/v1/clients/{client_record.pk}/",
        f"/api/v1/clients/{client_record.pk}/timeline/",
        f"/api/v1/diagnoses/?client={client_record.pk}",
        "/api/v1/follow-ups/",
        "/api/v1/notifications/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        _assert_no_store(response, url)


def test_an_anonymous_api_refusal_is_not_stored(api):
    response = api.get("/api/v1/clients/")
    assert response.status_code in (401, 403)
    _assert_no_store(response, "/api/v1/clients/")


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Pragma" not in response.headers


def test_an_anonymous_page_is_not_stored(client):
    response = client.get(reverse("clients:list"))  # redirect to log in
    _assert_no_store(response, "clients:list")
