"""Recording instrument responses: scored by the engine, never changed, corrected by a new
response; critical results set the flag, notify and queue email on commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import InstrumentResponse
from assessments.services import instrument_response_record
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import Notification, OutboxMessage
from clients.models import RiskFlag, TimelineEntry
from tests.factories import ClientFactory

from .helpers import PHQ9_ITEM9, give, phq9

pytestmark = pytest.mark.django_db


def test_a_response_is_scored_by_the_engine_and_audited(case_manager, client_record):
    response = give(case_manager, client_record, answers=phq9(14))
    assert (response.total, response.band, response.positive) == (14, "moderate", True)
    assert response.flags == [] and response.administered_by == case_manager
    assert AuditEvent.objects.filter(
        action="create", object_type="assessments.instrumentresponse", client_id=client_record.pk
    ).exists()
    entry = TimelineEntry.objects.get(client=client_record, kind="assessment")
    assert entry.summary == "PHQ-9: 14 (moderate)" and entry.link.endswith(f"/{response.pk}/")


def test_bad_answers_name_the_item_and_save_nothing(case_manager, client_record):
    with pytest.raises(ValidationError) as error:
        give(case_manager, client_record, answers=[0] * 8 + [5])
    assert "item 9" in error.value.message_dict["answers"][0]
    with pytest.raises(ValidationError) as error:
        give(case_manager, client_record, answers=[0] * 8)
    assert "9 items" in error.value.message_dict["answers"][0]
    with pytest.raises(ValidationError) as error:
        give(case_manager, client_record, code="nope")
    assert "instrument" in error.value.message_dict
    assert not InstrumentResponse.objects.exists()


def test_administered_in_the_future_is_refused(case_manager, client_record):
    with pytest.raises(ValidationError) as error:
        give(case_manager, client_record, days_ago=-1)
    assert "administered_at" in error.value.message_dict


def test_cssrs_skip_rule_is_enforced(case_manager, client_record):
    with pytest.raises(ValidationError) as error:
        give(
            case_manager,
            client_record,
            code="cssrs_screen",
            answers=["yes", "no", "yes", None, None, "no", None],
        )
    assert "item 3" in error.value.message_dict["answers"][0]
    ok = give(
        case_manager,
        client_record,
        code="cssrs_screen",
        answers=["yes", "no", None, None, None, "no", None],
    )
    assert ok.total is None and ok.band == "low"


def test_audit_c_uses_the_recorded_sex_or_an_explicit_choice(case_manager, team):
    woman = ClientFactory(team=team, sex_at_birth="female", primary_case_manager=case_manager)
    response = give(case_manager, woman, code="audit_c", answers=[1, 1, 1])
    assert (response.total, response.positive, response.sex_used) == (3, True, "female")
    man = give(case_manager, woman, code="audit_c", answers=[1, 1, 1], sex="male")
    assert (man.positive, man.sex_used) == (False, "male")

    unknown = ClientFactory(team=team, sex_at_birth="intersex")
    with pytest.raises(ValidationError) as error:
        give(case_manager, unknown, code="audit_c", answers=[1, 1, 1])
    assert "choose female or male" in error.value.message_dict["sex"][0]
    assert give(case_manager, unknown, code="audit_c", answers=[1, 1, 1], sex="female").positive


def test_other_instruments_ignore_sex(case_manager, client_record):
    assert give(case_manager, client_record, sex="male").sex_used == ""


def test_pcl5_keeps_cluster_subtotals(case_manager, client_record):
    response = give(case_manager, client_record, code="pcl5", answers=[2] * 20)
    assert response.subtotals == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert response.band == "provisional ptsd"


def test_a_correction_is_a_new_response_and_the_first_stays(case_manager, client_record):
    first = give(case_manager, client_record, answers=phq9(12))
    fixed = give(case_manager, client_record, answers=phq9(8), amends=first)
    first.refresh_from_db()
    assert (first.total, fixed.total, fixed.amends) == (12, 8, first)
    assert first.amended_by == fixed
    with pytest.raises(Conflict):
        give(case_manager, client_record, answers=phq9(9), amends=first)
    other = ClientFactory(team=client_record.team)
    with pytest.raises(ValidationError) as error:
        give(case_manager, other, answers=phq9(9), amends=fixed)
    assert "amends" in error.value.message_dict
    with pytest.raises(ValidationError):
        give(case_manager, client_record, code="gad7", answers=[0] * 7, amends=fixed)


def test_phq9_item9_sets_the_flag_and_notifies_cm_and_supervisors(
    case_manager, supervisor, teammate, client_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = give(teammate, client_record, answers=PHQ9_ITEM9)
    assert response.flags == ["suicide_risk"] and response.band == "minimal"
    flag = RiskFlag.objects.get(client=client_record, kind="suicide_risk", cleared_at=None)
    assert flag.source == "phq9" and "item 9" in flag.reason and flag.set_by == teammate
    notes = Notification.objects.filter(kind="escalation")
    assert {n.recipient for n in notes} == {case_manager, supervisor}
    assert all(n.email_requested for n in notes)
    assert all(n.link.endswith(f"/results/{response.pk}/") for n in notes)
    emails = OutboxMessage.objects.filter(template="notifications/email/notification")
    assert {m.recipient for m in emails} == {case_manager, supervisor}  # one email each
    assert all(m.state == "pending" for m in emails)  # written with the result, sent after
    from casemgmt.notifications.services import _outbox_nudge

    # One "look at the outbox" nudge, queued on commit (beside the bell counts' cache drops).
    assert [c for c in callbacks if c is _outbox_nudge] == [_outbox_nudge]


def test_a_second_critical_result_keeps_one_active_flag(case_manager, client_record):
    give(case_manager, client_record, answers=PHQ9_ITEM9)
    give(case_manager, client_record, answers=phq9(3, item9=2))
    assert RiskFlag.objects.filter(client=client_record, cleared_at=None).count() == 1


def test_cssrs_high_sets_the_flag_moderate_does_not(case_manager, client_record):
    give(
        case_manager,
        client_record,
        code="cssrs_screen",
        answers=["yes", "yes", "yes", "no", "no", "no", None],
    )
    assert not RiskFlag.objects.filter(client=client_record).exists()
    high = give(
        case_manager,
        client_record,
        code="cssrs_screen",
        answers=["yes", "yes", "yes", "yes", "no", "no", None],
    )
    assert high.band == "high" and high.flags == ["suicide_risk"]
    assert RiskFlag.objects.get(client=client_record).source == "cssrs_screen"


def test_no_case_manager_notifies_supervisors_only(supervisor, case_manager, team):
    client = ClientFactory(team=team, primary_case_manager=None)
    instrument_response_record(
        actor=case_manager,
        client=client,
        instrument="phq9",
        answers=PHQ9_ITEM9,
        administered_at=timezone.now() - timedelta(hours=1),
    )
    assert list(Notification.objects.values_list("recipient", flat=True)) == [supervisor.pk]
