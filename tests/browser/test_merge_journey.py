"""A program admin finds a duplicate with the intake duplicate check, compares the two
records side by side, keeps the newer phone number, merges, lands on the survivor's
chart, and undoes the merge from Merged records; desktop and phone."""

from datetime import date

from playwright.sync_api import expect

from casemgmt.accounts.models import Role
from clients.models import ClientMerge, ClientStatus
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory, UserFactory
from tests.two_factor import enrol


def test_admin_merges_a_duplicate_and_undoes_it(page, shot, team, case_manager):
    admin = UserFactory(username="progadmin", role=Role.ADMIN)
    device = enrol(admin)
    dob = date(1979, 6, 14)
    survivor = ClientFactory(
        team=team, first_name="Teodora", last_name="Villanueva", date_of_birth=dob, phone=""
    )
    duplicate = ClientFactory(
        team=team,
        first_name="Teodora",
        last_name="Vilanueva",
        date_of_birth=dob,
        phone="555-0142",
        preferred_name="Teo",
    )
    log_in(page, "progadmin", PASSWORD, device=device)
    page.goto(f"/clients/{survivor.pk}/")
    page.get_by_role("link", name="Merge a duplicate").click()
    expect(page.locator("#merge-candidates")).to_contain_text(duplicate.client_number)
    shot(page, "merge-01-candidates")
    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name=f"Merge {duplicate.client_number}")).to_be_visible()
    shot(page, "merge-02-compare")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "merge-03-compare-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_label("555-0142").check()
    page.get_by_label("Why are these the same person?").fill("Same person, two intakes")
    page.get_by_role("button", name=f"Merge {duplicate.client_number}").click()
    # The confirmation box is required: nothing is merged without it.
    expect(page.locator("main")).to_contain_text("This field is required")
    assert not ClientMerge.objects.exists()
    page.get_by_label("I have checked that these two records are the same person.").check()
    page.get_by_role("button", name=f"Merge {duplicate.client_number}").click()
    expect(page.locator("main")).to_contain_text(f"{duplicate.client_number} was merged into")
    shot(page, "merge-04-merged")
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.phone == "555-0142" and duplicate.status == ClientStatus.MERGED
    page.goto(f"/clients/{duplicate.pk}/")
    expect(page.locator("main")).to_contain_text("merged into")
    assert page.url.endswith(f"/clients/{survivor.pk}/")

    page.goto("/clients/merges/")
    page.get_by_label("Why undo this merge?").fill("Different people after all")
    shot(page, "merge-05-merged-records")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "merge-06-merged-records-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("button", name="Undo merge").click()
    expect(page.locator("main")).to_contain_text("The merge was undone")
    duplicate.refresh_from_db()
    assert duplicate.status == ClientStatus.ACTIVE and duplicate.merged_into_id is None
