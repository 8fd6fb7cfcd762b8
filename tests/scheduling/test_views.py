from datetime import timedelta

import pytest
from django.utils import timezone

from clients.models import ContactNote
from referrals.models import FollowUp
from scheduling import services
from scheduling.models import Appointment, AppointmentStatus, TeamCalendarSetting

from .conftest import local

pytestmark = pytest.mark.django_db


def test_booking_a_weekly_series_from_the_chart(
    browser_as, case_manager, client_record, team, next_monday
):
    web = browser_as(case_manager)
    url = f"/scheduling/clients/{client_record.pk}/book/"
    assert web.get(url).status_code == 200
    response = web.post(
        url,
        {
            "starts_at": f"{next_monday:%Y-%m-%d}T10:00",
            "duration_minutes": 45,
            "staff": [case_manager.pk],
            "kind": "case_management",
            "location": "office",
            "repeat": "FREQ=WEEKLY",
            "repeat_until": f"{next_monday + timedelta(days=21):%Y-%m-%d}",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    rows = Appointment.objects.filter(client=client_record).order_by("starts_at")
    assert rows.count() == 4
    assert timezone.localtime(rows[0].starts_at, team.zone).hour == 10
    assert rows[0].duration_minutes == 45


def test_bad_booking_shows_the_reason_and_saves_nothing(
    browser_as, case_manager, client_record, next_monday
):
    web = browser_as(case_manager)
    response = web.post(
        f"/scheduling/clients/{client_record.pk}/book/",
        {
            "starts_at": f"{next_monday:%Y-%m-%d}T10:00",
            "duration_minutes": 45,
            "staff": [case_manager.pk],
            "kind": "case_management",
            "location": "office",
            "repeat": "custom",
            "rule": "FREQ=SECONDLY",
        },
    )
    assert response.status_code == 200
    assert "daily, weekly, monthly or yearly" in response.content.decode()
    assert not Appointment.objects.exists()


def test_overlap_asks_for_confirmation_in_the_form(
    browser_as, case_manager, client_record, next_monday, book, team
):
    book(local(team, next_monday, 10))
    web = browser_as(case_manager)
    values = {
        "starts_at": f"{next_monday:%Y-%m-%d}T10:30",
        "duration_minutes": 30,
        "staff": [case_manager.pk],
        "kind": "therapy",
        "location": "office",
    }
    response = web.post(f"/scheduling/clients/{client_record.pk}/book/", values)
    assert response.status_code == 200
    assert "Confirm to book anyway" in response.content.decode()
    assert Appointment.objects.count() == 1
    response = web.post(
        f"/scheduling/clients/{client_record.pk}/book/", values | {"confirm_conflicts": "on"}
    )
    assert response.status_code == 302
    assert Appointment.objects.count() == 2


def test_appointment_page_shows_it_and_audits_the_read(
    browser_as, case_manager, book, team, next_monday
):
    from casemgmt.audit.models import AuditEvent

    appointment = book(local(team, next_monday, 10))
    page = browser_as(case_manager).get(f"/scheduling/appointments/{appointment.pk}/")
    assert page.status_code == 200
    assert "Case management visit" in page.content.decode()
    assert AuditEvent.objects.filter(client_id=appointment.client_id, action="view").exists()


def test_outsider_gets_404_everywhere(browser_as, outsider, book, team, next_monday, client_record):
    appointment = book(local(team, next_monday, 10))
    web = browser_as(outsider)
    for url in (
        f"/scheduling/appointments/{appointment.pk}/",
        f"/scheduling/appointments/{appointment.pk}/move/",
        f"/scheduling/appointments/{appointment.pk}/cancel/",
        f"/scheduling/appointments/{appointment.pk}/note/",
        f"/scheduling/clients/{client_record.pk}/",
        f"/scheduling/clients/{client_record.pk}/book/",
    ):
        assert web.get(url).status_code == 404, url
    assert web.post(f"/scheduling/appointments/{appointment.pk}/check-in/").status_code == 404
    assert (
        web.post(
            f"/scheduling/appointments/{appointment.pk}/drop/", {"date": "2030-01-01"}
        ).status_code
        == 404
    )
    calendar = web.get("/scheduling/?view=team").content.decode()
    assert client_record.last_name not in calendar


def test_complete_opens_the_prefilled_note(
    browser_as, case_manager, book, past_slot, client_record
):
    appointment = book(past_slot, minutes=50, location="phone")
    web = browser_as(case_manager)
    response = web.post(f"/scheduling/appointments/{appointment.pk}/complete/")
    assert response.status_code == 302 and response.url.endswith("/note/")
    page = web.get(response.url)
    form = page.context["form"]
    assert form.initial["contact_type"] == "phone"
    assert form.initial["duration_minutes"] == 50
    saved = web.post(
        response.url,
        {
            "contact_at": timezone.localtime(past_slot, client_record.team.zone).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "contact_type": "phone",
            "duration_minutes": 50,
            "data": "Spoke about housing.",
            "assessment": "Engaged.",
            "plan": "Call Friday.",
        },
    )
    note = ContactNote.objects.get(client=client_record)
    assert saved.url == f"/clients/{client_record.pk}/notes/{note.pk}/"
    appointment.refresh_from_db()
    assert appointment.contact_note == note


def test_no_show_from_the_page_adds_the_follow_up(
    browser_as, case_manager, book, past_slot, client_record
):
    appointment = book(past_slot)
    web = browser_as(case_manager)
    web.post(f"/scheduling/appointments/{appointment.pk}/no-show/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert FollowUp.objects.filter(client=client_record, title__startswith="No-show on").exists()
    assert "No-show on" in web.get("/follow-ups/").content.decode()


def test_drag_and_drop_moves_to_the_day_at_the_same_time(
    browser_as, case_manager, book, team, next_monday
):
    appointment = book(local(team, next_monday, 10))
    web = browser_as(case_manager)
    thursday = next_monday + timedelta(days=3)
    response = web.post(
        f"/scheduling/appointments/{appointment.pk}/drop/", {"date": thursday.isoformat()}
    )
    assert response.status_code == 200
    moved = Appointment.objects.get(pk=response.json()["id"])
    assert moved.starts_at == local(team, thursday, 10)


def test_cancel_form_needs_a_reason(browser_as, case_manager, book, team, next_monday):
    appointment = book(local(team, next_monday, 10))
    web = browser_as(case_manager)
    response = web.post(f"/scheduling/appointments/{appointment.pk}/cancel/", {"by": "client"})
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    web.post(
        f"/scheduling/appointments/{appointment.pk}/cancel/",
        {"by": "client", "cancellation_reason": "Court date"},
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_CLIENT


def test_today_starts_with_todays_appointments(browser_as, case_manager, book, client_record):
    now = timezone.now()
    book(now + timedelta(minutes=5), minutes=30)
    page = browser_as(case_manager).get("/").content.decode()
    assert "Today&#x27;s appointments" in page or "Today's appointments" in page
    assert page.index("appointments") < page.index("Overdue follow-ups")
    assert client_record.display_name in page


@pytest.mark.parametrize("view", ["week", "team"])
def test_week_views_take_a_fixed_number_of_queries(
    browser_as, case_manager, teammate, book, team, next_monday, django_assert_max_num_queries, view
):
    web = browser_as(case_manager)
    url = f"/scheduling/?view={view}&date={next_monday:%Y-%m-%d}"
    book(local(team, next_monday, 8))
    with django_assert_max_num_queries(30) as one:
        assert web.get(url).status_code == 200
    from tests.factories import ClientFactory

    for i in range(12):
        other = ClientFactory(team=team, primary_case_manager=case_manager)
        book(
            local(team, next_monday + timedelta(days=i % 5), 9 + i // 5),
            client=other,
            staff=[case_manager, teammate],
        )
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        page = web.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)
    assert page.context["count"] == 13


def test_month_and_day_views_render(browser_as, case_manager, book, team, next_monday):
    book(local(team, next_monday, 8))
    web = browser_as(case_manager)
    assert web.get(f"/scheduling/?view=month&date={next_monday:%Y-%m-%d}").context["count"] == 1
    assert web.get(f"/scheduling/?view=day&date={next_monday:%Y-%m-%d}").context["count"] == 1
    assert (
        web.get(f"/scheduling/?view=week&date={next_monday:%Y-%m-%d}&kind=therapy").context["count"]
        == 0
    )


def test_ical_feed_private_revocable_without_names(
    client, browser_as, case_manager, book, team, next_monday, client_record
):
    book(local(team, next_monday, 10))
    token = services.calendar_feed_create(user=case_manager)
    url = f"/scheduling/feed/{token}.ics"
    body = client.get(url)
    assert body.status_code == 200
    assert body["Content-Type"].startswith("text/calendar")
    text = body.content.decode()
    assert "BEGIN:VEVENT" in text and "SUMMARY:Case management visit" in text
    assert client_record.last_name not in text
    assert client_record.display_name not in text
    TeamCalendarSetting.objects.create(team=team, feed_shows_initials=True)
    first = client_record.preferred_name or client_record.first_name
    initials = f"{first[0]}.{client_record.last_name[0]}."
    assert initials in client.get(url).content.decode()
    assert client.get("/scheduling/feed/not-the-token.ics").status_code == 404
    services.calendar_feed_revoke(user=case_manager)
    assert client.get(url).status_code == 404


def test_feed_page_makes_a_new_address(browser_as, case_manager):
    web = browser_as(case_manager)
    response = web.post("/scheduling/feed/", {"action": "create"})
    assert "/scheduling/feed/" in response.context["url"]
    response = web.post("/scheduling/feed/", {"action": "revoke"})
    assert response.status_code == 302
