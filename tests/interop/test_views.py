"""The ADT feed, the review queue, and the messages on the transition page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interop.models import AdtMessage, AdtStatus
from interop.services import adt_receive
from referrals.models import CareTransition

from .conftest import adt, process_received

pytestmark = pytest.mark.django_db


def test_the_transition_page_shows_the_messages_behind_it(client, case_manager, inpatient_client):
    adt_receive(raw=adt("A01", "V-1"), sender="test")
    process_received()
    transition = CareTransition.objects.get()
    client.force_login(case_manager)
    page = client.get(
        reverse("referrals:transition_detail", args=[inpatient_client.pk, transition.pk])
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="adt-messages"' in body and "V-1" in body
    assert "not on the problem list" in body


def test_the_feed_lists_errors_and_outsiders_see_none(
    client, case_manager, outsider, inpatient_client
):
    adt_receive(raw=adt("A01", "V-2"), sender="test")
    process_received()
    client.force_login(case_manager)
    body = client.get("/interop/adt/").content.decode()
    assert "V-2" in body
    client.force_login(outsider)
    assert "V-2" not in client.get("/interop/adt/").content.decode()
    message = AdtMessage.objects.get()
    assert client.get(f"/interop/adt/{message.pk}/").status_code == 404


def test_a_supervisor_picks_the_client_from_the_queue(client, supervisor, inpatient_client):
    adt_receive(
        raw=adt("A01", "V-3", mrn="MRN-NEW", family="Zephyrine", given="Ottoline"), sender="test"
    )
    process_received()
    message = AdtMessage.objects.get()
    assert message.status == AdtStatus.REVIEW
    client.force_login(supervisor)
    assert "V-3" in client.get("/interop/adt/review/").content.decode()
    response = client.post(
        f"/interop/adt/{message.pk}/resolve/", {"client_number": inpatient_client.client_number}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == AdtStatus.PROCESSED
    assert CareTransition.objects.filter(client=inpatient_client).exists()


def test_dismissing_needs_a_reason_and_keeps_the_message(client, supervisor, db):
    adt_receive(
        raw=adt("A01", "V-4", mrn="MRN-X", family="Zephyrine", given="Ottoline"), sender="test"
    )
    process_received()
    message = AdtMessage.objects.get()
    client.force_login(supervisor)
    response = client.post(f"/interop/adt/{message.pk}/dismiss/", {"reason": ""})
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == AdtStatus.REVIEW
    response = client.post(f"/interop/adt/{message.pk}/dismiss/", {"reason": "Not our client"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.dismissed_reason) == (AdtStatus.DISMISSED, "Not our client")
    assert "V-4" in client.get("/interop/adt/?status=dismissed").content.decode()


def test_a_message_page_shows_it_as_received_and_its_diagnoses(
    client, case_manager, inpatient_client
):
    adt_receive(raw=adt("A01", "V-5"), sender="test")
    process_received()
    message = AdtMessage.objects.get()
    client.force_login(case_manager)
    body = client.get(f"/interop/adt/{message.pk}/").content.decode()
    assert 'id="raw"' in body and "PID|1||MRN4471" in body
    assert "F32.2" in body and "not added to the client" in body


def test_an_auditor_does_not_read_hospital_messages(client, auditor, inpatient_client):
    adt_receive(raw=adt("A01", "V-6"), sender="test")
    client.force_login(auditor)
    assert client.get("/interop/adt/").status_code == 403


def test_someone_not_yet_a_client_is_registered_from_the_queue(client, supervisor, team):
    from clients.models import Client

    adt_receive(
        raw=adt("A01", "V-9", mrn="MRN-NEW9", family="ZEPHYRINE", given="OTTOLINE"), sender="t"
    )
    process_received()
    message = AdtMessage.objects.get()
    assert message.status == AdtStatus.REVIEW
    client.force_login(supervisor)
    page = client.get(f"/interop/adt/{message.pk}/").content.decode()
    assert "Not a client yet?" in page and "Ottoline Zephyrine" in page
    response = client.post(f"/interop/adt/{message.pk}/new-client/", {"team": team.pk})
    assert response.status_code == 302
    new = Client.objects.get(last_name="Zephyrine")
    assert (new.first_name, new.status, new.team) == ("Ottoline", "referred", team)
    assert str(new.date_of_birth) == "1986-03-12"
    assert response["Location"] == reverse("clients:detail", args=[new.pk])
    message.refresh_from_db()
    assert (message.status, message.client) == (AdtStatus.PROCESSED, new)
    assert CareTransition.objects.filter(client=new).exists()
    # The hospital's MRN now finds the new client: the next message links by itself.
    adt_receive(
        raw=adt(
            "A03",
            "V-10",
            mrn="MRN-NEW9",
            family="ZEPHYRINE",
            given="OTTOLINE",
            discharged=new.created_at.date(),
        ),
        sender="t",
    )
    outcome = process_received()
    later = AdtMessage.objects.get(control_id="V-10")
    assert outcome == ["processed"], later.error
    assert later.client == new
    # No case manager yet: the team's supervisor owns the discharge's follow-ups.
    from referrals.models import FollowUp

    assert {f.assignee for f in FollowUp.objects.filter(client=new)} == {supervisor}


def test_registering_from_the_queue_is_only_into_ones_own_teams(client, supervisor, outsider, db):
    from tests.factories import TeamFactory

    adt_receive(raw=adt("A01", "V-11", mrn="MRN-11", family="Zed", given="Ada"), sender="t")
    process_received()
    message = AdtMessage.objects.get()
    other = TeamFactory()
    client.force_login(supervisor)
    response = client.post(f"/interop/adt/{message.pk}/new-client/", {"team": other.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    message.refresh_from_db()
    assert message.status == AdtStatus.REVIEW and message.client is None
