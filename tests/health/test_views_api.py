from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from health import services
from health.models import Medication
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def med(case_manager, client_record):
    return services.medication_add(
        actor=case_manager,
        client=client_record,
        name="Methadone",
        dose="80 mg",
        frequency="once daily",
        started_on=timezone.localdate() - timedelta(days=60),
    )


def test_medications_tab_and_add(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    url = reverse("health:medications", args=[client_record.pk])
    page = browser.get(url)
    assert page.status_code == 200 and "No current medications" in page.text
    response = browser.post(
        url,
        {
            "name": "Naltrexone",
            "dose": "50 mg",
            "route": "oral",
            "frequency": "daily",
            "started_on": "2099-01-01",
        },
    )
    assert 'id="id_started_on_error"' in response.text and not Medication.objects.exists()
    response = browser.post(
        url,
        {
            "name": "Naltrexone",
            "dose": "50 mg",
            "route": "oral",
            "frequency": "daily",
            "started_on": "2026-01-05",
        },
    )
    assert response.status_code == 302
    assert "Addiction treatment" in browser.get(url).text


def test_medication_page_check_in_and_stop(browser_as, case_manager, client_record, med):
    browser = browser_as(case_manager)
    url = reverse("health:medication", args=[client_record.pk, med.pk])
    browser.post(
        url,
        {
            "action": "checkin",
            "checked_on": timezone.localdate().isoformat(),
            "adherence": "some_missed",
        },
    )
    page = browser.get(url).text
    assert "Some doses missed" in page and "<svg" in page
    response = browser.post(url, {"action": "stop", "stopped_on": "2020-01-01", "reason": "x"})
    assert 'id="id_stopped_on_error"' in response.text
    browser.post(
        url,
        {
            "action": "stop",
            "stopped_on": timezone.localdate().isoformat(),
            "reason": "Moved to buprenorphine",
        },
    )
    med.refresh_from_db()
    assert med.status == "stopped"
    response = browser.post(
        url,
        {
            "action": "checkin",
            "checked_on": timezone.localdate().isoformat(),
            "adherence": "as_prescribed",
        },
    )
    assert response.status_code == 200  # stopped: no check-in form, nothing saved
    assert med.check_ins.count() == 1


def test_crisis_tab_records_and_warns(browser_as, case_manager, client_record):
    browser = browser_as(case_manager)
    url = reverse("health:crisis", args=[client_record.pk])
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = browser.post(
        url,
        {
            "action": "crisis",
            "occurred_at": when,
            "crisis_type": "overdose",
            "actions": ["naloxone"],
            "description": "Overdose at home",
            "outcome": "Revived",
        },
    )
    assert response.status_code == 302
    page = browser.get(url).text
    assert "review the safety plan" in page and "No naloxone on record" in page
    browser.post(
        url,
        {
            "action": "supply",
            "kind": "naloxone",
            "given_on": timezone.localdate().isoformat(),
            "quantity": 2,
            "training_done": "on",
        },
    )
    assert "No naloxone on record" not in browser.get(url).text


def test_outsider_gets_404(browser_as, api_as, outsider, client_record, med):
    browser = browser_as(outsider)
    for url in (
        reverse("health:medications", args=[client_record.pk]),
        reverse("health:medication", args=[client_record.pk, med.pk]),
        reverse("health:crisis", args=[client_record.pk]),
    ):
        assert browser.get(url).status_code == 404
    api = api_as(outsider)
    assert api.get(f"/api/v1/medications/{med.pk}/").status_code == 404
    assert api.get("/api/v1/medications/").json()["count"] == 0
    response = api.post("/api/v1/crisis-episodes/", {"client": client_record.pk}, format="json")
    assert response.status_code == 400


def test_api_medication_lifecycle(api_as, case_manager, client_record):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/medications/",
        {
            "client": client_record.pk,
            "name": "Lithium",
            "dose": "600 mg",
            "frequency": "bid",
            "started_on": "2026-01-01",
            "route": "oral",
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["is_psychiatric"] is True
    med_id = response.json()["id"]
    response = api.post(
        f"/api/v1/medications/{med_id}/check-ins/",
        {"checked_on": "2026-02-01", "adherence": "as_prescribed"},
        format="json",
    )
    assert response.status_code == 201
    response = api.post(
        f"/api/v1/medications/{med_id}/stop/",
        {"stopped_on": "2025-12-01", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400 and "stopped_on" in response.json()
    response = api.post(
        f"/api/v1/medications/{med_id}/stop/",
        {"stopped_on": "2026-03-01", "reason": "Toxicity"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "stopped"
    response = api.post(
        f"/api/v1/medications/{med_id}/check-ins/",
        {"checked_on": "2026-03-02", "adherence": "as_prescribed"},
        format="json",
    )
    assert response.status_code == 409


def test_api_crisis_in_the_future_is_400(api_as, case_manager, client_record):
    response = api_as(case_manager).post(
        "/api/v1/crisis-episodes/",
        {
            "client": client_record.pk,
            "crisis_type": "suicidal",
            "occurred_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "description": "x",
            "outcome": "y",
        },
        format="json",
    )
    assert response.status_code == 400 and "occurred_at" in response.json()


def test_medications_list_queries_flat(api_as, case_manager, team, django_assert_max_num_queries):
    api = api_as(case_manager)
    clients = [ClientFactory(team=team) for _ in range(2)]
    services.medication_add(
        actor=case_manager,
        client=clients[0],
        name="A",
        dose="1",
        frequency="d",
        started_on=date(2026, 1, 1),
    )
    with django_assert_max_num_queries(12) as one:
        api.get("/api/v1/medications/")
    for i in range(20):
        med = services.medication_add(
            actor=case_manager,
            client=clients[1],
            name=f"M{i}",
            dose="1",
            frequency="d",
            started_on=date(2026, 1, 1),
        )
        services.checkin_record(
            actor=case_manager, medication=med, checked_on=date(2026, 1, 2), adherence="unknown"
        )
    with django_assert_max_num_queries(12) as many:
        assert api.get("/api/v1/medications/").json()["count"] == 21
    assert len(many.captured_queries) == len(one.captured_queries)
