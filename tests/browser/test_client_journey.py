"""A case manager's first day: log in, caseload, a client, edit it; an outsider gets 404."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_case_manager_journey_and_outsider_404(
    page, shot, case_manager, outsider, team, other_team
):
    client = ClientFactory(
        team=team,
        first_name="Marisol",
        last_name="Fenwick",
        date_of_birth=date(1984, 3, 14),
        primary_case_manager=case_manager,
    )
    ClientFactory.create_batch(6, team=team, primary_case_manager=case_manager)
    ClientFactory(team=other_team, last_name="Elsewhere")

    # Log in through the real form.
    log_in(page, "cm", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    shot(page, "01-login-error")
    log_in(page, "cm", PASSWORD)

    # Lands on Today; the caseload is one click away: team clients only.
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Marisol Fenwick")).to_be_visible()
    expect(page.get_by_text("Elsewhere")).to_have_count(0)
    shot(page, "02-caseload")

    # Search by name from the top bar.
    page.get_by_label("Find a client").fill("fenw")
    page.get_by_label("Find a client").press("Enter")
    expect(page.locator("table.caseload tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Marisol Fenwick").click()

    # The client page with its banner.
    expect(page.get_by_role("heading", name=re.compile("Marisol Fenwick"))).to_be_visible()
    expect(page.locator(".client-banner")).to_contain_text(client.client_number)
    shot(page, "03-client-page")

    # Edit: a bad date first, message next to the field, nothing lost.
    page.get_by_role("link", name="Edit record").click()
    page.get_by_label("Preferred name").fill("Mari")
    page.get_by_label("Date of birth").fill("2099-01-01")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#id_date_of_birth_error")).to_contain_text("cannot be in the future")
    expect(page.get_by_label("Preferred name")).to_have_value("Mari")
    expect(page.locator("#form-errors")).to_be_focused()
    shot(page, "04-edit-error")
    page.get_by_label("Date of birth").fill("1984-03-14")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name=re.compile("Mari Fenwick"))).to_be_visible()
    expect(page.locator(".client-banner")).to_contain_text("Legal name: Marisol Fenwick")
    client_url = page.url
    assert page.csp_violations == []

    # Log out, log in as an outsider: the same client is "not found".
    page.get_by_role("button", name=re.compile(case_manager.display_name)).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    log_in(page, "outsider", PASSWORD)
    response = page.goto(client_url)
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    shot(page, "05-outsider-404")


def test_new_client_form_keyboard_and_required_marks(page, shot, case_manager, team):
    log_in(page, "cm", PASSWORD)
    page.goto("/clients/new/")
    expect(page.get_by_text("Fields marked")).to_be_visible()
    # Submit empty: every required field says so, next to it.
    page.get_by_role("button", name="Create client").click()
    for field in ("first_name", "last_name", "date_of_birth", "team"):
        expect(page.locator(f"#id_{field}_error")).to_be_visible()
    shot(page, "06-new-client-errors")
    # Fill with the keyboard only.
    page.get_by_label("Legal first name").fill("Dario")
    page.keyboard.press("Tab")
    page.keyboard.type("Vance")
    page.get_by_label("Date of birth").fill("1990-12-01")
    page.get_by_label("Team").select_option(label=team.name)
    page.get_by_role("button", name="Create client").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Dario Vance"))).to_be_visible()
    assert page.csp_violations == []


def test_intake_with_duplicate_warning_then_diagnoses_make_dual(page, shot, case_manager, team):
    existing = ClientFactory(
        team=team, first_name="Jon", last_name="Smyth", date_of_birth=date(1970, 5, 6)
    )
    log_in(page, "cm", PASSWORD)
    page.goto("/clients/new/")
    page.get_by_label("Legal first name").fill("John")
    page.get_by_label("Legal last name").fill("Smith")
    page.get_by_label("Date of birth").fill("1970-05-06")
    page.get_by_label("Team").select_option(label=team.name)
    page.get_by_role("button", name="Create client").click()
    # The possible duplicate is shown before anything is saved.
    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("may be someone already registered")
    expect(warning.get_by_role("link", name="Jon Smyth")).to_be_visible()
    shot(page, "07-intake-duplicate-warning")
    # A different person: confirm and register.
    page.get_by_label("None of these is the same person").check()
    page.get_by_role("button", name="Register new client").click()
    expect(page.get_by_role("heading", name=re.compile("John Smith"))).to_be_visible()
    assert existing.last_name == "Smyth"
    # Two active diagnoses, mental health and substance use: the banner says dual diagnosis.
    page.get_by_role("link", name="Diagnoses", exact=True).click()
    page.get_by_label("ICD-10-CM code").fill("F33.1")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.get_by_text("Diagnosis added.")).to_be_visible()
    page.get_by_label("ICD-10-CM code").fill("F1O.20")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.locator("#id_icd10_code_error")).to_contain_text("not a well-formed")
    page.get_by_label("ICD-10-CM code").fill("F11.20")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.locator(".client-banner")).to_contain_text("Dual diagnosis")
    shot(page, "08-diagnoses-dual")
    # Set a risk flag: it shows on the banner as a chip with words.
    page.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_role("link", name="Set a flag").click()
    page.get_by_label("Risk flag", exact=True).select_option(label="Overdose risk")
    page.get_by_label("Reason").fill("Non-fatal overdose last month")
    page.get_by_role("button", name="Set flag").click()
    expect(page.locator(".client-banner")).to_contain_text("Overdose risk")
    shot(page, "09-overview-with-flag")
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.locator(".timeline")).to_contain_text("Overdose risk flag set")
    shot(page, "10-timeline")
    assert page.csp_violations == []
