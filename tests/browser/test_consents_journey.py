"""A case manager records a 42 CFR Part 2 consent, misses an element, completes it, then
revokes it after the confirmation dialog; it stays on record under "Revoked or expired"."""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Consent
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_record_a_part2_consent_then_revoke_it(page, shot, case_manager, team):
    client = ClientFactory(
        team=team,
        first_name="Marisol",
        last_name="Fenwick",
        date_of_birth=date(1984, 3, 14),
        primary_case_manager=case_manager,
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/consents/")

    # Empty tab: says nothing may be shared, and how to start.
    expect(page.locator("#consent-glance")).to_contain_text("No active 42 CFR Part 2 consent")
    shot(page, "consents-01-empty-tab")

    # The kind first, then its fields.
    page.get_by_role("link", name="42 CFR Part 2 consent").click()
    expect(page.get_by_role("heading", name=re.compile("42 CFR Part 2 consent"))).to_be_visible()
    expect(page.get_by_label("Client's name, as written")).to_have_value("Marisol Fenwick")
    page.get_by_label("Information to be disclosed").fill(
        "Substance use diagnosis, medications and attendance since January 2026"
    )
    page.get_by_label("Recipients, by name").fill("Harbor Detox")
    page.get_by_label("The client was told they may revoke").check()
    page.get_by_label("The consent expires").select_option(label="On a date")
    expires = timezone.localdate() + timedelta(days=90)
    page.get_by_label("Expiry date").fill(expires.isoformat())
    page.get_by_label("Signed by (name)").fill("Marisol Fenwick")
    page.get_by_label("How it was signed").select_option(label="Signed on paper")
    # The purpose is forgotten: the message is next to the field, nothing else is lost.
    page.get_by_role("button", name="Save consent").click()
    expect(page.locator("#id_purpose_error")).to_have_text(
        "A Part 2 consent must state the purpose of the disclosure (42 CFR 2.31(a)(5))."
    )
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.get_by_label("Recipients, by name")).to_have_value("Harbor Detox")
    expect(page.get_by_label("The client was told they may revoke")).to_be_checked()
    assert not Consent.objects.exists()
    shot(page, "consents-02-part2-missing-purpose")

    page.get_by_label("Purpose of the disclosure").fill("Coordinate detox admission and aftercare")
    page.get_by_role("button", name="Save consent").click()
    expect(page.get_by_text("42 CFR Part 2 consent for Harbor Detox recorded.")).to_be_visible()
    expect(page.locator("#consent-recipients")).to_contain_text("Harbor Detox")
    shot(page, "consents-03-detail")

    # Back on the tab: active, and named in the summary.
    page.get_by_role("link", name="All consents").click()
    expect(page.locator("#consents-active")).to_contain_text("Harbor Detox")
    expect(page.locator("#consent-glance")).to_contain_text(
        "Substance use information may be shared with: Harbor Detox"
    )
    shot(page, "consents-04-active")

    # Revoke: dismissing the dialog does nothing; accepting it revokes.
    page.locator("#consents-active").get_by_role("link", name=re.compile("Part 2")).click()
    page.get_by_label("Reason").fill("Client asked in writing to stop sharing with Harbor Detox")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke consent").click()
    expect(page.get_by_role("button", name="Revoke consent")).to_be_visible()
    assert Consent.objects.get().revoked_on is None
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Revoke consent").click()
    expect(page.locator("#consents-ended")).to_contain_text("Harbor Detox")
    expect(page.locator("#consents-active")).to_have_count(0)
    expect(page.locator("#consent-glance")).to_contain_text("No active 42 CFR Part 2 consent")
    assert "cannot be undone" in messages[0]
    consent = Consent.objects.get()
    assert consent.revoked_on is not None and consent.revoked_by == case_manager
    shot(page, "consents-05-revoked")
    assert page.csp_violations == []
