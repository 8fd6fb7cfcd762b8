"""A case manager adds the client's sister, is told nothing may be shared with her yet,
records a release naming her from the Family & contacts tab, and then records a
collateral contact with her; the note names her and the release that covered it."""

from datetime import date

from playwright.sync_api import expect

from clients.models import ContactNote, RelatedPerson
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_add_a_family_member_with_a_release_and_record_a_collateral_contact(
    page, shot, case_manager, team
):
    client = ClientFactory(
        team=team,
        first_name="Robin",
        last_name="Okafor",
        date_of_birth=date(1990, 6, 2),
        primary_case_manager=case_manager,
    )
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/related-persons/")
    expect(page.locator("#related-empty")).to_contain_text("No family or other contacts")
    shot(page, "family-01-empty")

    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name").fill("Marisol Okafor")
    page.get_by_label("How they are related to the client").select_option(label="Brother or sister")
    page.get_by_label("In the client's words").fill("older sister")
    page.get_by_label("Phone").fill("555-0142")
    shot(page, "family-02-add-form")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Marisol Okafor added.")).to_be_visible()
    expect(page.locator("[data-coverage]")).to_contain_text("No release on file")
    shot(page, "family-03-no-release")

    # The release: the consent form opens with her named, and comes back here.
    page.get_by_role("link", name="Record a release for Marisol Okafor").click()
    recipients = page.locator("#id_recipients")
    expect(recipients).to_have_value("Marisol Okafor")
    page.get_by_label("Information to be disclosed").fill(
        "Appointments, housing and how treatment is going (no substance use information)"
    )
    page.get_by_label("Purpose of the release").fill("Family support")
    page.get_by_label("Signed by (name)").fill("Robin Okafor")
    page.get_by_label("How it was signed").select_option(label="Signed on paper")
    page.get_by_role("button", name="Save consent").click()
    page.wait_for_url(f"**/clients/{client.pk}/related-persons/")
    expect(page.locator("[data-coverage]")).to_contain_text("Release on file")
    shot(page, "family-04-release-on-file")

    # The collateral contact, prefilled with her.
    page.get_by_role("link", name="Record a collateral contact").click()
    expect(page.get_by_label("Type of contact")).to_have_value("collateral")
    person = RelatedPerson.objects.get(name="Marisol Okafor")
    expect(page.get_by_label("With whom (collateral contact only)")).to_have_value(str(person.pk))
    page.get_by_label("Duration (minutes)").fill("15")
    page.get_by_label("Data").fill("Sister called: Robin has been staying with her this week.")
    page.get_by_label("Assessment").fill("Support at home is steady.")
    page.get_by_label("Plan").fill("Call Marisol again after Friday's appointment.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#note-collateral")).to_contain_text("With Marisol Okafor (older sister)")
    expect(page.locator("#note-collateral")).to_contain_text("release of information signed")
    shot(page, "family-05-collateral-note")
    note = ContactNote.objects.get(client=client)
    assert note.related_person == person and note.consent is not None

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/clients/{client.pk}/related-persons/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "family-06-phone")
    assert page.csp_violations == []
