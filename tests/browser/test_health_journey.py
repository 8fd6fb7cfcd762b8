"""Record an overdose crisis episode: the flag, the naloxone warning, the supervisors'
notification; then give naloxone and the warning goes."""

import re

from playwright.sync_api import expect

from casemgmt.notifications.models import Notification
from referrals.models import FollowUp
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_overdose_crisis_episode(page, shot, case_manager, supervisor, team):
    client = ClientFactory(
        team=team, first_name="Rowan", last_name="Achebe", primary_case_manager=case_manager
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Crisis", exact=True).click()
    page.get_by_label("Type of crisis").select_option(label="Overdose")
    page.get_by_label("Naloxone given").check()
    page.get_by_label("Emergency department").check()
    page.get_by_label("What happened").fill("Found unresponsive by a friend")
    page.get_by_label("Outcome").fill("Revived with naloxone, taken to ED")
    page.get_by_role("button", name="Record crisis episode").click()
    banner = page.locator(".client-banner")
    expect(banner).to_contain_text("Overdose risk")
    expect(banner).to_contain_text("No naloxone on record")
    crisis_notice = page.locator(".alert-warning:not(#idle-warning)")
    expect(crisis_notice).to_contain_text("review the safety plan")
    expect(page.locator(".alert-success")).to_contain_text("follow-up is due within 24 hours")
    shot(page, "health-01-crisis-recorded")
    assert Notification.objects.filter(recipient=supervisor, kind="escalation").exists()
    followup = FollowUp.objects.get(client=client)
    assert followup.assignee == case_manager and "crisis" in followup.title

    page.get_by_label("What was given").select_option(label="Naloxone kit")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Overdose-response education given").check()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(banner).not_to_contain_text("No naloxone on record")

    page.get_by_role("link", name="Medications").click()
    page.get_by_label("Name").fill("Buprenorphine/naloxone")
    page.get_by_label("Dose").fill("16 mg")
    page.get_by_label("Route").select_option(label="Under the tongue")
    page.get_by_label("Frequency").fill("once daily")
    page.get_by_role("button", name="Add medication").click()
    expect(page.get_by_role("link", name="Buprenorphine/naloxone")).to_be_visible()
    expect(page.get_by_text("Addiction treatment", exact=True)).to_be_visible()
    page.get_by_role("link", name="Buprenorphine/naloxone").click()
    page.get_by_label("Some doses missed").check()
    page.get_by_role("button", name="Record check-in").click()
    expect(page.locator("svg.adherence-chart")).to_be_visible()
    shot(page, "health-02-medication")
    page.get_by_role("link", name=re.compile("Timeline")).click()
    expect(page.locator(".timeline")).to_contain_text("Crisis: Overdose")
    assert page.csp_violations == []
