from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import Notification
from clients.models import RiskFlag, TimelineEntry
from health import services
from health.models import AdherenceCheckIn, CrisisEpisode, Medication
from health.selectors import naloxone_warning
from referrals.models import FollowUp
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_(team, case_manager):
    return ClientFactory(team=team, primary_case_manager=case_manager)


def _med(actor, client, **overrides):
    values = {
        "actor": actor,
        "client": client,
        "name": "Buprenorphine/naloxone",
        "dose": "16 mg",
        "frequency": "once daily",
        "started_on": timezone.localdate() - timedelta(days=30),
        "route": "sublingual",
    }
    return services.medication_add(**(values | overrides))


def test_listed_medication_gets_its_flags(case_manager, client_):
    moud = _med(case_manager, client_)
    psych = _med(case_manager, client_, name="Sertraline", dose="50 mg", route="oral")
    other = _med(case_manager, client_, name="Metformin", dose="500 mg", route="oral")
    assert (moud.is_moud, moud.is_psychiatric) == (True, False)
    assert (psych.is_moud, psych.is_psychiatric) == (False, True)
    assert (other.is_moud, other.is_psychiatric) == (False, False)
    assert TimelineEntry.objects.filter(client=client_, kind="medication").count() == 3


def test_prescriber_must_be_on_this_clients_care_team(case_manager, client_, team):
    other = ClientFactory(team=team)
    member = other.care_team.create(role="psychiatrist", name="Dr Lee", added_by=case_manager)
    with pytest.raises(ValidationError) as error:
        _med(case_manager, client_, prescriber_member=member)
    assert "prescriber_member" in error.value.message_dict


def test_stop_date_before_start_is_rejected_and_nothing_saved(case_manager, client_):
    med = _med(case_manager, client_)
    with pytest.raises(ValidationError) as error:
        services.medication_stop(
            actor=case_manager,
            medication=med,
            stopped_on=med.started_on - timedelta(days=1),
            reason="x",
        )
    assert "stopped_on" in error.value.message_dict
    med.refresh_from_db()
    assert med.status == "active" and med.stopped_on is None


def test_stop_keeps_history(case_manager, client_):
    med = _med(case_manager, client_)
    services.medication_stop(
        actor=case_manager, medication=med, stopped_on=timezone.localdate(), reason="Side effects"
    )
    assert Medication.objects.filter(pk=med.pk, status="stopped").exists()
    with pytest.raises(Conflict):
        services.medication_stop(
            actor=case_manager, medication=med, stopped_on=timezone.localdate(), reason="again"
        )


def test_check_in_for_a_stopped_medication_is_rejected(case_manager, client_):
    med = _med(case_manager, client_)
    services.medication_stop(
        actor=case_manager, medication=med, stopped_on=timezone.localdate(), reason="Done"
    )
    with pytest.raises(Conflict) as error:
        services.checkin_record(
            actor=case_manager,
            medication=med,
            checked_on=timezone.localdate(),
            adherence="as_prescribed",
        )
    assert "stopped" in error.value.message
    assert not AdherenceCheckIn.objects.exists()


