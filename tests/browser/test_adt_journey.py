"""A supervisor works the ADT review queue: a hospital's admission for a person the
system could not match waits there; the supervisor opens it, links it to the client by
number and the admission becomes a care transition; desktop and phone."""

from playwright.sync_api import expect

from interop.services import adt_receive
from referrals.models import CareTransition
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory
from tests.interop.conftest import adt, process_received


def test_review_queue_links_an_unmatched_admission(page, shot, supervisor, team):
    client = ClientFactory(team=team)
    adt_receive(
        raw=adt("A01", "Q-1", mrn="MRN-NEW", family="Zephyrine", given="Ottoline"),
        sender="test",
    )
    process_received()
    log_in(page, "sup", PASSWORD)
    page.goto("/interop/adt/review/")
    expect(page.get_by_role("heading", name="ADT review queue")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Q-1")
    shot(page, "adt-01-review-queue")
    page.set_viewport_size({"width": 390, "height": 844})
    # The table scrolls inside its box: the page itself is no wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "adt-02-review-queue-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.locator("tbody tr", has_text="Q-1").locator("a").first.click()  # received at
    expect(page.get_by_role("heading", name="Pick the client")).to_be_visible()
    page.get_by_label("Client number").fill(client.client_number)
    shot(page, "adt-03-message")
    page.get_by_role("button", name="Link and process").click()
    expect(page.get_by_role("heading", name="ADT review queue")).to_have_count(0)
    assert CareTransition.objects.filter(client=client).exists()
    shot(page, "adt-04-linked")
