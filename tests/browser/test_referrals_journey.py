"""A case manager refers a client to a directory service and follows it to a confirmed
completion, then records an inpatient discharge, sees the two follow-ups appear and
moves the 7-day one (inside its window) when the client asks."""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import FollowUp, Organization, Referral, Service
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory
from tests.referrals.conftest import contact_note, part2_consent


def test_refer_to_completion_then_record_a_discharge(page, shot, case_manager, team):
    Service.objects.create(
        organization=Organization.objects.create(name="Harbor Detox"),
        name="Medically managed withdrawal",
        category="withdrawal_management",
        languages=["English", "Spanish"],
    )
    client = ClientFactory(
        team=team,
        first_name="Dmitri",
        last_name="Halloway",
        date_of_birth=date(1979, 5, 2),
        primary_case_manager=case_manager,
    )
    log_in(page, "cm", PASSWORD)
    # The directory: search by language and category.
    page.get_by_role("link", name="Directory", exact=True).click()
    page.get_by_label("Language").fill("spanish")
    page.get_by_label("Category").select_option("withdrawal_management")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#services article")).to_have_count(1)
    shot(page, "referrals-00-directory")
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("main").get_by_role("link", name="Referrals", exact=True).click()
    expect(page.get_by_text("No referrals yet")).to_be_visible()

    # A draft first; sending without a Part 2 consent is refused with the reason.
    page.get_by_role("link", name="New referral").click()
    page.get_by_label("Service", exact=True).select_option(
        label="Medically managed withdrawal (Harbor Detox) · Withdrawal management"
    )
    page.get_by_label("Reason for referral").fill(
        "Alcohol withdrawal, needs medically managed detox"
    )
    page.get_by_label("Urgency").select_option("urgent")
    shot(page, "referrals-00b-new-referral-form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("saved as a draft")).to_be_visible()
    page.locator("summary", has_text="Send").click()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#form-errors")).to_contain_text("No active 42 CFR Part 2 consent")
    shot(page, "referrals-01-send-refused-no-consent")

    part2_consent(client, case_manager)
    # The refused step stays open with the message; try again once the consent is on file.
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#referral-status")).to_contain_text("Sent")

    page.locator("summary", has_text="Mark accepted").click()
    page.get_by_role("button", name="Mark accepted").click()
    expect(page.locator("#referral-status")).to_contain_text("Accepted")

    page.locator("summary", has_text="Mark scheduled").click()
    # Yesterday's appointment: a referral is completed only once its day has come.
    page.locator("#id_scheduled-appointment_at").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat() + "T10:30"
    )
    page.get_by_role("button", name="Mark scheduled").click()
    expect(page.locator("#referral-status")).to_contain_text("Scheduled")

    page.locator("summary", has_text="Mark completed").click()
    page.locator("#id_completed-outcome").select_option("got_service")
    page.get_by_role("button", name="Mark completed").click()
    expect(page.locator("#id_completed-completion_confirmation_error")).to_contain_text(
        "closed-loop only when"
    )
    # The failed step stays open, with the outcome kept.
    expect(page.locator("#id_completed-outcome")).to_have_value("got_service")
    page.locator("#id_completed-completion_confirmation").select_option("provider")
    page.get_by_role("button", name="Mark completed").click()
    expect(page.locator("#referral-status")).to_contain_text("Closed loop")
    expect(page.locator("#referral-history li")).to_have_count(5)
    assert Referral.objects.get().is_closed_loop
    shot(page, "referrals-02-completed-closed-loop")

    # An inpatient psychiatric discharge: the FUH 7- and 30-day follow-ups appear.
    page.get_by_role("main").get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("link", name="Record a transition").click()
    page.get_by_label("From level of care").select_option("inpatient_psych")
    page.get_by_label("To level of care").select_option("outpatient")
    page.get_by_label("Facility").fill("St. Jude Behavioral Health")
    page.get_by_label("Admission date").fill((timezone.localdate() - timedelta(days=9)).isoformat())
    page.get_by_label("Discharge date").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save transition").click()
    expect(page.get_by_text("FUH follow-ups created")).to_be_visible()
    followups = page.locator("#followups li")
    expect(followups.filter(has_text="7-day follow-up visit")).to_have_count(1)
    expect(followups.filter(has_text="30-day follow-up visit")).to_have_count(1)
    expect(page.locator("#transitions")).to_contain_text("FUH 7-day: Open until")
    assert FollowUp.objects.filter(reason="transition").count() == 2
    shot(page, "referrals-03-discharge-followups")

    # An in-person contact the day after discharge: the window shows as met.
    contact_note(client, case_manager, timezone.localdate())
    page.locator("#transitions").get_by_role("link", name=re.compile("Inpatient")).click()
    expect(page.locator("#windows")).to_contain_text("7-day")
    expect(page.locator("#windows li").first).to_contain_text("Met: visit on")
    expect(page.get_by_text("Window met:").first).to_be_visible()
    shot(page, "referrals-03b-transition-window-met")

    page.get_by_role("link", name="Follow-ups", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("7-day follow-up visit")
    shot(page, "referrals-04-my-followups")

    # The client asks to move the visit: past the 7-day window is refused with the rule,
    # what was typed stays; inside the window it moves, with the reason kept.
    seven = page.get_by_role("main").locator("li", has_text="7-day follow-up visit")
    seven.get_by_role("link", name="Reschedule").click()
    expect(page.locator("#window-rule")).to_contain_text("7-day FUH window")
    last_day = timezone.localdate() + timedelta(days=6)  # discharged yesterday
    page.get_by_label("New due date").fill((last_day + timedelta(days=1)).isoformat())
    page.get_by_label("Why is it moving?").fill("Client asked to move it to next week")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator("#id_due_on_error")).to_contain_text("window ends on")
    expect(page.locator("#form-errors")).to_contain_text("New due date")
    expect(page.get_by_label("Why is it moving?")).to_have_value(
        "Client asked to move it to next week"
    )
    shot(page, "referrals-05-reschedule-refused-past-window")
    sooner = timezone.localdate() + timedelta(days=2)
    page.get_by_label("New due date").fill(sooner.isoformat())
    page.get_by_label("Why is it moving?").fill("Client asked to come in earlier, after work")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.get_by_text("moved to")).to_be_visible()
    expect(page).to_have_url(re.compile(r"//[^/]+/follow-ups/$"))  # My follow-ups
    moved = FollowUp.objects.get(reason="transition", window_days=7)
    assert (moved.due_on, moved.schedule_version) == (sooner, 2)
    page.goto(f"/referrals/follow-ups/{moved.pk}/reschedule/")
    expect(page.locator("#followup-moves li")).to_contain_text("come in earlier, after work")
    shot(page, "referrals-06-rescheduled-history")
    assert page.csp_violations == []
