"""Appointment reminders to a client are in the client's language (SMS and email);
staff reminders stay English; an English-speaking client's text is unchanged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from casemgmt.lib.i18n import render_in
from casemgmt.notifications import sms
from casemgmt.notifications.models import Notification, OutboxMessage
from casemgmt.notifications.services import outbox_flush
from scheduling import services

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow_at_ten(team):
    return local(team, team.local_date() + timedelta(days=1), 10)


def _remind(book, when, client_record, case_manager, *, language):
    client_record.phone = "+15555550123"
    client_record.email = "client@example.org"
    client_record.preferred_language = language
    client_record.save(update_fields=["phone", "email", "preferred_language"])
    services.client_reminder_consent_set(
        actor=case_manager, client=client_record, by_email=True, by_sms=True
    )
    appointment = book(when)
    sms.outbox.clear()
    mail.outbox.clear()
    now = max(appointment.remind_at, timezone.now())
    services.appointment_reminders_sweep(now=now)
    outbox_flush()
    return appointment, now


def test_a_spanish_speaking_client_gets_the_reminder_in_spanish(
    book, tomorrow_at_ten, case_manager, client_record, team
):
    appointment, now = _remind(
        book, tomorrow_at_ten, client_record, case_manager, language="Español"
    )
    with render_in("es"):
        words = services.reminders.day_words(team=team, starts_at=tomorrow_at_ten, now=now)
    name = case_manager.first_name
    assert len(sms.outbox) == 1
    assert sms.outbox[0].body == f"Tiene una cita {words} con {name}. Llámenos si no puede venir."
    if timezone.localtime(now, team.zone).date() == team.local_date():
        assert words == "mañana a las 10:00"
    client_mail = [m for m in mail.outbox if m.to == ["client@example.org"]]
    assert len(client_mail) == 1
    assert client_mail[0].subject == "Recordatorio de cita"
    assert f"Tiene una cita {words} con {name}." in client_mail[0].body
    assert "Si no puede venir, por favor llámenos." in client_mail[0].body
    for english in ("appointment", "Call us", "cannot", "tomorrow", "reminder"):
        assert english not in sms.outbox[0].body and english not in client_mail[0].body
    # Staff stay English; the client's outbox rows say which language, nothing more.
    assert Notification.objects.get(recipient=case_manager).title.startswith("Appointment ")
    rows = OutboxMessage.objects.filter(recipient__isnull=True)
    assert {r.params["language"] for r in rows} == {"es"}
    assert all(client_record.last_name not in str(r.params) for r in rows)


def test_an_english_speaking_client_gets_the_same_words_as_before(
    book, tomorrow_at_ten, case_manager, client_record, team
):
    _appointment, now = _remind(
        book, tomorrow_at_ten, client_record, case_manager, language="English"
    )
    words = services.reminders.day_words(team=team, starts_at=tomorrow_at_ten, now=now)
    body = sms.outbox[0].body
    name = case_manager.first_name
    assert body == f"You have an appointment {words} with {name}. Call us if you cannot come."
    client_mail = [m for m in mail.outbox if m.to == ["client@example.org"]][0]
    assert client_mail.subject == "Appointment reminder"
    assert client_mail.body.strip() == (
        f"You have an appointment {words} with {case_manager.first_name}.\n\n"
        "If you cannot come, please call us."
    )


def test_day_words_in_both_languages(team):
    now = local(team, team.local_date(), 8)
    later = local(team, team.local_date() + timedelta(days=5), 15, 30)
    english = services.reminders.day_words(team=team, starts_at=later, now=now)
    with render_in("es"):
        spanish = services.reminders.day_words(team=team, starts_at=later, now=now)
        today = services.reminders.day_words(team=team, starts_at=now + timedelta(hours=2), now=now)
    assert re.fullmatch(r"on [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} at 15:30", english)
    days = "lunes|martes|miércoles|jueves|viernes|sábado|domingo"
    assert re.fullmatch(rf"el ({days}) \d{{1,2}} de [a-z]+ a las 15:30", spanish)
    assert today == "hoy a las 10:00"
