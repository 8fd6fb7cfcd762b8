"""AUDIT risk zones shown with their WHO meaning (Babor et al., AUDIT: Guidelines for
Use in Primary Care, 2nd ed., WHO 2001, table "Risk level, intervention and AUDIT
score" and "Interpretation of AUDIT scores"). The stored band stays "zone iii"."""

import pytest

from assessments.instruments import AUDIT

from .helpers import give

pytestmark = pytest.mark.django_db

ZONES = [
    (0, "zone i", "Zone I: low risk; alcohol education"),
    (8, "zone ii", "Zone II: hazardous drinking; simple advice"),
    (
        16,
        "zone iii",
        "Zone III: harmful use; simple advice plus brief counselling and continued monitoring",
    ),
    (
        20,
        "zone iv",
        "Zone IV: possible dependence; referral to a specialist for diagnostic evaluation "
        "and treatment",
    ),
]


def answers(total):
    """AUDIT answers adding up to ``total`` on items 1-8 (0-4 each), 9-10 "No"."""
    values = []
    for _ in range(8):
        values.append(min(4, total))
        total -= values[-1]
    return [*values, 0, 0]


@pytest.mark.parametrize(("total", "band", "meaning"), ZONES)
def test_each_zone_has_its_who_meaning(total, band, meaning):
    assert AUDIT.band_meaning(band) == meaning


def test_other_bands_are_shown_as_they_are():
    from assessments.instruments import PHQ9

    assert PHQ9.band_meaning("moderate") == "moderate"


def test_result_page_overview_and_api_show_the_meaning(
    browser_as, api_as, case_manager, client_record
):
    response = give(case_manager, client_record, "audit", answers(17))
    assert response.band == "zone iii"
    assert response.score_text.startswith("17 (Zone III: harmful use; simple advice plus brief")
    browser = browser_as(case_manager)
    page = browser.get(f"/assessments/clients/{client_record.pk}/results/{response.pk}/")
    assert page.status_code == 200
    assert "Zone III: harmful use; simple advice plus brief counselling" in page.text
    overview = browser.get(f"/clients/{client_record.pk}/")
    assert "Zone III: harmful use" in overview.text
    body = api_as(case_manager).get(f"/api/v1/instrument-responses/{response.pk}/").json()
    assert body["band"] == "zone iii" and body["band_meaning"].startswith("Zone III: harmful")
