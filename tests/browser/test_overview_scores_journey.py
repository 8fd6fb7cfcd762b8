"""The chart Overview: a case manager sees the latest scores with their trend at a glance,
follows a line to the trend chart, and a client without results gets the next step."""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from assessments.services import instrument_response_record
from tests.assessments.helpers import phq9
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

CSSRS_NONE = ["no", "no", None, None, None, "no", None]


def _give(user, client, code, answers, days_ago):
    instrument_response_record(
        actor=user,
        client=client,
        instrument=code,
        answers=answers,
        administered_at=timezone.now() - timedelta(days=days_ago, hours=1),
    )


def test_overview_shows_latest_scores_and_leads_to_the_trend(page, shot, case_manager, team):
    client = ClientFactory(
        team=team,
        first_name="Marisol",
        last_name="Fenwick",
        date_of_birth=date(1984, 3, 14),
        sex_at_birth="female",
        primary_case_manager=case_manager,
    )
    _give(case_manager, client, "phq9", phq9(14), 35)
    _give(case_manager, client, "phq9", phq9(9), 3)
    _give(case_manager, client, "gad7", [1] * 7, 40)
    _give(case_manager, client, "gad7", [2, 2, 2, 2, 2, 1, 1], 3)
    _give(case_manager, client, "audit", [2, 1, 1, 0, 0, 0, 0, 0, 0, 0], 60)
    _give(case_manager, client, "audit", [2, 1, 1, 0, 0, 0, 0, 0, 0, 0], 12)
    _give(
        case_manager,
        client,
        "dast10",
        ["yes", "no", "no", "no", "no", "no", "no", "no", "no", "no"],
        12,
    )
    _give(case_manager, client, "cssrs_screen", CSSRS_NONE, 3)
    empty = ClientFactory(team=team, first_name="Dov", last_name="Ames")

    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    scores = page.get_by_role("region", name="Latest scores")
    expect(scores).to_be_visible()
    lines = scores.get_by_role("listitem")
    expect(lines).to_have_count(5)
    phq = scores.locator('[data-instrument="phq9"]')
    expect(phq).to_contain_text("9 mild")
    expect(phq).to_contain_text("↓ from 14, better")  # words, not only colour
    expect(phq).to_contain_text("3 days ago")
    expect(phq.locator("time")).to_have_attribute(
        "title", re.compile(r"^\w{3} \d+, \d{4} \d\d:\d\d$")
    )
    gad = scores.locator('[data-instrument="gad7"]')
    expect(gad).to_contain_text("↑ from 7, worse")
    expect(scores.locator('[data-instrument="audit"]')).to_contain_text("same as before")
    expect(scores.locator('[data-instrument="dast10"]')).to_contain_text("first result")
    cssrs = scores.locator('[data-instrument="cssrs_screen"]')
    expect(cssrs).to_contain_text("risk: none")
    expect(cssrs).not_to_contain_text("from")
    shot(page, "overview-01-latest-scores")

    # Keyboard: the PHQ-9 line's link is reachable and opens its trend chart.
    link = phq.get_by_role("link", name="PHQ-9 trend")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/assessments/clients/{client.pk}/trends/phq9/$"))
    expect(
        page.get_by_role("heading", name=re.compile("Patient Health Questionnaire-9"))
    ).to_be_visible()

    page.goto(f"/clients/{empty.pk}/")
    empty_panel = page.get_by_role("region", name="Latest scores")
    expect(empty_panel).to_contain_text(
        "No screening results yet. Give an instrument from the Assessments tab."
    )
    shot(page, "overview-02-no-scores")
    empty_panel.get_by_role("link", name="Assessments tab").click()
    expect(page.get_by_role("heading", name="Give an instrument")).to_be_visible()
    assert page.csp_violations == []
