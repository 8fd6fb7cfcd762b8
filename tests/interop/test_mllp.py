"""HL7 v2.5.1 ADT messages over a real socket to the MLLP listener (loopback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casemgmt.notifications.models import Notification
from clients.models import Diagnosis
from interop.models import AdtMessage, AdtStatus, ClientIdentifier
from referrals.models import CareTransition, FollowUp

from .conftest import FS, adt, msa, process_received

pytestmark = pytest.mark.django_db(transaction=True)


def test_admit_then_discharge_opens_a_transition_with_its_follow_ups(
    mllp, inpatient_client, case_manager
):
    today = timezone.localdate()
    ack = mllp.send(adt("A01", "MSG-1001", admitted=today - timedelta(days=4)))
    assert msa(ack) == ("AA", "MSG-1001")
    assert AdtMessage.objects.get().status == AdtStatus.RECEIVED  # stored before the ACK
    assert process_received() == ["processed"]

    transition = CareTransition.objects.get(client=inpatient_client)
    assert transition.from_level == "inpatient_psych"
    assert transition.admitted_on == today - timedelta(days=4)
    assert transition.discharged_on is None
    assert Notification.objects.filter(recipient=case_manager).count() == 1

    ack = mllp.send(
        adt(
            "A03",
            "MSG-1002",
            admitted=today - timedelta(days=4),
            discharged=today - timedelta(days=1),
        )
    )
    assert msa(ack) == ("AA", "MSG-1002")
    assert process_received() == ["processed"]

    transition.refresh_from_db()
    assert transition.discharged_on == today - timedelta(days=1)
    assert transition.measure == "FUH"
    windows = sorted(
        FollowUp.objects.filter(transition=transition).values_list("window_days", flat=True)
    )
    assert windows == [7, 30]
    assert set(AdtMessage.objects.values_list("transition_id", flat=True)) == {transition.pk}
    # DG1 is shown on the messages, never added to the client's diagnoses.
    assert not Diagnosis.objects.filter(client=inpatient_client).exists()
    assert AdtMessage.objects.first().diagnoses[0]["code"] == "F32.2"


def test_a_resent_control_id_changes_nothing(mllp, inpatient_client):
    message = adt("A01", "MSG-2001")
    assert msa(mllp.send(message)) == ("AA", "MSG-2001")
    process_received()
    assert msa(mllp.send(message)) == ("AA", "MSG-2001")  # resent after processing
    assert process_received() == []
    assert AdtMessage.objects.count() == 1
    assert CareTransition.objects.count() == 1


def test_processing_twice_applies_once(mllp, inpatient_client):
    from interop.services import adt_process

    mllp.send(adt("A01", "MSG-2101"))
    pk = AdtMessage.objects.get().pk
    assert adt_process(message_id=pk) == "processed"
    assert adt_process(message_id=pk) == "skipped"
    assert CareTransition.objects.count() == 1


@pytest.mark.parametrize(
    ("message", "code", "stored_as"),
    [
        pytest.param(
            adt("A01", "MSG-3001", extra="ZZ|bad segment"), "AE", AdtStatus.ERROR, id="bad-segment"
        ),
        pytest.param(adt("A01", "MSG-3002", pid3=""), "AE", AdtStatus.ERROR, id="missing-pid3"),
        pytest.param(
            adt("A01", "MSG-3003", encoding="^~\\#"), "AR", AdtStatus.ERROR, id="wrong-encoding"
        ),
        pytest.param(
            "PID|1||MRN4471^^^MERCY^MR||Quillfeather^Ondine\r", "AR", AdtStatus.ERROR, id="no-msh"
        ),
        pytest.param(
            adt("ORU", "MSG-3005").replace("ADT^ORU", "ORU^R01"),
            "AR",
            AdtStatus.ERROR,
            id="not-adt",
        ),
    ],
)
def test_a_malformed_message_is_answered_and_nothing_applied(
    mllp, inpatient_client, message, code, stored_as
):
    ack = mllp.send(message)
    assert msa(ack)[0] == code
    assert "ERR|" in ack
    row = AdtMessage.objects.get()
    assert (row.status, row.ack_code) == (stored_as, code)
    assert row.error
    assert process_received() == []
    assert not CareTransition.objects.exists()


def test_an_oversized_message_is_rejected_and_the_connection_goes_on(
    mllp, inpatient_client, settings
):
    limit = settings.ADT_MAX_BYTES
    padding = "NTE|1||" + "x" * (limit + 10)
    ack = mllp.send(adt("A01", "MSG-4001", extra=padding))
    assert msa(ack)[0] == "AR"
    assert AdtMessage.objects.get().status == AdtStatus.ERROR
    # The rest of the oversized block is dropped; the next message is read as usual.
    assert msa(mllp.send(adt("A01", "MSG-4002"))) == ("AA", "MSG-4002")
    process_received()
    assert CareTransition.objects.count() == 1


def test_a_block_without_the_start_character_gets_no_ack_and_no_row(mllp, inpatient_client):
    mllp.sock.sendall(b"garbage" + FS + b"\r")
    assert msa(mllp.send(adt("A01", "MSG-4101")))[0] == "AA"
    assert AdtMessage.objects.count() == 1


def test_an_unmatched_patient_waits_in_the_review_queue(mllp, team, case_manager):
    from tests.factories import ClientFactory

    ack = mllp.send(adt("A01", "MSG-5001", mrn="MRN0000", family="Vantablack", given="Perpetua"))
    assert msa(ack)[0] == "AA"
    assert process_received() == ["review"]
    row = AdtMessage.objects.get()
    assert row.client is None and row.review_reason
    assert not CareTransition.objects.exists()

    # Picked by a person: linked, the MRN remembered, and processed.
    from interop.services import adt_review_resolve

    client = ClientFactory(team=team, primary_case_manager=case_manager)
    adt_review_resolve(actor=case_manager, message_id=row.pk, client=client)
    row.refresh_from_db()
    assert row.status == AdtStatus.PROCESSED and row.client == client
    assert CareTransition.objects.filter(client=client).count() == 1
    assert ClientIdentifier.objects.filter(client=client, value="MRN0000").exists()


def test_name_and_birth_date_link_a_single_confident_match(mllp, team, case_manager):
    from tests.factories import ClientFactory

    client = ClientFactory(
        team=team, first_name="Ondine", last_name="Quillfeather", date_of_birth="1986-03-12"
    )
    mllp.send(adt("A01", "MSG-6001", mrn="MRN7777"))
    assert process_received() == ["processed"]
    assert AdtMessage.objects.get().client == client
    assert ClientIdentifier.objects.get(value="MRN7777").client == client


def test_two_possible_matches_go_to_review(mllp, team):
    from tests.factories import ClientFactory

    for _ in range(2):
        ClientFactory(
            team=team, first_name="Ondine", last_name="Quillfeather", date_of_birth="1986-03-12"
        )
    mllp.send(adt("A01", "MSG-6101", mrn="MRN7778"))
    assert process_received() == ["review"]
    assert "2 possible" in AdtMessage.objects.get().review_reason


def test_an_outpatient_visit_opens_no_transition(mllp, inpatient_client):
    mllp.send(adt("A04", "MSG-7001", patient_class="O", location="CLINIC"))
    assert process_received() == ["processed"]
    assert not CareTransition.objects.exists()


def test_a_facility_mapping_sets_the_level_of_care(mllp, inpatient_client):
    from interop.models import FacilityMapping

    FacilityMapping.objects.create(
        sending_facility="MERCY",
        location_prefix="DETOX",
        level_of_care="withdrawal_management",
        focus="substance_use",
        facility_name="Mercy Withdrawal Unit",
    )
    mllp.send(adt("A01", "MSG-7101", location="DETOX^2E^3^MERCY"))
    process_received()
    transition = CareTransition.objects.get()
    assert (transition.from_level, transition.focus, transition.facility) == (
        "withdrawal_management",
        "substance_use",
        "Mercy Withdrawal Unit",
    )


def test_a_processing_error_leaves_nothing_half_applied(mllp, inpatient_client):
    future = timezone.localdate() + timedelta(days=5)
    mllp.send(adt("A01", "MSG-8001", admitted=future))  # refused by referrals' validation
    assert process_received() == ["error"]
    row = AdtMessage.objects.get()
    assert "future" in row.error
    assert not CareTransition.objects.exists()


def test_cancel_discharge_reopens_the_admission_and_cancels_its_follow_ups(mllp, inpatient_client):
    today = timezone.localdate()
    admitted, discharged = today - timedelta(days=5), today - timedelta(days=1)
    mllp.send(adt("A01", "MSG-9001", admitted=admitted))
    mllp.send(adt("A03", "MSG-9002", admitted=admitted, discharged=discharged))
    process_received()
    transition = CareTransition.objects.get()
    assert transition.discharged_on == discharged

    assert msa(mllp.send(adt("A13", "MSG-9003", admitted=admitted)))[0] == "AA"
    assert process_received() == ["processed"]
    transition.refresh_from_db()
    assert (transition.discharged_on, transition.measure) == (None, "")
    statuses = set(FollowUp.objects.filter(transition=transition).values_list("status", flat=True))
    assert statuses == {"cancelled"}  # kept, not deleted
    # Discharged again later: new follow-ups, as a typed discharge.
    mllp.send(adt("A03", "MSG-9004", admitted=admitted, discharged=today))
    process_received()
    transition.refresh_from_db()
    assert transition.discharged_on == today
    assert FollowUp.objects.filter(transition=transition, status="open").count() == 2


def test_cancel_admit_marks_the_admission_entered_in_error_and_keeps_it(mllp, inpatient_client):
    mllp.send(adt("A01", "MSG-9101"))
    assert process_received() == ["processed"]
    transition = CareTransition.objects.get()
    assert msa(mllp.send(adt("A11", "MSG-9102")))[0] == "AA"
    assert process_received() == ["processed"]
    transition.refresh_from_db()
    assert transition.entered_in_error_at is not None
    assert transition.entered_in_error_reason == "cancelled by HL7 A11 message MSG-9102"
    assert (transition.measure, transition.denominator) == ("", "")
    row = AdtMessage.objects.get(control_id="MSG-9102")
    assert row.transition == transition
    assert row.outcome == "Admission cancelled: the transition is marked entered in error."
    # Sent again: nothing happens twice.
    assert msa(mllp.send(adt("A11", "MSG-9102")))[0] == "AA"
    assert process_received() == []
    # A discharge of the same visit after the cancel opens no window on the cancelled stay.
    mllp.send(adt("A03", "MSG-9103", discharged=timezone.localdate()))
    process_received()
    assert not FollowUp.objects.filter(transition=transition).exists()
    assert CareTransition.objects.filter(entered_in_error_at__isnull=True).count() == 1


def test_cancel_admit_of_a_stay_a_person_recorded_asks_a_person(
    mllp, inpatient_client, case_manager
):
    from referrals.services import transition_record

    admitted = timezone.localdate() - timedelta(days=2)
    typed = transition_record(
        actor=case_manager,
        client=inpatient_client,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="Mercy General",
        admitted_on=admitted,
    )
    mllp.send(adt("A01", "MSG-9111", admitted=admitted))
    mllp.send(adt("A11", "MSG-9112", admitted=admitted))
    assert process_received() == ["processed", "review"]
    typed.refresh_from_db()
    assert typed.entered_in_error_at is None
    row = AdtMessage.objects.get(control_id="MSG-9112")
    assert row.transition == typed
    assert "a person recorded" in row.review_reason


def test_cancel_admit_without_an_admission_changes_nothing(mllp, inpatient_client):
    mllp.send(adt("A11", "MSG-9121"))
    assert process_received() == ["processed"]
    assert not CareTransition.objects.exists()
    assert "nothing to cancel" in AdtMessage.objects.get().outcome


def test_a08_updates_the_admission_date(mllp, inpatient_client):
    today = timezone.localdate()
    mllp.send(adt("A01", "MSG-9201", admitted=today - timedelta(days=3)))
    mllp.send(adt("A08", "MSG-9202", admitted=today - timedelta(days=4)))
    assert process_received() == ["processed", "processed"]
    assert CareTransition.objects.get().admitted_on == today - timedelta(days=4)


def test_a_rejected_message_sent_again_corrected_is_accepted(mllp, inpatient_client):
    assert msa(mllp.send(adt("A01", "MSG-9301", pid3="")))[0] == "AE"
    assert msa(mllp.send(adt("A01", "MSG-9301"))) == ("AA", "MSG-9301")
    assert process_received() == ["processed"]
    assert AdtMessage.objects.count() == 2  # both attempts kept
    assert CareTransition.objects.count() == 1


def test_line_feeds_and_blank_lines_between_segments_are_accepted(mllp, inpatient_client):
    message = adt("A01", "MSG-9401").replace("\r", "\n\n")
    assert msa(mllp.send(message)) == ("AA", "MSG-9401")
    assert AdtMessage.objects.get().raw == message  # kept as received
    assert process_received() == ["processed"]
    assert CareTransition.objects.count() == 1


def test_an_admission_typed_in_already_is_linked_not_doubled(mllp, inpatient_client, case_manager):
    from referrals.services import transition_record

    admitted = timezone.localdate() - timedelta(days=2)
    typed = transition_record(
        actor=case_manager,
        client=inpatient_client,
        from_level="inpatient_psych",
        to_level="outpatient",
        facility="Mercy General",
        admitted_on=admitted,
    )
    mllp.send(adt("A01", "MSG-9501", admitted=admitted))
    assert process_received() == ["processed"]
    assert list(CareTransition.objects.all()) == [typed]
    assert AdtMessage.objects.get().transition == typed
