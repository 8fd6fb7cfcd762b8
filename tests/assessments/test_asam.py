"""The ASAM Criteria in the comprehensive assessment: the edition stored with the levels,
each edition's published list of levels, and a level of the other edition refused (form,
service and API), nothing saved.

Expected lists, written from the published text, not from the code:

- 3rd edition: Mee-Lee D, ed. *The ASAM Criteria* (ASAM, 2013); the Medicaid IAP summary
  reviewed by ASAM (https://cod.pressbooks.pub/addictionscounseling/?p=5, "Levels
  0.5-4", withdrawal management levels 1-WM to 4-WM); opioid treatment services as
  "Level 1 OTP" (e.g. https://midshorebehavioralhealth.org/glossary/asam-criteria/) and
  office-based opioid treatment (OBOT, ASAM's public policy statement on OBOT,
  https://www.asam.org/advocacy/find-a-policy-statement/).
- 4th edition: *The ASAM Criteria*, 4th ed. (ASAM, 2023): Levels 1-4 with "1.0 for
  Long-Term Remission Monitoring" (https://drugeval.com/asam-levels-of-care-in-2026-how-
  evaluations-determine-treatment-recommendations); levels "x.7 and Level 4" medically
  managed, "x.1 and x.5" clinically managed (https://jeopardylabs.com/print/asam-4-
  jeopardy); 3.3 and the separate withdrawal levels "going away" with it (Colorado BHA,
  https://build.fhir.org/ig/RatioPBC/bha-test-ig/CodeSystem-bha-asam-level-of-care-cs.html);
  the six dimensions as https://www.cteresource.org lists them from The ASAM Criteria.
"""

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import (
    ASAM_DIMENSIONS_BY_EDITION,
    ASAM_LEVELS,
    AsamEdition,
    ComprehensiveAssessment,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/comprehensive-assessments/"

THIRD_EDITION_LEVELS = {
    "0.5": "Early intervention",
    "1": "Outpatient services",
    "1-OTP": "Opioid treatment program",
    "1-OBOT": "Office-based opioid treatment",
    "2.1": "Intensive outpatient",
    "2.5": "Partial hospitalization",
    "3.1": "Clinically managed low-intensity residential",
    "3.3": "Clinically managed population-specific high-intensity residential",
    "3.5": "Clinically managed high-intensity residential",
    "3.7": "Medically monitored intensive inpatient",
    "4": "Medically managed intensive inpatient",
    "1-WM": "Ambulatory withdrawal management without extended on-site monitoring",
    "2-WM": "Ambulatory withdrawal management with extended on-site monitoring",
    "3.2-WM": "Clinically managed residential withdrawal management",
    "3.7-WM": "Medically monitored inpatient withdrawal management",
    "4-WM": "Medically managed intensive inpatient withdrawal management",
}
FOURTH_EDITION_LEVELS = {
    "1.0": "Long-term remission monitoring",
    "1.5": "Outpatient therapy",
    "1.7": "Medically managed outpatient",
    "2.1": "Intensive outpatient",
    "2.5": "High-intensity outpatient",
    "2.7": "Medically managed intensive outpatient",
    "3.1": "Clinically managed low-intensity residential",
    "3.5": "Clinically managed high-intensity residential",
    "3.7": "Medically managed residential",
    "4": "Medically managed inpatient",
}
FOURTH_EDITION_DIMENSIONS = [
    "Intoxication, withdrawal, and addiction medication needs",
    "Biomedical conditions",
    "Psychiatric and cognitive conditions",
    "Substance use-related risks",
    "Recovery environment interactions",
    "Person-centered considerations",
]


def _names(edition):
    return dict(ASAM_LEVELS[edition])


def _draft(case_manager, client_record):
    return services.assessment_start(actor=case_manager, client=client_record)


# ------------------------------------------------------------------ the published lists
def test_third_edition_lists_its_levels_with_opioid_treatment_at_level_1():
    names = _names(AsamEdition.THIRD)
    assert list(names) == list(THIRD_EDITION_LEVELS)
    for code, name in THIRD_EDITION_LEVELS.items():
        assert name.lower() in names[code].lower(), code
    assert "1-OTP" in names and "1.7" not in names


def test_fourth_edition_lists_its_published_levels():
    names = _names(AsamEdition.FOURTH)
    assert list(names) == list(FOURTH_EDITION_LEVELS)
    for code, name in FOURTH_EDITION_LEVELS.items():
        assert names[code] == f"{code} {name}"
    # no early intervention, no 3.3, no separate withdrawal management levels
    assert not {"0.5", "3.3", "1-OTP"} & set(names)
    assert not [code for code in names if code.endswith("-WM")]


def test_fourth_edition_renames_the_six_dimensions():
    assert [name for _, name in ASAM_DIMENSIONS_BY_EDITION["4"]] == FOURTH_EDITION_DIMENSIONS
    assert ASAM_DIMENSIONS_BY_EDITION["3"][3] == (4, "Readiness to change")


# ------------------------------------------------------------------------- the service
def test_edition_is_stored_with_the_levels(case_manager, client_record):
    a = _draft(case_manager, client_record)
    assert a.asam_edition == "3"  # new drafts: the 3rd edition, as before
    services.assessment_update(
        actor=case_manager,
        assessment=a,
        data={"asam_edition": "4", "level_indicated": "2.7", "level_arranged": "2.7"},
    )
    a = ComprehensiveAssessment.objects.get(pk=a.pk)
    assert (a.asam_edition, a.level_indicated, a.level_arranged) == ("4", "2.7", "2.7")
    assert a.level_indicated_label == (
        "Level 2.7 Medically managed intensive outpatient (ASAM 4th ed.)"
    )


def test_the_same_code_is_named_by_its_edition(case_manager, client_record):
    a = _draft(case_manager, client_record)
    services.assessment_update(actor=case_manager, assessment=a, data={"level_indicated": "3.7"})
    assert a.get_level_indicated_display() == (
        "Level 3.7 Medically monitored intensive inpatient (ASAM 3rd ed.)"
    )
    services.assessment_update(actor=case_manager, assessment=a, data={"asam_edition": "4"})
    a.refresh_from_db()
    shown = a.get_level_indicated_display()
    assert shown == "Level 3.7 Medically managed residential (ASAM 4th ed.)"


def test_opioid_treatment_program_is_a_third_edition_level(case_manager, client_record):
    a = _draft(case_manager, client_record)
    services.assessment_update(
        actor=case_manager,
        assessment=a,
        data={"asam_edition": "3", "level_indicated": "1-OTP", "level_arranged": "1-OTP"},
    )
    a.refresh_from_db()
    assert a.level_arranged == "1-OTP"
    assert a.level_arranged_label.startswith("Level 1 OTP Opioid treatment program")


@pytest.mark.parametrize(
    ("edition", "level"),
    [("3", "1.7"), ("3", "1.0"), ("3", "2.7"), ("4", "1-OTP"), ("4", "3.3"), ("4", "3.7-WM")],
)
def test_a_level_of_the_other_edition_is_refused(case_manager, client_record, edition, level):
    a = _draft(case_manager, client_record)
    with pytest.raises(ValidationError) as error:
        services.assessment_update(
            actor=case_manager,
            assessment=a,
            data={"asam_edition": edition, "level_indicated": level},
        )
    assert set(error.value.message_dict) == {"level_indicated"}
    assert "change the edition" in error.value.message_dict["level_indicated"][0]
    a = ComprehensiveAssessment.objects.get(pk=a.pk)
    assert (a.asam_edition, a.level_indicated) == ("3", "")  # nothing saved


def test_changing_the_edition_alone_refuses_levels_it_does_not_list(case_manager, client_record):
    a = _draft(case_manager, client_record)
    services.assessment_update(
        actor=case_manager, assessment=a, data={"level_indicated": "3.3", "level_arranged": "3.3"}
    )
    with pytest.raises(ValidationError) as error:
        services.assessment_update(actor=case_manager, assessment=a, data={"asam_edition": "4"})
    assert set(error.value.message_dict) == {"level_indicated", "level_arranged"}
    a.refresh_from_db()
    assert a.asam_edition == "3"


def test_a_fourth_edition_assessment_completes_and_its_next_version_keeps_the_edition(
    case_manager, client_record
):
    a = _draft(case_manager, client_record)
    services.assessment_update(
        actor=case_manager,
        assessment=a,
        data={
            "presenting_concerns": "Low mood.",
            "client_goals": "Keep my job.",
            "stage_mental_health": "action",
            "stage_substance_use": "contemplation",
            "asam_edition": "4",
            "level_indicated": "1.0",
            "level_arranged": "1.0",
            **{f"asam_d{n}": 1 for n in range(1, 7)},
        },
    )
    services.assessment_complete(actor=case_manager, assessment=a)
    v2 = services.assessment_new_version(actor=case_manager, assessment=a)
    assert (v2.asam_edition, v2.level_indicated) == ("4", "1.0")
    assert v2.level_indicated_label == "Level 1.0 Long-term remission monitoring (ASAM 4th ed.)"


# ---------------------------------------------------------------------------- the API
def test_api_stores_the_edition_and_names_each_level(api_as, case_manager, client_record):
    api = api_as(case_manager)
    draft = api.post(URL, {"client": client_record.pk}, format="json").json()
    assert draft["asam_edition"] == "3"
    body = {"asam_edition": "4", "level_indicated": "1.7", "level_arranged": "1.7"}
    response = api.patch(f"{URL}{draft['id']}/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["asam_edition"], data["level_indicated"]) == ("4", "1.7")
    assert data["level_indicated_label"] == "Level 1.7 Medically managed outpatient (ASAM 4th ed.)"


def test_api_refuses_a_fourth_edition_level_on_a_third_edition_assessment(
    api_as, case_manager, client_record
):
    api = api_as(case_manager)
    draft = api.post(URL, {"client": client_record.pk}, format="json").json()
    body = {"asam_edition": "3", "level_indicated": "2.1", "level_arranged": "1.5"}
    response = api.patch(f"{URL}{draft['id']}/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"level_arranged"}
    assert "4th edition" in response.json()["level_arranged"][0]
    a = ComprehensiveAssessment.objects.get(pk=draft["id"])
    assert (a.level_indicated, a.level_arranged) == ("", "")  # nothing saved


def test_api_refuses_an_edition_that_is_not_one(api_as, case_manager, client_record):
    api = api_as(case_manager)
    draft = api.post(URL, {"client": client_record.pk}, format="json").json()
    response = api.patch(f"{URL}{draft['id']}/", {"asam_edition": "5"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"asam_edition"}


# ---------------------------------------------------------------------------- the page
def _section_url(client_record, a):
    return f"/assessments/clients/{client_record.pk}/comprehensive/{a.pk}/sections/asam/"


def test_form_offers_each_edition_as_a_group(browser_as, case_manager, client_record):
    a = _draft(case_manager, client_record)
    page = browser_as(case_manager).get(_section_url(client_record, a)).content.decode()
    assert '<optgroup label="The ASAM Criteria, 3rd edition (2013)">' in page
    assert '<optgroup label="The ASAM Criteria, 4th edition (2023)">' in page
    assert '<option value="3:1-OTP">' in page and '<option value="4:1.0">' in page
    assert "Dimension 4: Readiness to change" in page  # the 3rd edition's names


def test_form_saves_a_fourth_edition_assessment(browser_as, case_manager, client_record):
    a = _draft(case_manager, client_record)
    data = {
        "edit_version": 1,
        "asam_edition": "4",
        "level_indicated": "4:3.5",
        "level_arranged": "4:3.5",
    }
    page = browser_as(case_manager).post(_section_url(client_record, a), data)
    assert page.status_code == 302
    a.refresh_from_db()
    assert (a.asam_edition, a.level_indicated) == ("4", "3.5")
    detail = browser_as(case_manager).get(page.url.split("#")[0]).content.decode()
    assert "Level 3.5 Clinically managed high-intensity residential (ASAM 4th ed.)" in detail
    assert "The ASAM Criteria, 4th edition (2023): six dimensions" in detail
    assert "Person-centered considerations" in detail
    edit = browser_as(case_manager).get(_section_url(client_record, a)).content.decode()
    assert '<option value="4:3.5" selected>' in edit
    assert "Dimension 6: Person-centered considerations" in edit


def test_form_refuses_a_level_from_the_other_editions_group(
    browser_as, case_manager, client_record
):
    a = _draft(case_manager, client_record)
    data = {"edit_version": 1, "asam_edition": "3", "level_indicated": "4:3.5"}
    page = browser_as(case_manager).post(_section_url(client_record, a), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="id_level_indicated_error"' in text
    assert "Level 3.5 is a level of the ASAM 4th ed." in text
    a.refresh_from_db()
    assert (a.asam_edition, a.level_indicated) == ("3", "")  # nothing saved


# ----------------------------------------------------------------------- the migration
@pytest.mark.django_db(transaction=True)
def test_migration_sets_existing_assessments_to_the_third_edition(case_manager, client_record):
    """Every assessment recorded before editions were stored used the 3rd edition, the
    only one the app offered: 0007 says so on each existing row."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from casemgmt.lib.dbroles import as_owner

    before = [("assessments", "0006_assessment_edit_version")]
    after = [("assessments", "0007_asam_edition")]
    with as_owner():  # only the owner may alter its tables
        executor = MigrationExecutor(connection)
        latest = executor.loader.graph.leaf_nodes()
        executor.migrate(before)
        try:
            old_model = executor.loader.project_state(before).apps.get_model(
                "assessments", "ComprehensiveAssessment"
            )
            row = old_model.objects.create(
                client_id=client_record.pk,
                created_by_id=case_manager.pk,
                level_indicated="3.7",
                level_arranged="3.7",
            )
            executor = MigrationExecutor(connection)
            executor.migrate(after)
        finally:
            executor = MigrationExecutor(connection)
            executor.migrate(latest)
    migrated = ComprehensiveAssessment.objects.get(pk=row.pk)
    assert migrated.asam_edition == "3"
    assert migrated.level_indicated_label == (
        "Level 3.7 Medically monitored intensive inpatient (ASAM 3rd ed.)"
    )
