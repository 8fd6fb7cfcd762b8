"""Nothing typed is lost to a timeout: the idle warning with "Stay signed in", and a note
typed while the session ended is back in the form after logging in again."""

from django.contrib.sessions.models import Session
from faker import Faker
from playwright.sync_api import expect

from casemgmt.drafts.models import Draft
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory

fake = Faker()


def test_a_note_typed_when_the_session_ended_is_restored_after_login(
    page, shot, case_manager, team
):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    log_in(page, "cm", PASSWORD)
    note_page = f"/clients/{client.pk}/notes/new/"
    page.goto(note_page)
    data, assessment, plan = fake.paragraph(), fake.sentence(), fake.sentence()
    page.get_by_label("Type of contact").select_option(label="Phone")
    page.get_by_label("Duration (minutes)").fill("25")
    page.get_by_label("Data", exact=True).fill(data)
    page.get_by_label("Assessment", exact=True).fill(assessment)
    page.get_by_label("Plan", exact=True).fill(plan)

    Session.objects.all().delete()  # the idle timeout passes on the server
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_text("What you typed is kept: log in again")).to_be_visible()
    page.get_by_label("Username").fill("cm")  # this login page, which knows where to go next
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{page.url.split('/clients/')[0]}{note_page}")
    expect(page.locator("#draft-restored")).to_contain_text("We kept what you typed on this form")
    expect(page.locator("#draft-restored")).to_contain_text("Check it and press Save")
    expect(page.get_by_label("Data", exact=True)).to_have_value(data)
    expect(page.get_by_label("Assessment", exact=True)).to_have_value(assessment)
    expect(page.get_by_label("Plan", exact=True)).to_have_value(plan)
    expect(page.get_by_label("Duration (minutes)")).to_have_value("25")
    shot(page, "drafts-01-restored-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "drafts-02-restored-phone")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert not Draft.objects.exists()
    assert page.csp_violations == []


def test_idle_warning_appears_and_stay_signed_in_renews_the_session(
    page, shot, case_manager, settings
):
    settings.SESSION_COOKIE_AGE = 126  # the warning shows 120 s before: after 6 s
    log_in(page, "cm", PASSWORD)
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("You will be signed out in")
    shot(page, "drafts-03-idle-warning-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "drafts-04-idle-warning-phone")
    before = Session.objects.get().expire_date

    page.get_by_role("button", name="Stay signed in").click()

    expect(warning).to_be_hidden()
    page.wait_for_timeout(200)
    assert Session.objects.get().expire_date > before
    assert page.csp_violations == []


def test_autosave_keeps_the_text_and_discard_throws_it_away(page, case_manager, team, settings):
    settings.DRAFT_AUTOSAVE_SECONDS = 1
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/notes/new/")
    data = fake.paragraph()
    page.get_by_label("Data", exact=True).fill(data)
    expect(page.get_by_text("Draft kept at")).to_be_visible()
    assert Draft.objects.get().fields["data"] == [data]

    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.get_by_label("Data", exact=True)).to_have_value(data)
    # Enter in a field still saves the form (the Discard button is not a submit button).
    assert (
        page.get_by_role("button", name="Discard the kept text").get_attribute("type") == "button"
    )

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard the kept text").click()
    expect(page.locator("#draft-restored")).to_have_count(0)
    expect(page.get_by_label("Data", exact=True)).to_have_value("")
    assert not Draft.objects.exists()
    assert page.csp_violations == []


def test_signed_out_while_typing_the_form_is_kept_and_back_after_login(
    page, shot, case_manager, team, settings
):
    # A real idle timeout, short: the session ends 8 s after the last request.
    settings.SESSION_COOKIE_AGE = 8
    settings.IDLE_WARNING_SECONDS = 6
    settings.DRAFT_AUTOSAVE_SECONDS = 600  # only the save at sign-out
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    log_in(page, "cm", PASSWORD)
    note_page = f"/clients/{client.pk}/notes/new/"
    page.goto(note_page)
    data = fake.paragraph()
    page.get_by_label("Data", exact=True).fill(data)

    expect(page.get_by_text("You have been signed out")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("What you typed on this page is kept")).to_be_visible()
    shot(page, "drafts-05-signed-out")
    for _ in range(50):  # the last save, sent as the banner appears
        if Draft.objects.filter(needs_claim=True).exists():
            break
        page.wait_for_timeout(100)
    assert Draft.objects.get(needs_claim=True).fields["data"] == [data]  # kept signed out
    settings.SESSION_COOKIE_AGE = 30 * 60
    page.get_by_role("link", name="Log in again").click()
    page.get_by_label("Username").fill("cm")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.get_by_label("Data", exact=True)).to_have_value(data)
    assert page.url.endswith(note_page)
    assert page.csp_violations == []
