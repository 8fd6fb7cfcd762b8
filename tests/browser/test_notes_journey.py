"""A case manager writes a contact note, signs it after the confirmation, sees it locked,
adds an addendum; and builds the client's care team."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def _client(team, case_manager):
    return ClientFactory(
        team=team,
        first_name="Marisol",
        last_name="Fenwick",
        date_of_birth=date(1984, 3, 14),
        primary_case_manager=case_manager,
    )


def test_write_sign_and_add_an_addendum(page, shot, case_manager, team):
    client = _client(team, case_manager)
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Notes", exact=True).click()
    expect(page.get_by_text("No contact notes yet")).to_be_visible()
    page.get_by_role("link", name="New note").click()

    # Incomplete first: every problem next to its field, what was typed is kept.
    page.get_by_label("Type of contact").select_option(label="Phone")
    page.get_by_label("Duration (minutes)").fill("0")
    page.get_by_label("Data", exact=True).fill("Client called: evicted notice on the door.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#id_duration_minutes_error")).to_contain_text("between 1 and 600")
    expect(page.locator("#id_assessment_error")).to_be_visible()
    expect(page.locator("#id_plan_error")).to_be_visible()
    expect(page.get_by_label("Data", exact=True)).to_have_value(
        "Client called: evicted notice on the door."
    )
    shot(page, "notes-01-new-note-errors")

    page.get_by_label("Duration (minutes)").fill("20")
    page.get_by_label("Assessment", exact=True).fill("Anxious but future-oriented; no SI.")
    page.get_by_label("Plan", exact=True).fill("Call legal aid today; follow up Thursday.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Phone contact, 20 min")).to_be_visible()
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    shot(page, "notes-02-draft")

    # Sign: dismissing the confirmation signs nothing; accepting locks the note.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_role("link", name="Edit draft")).to_be_visible()
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    assert "locked" in messages[0]
    expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign note")).to_have_count(0)
    expect(page.get_by_text(f"by {case_manager.display_name} on")).to_be_visible()
    shot(page, "notes-03-signed")
    # A screenshot leaves style="" on inputs, which HTMX's settle would copy onto the
    # swapped-in form (a CSP report, not a real problem): start from a fresh page.
    page.reload()

    # Addendum (swapped in by HTMX): empty first, then the text.
    page.get_by_role("button", name="Add addendum").click()
    expect(page.locator("#id_text_error")).to_be_visible()
    page.get_by_label("Addendum").fill("Legal aid appointment booked for Monday 10:00.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.locator("#addenda")).to_contain_text("Legal aid appointment booked")
    expect(page.get_by_role("status").filter(has_text="Addendum added.")).to_be_visible()
    expect(page.get_by_label("Addendum")).to_have_value("")
    # HTMX settles the old field's "is-invalid" away; wait for the red border to fade.
    expect(page.get_by_label("Addendum")).not_to_have_class(re.compile("is-invalid"))
    expect(page.get_by_label("Addendum")).to_have_css("border-color", "rgb(222, 226, 230)")
    shot(page, "notes-04-addendum")

    # The list: the signed note with who signed it and its addendum.
    page.get_by_role("link", name="All notes").click()
    item = page.locator("ol.notes-list > li").first
    expect(item).to_contain_text("Signed")
    expect(item).to_contain_text(f"by {case_manager.display_name} on")
    expect(item).to_contain_text("1 addendum")
    shot(page, "notes-05-list")
    assert page.csp_violations == []


def test_build_and_change_the_care_team(page, shot, case_manager, teammate, team):
    client = _client(team, case_manager)
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/care-team/")
    expect(page.get_by_text("No one on the care team yet")).to_be_visible()

    # Neither staff nor a name: the error says what to do, next to the pick-list.
    page.get_by_label("Role").select_option(label="Psychiatrist / prescriber")
    page.get_by_label("Organisation").fill("Eastside Clinic")
    page.get_by_role("button", name="Add to care team").click()
    expect(page.locator("#id_user_error")).to_contain_text("outside contact's name")
    expect(page.get_by_label("Organisation")).to_have_value("Eastside Clinic")
    shot(page, "notes-06-careteam-error")

    page.get_by_label("Outside contact's name").fill("Dr Ana Lee")
    page.get_by_label("Phone").fill("555-0100")
    page.get_by_role("button", name="Add to care team").click()
    expect(page.locator("#care-team-current")).to_contain_text("Dr Ana Lee")

    page.get_by_label("Role").select_option(label="Peer specialist")
    page.get_by_label("Staff member").select_option(label=teammate.display_name)
    page.get_by_role("button", name="Add to care team").click()
    expect(page.locator("#care-team-current")).to_contain_text(teammate.display_name)

    # End Dr Lee's membership: she moves to the past members.
    page.get_by_role("link", name="End Dr Ana Lee's membership").click()
    expect(page.get_by_text("will move to the past members")).to_be_visible()
    page.get_by_role("button", name="End membership").click()
    expect(page.locator("#care-team-past")).to_contain_text("Dr Ana Lee")
    expect(page.locator("#care-team-current")).not_to_contain_text("Dr Ana Lee")
    shot(page, "notes-07-careteam")
    assert page.csp_violations == []
