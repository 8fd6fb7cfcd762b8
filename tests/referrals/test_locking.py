"""Optimistic locking of a care transition's editable fields (issue 13, item 5): a
checklist saved over someone else's newer save of the same items is refused naming who
changed which; other fields saved meanwhile (a reconciliation) merge."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casemgmt.lib.errors import Conflict
from referrals.models import CareTransition
from referrals.services import transition_record, transition_update
from referrals.services.transitions import transition_mark_medications_reconciled

pytestmark = pytest.mark.django_db


@pytest.fixture
def transition(client_record, case_manager):
    return transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude Behavioral",
        admitted_on=timezone.localdate() - timedelta(days=8),
        discharged_on=timezone.localdate() - timedelta(days=2),
    )


CHECKS = {
    "discharge_summary_received": True,
    "appointment_scheduled": False,
    "safety_plan_reviewed": False,
}


def test_a_stale_checklist_save_names_who_ticked_what(case_manager, supervisor, transition):
    version = CareTransition.objects.get(pk=transition.pk).edit_version
    transition_update(
        actor=supervisor,
        transition=transition,
        data=CHECKS | {"safety_plan_reviewed": True},
        expected_version=version,
    )
    with pytest.raises(Conflict) as error:
        transition_update(
            actor=case_manager,
            transition=transition,
            data=CHECKS | {"appointment_scheduled": True},
            expected_version=version,
        )
    assert "safety_plan_reviewed" in error.value.extra["changed_fields"]
    assert supervisor.display_name in error.value.message
    saved = CareTransition.objects.get(pk=transition.pk)
    assert saved.safety_plan_reviewed and not saved.appointment_scheduled


def test_a_reconciliation_meanwhile_does_not_block_the_checklist(
    case_manager, supervisor, transition, client_record
):
    version = CareTransition.objects.get(pk=transition.pk).edit_version
    transition_mark_medications_reconciled(
        actor=supervisor, transition_id=transition.pk, client=client_record
    )
    transition_update(
        actor=case_manager, transition=transition, data=CHECKS, expected_version=version
    )
    saved = CareTransition.objects.get(pk=transition.pk)
    assert saved.medications_reconciled and saved.discharge_summary_received


def test_a_stale_checklist_form_shows_the_conflict(
    browser_as, case_manager, supervisor, transition, client_record
):
    url = reverse("referrals:transition_detail", args=[client_record.pk, transition.pk])
    web = browser_as(case_manager)
    version = CareTransition.objects.get(pk=transition.pk).edit_version
    assert f'name="edit_version" value="{version}"' in web.get(url).text
    transition_update(actor=supervisor, transition=transition, data={"safety_plan_reviewed": True})
    page = web.post(
        url,
        {"checklist": "1", "appointment_scheduled": "on", "edit_version": str(version)},
    )
    assert page.status_code == 200 and 'id="edit-conflict"' in page.text
    assert supervisor.display_name in page.text and "safety_plan_reviewed" in page.text
    assert not CareTransition.objects.get(pk=transition.pk).appointment_scheduled
