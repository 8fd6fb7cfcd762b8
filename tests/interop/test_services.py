"""adt_receive and the sweep: a broker outage loses no message; supervisors are told of
a flagged client's admission."""

from __future__ import annotations

import pytest

from casemgmt.notifications.models import Notification
from clients.models import RiskFlag
from interop import tasks
from interop.models import AdtMessage, AdtStatus
from interop.services import adt_receive, adt_sweep
from referrals.models import CareTransition

from .conftest import adt, msa, process_received

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_broker_outage_loses_no_message(monkeypatch, inpatient_client):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.adt_process, "apply_async", broker_down)
    receipt = adt_receive(raw=adt("A01", "SW-1"), sender="test")
    assert msa(receipt.ack) == ("AA", "SW-1")  # the sender is told it is safe
    assert AdtMessage.objects.get().status == AdtStatus.RECEIVED

    queued: list[tuple] = []
    monkeypatch.setattr(
        tasks.adt_process, "apply_async", lambda args, **kwargs: queued.append(args)
    )
    from datetime import timedelta

    assert adt_sweep(older_than=timedelta(0)) == {"requeued": 1}
    assert queued == [(receipt.message_id,)]
    assert process_received() == ["processed"]
    assert CareTransition.objects.count() == 1
    assert adt_sweep(older_than=timedelta(0)) == {"requeued": 0}


def test_a_flagged_clients_admission_tells_the_supervisors(
    inpatient_client, case_manager, supervisor
):
    RiskFlag.objects.create(client=inpatient_client, kind="suicide_risk", reason="screen")
    adt_receive(raw=adt("A01", "SW-2"), sender="test")
    process_received()
    assert Notification.objects.filter(recipient=case_manager).count() == 1
    note = Notification.objects.get(recipient=supervisor)
    assert note.kind == "escalation"
    assert inpatient_client.last_name not in note.title  # no name in what may be emailed
