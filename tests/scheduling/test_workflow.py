"""Conflicts under a race, reminders exactly once, the note of a completed visit and
what it counts for (HEDIS windows), no-shows on the supervisor's attention list."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casemgmt.lib.errors import Conflict
from casemgmt.notifications import sms
from casemgmt.notifications.models import Notification, OutboxMessage
from casemgmt.notifications.services import outbox_flush
from clients.services import note_sign
from dashboard.attention import reason_ids
from referrals.selectors import transition_windows
from referrals.services import transition_record
from scheduling import services
from scheduling.models import Appointment, AppointmentReminder
from scheduling.services import appointments as appointment_services

from .conftest import local


# ------------------------------------------------------------------ the race
@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_once_cannot_both_pass_unconfirmed(
    team, case_manager, teammate, client_record, next_monday, monkeypatch
):
    """Both threads look for overlaps before either has written: without the lock per
    person and day, both would book (the barrier makes sure they meet there)."""
    meet = threading.Barrier(2, timeout=2)
    real = appointment_services.find_overlaps

    def slow_find(**kwargs):
        found = real(**kwargs)
        try:
            meet.wait()  # only reached by both when nothing serialises them
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(appointment_services, "find_overlaps", slow_find)
    start = local(team, next_monday, 10)
    outcomes: list[str] = []

    def book(staff):
        try:
            services.appointment_create(
                actor=case_manager,
                client=client_record,
                staff=[staff],
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                kind="case_management",
                location="office",
            )
            outcomes.append("booked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(who,)) for who in (case_manager, teammate)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(outcomes) == ["booked", "conflict"]
    assert Appointment.objects.count() == 1


# ------------------------------------------------------------------ reminders
@pytest.fixture
def tomorrow_at_ten(team):
    return local(team, team.local_date() + timedelta(days=1), 10)


@pytest.mark.django_db
def test_reminders_go_once_to_staff_and_to_the_client_who_agreed(
    book, tomorrow_at_ten, case_manager, client_record, team
):
    client_record.phone = "+15555550123"
    client_record.email = "client@example.org"
    client_record.save(update_fields=["phone", "email"])
    services.client_reminder_consent_set(
        actor=case_manager, client=client_record, by_email=False, by_sms=True
    )
    appointment = book(tomorrow_at_ten)
    assert appointment.remind_at is not None
    sms.outbox.clear()
    now = max(appointment.remind_at, timezone.now())
    assert services.appointment_reminders_sweep(now=now) == {"appointments": 1}
    assert services.appointment_reminders_sweep(now=now) == {"appointments": 0}
    assert set(AppointmentReminder.objects.values_list("audience", flat=True)) == {
        "staff",
        "client_sms",
    }  # no email: the client agreed to SMS only
    note = Notification.objects.get(recipient=case_manager)
    assert note.title.startswith("Appointment ")
    assert note.link == f"/scheduling/appointments/{appointment.pk}/"
    outbox_flush()
    assert len(sms.outbox) == 1
    text = sms.outbox[0].body
    words = services.reminders.day_words(team=team, starts_at=tomorrow_at_ten, now=now)
    assert f"You have an appointment {words} with {case_manager.first_name}." in text
    assert client_record.last_name not in text and "Case management" not in text
    assert "tomorrow at 10:00" in words or timezone.localtime(now, team.zone).date() != (
        team.local_date()
    )
    assert OutboxMessage.objects.filter(recipient=case_manager).count() == 1  # staff email


@pytest.mark.django_db
def test_no_reminder_to_a_client_without_agreement(book, tomorrow_at_ten, client_record):
    client_record.phone = "+15555550123"
    client_record.save(update_fields=["phone"])
    appointment = book(tomorrow_at_ten)
    services.appointment_reminders_sweep(now=max(appointment.remind_at, timezone.now()))
    assert list(AppointmentReminder.objects.values_list("audience", flat=True)) == ["staff"]


@pytest.mark.django_db
def test_a_cancelled_appointment_sends_no_reminder(book, tomorrow_at_ten, case_manager):
    appointment = book(tomorrow_at_ten)
    services.appointment_cancel(
        actor=case_manager, appointment=appointment, by="client", reason="Away"
    )
    services.appointment_reminders_sweep(now=timezone.now() + timedelta(hours=20))
    assert not AppointmentReminder.objects.exists()


# ------------------------------------------------------------ note and HEDIS
@pytest.fixture
def intervention(client_record, case_manager):
    from careplans.models import CarePlan, Goal, Intervention, Problem

    plan = CarePlan.objects.create(
        client=client_record, version=1, author=case_manager, effective_date=timezone.localdate()
    )
    problem = Problem.objects.create(plan=plan, domain="housing", description="Unstable housing")
    goal = Goal.objects.create(
        plan=plan,
        problem=problem,
        text="I want my own apartment",
        goal_type="functional",
        target_date=timezone.localdate() + timedelta(days=90),
    )
    return Intervention.objects.create(
        goal=goal,
        category="mi",
        frequency="weekly",
        start_date=timezone.localdate(),
    )


@pytest.mark.django_db
def test_completing_prefills_the_note_and_a_signed_note_meets_the_window(
    book, case_manager, client_record, team, intervention
):
    discharged = team.local_date() - timedelta(days=3)
    transition = transition_record(
        actor=case_manager,
        client=client_record,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="St. Jude Behavioral",
        admitted_on=discharged - timedelta(days=5),
        discharged_on=discharged,
    )
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    appointment = book(start, minutes=45, location="telehealth", interventions=[intervention])
    services.appointment_complete(actor=case_manager, appointment=appointment)
    prefill = services.note_prefill(appointment)
    assert prefill["contact_at"] == start
    assert prefill["contact_type"] == "video"
    assert prefill["duration_minutes"] == 45
    assert "I want my own apartment" in prefill["data"]
    seven = transition_windows([transition])[transition.pk][0]
    assert seven.state == "open"
    note = services.appointment_note_write(
        actor=case_manager,
        appointment=appointment,
        values=prefill
        | {
            "data": prefill["data"] + "Talked about the lease.",
            "assessment": "Engaged.",
            "plan": "Visit next week.",
        },
    )
    appointment.refresh_from_db()
    assert appointment.contact_note == note
    assert transition_windows([transition])[transition.pk][0].state == "pending"  # draft
    note_sign(actor=case_manager, note=note)
    assert transition_windows([transition])[transition.pk][0].state == "met"


# ------------------------------------------------------------ attention list
@pytest.mark.django_db
def test_two_no_shows_in_a_row_raise_the_client(book, case_manager, client_record, team):
    from clients.models import Client

    now = timezone.now()
    scope = Client.objects.filter(team=team)
    first = book(now - timedelta(days=8))
    services.appointment_no_show(actor=case_manager, appointment=first)
    assert (
        client_record.pk not in reason_ids(scope, as_of=team.local_date(), now=now)["two_no_shows"]
    )
    second = book(now - timedelta(days=1))
    services.appointment_no_show(actor=case_manager, appointment=second)
    assert client_record.pk in reason_ids(scope, as_of=team.local_date(), now=now)["two_no_shows"]
    kept = book(now - timedelta(hours=3))
    services.appointment_complete(actor=case_manager, appointment=kept)
    assert (
        client_record.pk not in reason_ids(scope, as_of=team.local_date(), now=now)["two_no_shows"]
    )
