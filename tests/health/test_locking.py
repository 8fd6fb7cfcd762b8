"""Optimistic locking of medications (issue 13, item 5): a change over someone else's
newer change, or over a stop, is refused naming who changed which fields."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casemgmt.lib.errors import Conflict
from health import services
from health.models import Medication
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def medication(team, case_manager):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    return services.medication_add(
        actor=case_manager,
        client=client,
        name="Buprenorphine/naloxone",
        dose="16 mg",
        frequency="once daily",
        started_on=timezone.localdate() - timedelta(days=30),
        route="sublingual",
    )


def test_a_stale_medication_change_names_who_changed_which_field(
    case_manager, supervisor, medication
):
    services.medication_update(
        actor=supervisor, medication=medication, data={"dose": "24 mg"}, expected_version=1
    )
    with pytest.raises(Conflict) as error:
        services.medication_update(
            actor=case_manager,
            medication=medication,
            data={"frequency": "twice daily"},
            expected_version=1,
        )
    assert (
        error.value.extra["changed_fields"] == ["dose"] and error.value.extra["edit_version"] == 2
    )
    assert supervisor.display_name in error.value.message
    medication.refresh_from_db()
    assert (medication.dose, medication.frequency) == ("24 mg", "once daily")


def test_a_change_loaded_before_a_stop_is_refused(case_manager, supervisor, medication):
    services.medication_stop(
        actor=supervisor,
        medication=medication,
        stopped_on=timezone.localdate(),
        reason="Side effects",
    )
    with pytest.raises(Conflict):
        services.medication_update(
            actor=case_manager, medication=medication, data={"dose": "8 mg"}, expected_version=1
        )
    medication.refresh_from_db()
    assert (medication.status, medication.dose) == ("stopped", "16 mg")


def test_a_stale_change_form_shows_the_conflict_and_keeps_the_typed_dose(
    browser_as, case_manager, supervisor, medication
):
    url = reverse("health:medication", args=[medication.client_id, medication.pk])
    web = browser_as(case_manager)
    assert 'name="edit_version" value="1"' in web.get(url).text
    services.medication_update(actor=supervisor, medication=medication, data={"dose": "24 mg"})
    response = web.post(
        url,
        {
            "action": "change",
            "dose": "12 mg",
            "frequency": "once daily",
            "route": "sublingual",
            "status": "active",
            "edit_version": "1",
        },
    )
    assert response.status_code == 200 and 'id="edit-conflict"' in response.text
    assert supervisor.display_name in response.text and "dose" in response.text
    assert 'value="12 mg"' in response.text
    assert "Saved meanwhile by someone else: 24 mg" in response.text
    assert Medication.objects.get(pk=medication.pk).dose == "24 mg"


def test_api_patch_with_a_stale_edit_version_is_409(api_as, case_manager, supervisor, medication):
    url = f"/api/v1/medications/{medication.pk}/"
    assert api_as(case_manager).get(url).json()["edit_version"] == 1
    assert api_as(supervisor).patch(url, {"dose": "24 mg"}, format="json").status_code == 200
    stale = api_as(case_manager).patch(url, {"dose": "8 mg", "edit_version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["changed_fields"] == ["dose"]
    assert supervisor.display_name in stale.json()["detail"]
