"""Services: follow-up schedule, care transitions, referrals with the consent gate, and
the HSDS import. Happy paths and bad input naming the field."""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.lib.errors import Conflict
from referrals.models import (
    CareTransition,
    Disclosure,
    FollowUp,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from referrals.selectors import transition_followup_measures, transition_windows
from referrals.services import (
    add_business_days,
    followup_close,
    followup_schedule,
    hsds_import,
    referral_create,
    referral_move,
    referral_send,
    transition_discharge,
    transition_record,
)
from tests.factories import ClientFactory
from tests.referrals.conftest import contact_note, part2_consent

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
NY = ZoneInfo("America/New_York")


# ------------------------------------------------------------------------ follow-ups
def test_schedule_is_computed_in_the_team_time_zone(settings):
    settings.FOLLOWUP_REMINDER_HOUR = 8
    s = followup_schedule(due_on=date(2026, 6, 10), due_time=None, tz=NY)
    assert s["due_at"] == datetime(2026, 6, 11, 0, 0, tzinfo=NY)
    assert s["remind_day_before_at"] == datetime(2026, 6, 9, 8, tzinfo=NY)
    assert s["remind_due_at"] == datetime(2026, 6, 10, 8, tzinfo=NY)
    assert s["remind_overdue_at"] == datetime(2026, 6, 11, 8, tzinfo=NY)
    assert s["escalate_at"] is None
    assert s["next_check_at"] == s["remind_day_before_at"]


def test_schedule_with_a_due_time_is_overdue_at_that_time():
    s = followup_schedule(
        due_on=date(2026, 6, 10), due_time=time(7, 30), tz=NY, escalate_on=date(2026, 6, 11)
    )
    assert s["due_at"] == s["remind_overdue_at"] == datetime(2026, 6, 10, 7, 30, tzinfo=NY)
    assert s["remind_due_at"] == s["due_at"]  # earlier than the reminder hour
    assert s["escalate_at"] == datetime(2026, 6, 11, 8, tzinfo=NY)


def test_followup_without_title_or_date_names_the_fields(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        from referrals.services import followup_create

        followup_create(
            actor=case_manager,
            client=client_record,
            assignee=None,
            reason="general",
            title=" ",
            due_on=None,
        )
    assert set(error.value.message_dict) == {"title", "due_on"}
    assert not FollowUp.objects.exists()


def test_closing_twice_is_a_conflict_and_missed_needs_a_reason(client_record, case_manager):
    from referrals.services import followup_create

    f = followup_create(
        actor=case_manager,
        client=client_record,
        assignee=None,
        reason="general",
        title="Call",
        due_on=timezone.localdate(),
    )
    assert f.assignee == case_manager  # the primary case manager by default
    with pytest.raises(ValidationError) as error:
        followup_close(actor=case_manager, followup=f, status="missed")
    assert "outcome_note" in error.value.message_dict
    followup_close(actor=case_manager, followup=f, status="done")
    f.refresh_from_db()
    assert (f.status, f.next_check_at) == ("done", None)
    with pytest.raises(Conflict):
        followup_close(actor=case_manager, followup=f, status="done")


# ---------------------------------------------------------------------- transitions
def _discharge(client, actor, days_ago=10, **extra):
    values = {
        "from_level": "inpatient_psych",
        "to_level": "outpatient",
        "facility": "St. Jude Behavioral",
        "admitted_on": timezone.localdate() - timedelta(days=days_ago + 5),
        "discharged_on": timezone.localdate() - timedelta(days=days_ago),
    }
    values.update(extra)
    return transition_record(actor=actor, client=client, **values)


def test_inpatient_discharge_creates_the_7_and_30_day_followups(client_record, case_manager):
    t = _discharge(client_record, case_manager, days_ago=0)
    assert t.measure == "FUH"
    followups = list(t.followups.order_by("window_days"))
    assert [(f.window_days, f.due_on) for f in followups] == [
        (7, t.discharged_on + timedelta(days=7)),
        (30, t.discharged_on + timedelta(days=30)),
    ]
    assert followups[0].escalate_at is not None and followups[1].escalate_at is None
    assert all(f.reason == "transition" and f.assignee == case_manager for f in followups)


def test_discharge_before_admission_is_refused_and_nothing_saved(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        _discharge(
            client_record,
            case_manager,
            admitted_on=date(2026, 5, 10),
            discharged_on=date(2026, 5, 9),
        )
    assert error.value.message_dict["discharged_on"] == [
        "The discharge date cannot be before the admission date."
    ]
    assert not CareTransition.objects.exists() and not FollowUp.objects.exists()


def test_admission_then_discharge(client_record, case_manager):
    t = _discharge(client_record, case_manager, discharged_on=None)
    assert t.measure == "" and not t.followups.exists()
    transition_discharge(actor=case_manager, transition=t, discharged_on=timezone.localdate())
    t.refresh_from_db()
    assert t.measure == "FUH" and t.followups.count() == 2
    with pytest.raises(Conflict):
        transition_discharge(actor=case_manager, transition=t, discharged_on=timezone.localdate())


def test_cancelling_a_discharge_reopens_the_admission_and_keeps_the_history(
    client_record, case_manager
):
    from referrals.services import transition_discharge_cancel

    t = _discharge(client_record, case_manager, days_ago=1)
    assert t.followups.filter(status="open").count() == 2
    transition_discharge_cancel(actor=case_manager, transition=t, reason="entered in error")
    t.refresh_from_db()
    assert (t.discharged_on, t.measure) == (None, "")
    assert set(t.followups.values_list("status", flat=True)) == {"cancelled"}
    assert all("entered in error" in f.outcome_note for f in t.followups.all())
    with pytest.raises(Conflict):
        transition_discharge_cancel(actor=case_manager, transition=t, reason="again")


def test_window_met_from_contact_notes(client_record, case_manager):
    t = _discharge(client_record, case_manager, days_ago=40)
    d = t.discharged_on
    contact_note(client_record, case_manager, d)  # discharge day: does not count for FUH
    contact_note(client_record, case_manager, d + timedelta(days=8), contact_type="collateral")
    contact_note(client_record, case_manager, d + timedelta(days=12), contact_type="video")
    seven, thirty = transition_windows([t])[t.pk]
    assert (seven.state, seven.met_on) == ("missed", None)
    assert (thirty.state, thirty.met_on) == ("met", d + timedelta(days=12))


def test_measures_count_closed_windows(client_record, case_manager, team):
    met = _discharge(client_record, case_manager, days_ago=40)
    contact_note(client_record, case_manager, met.discharged_on + timedelta(days=7))
    other = ClientFactory(team=team, primary_case_manager=case_manager)
    _discharge(other, case_manager, days_ago=35)  # missed both
    _discharge(client_record, case_manager, days_ago=2)  # windows still open
    _discharge(
        client_record, case_manager, days_ago=40, from_level="emergency", admitted_on=None
    )  # FUM, same-day visit counts
    contact_note(client_record, case_manager, timezone.localdate() - timedelta(days=40), hour=20)
    today = timezone.localdate()
    rates = transition_followup_measures(
        team_ids=[team.pk], start=today - timedelta(days=60), end=today
    )
    assert rates["FUH"][7] == {"numerator": 1, "denominator": 2}
    assert rates["FUH"][30] == {"numerator": 1, "denominator": 2}
    assert rates["FUM"][7] == {"numerator": 1, "denominator": 1}
    assert rates["FUA"][7] == {"numerator": 0, "denominator": 0}
    assert (
        transition_followup_measures(team_ids=[], start=today, end=today)["FUH"][7]["denominator"]
        == 0
    )


def test_window_tallies_in_sql_agree_with_the_windows_in_python(case_manager, team):
    """``followup_window_tallies`` (SQL, for dashboards) and ``transition_windows``
    (Python, for one transition) spell the same rules: checked on visits at every edge
    of the windows, in two time zones, with open windows and non-qualifying contacts."""
    from referrals.selectors import followup_window_tallies
    from tests.factories import TeamFactory

    today = timezone.localdate()
    far = TeamFactory(time_zone="Pacific/Honolulu")
    levels = [
        ("inpatient_psych", None),
        ("emergency", "mental_health"),
        ("emergency", "substance_use"),
        ("withdrawal_management", None),
    ]
    offsets = [-1, 0, 1, 7, 8, 30, 31]  # visit day relative to the discharge day
    transitions = []
    for n, (level, focus) in enumerate(levels * len(offsets)):
        owner = team if n % 2 else far
        client = ClientFactory(team=owner, primary_case_manager=case_manager)
        days_ago = 45 if n % 5 else 3  # some windows still open
        extra = {"from_level": level}
        if focus:
            extra["focus"] = focus
        t = _discharge(client, case_manager, days_ago=days_ago, **extra)
        offset = offsets[n // len(levels)]
        day = t.discharged_on + timedelta(days=offset)
        # Late evening local time: the next day in UTC, the same day for the rule.
        contact_note(client, case_manager, day, hour=23 if n % 3 else 0)
        contact_note(client, case_manager, t.discharged_on + timedelta(days=2), "collateral")
        transitions.append(t)
    assert {t.measure for t in transitions} == {"FUH", "FUM", "FUA", "FUI"}

    expected: dict[tuple, list[int]] = {}
    for t in transitions:
        for status in transition_windows([t])[t.pk]:
            cell = expected.setdefault((t.measure, status.window.days, t.discharged_on), [0, 0])
            cell[0] += status.state == "met"
            cell[1] += status.state != "open"
    tallies = followup_window_tallies(start=today - timedelta(days=60), end=today)
    got = {(r.measure, r.days, r.discharged_on): [r.numerator, r.denominator] for r in tallies}
    assert got == expected
    assert any(n for n, _ in expected.values()) and any(n < d for n, d in expected.values())
    assert followup_window_tallies(team_ids=[], start=today - timedelta(days=60), end=today) == []


# ------------------------------------------------------------------------ referrals
def test_business_days_skip_weekends():
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 3) == date(2026, 12, 2)
    assert add_business_days(friday, 0) == friday
    assert add_business_days(date(2026, 11, 28), 0) == date(2026, 11, 30)  # Saturday


def test_referral_needs_a_recipient_and_a_reason(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        referral_create(actor=case_manager, client=client_record, reason="")
    assert set(error.value.message_dict) == {"service", "reason"}
    assert not Referral.objects.exists()


def test_sending_without_consent_is_refused_naming_what_is_missing(
    client_record, case_manager, service
):
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="Detox"
    )
    with pytest.raises(Conflict) as error:
        referral_send(actor=case_manager, referral=referral)
    assert error.value.field == "consent"
    assert "No active 42 CFR Part 2 consent names 'Harbor Detox'" in error.value.message
    referral.refresh_from_db()
    assert referral.status == "draft"
    assert not Disclosure.objects.exists() and not FollowUp.objects.exists()


def test_sending_with_consent_logs_the_disclosure_and_creates_the_response_followup(
    client_record, case_manager, service
):
    consent = part2_consent(client_record, case_manager)
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="Detox", urgency="urgent"
    )
    referral_send(actor=case_manager, referral=referral, note="Faxed")
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.consent_id == consent.pk
    assert referral.response_due_on == add_business_days(timezone.localdate(), 1)
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.consent_id) == ("Harbor Detox", consent.pk)
    followup = FollowUp.objects.get()
    assert (followup.reason, followup.referral, followup.due_on) == (
        "referral_response",
        referral,
        referral.response_due_on,
    )
    assert followup.escalate_at is not None


def test_a_referral_sharing_no_substance_use_information_needs_no_consent(
    client_record, case_manager
):
    referral = referral_create(
        actor=case_manager,
        client=client_record,
        provider_name="Food pantry on 5th",
        reason="Food",
        discloses_substance_use=False,
    )
    referral_send(actor=case_manager, referral=referral)
    assert Referral.objects.get().status == "sent"
    assert not Disclosure.objects.exists()


def test_full_loop_with_history_and_closed_loop(client_record, case_manager, service):
    part2_consent(client_record, case_manager)
    r = referral_create(actor=case_manager, client=client_record, service=service, reason="x")
    referral_send(actor=case_manager, referral=r)
    referral_move(actor=case_manager, referral=r, status="accepted", note="Bed on Monday")
    assert FollowUp.objects.get().status == "done"  # they answered
    with pytest.raises(ValidationError) as error:
        referral_move(actor=case_manager, referral=r, status="scheduled")
    assert "appointment_at" in error.value.message_dict
    referral_move(actor=case_manager, referral=r, status="scheduled", appointment_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        referral_move(actor=case_manager, referral=r, status="completed")
    assert "completion_confirmation" in error.value.message_dict
    referral_move(
        actor=case_manager, referral=r, status="completed", completion_confirmation="provider"
    )
    r.refresh_from_db()
    assert r.is_closed_loop and r.outcome == "got_service" and r.closed_at
    assert list(ReferralEvent.objects.values_list("to_status", flat=True)) == [
        "draft",
        "sent",
        "accepted",
        "scheduled",
        "completed",
    ]


def test_a_move_that_is_not_allowed_is_a_conflict(client_record, case_manager, service):
    r = referral_create(actor=case_manager, client=client_record, service=service, reason="x")
    with pytest.raises(Conflict) as error:
        referral_move(actor=case_manager, referral=r, status="completed")
    assert (
        error.value.message
    ) == "A draft referral cannot become completed. Allowed next: cancelled, sent."
    with pytest.raises(ValidationError) as error:
        referral_move(actor=case_manager, referral=r, status="cancelled")
    assert "outcome" in error.value.message_dict
    referral_move(
        actor=case_manager, referral=r, status="cancelled", outcome="no_longer_interested"
    )
    with pytest.raises(Conflict):
        referral_move(actor=case_manager, referral=r, status="sent")


# ------------------------------------------------------------------------------ HSDS
def _files(folder: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in (DATA / folder).glob("*.csv")}


def test_hsds_dry_run_saves_nothing_and_the_import_saves_all():
    report = hsds_import(files=_files("good"), dry_run=True)
    assert report.ok and (report.organizations, report.services) == (2, 3)
    assert not Organization.objects.exists()
    report = hsds_import(files=_files("good"), dry_run=False)
    assert report.saved
    detox = Service.objects.get(hsds_id="svc-1")
    assert detox.address == "12 Harbor Way, Riverside, NY, 10001"
    assert (detox.phone, detox.languages, detox.waitlist) == (
        "555-0100",
        ["English", "Spanish"],
        "2 beds",
    )
    assert Service.objects.get(hsds_id="svc-2").status == "temporarily_closed"
    housing = Service.objects.get(hsds_id="svc-3")
    assert (housing.category, housing.phone, housing.languages) == (
        "housing",
        "555-0200",
        ["English", "Vietnamese"],
    )
    hsds_import(files=_files("good"), dry_run=False)  # again: updates, no duplicates
    assert Service.objects.count() == 3


def test_hsds_dry_run_lists_every_bad_row_and_the_import_is_all_or_nothing():
    report = hsds_import(files=_files("bad"), dry_run=True)
    errors = [str(e) for e in report.errors]
    assert errors == [
        "services.csv line 3: Unknown organization_id 'org-9'.",
        "services.csv line 4: The name is empty.",
        "services.csv line 5: Unknown status 'sometimes'. Unknown category 'teleportation'.",
        "services.csv line 6: last_verified '01/02/2026' is not a YYYY-MM-DD date.",
        "phones.csv line 2: The number is empty.",
        "phones.csv line 3: Unknown service_id 'svc-99'.",
    ]
    with pytest.raises(ValidationError) as error:
        hsds_import(files=_files("bad"), dry_run=False)
    assert len(error.value.message_dict["files"]) == 6
    assert not Organization.objects.exists() and not Service.objects.exists()


def test_hsds_missing_file_is_reported():
    report = hsds_import(files={"organizations.csv": "id,name\n"}, dry_run=True)
    assert [str(e) for e in report.errors] == ["services.csv line 0: The file is missing."]


def test_medications_reconciled_is_ticked_for_the_clients_transition(
    client_record, case_manager, team
):
    from referrals.services import transition_mark_medications_reconciled

    t = _discharge(client_record, case_manager)
    transition_mark_medications_reconciled(
        actor=case_manager, transition_id=t.pk, client=client_record
    )
    t.refresh_from_db()
    assert t.medications_reconciled
    other = ClientFactory(team=team)
    with pytest.raises(ValidationError) as error:
        transition_mark_medications_reconciled(actor=case_manager, transition_id=t.pk, client=other)
    assert "transition" in error.value.message_dict


def test_a_goal_must_belong_to_the_clients_current_plan(client_record, case_manager, service):
    with pytest.raises(ValidationError) as error:
        referral_create(
            actor=case_manager, client=client_record, service=service, reason="x", goal_id=999
        )
    assert "goal_id" in error.value.message_dict


# ------------------------------------------------------------------------ reschedule
def _general(client, actor, days=1, **extra):
    from referrals.services import followup_create

    return followup_create(
        actor=actor,
        client=client,
        assignee=None,
        reason="general",
        title="Check-in call",
        due_on=timezone.localdate() + timedelta(days=days),
        **extra,
    )


def test_reschedule_moves_the_date_recomputes_the_schedule_and_records_the_move(
    client_record, case_manager
):
    from casemgmt.audit.models import AuditEvent
    from clients.models import TimelineEntry
    from referrals.models import FollowUpReschedule
    from referrals.services import followup_reschedule

    f = _general(client_record, case_manager, days=1)
    old_due = f.due_on
    new_due = timezone.localdate() + timedelta(days=3)
    moved = followup_reschedule(
        actor=case_manager,
        followup=f,
        due_on=new_due,
        due_time=time(14, 30),
        reason="Client asked to move Tuesday's check-in to Thursday.",
    )
    f.refresh_from_db()
    assert moved.pk == f.pk
    assert (f.due_on, f.due_time, f.status, f.schedule_version) == (
        new_due,
        time(14, 30),
        "open",
        2,
    )
    expected = followup_schedule(due_on=new_due, due_time=time(14, 30), tz=NY)
    for field, value in expected.items():
        assert getattr(f, field) == value, field
    move = FollowUpReschedule.objects.get(followup=f)
    assert (move.from_due_on, move.from_due_time, move.to_due_on, move.to_due_time) == (
        old_due,
        None,
        new_due,
        time(14, 30),
    )
    assert move.actor == case_manager
    assert move.reason == "Client asked to move Tuesday's check-in to Thursday."
    event = AuditEvent.objects.filter(object_type="referrals.followup", action="update").get()
    assert event.detail == {"fields": ["due_on", "due_time"], "action": "reschedule"}
    assert event.client_id == client_record.pk
    entry = TimelineEntry.objects.filter(
        client=client_record, summary__startswith="Follow-up moved"
    )
    assert entry.get().summary == (
        f"Follow-up moved from {old_due:%Y-%m-%d} to {new_due:%Y-%m-%d} 14:30: Check-in call"
    )


def test_reschedule_to_today_is_allowed(client_record, case_manager):
    from referrals.services import followup_reschedule

    f = _general(client_record, case_manager, days=2)
    followup_reschedule(
        actor=case_manager, followup=f, due_on=timezone.localdate(), reason="Sooner"
    )
    f.refresh_from_db()
    assert f.due_on == timezone.localdate()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Say why"),
        ({"due_on": None}, "due_on", "Give the new due date"),
        ({"due_on": "yesterday"}, "due_on", "cannot be in the past"),
        ({"due_on": "same"}, "due_on", "already due then"),
        ({"due_on": "today", "due_time": time(0, 0)}, "due_time", "already passed"),
    ],
)
def test_reschedule_refusals_name_the_field_and_change_nothing(
    client_record, case_manager, change, field, message
):
    from referrals.models import FollowUpReschedule
    from referrals.services import followup_reschedule

    f = _general(client_record, case_manager, days=2)
    days = {"yesterday": -1, "today": 0, "same": 2}
    values = {"due_on": timezone.localdate() + timedelta(days=4), "reason": "Client asked"}
    values.update(change)
    if values["due_on"] in days:
        values["due_on"] = timezone.localdate() + timedelta(days=days[values["due_on"]])
    with pytest.raises(ValidationError) as error:
        followup_reschedule(actor=case_manager, followup=f, **values)
    assert list(error.value.message_dict) == [field]
    assert message in " ".join(error.value.message_dict[field])
    before = (f.due_on, f.due_at, f.next_check_at, f.schedule_version)
    f.refresh_from_db()
    assert (f.due_on, f.due_at, f.next_check_at, f.schedule_version) == before
    assert not FollowUpReschedule.objects.exists()


