"""Fixtures for the ADT intake tests: synthetic HL7 v2.5.1 messages (made-up people),
the MLLP listener started on an ephemeral loopback port, and a socket client."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import date, timedelta

import pytest
from django.utils import timezone

from interop.models import AdtMessage, AdtStatus, ClientIdentifier
from interop.tasks import adt_process
from tests.factories import ClientFactory

VT, FS, CR = b"\x0b", b"\x1c", b"\r"


def hl7_date(day: date) -> str:
    return f"{day:%Y%m%d}"


def adt(
    event: str,
    control_id: str,
    *,
    mrn: str = "MRN4471",
    family: str = "Quillfeather",
    given: str = "Ondine",
    dob: str = "19860312",
    patient_class: str = "I",
    location: str = "PSY^4W^12^MERCY",
    visit: str = "V9001",
    admitted: date | None = None,
    discharged: date | None = None,
    encoding: str = "^~\\&",
    pid3: str | None = None,
    extra: str = "",
) -> str:
    """An ADT message from Mercy General (a made-up hospital) about a made-up person."""
    now = timezone.now().strftime("%Y%m%d%H%M%S+0000")
    today = timezone.localdate()
    admitted = admitted or today - timedelta(days=3)
    pv1 = ["PV1", "1", patient_class, location] + [""] * 15 + [visit] + [""] * 25
    pv1[44] = hl7_date(admitted) + "0930"
    pv1.append(hl7_date(discharged) + "1400" if discharged else "")
    identifiers = f"{mrn}^^^MERCY^MR" if pid3 is None else pid3
    segments = [
        f"MSH|{encoding}|EPIC|MERCY|CASEMGMT|RIVERSIDE|{now}||ADT^{event}^ADT_A01|{control_id}|P|2.5.1",
        f"EVN|{event}|{now}",
        f"PID|1||{identifiers}||{family}^{given}||{dob}|F",
        "|".join(pv1),
        "DG1|1||F32.2^Major depressive disorder, single episode, severe^I10",
    ]
    if extra:
        segments.append(extra)
    return "\r".join(segments) + "\r"


def msa(ack: str) -> tuple[str, str]:
    """(MSA-1, MSA-2) of an ACK."""
    for segment in ack.split("\r"):
        if segment.startswith("MSA|"):
            fields = segment.split("|")
            return fields[1], fields[2]
    raise AssertionError(f"no MSA in {ack!r}")


def process_received() -> list[str]:
    """What the worker does: run the task for each received message (eagerly, here)."""
    ids = (
        AdtMessage.objects.filter(status=AdtStatus.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [adt_process.apply(args=[pk]).get() for pk in list(ids)]


class MllpClient:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send_raw(self, payload: bytes) -> str:
        self.sock.sendall(payload)
        while FS + CR not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("listener closed the connection")
            self.buffer += chunk
        block, _, self.buffer = self.buffer.partition(FS + CR)
        assert block.startswith(VT)
        return block[1:].decode()

    def send(self, message: str) -> str:
        return self.send_raw(VT + message.encode() + FS + CR)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener(transactional_db):
    """The real listener (``interop.mllp.serve``) on 127.0.0.1, an ephemeral port, in a
    thread with its own event loop and database connection."""
    from interop.mllp import serve

    loop = asyncio.new_event_loop()
    bound: dict[str, int] = {}
    started = threading.Event()

    def ready(port: int) -> None:
        bound["port"] = port
        started.set()

    task_box: dict[str, asyncio.Task] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        task_box["task"] = loop.create_task(serve("127.0.0.1", 0, ready=ready))
        try:
            loop.run_until_complete(task_box["task"])
        except asyncio.CancelledError:
            pass
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10), "the listener did not start"
    yield bound["port"]
    loop.call_soon_threadsafe(task_box["task"].cancel)
    thread.join(10)


@pytest.fixture
def mllp(listener):
    client = MllpClient(listener)
    yield client
    client.close()


@pytest.fixture
def inpatient_client(team, case_manager):
    """A made-up client known to Mercy General by MRN4471."""
    client = ClientFactory(
        team=team,
        primary_case_manager=case_manager,
        first_name="Ondine",
        last_name="Quillfeather",
        date_of_birth=date(1986, 3, 12),
    )
    ClientIdentifier.objects.create(client=client, kind="MR", issuer="MERCY", value="MRN4471")
    return client
