from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.lib.errors import Conflict
from clients.models import ClientStatus, TimelineEntry
from referrals.models import FollowUp
from scheduling import services
from scheduling.models import Appointment, AppointmentStaff, AppointmentStatus, Recurrence

from .conftest import local

pytestmark = pytest.mark.django_db


def test_booking_stores_utc_and_staff_rows(book, team, next_monday, case_manager, client_record):
    start = local(team, next_monday, 10)
    appointment = book(start)
    appointment.refresh_from_db()
    assert appointment.starts_at == start
    assert appointment.starts_at.utcoffset() == timedelta(0)  # stored and read in UTC
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert appointment.team == team
    assert list(
        AppointmentStaff.objects.filter(appointment=appointment).values_list("user_id", flat=True)
    ) == [case_manager.pk]
    assert TimelineEntry.objects.filter(client=client_record, kind="appointment").exists()


def test_end_before_start_is_refused_and_nothing_saved(book, team, next_monday):
    start = local(team, next_monday, 10)
    with pytest.raises(ValidationError) as error:
        book(start, minutes=-30)
    assert "ends_at" in error.value.message_dict
    assert not Appointment.objects.exists()


def test_discharged_client_cannot_be_booked(book, team, next_monday, client_record):
    client_record.status = ClientStatus.DISCHARGED
    client_record.discharged_on = team.local_date()
    client_record.save(update_fields=["status", "discharged_on"])
    with pytest.raises(ValidationError) as error:
        book(local(team, next_monday, 10))
    assert "client" in error.value.message_dict
    assert not Appointment.objects.exists()


def test_staff_from_another_team_is_refused(book, team, next_monday, outsider):
    with pytest.raises(ValidationError) as error:
        book(local(team, next_monday, 10), staff=[outsider])
    assert "staff" in error.value.message_dict


def test_overlap_warns_then_books_when_confirmed(book, team, next_monday, teammate):
    book(local(team, next_monday, 10))
    with pytest.raises(Conflict) as error:
        book(local(team, next_monday, 10, 30), staff=[teammate])  # the client is busy
    assert error.value.field == "confirm_conflicts"
    assert error.value.extra["conflicts"][0]["who"] == "the client"
    assert Appointment.objects.count() == 1
    book(local(team, next_monday, 10, 30), staff=[teammate], confirm_conflicts=True)
    assert Appointment.objects.count() == 2


def test_back_to_back_is_no_conflict(book, team, next_monday):
    book(local(team, next_monday, 10))
    book(local(team, next_monday, 11))
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_frees_the_time(book, team, next_monday, case_manager):
    first = book(local(team, next_monday, 10))
    services.appointment_cancel(actor=case_manager, appointment=first, by="client", reason="Sick")
    book(local(team, next_monday, 10))


def test_status_machine(book, past_slot, case_manager):
    appointment = book(past_slot)
    services.appointment_check_in(actor=case_manager, appointment=appointment)
    with pytest.raises(Conflict):
        services.appointment_check_in(actor=case_manager, appointment=appointment)
    with pytest.raises(Conflict):
        services.appointment_no_show(actor=case_manager, appointment=appointment)
    done = services.appointment_complete(actor=case_manager, appointment=appointment)
    assert done.status == AppointmentStatus.COMPLETED
    with pytest.raises(Conflict):
        services.appointment_cancel(actor=case_manager, appointment=done, by="staff", reason="x")


def test_a_future_appointment_cannot_be_completed_or_missed(book, team, next_monday, case_manager):
    appointment = book(local(team, next_monday, 10))
    with pytest.raises(Conflict):
        services.appointment_complete(actor=case_manager, appointment=appointment)
    with pytest.raises(Conflict):
        services.appointment_no_show(actor=case_manager, appointment=appointment)


