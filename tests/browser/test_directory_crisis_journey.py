"""Issue 19's smaller fixes as a case manager meets them: the demo directory with Refer
on each card, the searchable service list, and a crisis at the ED recorded as a care
transition so the FUM/FUA follow-up starts."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import CareTransition, Service
from referrals.services import hsds_demo_import
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_refer_from_the_directory_and_search_the_service_list(page, shot, case_manager, team):
    hsds_demo_import()
    client = ClientFactory(
        team=team, first_name="Tobias", last_name="Okafor", primary_case_manager=case_manager
    )
    log_in(page, "cm", PASSWORD)
    page.goto("/referrals/directory/?q=methadone")
    card = page.locator("article", has_text="Methadone treatment (OTP)")
    card.get_by_role("link", name="Refer a client to Methadone treatment (OTP)").click()
    expect(
        page.get_by_role("heading", name="Refer a client to Methadone treatment (OTP)")
    ).to_be_visible()
    shot(page, "directory-02-refer-pick-client")
    page.get_by_role("link", name=f"Refer {client.display_name}").click()
    service = Service.objects.get(name="Methadone treatment (OTP)")
    expect(page.get_by_label("Service", exact=True)).to_have_value(str(service.pk))

    # The searchable list: typing narrows the options.
    page.get_by_label("Search the list").fill("food pantry")
    expect(page.locator("#id_service_count")).to_contain_text("1 of 48 match")
    # The pantry, plus the empty choice and the one chosen (kept while searching).
    expect(page.locator("#id_service option")).to_have_count(3)
    shot(page, "directory-03-picker-search")
    page.get_by_label("Search the list").fill("")

    # From the form to the directory for this client, and back with Refer.
    page.get_by_role("link", name="Browse the directory").click()
    expect(page.locator("#referring")).to_contain_text(client.display_name)
    page.get_by_label("Category").select_option(label="Housing")
    page.get_by_role("button", name="Search").click()
    shot(page, "directory-01-cards")
    page.get_by_role("link", name=f"Refer {client.display_name} to Recovery housing").click()
    expect(page.get_by_label("Service", exact=True)).to_have_value(
        str(Service.objects.get(name="Recovery housing").pk)
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/referrals/directory/?client={client.pk}&category=mat")
    shot(page, "directory-04-phone")
    assert page.csp_violations == []


def test_crisis_at_the_ed_starts_the_follow_up(page, shot, case_manager, team):
    client = ClientFactory(
        team=team, first_name="Ines", last_name="Varga", primary_case_manager=case_manager
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/health/clients/{client.pk}/crisis/")
    when = timezone.localtime() - timedelta(hours=5)
    page.get_by_label("When").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Type of crisis").select_option(label="Overdose")
    page.get_by_label("Emergency department", exact=True).check()
    page.get_by_label("What happened").fill("Overdose at a friend's flat")
    page.get_by_label("Outcome").fill("Taken to Riverside General ED, released")
    page.get_by_label("Record the ED visit as a care transition").check()
    page.get_by_label("Hospital", exact=True).fill("Riverside General")
    page.get_by_label("Left the ED on").fill(when.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Record crisis episode").click()
    expect(page.locator(".alert-success")).to_contain_text("recorded as a care transition")
    expect(page.get_by_role("link", name="ED visit recorded as a care transition")).to_be_visible()
    transition = CareTransition.objects.get(client=client)
    assert transition.measure == "FUA" and transition.from_level == "emergency"
    shot(page, "crisis-01-ed-visit")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot(page, "crisis-02-phone")
    assert page.csp_violations == []
