"""The dashboard filters: program narrows every figure to the teams of that program; a
filter that does not validate is shown next to its field on the pages, and is a 400
naming it in the API and the CSV exports."""

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_programs(team, supervisor, case_manager):
    """The supervisor's two teams run different programs, one client each."""
    team.program = "Assertive Community Treatment"
    team.save()
    housing = TeamFactory(name="Housing Team", program="Housing First")
    housing.supervisors.add(supervisor)
    other_manager = UserFactory(first_name="Harper", last_name="Housing")
    housing.members.add(other_manager)
    ClientFactory(team=team, primary_case_manager=case_manager)
    ClientFactory(team=housing, primary_case_manager=other_manager)
    return case_manager, other_manager


def _managers(response):
    return [row.case_manager for row, *_ in response.context["rows"]]


def test_program_narrows_the_team_dashboard_measures_and_api(
    browser_as, api_as, supervisor, two_programs
):
    act_manager, housing_manager = two_programs
    browser = browser_as(supervisor)
    everything = browser.get(reverse("dashboard:team"))
    assert set(_managers(everything)) == {act_manager, housing_manager}
    page = everything.content.decode()
    assert 'name="program"' in page and "Housing First" in page

    housing = browser.get(reverse("dashboard:team"), {"program": "Housing First"})
    assert _managers(housing) == [housing_manager]
    measures = browser.get(reverse("dashboard:measures"), {"program": "Housing First"})
    active = [m for m in measures.context["measures"] if m.key == "current_plan"][0]
    assert active.denominator == 1  # the one active client of the Housing First team
    rows = api_as(supervisor).get("/api/v1/dashboard/caseload/", {"program": "Housing First"})
    assert [r["case_manager"] for r in rows.json()] == [housing_manager.pk]


def test_program_choices_are_those_in_reach(browser_as, supervisor, two_programs):
    TeamFactory(name="Elsewhere", program="Crisis Stabilisation")  # not the supervisor's
    page = browser_as(supervisor).get(reverse("dashboard:team")).content.decode()
    assert "Crisis Stabilisation" not in page
    response = browser_as(supervisor).get(
        reverse("dashboard:team"), {"program": "Crisis Stabilisation"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # next to the field
    assert set(_managers(response)) == set(two_programs)  # the bad value is left out


def test_bad_filters_are_named_on_the_page(browser_as, supervisor, two_programs):
    response = browser_as(supervisor).get(
        reverse("dashboard:measures"), {"start": "2026-10-01", "end": "2026-09-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_end_error"' in html and "before its start" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"team": "999999"}, "team"),
        ({"program": "Nowhere"}, "program"),
        ({"start": "yesterday"}, "start"),
        ({"start": "2026-10-01", "end": "2026-09-01"}, "end"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(
    api_as, browser_as, supervisor, two_programs, params, field
):
    api = api_as(supervisor)
    for path in ("/api/v1/dashboard/caseload/", "/api/v1/dashboard/measures/"):
        response = api.get(path, params)
        assert response.status_code == 400, path
        assert field in response.json()
    browser = browser_as(supervisor)
    for name in ("dashboard:team_csv", "dashboard:measures_csv", "dashboard:clients_csv"):
        response = browser.get(reverse(name), params)
        assert response.status_code == 400, name
        assert response.content.decode().startswith(f"{field}: ")


def test_another_teams_id_is_refused_not_shown(api_as, browser_as, supervisor, other_team):
    ClientFactory(team=other_team)
    response = api_as(supervisor).get("/api/v1/dashboard/caseload/", {"team": other_team.pk})
    assert response.status_code == 400 and "team" in response.json()
