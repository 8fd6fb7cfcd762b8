"""Optimistic locking of the comprehensive assessment's sections (issue 13, item 5): a
save over someone else's newer save of the same section is refused naming who changed
which fields; a save of another section meanwhile merges."""

import pytest

from assessments import services
from casemgmt.lib.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(case_manager, client_record):
    return services.assessment_start(actor=case_manager, client=client_record)


def test_a_stale_save_of_the_same_section_names_who_changed_which_field(
    case_manager, supervisor, draft
):
    services.assessment_update(
        actor=supervisor, assessment=draft, data={"housing": "Shelter"}, expected_version=1
    )
    with pytest.raises(Conflict) as error:
        services.assessment_update(
            actor=case_manager,
            assessment=draft,
            data={"housing": "With a friend", "social_needs": ["housing"]},
            expected_version=1,
        )
    assert error.value.extra["changed_fields"] == ["housing"]
    assert error.value.extra["edit_version"] == 2
    assert supervisor.display_name in error.value.message
    draft.refresh_from_db()
    assert (draft.housing, draft.social_needs) == ("Shelter", [])


def test_a_save_of_another_section_meanwhile_merges(case_manager, supervisor, draft):
    services.assessment_update(
        actor=supervisor, assessment=draft, data={"housing": "Shelter"}, expected_version=1
    )
    services.assessment_update(
        actor=case_manager,
        assessment=draft,
        data={"presenting_concerns": "Low mood"},
        expected_version=1,
    )
    draft.refresh_from_db()
    assert (draft.housing, draft.presenting_concerns, draft.edit_version) == (
        "Shelter",
        "Low mood",
        3,
    )


def test_a_stale_section_form_shows_the_conflict_and_keeps_the_typed_text(
    browser_as, case_manager, supervisor, draft, client_record
):
    url = f"/assessments/clients/{client_record.pk}/comprehensive/{draft.pk}/sections/history/"
    web = browser_as(case_manager)
    assert 'name="edit_version" value="1"' in web.get(url).content.decode()
    services.assessment_update(
        actor=supervisor, assessment=draft, data={"presenting_concerns": "Sleeping badly"}
    )
    page = web.post(url, {"presenting_concerns": "Drinking to sleep", "edit_version": "1"})
    text = page.content.decode()
    assert page.status_code == 200 and 'id="edit-conflict"' in text
    assert supervisor.display_name in text and "presenting_concerns" in text
    assert "Drinking to sleep" in text and "Saved meanwhile by someone else: Sleeping badly" in text
    draft.refresh_from_db()
    assert draft.presenting_concerns == "Sleeping badly"


def test_api_patch_with_a_stale_edit_version_is_409(api_as, case_manager, supervisor, draft):
    url = f"/api/v1/comprehensive-assessments/{draft.pk}/"
    assert api_as(case_manager).get(url).json()["edit_version"] == 1
    assert api_as(supervisor).patch(url, {"legal": "Probation"}, format="json").status_code == 200
    stale = api_as(case_manager).patch(url, {"legal": "None", "edit_version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["changed_fields"] == ["legal"]
    assert supervisor.display_name in stale.json()["detail"]
