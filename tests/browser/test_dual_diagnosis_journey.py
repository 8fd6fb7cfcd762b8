"""A case manager records diagnoses: an incomplete ICD-10-CM code is refused next to the
field, nicotine dependence does not make the client dual diagnosis (issue 15, section 3;
SAMHSA TIP 42), and a clinician classifies it differently with a reason; desktop and
phone."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_incomplete_code_then_reclassify_with_a_reason(page, shot, case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    log_in(page, "cm", PASSWORD)
    page.goto(reverse("clients:diagnoses", args=[client.pk]))
    page.get_by_label("ICD-10-CM code").fill("F33.1")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.get_by_text("Diagnosis added.")).to_be_visible()
    # ICD-10-CM F10.2 "Alcohol dependence" takes a 5th character: refused, kept in the field.
    page.get_by_label("ICD-10-CM code").fill("F10.2")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.locator("#id_icd10_code_error")).to_contain_text("is incomplete")
    expect(page.get_by_label("ICD-10-CM code")).to_have_value("F10.2")
    shot(page, "dualdx-01-incomplete-code-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#id_icd10_code_error")).to_be_visible()
    shot(page, "dualdx-02-incomplete-code-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    # Nicotine dependence is recorded but does not count: no dual-diagnosis badge.
    page.get_by_label("ICD-10-CM code").fill("F17.210")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.get_by_text("Diagnosis added.")).to_be_visible()
    expect(page.locator(".client-banner")).not_to_contain_text("Dual diagnosis")
    row = page.locator("tr", has_text="F17.210")
    expect(row).to_contain_text("Substance use disorder, does not count")
    row.get_by_role("link", name="Classify").click()
    page.get_by_label("Classify as").select_option("substance_use_disorder")
    page.get_by_label("Counts toward dual diagnosis").check()
    page.get_by_role("button", name="Save classification").click()
    expect(page.locator("#id_reason_error")).to_be_visible()
    shot(page, "dualdx-03-reclassify-needs-reason-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "dualdx-04-reclassify-needs-reason-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_label("Reason").fill("Tobacco use disorder, severe, in the integrated plan")
    page.get_by_role("button", name="Save classification").click()
    expect(page.get_by_text("Diagnosis classified.")).to_be_visible()
    expect(page.locator(".client-banner")).to_contain_text("Dual diagnosis")
    expect(page.locator("tr", has_text="F17.210")).to_contain_text("in the integrated plan")
    shot(page, "dualdx-05-reclassified-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "dualdx-06-reclassified-phone")
