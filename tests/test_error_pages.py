"""Oversized bodies are 413, a database outage is 503 saying the request was not saved."""

import pytest
from django.db import OperationalError


def test_oversized_json_body_is_413_json(api_500, case_manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"title": "' + "x" * 20_000 + '"}'
    response = api_500(case_manager).post(
        "/api/v1/follow-ups/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def _database_down(*args, **kwargs):
    raise OperationalError("connection to server failed")


def test_database_outage_is_a_503_json_for_the_api(api_500, case_manager, monkeypatch):
    api = api_500(case_manager)
    monkeypatch.setattr("referrals.api.views.followup_list", _database_down, raising=False)
    monkeypatch.setattr("clients.api.views.client_list", _database_down)
    response = api.get("/api/v1/clients/")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "briefly unavailable" in detail and "not saved" in detail
    assert response["Retry-After"]


def test_database_outage_is_a_503_page_in_the_browser(browser_as, case_manager, monkeypatch):
    browser = browser_as(case_manager)
    browser.raise_request_exception = False
    monkeypatch.setattr("clients.views.record.client_list", _database_down)
    response = browser.get("/clients/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "briefly unavailable" in text and "not saved" in text
    assert "Nothing you saved before it was lost" not in text


def test_server_error_page_no_longer_claims_nothing_was_lost(client):
    from django.template.loader import render_to_string

    assert "Nothing you saved before it was lost" not in render_to_string("500.html")


def test_conn_health_checks_are_on(settings):
    from django.db import connection

    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/abc/",
        "/api/v1/follow-ups/1e5/",
        "/api/v1/care-transitions/x/discharge/",
        "/api/v1/notifications/abc/read/",
        "/api/v1/no-such-thing/",
    ],
)
def test_an_api_url_that_routes_nowhere_is_a_json_404(api_500, case_manager, url):
    response = (
        api_500(case_manager).post(url)
        if url.endswith(("read/", "discharge/"))
        else (api_500(case_manager).get(url))
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_that_routes_nowhere_is_the_404_page(browser_as, case_manager):
    response = browser_as(case_manager).get("/referrals/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
