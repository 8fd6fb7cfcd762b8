"""Check-ins: sending, the link's rules (expiry, uses, revocation, date of birth lockout,
rate limit), answers recorded once, and safety first on a risk answer."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import InstrumentResponse
from casemgmt.lib.errors import Conflict
from casemgmt.notifications import sms
from casemgmt.notifications.models import Notification
from casemgmt.notifications.services import outbox_flush
from clients.models import RiskFlag
from portal import services
from portal.models import CheckIn, CheckInResult, CheckInStatus, PortalLink
from referrals.models import Reminder, ReminderStage
from referrals.services import followup_sweep, reminders_deliver

from .conftest import DOB, token_of

PHQ9_ITEM9 = [1, 2, 1, 2, 1, 1, 0, 0, 2]  # total 10, item 9 = 2


def _send(client, actor, instruments=("phq9",), channel="sms"):
    return services.checkin_send(
        actor=actor, client=client, instruments=list(instruments), channel=channel
    )


pytestmark = pytest.mark.django_db


def test_send_queues_one_sms_with_the_link_and_no_personal_data(phone_client, case_manager):
    sms.outbox.clear()
    checkin = _send(phone_client, case_manager)
    outbox_flush()
    assert len(sms.outbox) == 1
    message = sms.outbox[0]
    assert message.to == phone_client.phone
    assert token_of(checkin.link) in message.body
    for private in (phone_client.first_name, phone_client.last_name, "PHQ", "depress"):
        assert private not in message.body
    assert checkin.link.expires_at - timezone.now() > timedelta(hours=71)


def test_send_by_email_says_only_your_care_team(phone_client, case_manager):
    checkin = _send(phone_client, case_manager, channel="email")
    outbox_flush()
    assert len(mail.outbox) == 1
    assert token_of(checkin.link) in mail.outbox[0].body
    assert phone_client.last_name not in mail.outbox[0].body + mail.outbox[0].subject


def test_send_in_spanish_for_a_spanish_speaker(phone_client, case_manager):
    sms.outbox.clear()
    phone_client.preferred_language = "Spanish"
    phone_client.save(update_fields=["preferred_language"])
    _send(phone_client, case_manager)
    outbox_flush()
    assert "Su equipo de atención" in sms.outbox[0].body


def test_send_refuses_bad_input_naming_the_field(phone_client, case_manager):
    with pytest.raises(ValidationError) as error:
        _send(phone_client, case_manager, instruments=["pcl5"])
    assert "instruments" in error.value.message_dict
    phone_client.phone = ""
    phone_client.save(update_fields=["phone"])
    with pytest.raises(ValidationError) as error:
        _send(phone_client, case_manager, channel="sms")
    assert "channel" in error.value.message_dict
    assert not CheckIn.objects.exists()


def test_expired_link_is_refused(phone_client, case_manager):
    checkin = _send(phone_client, case_manager)
    PortalLink.objects.filter(pk=checkin.link_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    link = services.link_find(token_of(checkin.link))
    assert services.link_state(link).state == "expired"
    assert services.link_confirm_dob(link=link, date_of_birth=DOB) == "expired"


def test_revoked_link_is_refused(phone_client, case_manager):
    checkin = _send(phone_client, case_manager)
    services.checkin_revoke(actor=case_manager, checkin=checkin)
    link = services.link_find(token_of(checkin.link))
    assert services.link_state(link).state == "revoked"
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.REVOKED
    with pytest.raises(Conflict):
        services.checkin_revoke(actor=case_manager, checkin=checkin)


def test_uses_are_counted_and_run_out(phone_client, case_manager, settings):
    settings.PORTAL_CHECKIN_MAX_USES = 2
    link = _send(phone_client, case_manager).link
    assert services.link_confirm_dob(link=link, date_of_birth=DOB) == "ok"
    assert services.link_confirm_dob(link=link, date_of_birth=DOB) == "ok"
    assert services.link_confirm_dob(link=link, date_of_birth=DOB) == "used"
    link.refresh_from_db()
    assert link.uses == 2
    assert CheckIn.objects.get(link=link).status == CheckInStatus.OPENED


def test_five_wrong_dates_of_birth_lock_the_link(phone_client, case_manager):
    link = _send(phone_client, case_manager).link
    for _ in range(4):
        assert services.link_confirm_dob(link=link, date_of_birth=date(1990, 1, 1)) == "wrong"
    assert services.link_confirm_dob(link=link, date_of_birth=date(1990, 1, 1)) == "locked"
    # Locked: even the right date no longer opens it; the sender is told.
    assert services.link_confirm_dob(link=link, date_of_birth=DOB) == "locked"
    assert Notification.objects.filter(recipient=case_manager, title__contains="locked").exists()


def test_rate_limit_per_link_and_per_address(settings):
    settings.PORTAL_RATE_PER_LINK = 3
    settings.PORTAL_RATE_PER_ADDRESS = 5
    hits = [services.throttled(address="203.0.113.9", link_id=99) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert services.throttled(address="203.0.113.9") is False  # 5th from the address
    assert services.throttled(address="203.0.113.9") is True  # 6th
    assert services.throttled(address="198.51.100.1") is False  # another address


def test_rate_limit_window_starts_again(settings):
    settings.PORTAL_RATE_PER_ADDRESS = 1
    now = timezone.now()
    assert not services.throttle_hit(key="k", limit=1, window_seconds=60, now=now)
    assert services.throttle_hit(key="k", limit=1, window_seconds=60, now=now)
    later = now + timedelta(seconds=61)
    assert not services.throttle_hit(key="k", limit=1, window_seconds=60, now=later)


def test_answers_recorded_once_as_client_self_report(phone_client, case_manager):
    checkin = _send(phone_client, case_manager, instruments=("gad7",))
    answers = [1, 1, 1, 1, 0, 0, 0]
    first = services.checkin_part_record(checkin=checkin, part="gad7", answers=answers)
    again = services.checkin_part_record(checkin=checkin, part="gad7", answers=[3] * 7)
    assert again.pk == first.pk
    assert CheckInResult.objects.filter(checkin=checkin).count() == 1
    response = InstrumentResponse.objects.get(client=phone_client)
    assert response.source == "client_self_report"
    assert response.total == 4  # the first answers, scored by the engine
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.COMPLETED


def test_out_of_range_answers_save_nothing(phone_client, case_manager):
    checkin = _send(phone_client, case_manager)
    with pytest.raises(ValidationError):
        services.checkin_part_record(checkin=checkin, part="phq9", answers=[4] * 9)
    assert not InstrumentResponse.objects.exists()
    assert not CheckInResult.objects.exists()


def test_worse_score_needs_a_look(phone_client, case_manager):
    first = _send(phone_client, case_manager, instruments=("gad7",))
    services.checkin_part_record(checkin=first, part="gad7", answers=[0] * 7)
    second = _send(phone_client, case_manager, instruments=("gad7",))
    services.checkin_part_record(checkin=second, part="gad7", answers=[1] * 7)
    first.refresh_from_db()
    second.refresh_from_db()
    assert "worse" not in first.needs_look
    assert "worse" in second.needs_look


def test_item_9_sets_the_flag_tells_the_team_and_escalates_once_after_60_minutes(
    phone_client, case_manager, supervisor
):
    mail.outbox.clear()
    checkin = _send(phone_client, case_manager)
    services.checkin_part_record(checkin=checkin, part="phq9", answers=PHQ9_ITEM9)
    checkin.refresh_from_db()
    assert "risk" in checkin.needs_look  # and "positive": total 10 (cut-off 10)
    assert RiskFlag.objects.filter(
        client=phone_client, kind="suicide_risk", cleared_at__isnull=True
    ).exists()
    # At once: the case manager and the supervisor, in-app and by email.
    for user in (case_manager, supervisor):
        assert Notification.objects.filter(
            recipient=user, kind="escalation", title__startswith="Suicide risk"
        ).exists()
    outbox_flush()
    assert {m.to[0] for m in mail.outbox} >= {case_manager.email, supervisor.email}
    followup = checkin.followup
    assert followup is not None and followup.assignee == case_manager
    assert abs((followup.escalate_at - checkin.risk_at) - timedelta(minutes=60)) < timedelta(
        seconds=1
    )

    def escalations():
        return Notification.objects.filter(recipient=supervisor, title__startswith="Escalation")

    # 59 minutes on: no escalation yet.
    followup_sweep(now=checkin.risk_at + timedelta(minutes=59))
    _deliver_all()
    assert not escalations().exists()
    # 61 minutes on, swept twice and delivered twice: one escalation to the supervisor.
    followup_sweep(now=checkin.risk_at + timedelta(minutes=61))
    followup_sweep(now=checkin.risk_at + timedelta(minutes=62))
    _deliver_all()
    _deliver_all()
    assert escalations().count() == 1
    assert Reminder.objects.filter(followup=followup, stage=ReminderStage.ESCALATION).count() == 1


def test_acknowledged_in_time_no_escalation(phone_client, case_manager, supervisor):
    checkin = _send(phone_client, case_manager)
    services.checkin_part_record(checkin=checkin, part="phq9", answers=PHQ9_ITEM9)
    checkin.refresh_from_db()
    services.checkin_acknowledge(actor=case_manager, checkin=checkin)
    followup_sweep(now=checkin.risk_at + timedelta(minutes=61))
    _deliver_all()
    assert not Notification.objects.filter(
        recipient=supervisor, title__startswith="Escalation"
    ).exists()
    with pytest.raises(Conflict):
        services.checkin_acknowledge(actor=case_manager, checkin=checkin)


def test_question_set_risk_answer_sets_overdose_flag(phone_client, case_manager, supervisor):
    from portal.models import QuestionSet

    qs = QuestionSet.objects.get(code="cravings-use-medication")
    checkin = services.checkin_send(
        actor=case_manager, client=phone_client, instruments=[], question_set=qs, channel="sms"
    )
    services.checkin_part_record(
        checkin=checkin, part=f"set:{qs.pk}", answers=["mild", "no", "every_day", "yes"]
    )
    assert RiskFlag.objects.filter(client=phone_client, kind="overdose_risk").exists()
    assert Notification.objects.filter(recipient=supervisor, kind="escalation").exists()


def _deliver_all():
    ids = list(Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    if ids:
        reminders_deliver(reminder_ids=ids)


def test_automatic_check_in_when_the_schedule_says_due_once(phone_client, case_manager):
    from assessments.models import ReassessmentRule
    from assessments.services import instrument_response_record

    ReassessmentRule.objects.update_or_create(
        instrument="phq9",
        defaults={"interval_days": 30, "on_positive_screen": True, "is_active": True},
    )
    instrument_response_record(
        actor=case_manager,
        client=phone_client,
        instrument="phq9",
        answers=[2] * 8 + [0],
        administered_at=timezone.now() - timedelta(days=40),
    )
    services.auto_checkin_set(actor=case_manager, client=phone_client, channel="sms")
    assert services.auto_checkins_sweep()["sent"] == 1
    assert services.auto_checkins_sweep()["sent"] == 0  # run twice: nothing twice
    checkin = CheckIn.objects.get(client=phone_client)
    assert checkin.automatic and "phq9" in checkin.instruments
    assert checkin.sent_by == case_manager


def test_no_automatic_check_in_when_off(phone_client, case_manager):
    services.auto_checkin_set(actor=case_manager, client=phone_client, channel="sms")
    services.auto_checkin_set(actor=case_manager, client=phone_client, channel=None)
    assert services.auto_checkins_sweep() == {"sent": 0, "skipped": 0}
