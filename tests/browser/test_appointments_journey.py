"""Book a weekly check-in from the chart, move one occurrence by dragging it on the
week calendar, complete one (the note opens prefilled), mark one a no-show (the
follow-up appears). Screenshots on desktop and a phone."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import FollowUp
from scheduling.models import Appointment, AppointmentStatus
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, ClientFactory


def test_weekly_check_in_journey(page, shot, case_manager, team):
    client = ClientFactory(
        team=team, first_name="Juniper", last_name="Okafor", primary_case_manager=case_manager
    )
    today = team.local_date()
    first_day = today - timedelta(days=14)
    log_in(page, "cm", PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Appointments", exact=True).click()
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Starts").fill(f"{first_day:%Y-%m-%d}T09:00")
    page.get_by_label("Length (minutes)").fill("45")
    page.get_by_label("Repeats").select_option(label="Every week")
    shot(page, "appointments-01-book")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Series booked")
    rows = list(Appointment.objects.filter(client=client).order_by("starts_at"))
    assert len(rows) >= 20  # about 6 months of Mondays... written ahead, not forever
    assert len(rows) <= 30

    # Move next week's occurrence to the day after, by dragging it on the week view.
    upcoming = next(a for a in rows if timezone.localtime(a.starts_at, team.zone).date() > today)
    day = timezone.localtime(upcoming.starts_at, team.zone).date()
    page.goto(f"/scheduling/?view=week&date={day:%Y-%m-%d}")
    expect(page.locator(f'[data-appointment="{upcoming.pk}"]')).to_contain_text("Juniper")
    shot(page, "appointments-02-week")
    target = day + timedelta(days=1) if day.weekday() < 6 else day - timedelta(days=1)
    page.drag_and_drop(
        f'[data-appointment="{upcoming.pk}"]', f'[data-drop-date="{target:%Y-%m-%d}"]'
    )
    # The page reloads with the appointment on the day it was dropped on.
    expect(page.locator(f'[data-drop-date="{target:%Y-%m-%d}"]')).to_contain_text("Juniper")
    upcoming.refresh_from_db()
    assert upcoming.status == AppointmentStatus.RESCHEDULED
    moved = upcoming.rescheduled_to
    assert timezone.localtime(moved.starts_at, team.zone).date() == target
    assert timezone.localtime(moved.starts_at, team.zone).hour == 9
    others = Appointment.objects.filter(recurrence=moved.recurrence, status="scheduled")
    assert others.exclude(pk=moved.pk).filter(starts_at__gt=moved.starts_at).exists()

    # Complete the first one: the note opens with the visit's date, type and length.
    page.goto(f"/scheduling/appointments/{rows[0].pk}/")
    shot(page, "appointments-03-detail")
    page.get_by_role("button", name="Complete and write the note").click()
    expect(page.get_by_label("Duration (minutes)")).to_have_value("45")
    expect(page.get_by_label("Type of contact")).to_have_value("in_person")
    expect(page.get_by_label("Date and time of the contact")).to_have_value(
        f"{first_day:%Y-%m-%d}T09:00"
    )
    page.get_by_label("Data").fill("Checked in about the week; attended two meetings.")
    page.get_by_label("Assessment").fill("Engaged, mood steady.")
    page.get_by_label("Plan").fill("Same time next week.")
    shot(page, "appointments-04-note")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Draft saved")
    rows[0].refresh_from_db()
    assert rows[0].status == AppointmentStatus.COMPLETED and rows[0].contact_note_id

    # The second one was missed: a no-show, and the follow-up is on my list.
    page.goto(f"/scheduling/appointments/{rows[1].pk}/")
    page.get_by_role("button", name="No-show").click()
    expect(page.locator(".alert-success")).to_contain_text("follow-up")
    followup = FollowUp.objects.get(client=client, title__startswith="No-show on")
    page.goto("/follow-ups/")
    expect(page.get_by_text(followup.title)).to_be_visible()

    # Phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/scheduling/?view=week&date={day:%Y-%m-%d}")
    shot(page, "appointments-05-week-phone")
    page.goto(f"/scheduling/appointments/{moved.pk}/")
    shot(page, "appointments-06-detail-phone")
    page.goto("/scheduling/?view=month")
    shot(page, "appointments-07-month-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto("/scheduling/?view=month")
    shot(page, "appointments-08-month")
    page.goto("/")
    shot(page, "appointments-09-today")
    assert page.csp_violations == []
