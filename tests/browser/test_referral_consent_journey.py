"""A referral to a directory organisation is refused for want of a 42 CFR Part 2 consent;
the case manager follows the offer, finds the organisation chosen and the purpose filled
in, records the consent and lands back on the referral, which sends; desktop and phone."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Organization, Service, ServiceCategory
from referrals.services import referral_create
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_refused_referral_records_its_consent_and_comes_back(page, shot, case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    org = Organization.objects.create(name="Nueva Vida Recovery Center")
    service = Service.objects.create(
        organization=org, name="Residential treatment", category=ServiceCategory.WITHDRAWAL
    )
    referral = referral_create(
        actor=case_manager, client=client, service=service, reason="Wants residential care"
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/referrals/clients/{client.pk}/{referral.pk}/")
    notice = page.locator("#part2-consent")
    expect(notice).to_contain_text("No active 42 CFR Part 2 consent names")
    shot(page, "referral-consent-01-refused")
    notice.get_by_role("link", name="Record a consent for Nueva Vida Recovery Center").click()

    expect(page.locator("#consent-return")).to_be_visible()
    chosen = page.get_by_label("Recipients from the resource directory")
    expect(chosen).to_have_values([str(org.pk)])
    expect(page.get_by_label("Purpose of the disclosure")).to_have_value(
        "Referral to Nueva Vida Recovery Center for treatment"
    )
    page.get_by_label("Information to be disclosed").fill("Substance use diagnosis and history")
    page.get_by_label("The client was told they may revoke").check()
    page.get_by_label("The consent expires").select_option(label="On a date")
    page.get_by_label("Expiry date").fill((timezone.localdate() + timedelta(days=180)).isoformat())
    page.get_by_label("Signed by (name)").fill(client.legal_name)
    page.get_by_label("How it was signed").select_option(label="Signed on paper")
    shot(page, "referral-consent-02-form")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "referral-consent-03-form-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("button", name="Save consent").click()

    expect(page).to_have_url(f"/referrals/clients/{client.pk}/{referral.pk}/")
    expect(page.locator("#part2-consent")).to_contain_text("Allowed by the 42 CFR Part 2 consent")
    page.locator("summary", has_text="Send").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Referral sent.")).to_be_visible()
    shot(page, "referral-consent-04-sent")