def test_a_closed_followup_cannot_be_rescheduled(client_record, case_manager):
    from referrals.services import followup_reschedule

    f = _general(client_record, case_manager)
    followup_close(actor=case_manager, followup=f, status="done")
    with pytest.raises(Conflict) as error:
        followup_reschedule(
            actor=case_manager,
            followup=f,
            due_on=timezone.localdate() + timedelta(days=5),
            reason="Client asked",
        )
    assert "already done" in error.value.message
    f.refresh_from_db()
    assert f.due_on == timezone.localdate() + timedelta(days=1)


def test_a_transition_followup_moves_inside_its_window_but_not_past_it(client_record, case_manager):
    from referrals.services import followup_reschedule

    # Inpatient discharge 2 days ago (FUH): the 7-day window ends in 5 days.
    discharged = timezone.localdate() - timedelta(days=2)
    _discharge(client_record, case_manager, days_ago=2)
    seven = FollowUp.objects.get(window_days=7)
    last_day = discharged + timedelta(days=7)
    assert seven.due_on == last_day
    escalate_at = seven.escalate_at
    with pytest.raises(ValidationError) as error:
        followup_reschedule(
            actor=case_manager,
            followup=seven,
            due_on=last_day + timedelta(days=1),
            reason="Client is away",
        )
    (message,) = error.value.message_dict["due_on"]
    assert "7-day FUH follow-up window ends on" in message
    assert "close this follow-up as missed" in message
    followup_reschedule(
        actor=case_manager,
        followup=seven,
        due_on=discharged + timedelta(days=3),
        reason="Appointment booked for Thursday",
    )
    seven.refresh_from_db()
    assert seven.due_on == discharged + timedelta(days=3)
    assert seven.escalate_at == escalate_at  # day 5 of the window: it does not move