def test_check_in_date_rules(case_manager, client_):
    med = _med(case_manager, client_)
    for day in (timezone.localdate() + timedelta(days=1), med.started_on - timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.checkin_record(
                actor=case_manager, medication=med, checked_on=day, adherence="as_prescribed"
            )
        assert "checked_on" in error.value.message_dict


def test_two_non_adherent_check_ins_in_a_row_are_noticed(case_manager, client_):
    med = _med(case_manager, client_)
    services.checkin_record(
        actor=case_manager,
        medication=med,
        checked_on=timezone.localdate() - timedelta(days=2),
        adherence="some_missed",
    )
    services.checkin_record(
        actor=case_manager,
        medication=med,
        checked_on=timezone.localdate() - timedelta(days=1),
        adherence="as_prescribed",
    )
    services.checkin_record(
        actor=case_manager, medication=med, checked_on=timezone.localdate(), adherence="stopped"
    )
    assert not TimelineEntry.objects.filter(summary__startswith="Follow-up raised").exists()
    services.checkin_record(
        actor=case_manager, medication=med, checked_on=timezone.localdate(), adherence="some_missed"
    )
    assert TimelineEntry.objects.filter(summary__startswith="Follow-up raised").count() == 1
    followup = FollowUp.objects.get(client=client_)
    assert followup.assignee == case_manager and "not taken as prescribed" in followup.title


def test_dose_change_is_on_the_timeline(case_manager, client_):
    med = _med(case_manager, client_)
    services.medication_update(actor=case_manager, medication=med, data={"dose": "24 mg"})
    entry = TimelineEntry.objects.filter(client=client_, summary__startswith="Medication changed")
    assert "dose 16 mg → 24 mg" in entry.get().summary


def test_crisis_raises_flag_and_notifies_supervisors(case_manager, supervisor, client_):
    when = timezone.now() - timedelta(hours=3)
    episode = services.crisis_record(
        actor=case_manager,
        client=client_,
        occurred_at=when,
        crisis_type="overdose",
        actions=["naloxone", "ed"],
        description="Found unresponsive by roommate",
        outcome="Revived with naloxone, taken to ED",
    )
    assert RiskFlag.objects.get(client=client_, cleared_at__isnull=True).kind == "overdose_risk"
    note = Notification.objects.get(recipient=supervisor)
    assert note.kind == "escalation" and "Overdose" in note.title
    assert episode.action_labels == ["Naloxone given", "Emergency department"]
    followup = FollowUp.objects.get(client=client_)
    due = timezone.localtime(followup.due_at)
    assert abs(due - timezone.localtime(when + timedelta(hours=24))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "future"}, "occurred_at"),
        ({"crisis_type": "bad"}, "crisis_type"),
        ({"actions": ["teleport"]}, "actions"),
        ({"outcome": " "}, "outcome"),
    ],
)
def test_bad_crisis_input_saves_nothing(case_manager, client_, overrides, field):
    values = {
        "actor": case_manager,
        "client": client_,
        "occurred_at": timezone.now(),
        "crisis_type": "suicidal",
        "description": "x",
        "outcome": "y",
    }
    if overrides.get("occurred_at") == "future":
        overrides = {"occurred_at": timezone.now() + timedelta(hours=2)}
    with pytest.raises(ValidationError) as error:
        services.crisis_record(**(values | overrides))
    assert field in error.value.message_dict
    assert not CrisisEpisode.objects.exists() and not RiskFlag.objects.exists()


def test_housing_crisis_raises_no_flag(case_manager, client_):
    services.crisis_record(
        actor=case_manager,
        client=client_,
        occurred_at=timezone.now(),
        crisis_type="housing",
        description="Evicted",
        outcome="Shelter bed",
    )
    assert not RiskFlag.objects.exists()


def test_naloxone_warning(case_manager, client_):
    assert naloxone_warning(client_) is None
    client_.risk_flags.create(kind="overdose_risk", reason="x")
    assert naloxone_warning(client_) == "No naloxone on record"
    services.supply_give(
        actor=case_manager,
        client=client_,
        kind="naloxone",
        given_on=timezone.localdate(),
        quantity=2,
        training_done=True,
    )
    assert naloxone_warning(client_) is None


def test_supply_quantity_and_date(case_manager, client_):
    with pytest.raises(ValidationError) as error:
        services.supply_give(
            actor=case_manager,
            client=client_,
            kind="naloxone",
            given_on=timezone.localdate() + timedelta(days=1),
            quantity=0,
        )
    assert {"given_on", "quantity"} <= set(error.value.message_dict)


def test_reconciliation(case_manager, client_):
    rec = services.reconciliation_record(
        actor=case_manager,
        client=client_,
        reconciled_on=timezone.localdate(),
        summary="Quetiapine started in hospital; lithium stopped",
        confirmed_with="discharge summary",
    )
    assert rec.confirmed_by == case_manager
    with pytest.raises(ValidationError):
        services.reconciliation_record(
            actor=case_manager, client=client_, reconciled_on=timezone.localdate(), summary=""
        )


def test_reconciliation_ticks_the_transition_checklist(case_manager, client_):
    from referrals.services import transition_record, transition_update

    transition = transition_record(
        actor=case_manager,
        client=client_,
        from_level="inpatient_psych",
        to_level="community",
        facility="St Mary",
        admitted_on=timezone.localdate() - timedelta(days=6),
        discharged_on=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(ValidationError):  # not a bare checkbox
        transition_update(
            actor=case_manager, transition=transition, data={"medications_reconciled": True}
        )
    services.reconciliation_record(
        actor=case_manager,
        client=client_,
        reconciled_on=timezone.localdate(),
        summary="Olanzapine added",
        transition_id=transition.pk,
    )
    transition.refresh_from_db()
    assert transition.medications_reconciled