def test_cancel_needs_a_reason(book, team, next_monday, case_manager):
    appointment = book(local(team, next_monday, 10))
    with pytest.raises(ValidationError) as error:
        services.appointment_cancel(
            actor=case_manager, appointment=appointment, by="staff", reason=" "
        )
    assert "cancellation_reason" in error.value.message_dict
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    services.appointment_cancel(
        actor=case_manager, appointment=appointment, by="staff", reason="Staff ill"
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_STAFF
    assert appointment.cancellation_reason == "Staff ill"


def test_no_show_creates_a_follow_up_in_two_business_days(book, past_slot, case_manager, team):
    appointment = book(past_slot)
    services.appointment_no_show(actor=case_manager, appointment=appointment)
    followup = FollowUp.objects.get(client=appointment.client)
    day = timezone.localtime(past_slot, team.zone).date()
    assert followup.title == f"No-show on {day.day} {day:%b}: reach the client within 2 days"
    assert followup.assignee == case_manager
    from casemgmt.lib.dates import add_business_days

    today = team.local_date()
    assert followup.due_on == add_business_days(
        max(today, day), 2, team.public_holidays(range(today.year, today.year + 2))
    )
    assert followup.due_on.weekday() < 5


def test_reschedule_keeps_the_old_row_and_moves_to_a_new_one(book, team, next_monday, case_manager):
    appointment = book(local(team, next_monday, 10))
    moved = services.appointment_reschedule(
        actor=case_manager,
        appointment=appointment,
        starts_at=local(team, next_monday, 14),
        ends_at=local(team, next_monday, 15),
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.RESCHEDULED
    assert appointment.rescheduled_to == moved
    assert moved.status == AppointmentStatus.SCHEDULED
    assert list(moved.staff.all()) == [case_manager]


def test_weekly_series_writes_rows_to_the_horizon_only(book, team, next_monday, settings):
    settings.RECURRENCE_HORIZON_DAYS = 60
    first = book(local(team, next_monday, 10), rule="FREQ=WEEKLY;BYDAY=" + "MO")
    rows = list(Appointment.objects.filter(recurrence=first.recurrence).order_by("starts_at"))
    assert 8 <= len(rows) <= 10  # ~60 days of Mondays, not forever
    assert all(timezone.localtime(r.starts_at, team.zone).hour == 10 for r in rows)  # DST-safe
    assert all(r.occurrence_starts_at == r.starts_at for r in rows)


def test_every_other_tuesday_with_count(book, team, next_monday):
    tuesday = next_monday + timedelta(days=1)
    first = book(local(team, tuesday, 9), rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4")
    days = [
        timezone.localtime(a.starts_at, team.zone).date()
        for a in Appointment.objects.filter(recurrence=first.recurrence).order_by("starts_at")
    ]
    assert days == [tuesday + timedelta(days=14 * i) for i in range(4)]


@pytest.mark.parametrize(
    "rule,reason",
    [
        ("FREQ=HOURLY", "daily, weekly, monthly or yearly"),
        ("FREQ=FORTNIGHTLY", "Not an RFC 5545 rule"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "only the RRULE"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20200101", "no appointment"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(book, team, next_monday, rule, reason):
    with pytest.raises(ValidationError) as error:
        book(local(team, next_monday, 10), rule=rule)
    assert reason in " ".join(error.value.message_dict["rule"])
    assert not Appointment.objects.exists()
    assert not Recurrence.objects.exists()


def test_a_conflict_in_any_occurrence_warns_for_the_series(book, team, next_monday):
    book(local(team, next_monday + timedelta(days=14), 10))
    with pytest.raises(Conflict):
        book(local(team, next_monday, 10), rule="FREQ=WEEKLY;COUNT=4")
    assert Appointment.objects.count() == 1
    assert not Recurrence.objects.exists()


def test_moving_one_occurrence_leaves_the_others(book, team, next_monday, case_manager):
    first = book(local(team, next_monday, 10), rule="FREQ=WEEKLY;COUNT=3")
    second = Appointment.objects.filter(recurrence=first.recurrence).order_by("starts_at")[1]
    thursday = next_monday + timedelta(days=10)
    moved = services.appointment_reschedule(
        actor=case_manager,
        appointment=second,
        starts_at=local(team, thursday, 15),
        ends_at=local(team, thursday, 16),
    )
    assert moved.recurrence == first.recurrence
    live = Appointment.objects.filter(
        recurrence=first.recurrence, status=AppointmentStatus.SCHEDULED
    ).order_by("starts_at")
    assert [timezone.localtime(a.starts_at, team.zone).hour for a in live] == [10, 15, 10]


def test_this_and_following_splits_the_series(book, team, next_monday, case_manager, settings):
    settings.RECURRENCE_HORIZON_DAYS = 40
    first = book(local(team, next_monday, 10), rule="FREQ=WEEKLY")
    old = first.recurrence
    third = Appointment.objects.filter(recurrence=old).order_by("starts_at")[2]
    day = timezone.localtime(third.starts_at, team.zone).date()
    new_first = services.recurrence_edit_following(
        actor=case_manager,
        appointment=third,
        starts_at=local(team, day, 14),
        ends_at=local(team, day, 14, 45),
        location="home",
    )
    old.refresh_from_db()
    assert old.ended_at is not None
    kept = Appointment.objects.filter(recurrence=old, status=AppointmentStatus.SCHEDULED)
    assert kept.count() == 2
    new_rows = Appointment.objects.filter(recurrence=new_first.recurrence)
    assert new_rows.count() >= 2
    assert {a.location for a in new_rows} == {"home"}
    assert {timezone.localtime(a.starts_at, team.zone).hour for a in new_rows} == {14}
    assert new_first.recurrence.previous == old


def test_beat_extends_the_horizon_once(book, team, next_monday, settings):
    settings.RECURRENCE_HORIZON_DAYS = 30
    first = book(local(team, next_monday, 10), rule="FREQ=WEEKLY")
    before = Appointment.objects.filter(recurrence=first.recurrence).count()
    later = timezone.now() + timedelta(days=28)
    result = services.recurrences_extend(now=later)
    after = Appointment.objects.filter(recurrence=first.recurrence).count()
    assert result["series"] == 1
    assert after >= before + 3
    assert services.recurrences_extend(now=later) == {"series": 0, "appointments": 0}
    assert Appointment.objects.filter(recurrence=first.recurrence).count() == after
