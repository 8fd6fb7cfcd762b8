"""A case manager gives a PHQ-9 with item 9 positive: the suicide risk flag shows on the
banner and the page prompts for a safety plan; the trend chart, the C-SSRS skip rule and a
comprehensive assessment section saved as a draft."""

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.services import instrument_response_record
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

PHQ9_LABELS = ["Not at all (0)", "Several days (1)", "More than half the days (2)"]


def _client(team, case_manager):
    return ClientFactory(
        team=team,
        first_name="Marisol",
        last_name="Fenwick",
        date_of_birth=date(1984, 3, 14),
        sex_at_birth="female",
        primary_case_manager=case_manager,
    )


def test_phq9_item9_sets_the_flag_and_prompts_for_a_safety_plan(page, shot, case_manager, team):
    client = _client(team, case_manager)
    # A baseline a month ago, so the trend has two points.
    instrument_response_record(
        actor=case_manager,
        client=client,
        instrument="phq9",
        answers=[3, 3, 2, 2, 2, 2, 2, 2, 0],
        administered_at=timezone.now() - timedelta(days=30),
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Assessments", exact=True).click()
    expect(page.get_by_role("heading", name="Latest screening results")).to_be_visible()
    expect(page.locator("#latest-results")).to_contain_text("18 (moderately severe)")
    expect(page.locator(".client-banner")).not_to_contain_text("Suicide risk")
    shot(page, "assessments-01-tab")

    page.locator("#instrument-menu").get_by_role("link", name="PHQ-9", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("Patient Health Questionnaire-9"))
    ).to_be_visible()
    # Items 1-8 answered, item 9 forgotten: the error is next to item 9, answers kept.
    for n in range(1, 9):
        page.locator(f"#item-{n}").get_by_label(PHQ9_LABELS[n % 2]).check()
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#item-9-error")).to_have_text("An answer is required.")
    expect(page.locator("#item-1").get_by_label("Several days (1)")).to_be_checked()
    shot(page, "assessments-02-missing-item")

    page.locator("#item-9").get_by_label("Several days (1)").check()
    page.get_by_role("button", name="Save and score").click()

    alert = page.locator("#critical-result")
    expect(alert).to_contain_text("Suicide risk: act today")
    expect(alert.get_by_role("link", name="Write a safety plan")).to_have_attribute(
        "href", reverse("careplans:safety_plan", args=[client.pk])
    )
    expect(page.locator(".client-banner")).to_contain_text("Suicide risk")
    expect(page.locator("#result-summary")).to_contain_text("5 / 27")
    expect(page.locator("#answers tr.table-danger")).to_contain_text("critical item")
    shot(page, "assessments-03-critical-result")

    # The trend: response and remission as the published measures define them.
    page.get_by_role("link", name="PHQ-9 over time").click()
    expect(page.locator("#depression-outcomes")).to_contain_text("published measures")
    expect(page.locator("svg.trend-chart polyline")).to_have_count(1)
    expect(page.locator("#trend-table tbody tr")).to_have_count(2)
    shot(page, "assessments-04-trend")
    assert page.csp_violations == []


def test_cssrs_skip_rule_and_comprehensive_draft(page, shot, case_manager, team):
    client = _client(team, case_manager)
    log_in(page, "cm", PASSWORD)
    page.goto(f"/assessments/clients/{client.pk}/give/cssrs_screen/")
    expect(page.locator("#item-3")).to_be_hidden()
    page.locator("#item-2").get_by_label("Yes").check()
    expect(page.locator("#item-3")).to_be_visible()
    page.locator("#item-2").get_by_label("No").check()
    expect(page.locator("#item-3")).to_be_hidden()
    page.locator("#item-1").get_by_label("Yes").check()
    page.locator("#item-6").get_by_label("Yes").check()
    expect(page.locator("#item-7")).to_be_visible()
    page.locator("#item-7").get_by_label("Yes").check()
    shot(page, "assessments-05-cssrs-form")
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator("#critical-result")).to_contain_text("high risk")
    expect(page.locator(".client-banner")).to_contain_text("Suicide risk")

    # Comprehensive assessment: start, save one section as a draft.
    page.get_by_role("link", name="Assessments", exact=True).click()
    page.get_by_role("button", name="Start the comprehensive assessment").click()
    expect(page.locator("#assessment-state")).to_contain_text("Draft.")
    page.locator("#section-asam").get_by_role("link", name=re.compile("Edit section")).click()
    page.get_by_label("Level of care indicated").select_option("3:3.5")
    page.get_by_label("Level of care arranged").select_option("3:2.1")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#id_level_difference_reason_error")).to_contain_text("Say why")
    shot(page, "assessments-06-asam-error")
    page.get_by_label("Why the arranged level differs").fill("No residential bed until March.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("ASAM Criteria and level of care: draft saved.")).to_be_visible()
    expect(page.locator("#section-screens")).to_contain_text("C-SSRS screener")
    shot(page, "assessments-07-assessment-draft")
    assert page.csp_violations == []


def test_asam_fourth_edition_levels_on_desktop_and_phone(page, shot, case_manager, team):
    """The edition chosen with its levels; a level from the other edition's group is
    refused next to the field; the record names the level with its edition."""
    client = _client(team, case_manager)
    log_in(page, "cm", PASSWORD)
    page.goto(f"/assessments/clients/{client.pk}/")
    page.get_by_role("button", name="Start the comprehensive assessment").click()
    page.locator("#section-asam").get_by_role("link", name=re.compile("Edit section")).click()
    page.get_by_label("ASAM Criteria edition").select_option("4")
    page.get_by_label("Level of care indicated").select_option("3:3.5")  # 3rd-edition group
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#id_level_indicated_error")).to_contain_text("ASAM 3rd ed.")
    shot(page, "assessments-08-asam-edition-mismatch")
    page.get_by_label("Level of care indicated").select_option("4:1.7")
    page.get_by_label("Level of care arranged").select_option("4:1.7")
    shot(page, "assessments-09-asam-4th-edition-form")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "assessments-10-asam-4th-edition-form-phone")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#section-asam")).to_contain_text(
        "Level 1.7 Medically managed outpatient (ASAM 4th ed.)"
    )
    expect(page.locator("#asam-dimensions")).to_contain_text("Person-centered considerations")
    shot(page, "assessments-11-asam-4th-edition-record-phone")
    assert page.csp_violations == []