def test_a_referral_followup_escalation_moves_with_the_due_date(
    client_record, case_manager, service
):
    from referrals.services import followup_reschedule

    referral = referral_create(
        actor=case_manager,
        client=client_record,
        service=service,
        reason="Detox",
        discloses_substance_use=False,
    )
    referral_send(actor=case_manager, referral=referral)
    f = FollowUp.objects.get(referral=referral)
    new_due = max(f.due_on, timezone.localdate()) + timedelta(days=5)
    followup_reschedule(
        actor=case_manager, followup=f, due_on=new_due, reason="Agency closed this week"
    )
    f.refresh_from_db()
    assert f.escalate_at == datetime.combine(new_due + timedelta(days=1), time(8), tzinfo=NY)


def test_a_transition_followup_cannot_move_before_its_window(client_record, case_manager):
    """FUH does not count a visit on the discharge day: a follow-up moved to it would
    not count for the measure."""
    from referrals.services import followup_reschedule

    _discharge(client_record, case_manager, days_ago=0)
    seven = FollowUp.objects.get(window_days=7)
    with pytest.raises(ValidationError) as error:
        followup_reschedule(
            actor=case_manager,
            followup=seven,
            due_on=timezone.localdate(),
            reason="Seen before leaving",
        )
    (message,) = error.value.message_dict["due_on"]
    assert "window starts on" in message
