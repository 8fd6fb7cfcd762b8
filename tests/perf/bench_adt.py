"""A burst of HL7 v2 ADT messages through the real MLLP listener and a real Celery
worker on the real Redis broker: ACK latency, and the time until every message is
applied (receipt to care transition), exactly once. See README.md beside this file.

    .venv/bin/python tests/perf/bench_adt.py --messages 10000 --connections 4

Half the messages admit (A01, inpatient psychiatry), half discharge (A03) the same
visits, each visit's two messages in order on one connection; every patient is known
by an MRN (ClientIdentifier), so each message is matched exactly. Afterwards the whole
burst is sent again (same control ids): nothing may change.
Goals (issue 17): ACK p95 under 50 ms; all 10,000 applied exactly once within 2 minutes.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _benchdb import use_bench_database  # noqa: E402

BENCH_DB = "casemgmt_bench_adt"
QUEUE = "casemgmt-bench-adt"
VT, FS, CR = b"\x0b", b"\x1c", b"\r"


def message(event: str, control_id: str, mrn: str, visit: str, admitted, discharged) -> bytes:
    now = time.strftime("%Y%m%d%H%M%S+0000", time.gmtime())
    pv1 = ["PV1", "1", "I", "PSY^4W^12^MERCY"] + [""] * 15 + [visit] + [""] * 25
    pv1[44] = f"{admitted:%Y%m%d}0930"
    pv1.append(f"{discharged:%Y%m%d}1400" if discharged else "")
    segments = [
        f"MSH|^~\\&|EPIC|MERCY|CASEMGMT|RIVERSIDE|{now}||ADT^{event}^ADT_A01|{control_id}|P|2.5.1",
        f"EVN|{event}|{now}",
        f"PID|1||{mrn}^^^MERCY^MR||Bench^Patient||19800101|F",
        "|".join(pv1),
    ]
    return VT + ("\r".join(segments) + "\r").encode() + FS + CR


def send_all(port: int, blocks: list[bytes], latencies: list[float], codes: list[str]) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    try:
        for block in blocks:
            start = time.perf_counter()
            sock.sendall(block)
            while FS + CR not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the listener closed the connection")
                buffer += chunk
            ack, _, buffer = buffer.partition(FS + CR)
            latencies.append(time.perf_counter() - start)
            msa = next(s for s in ack[1:].decode().split("\r") if s.startswith("MSA|"))
            codes.append(msa.split("|")[1])
    finally:
        sock.close()


def burst(port: int, per_connection: list[list[bytes]]) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    codes: list[str] = []
    threads = [
        threading.Thread(target=send_all, args=(port, blocks, latencies, codes))
        for blocks in per_connection
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, codes, time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=int, default=600, help="seconds to wait")
    args = parser.parse_args()
    visits = args.messages // 2

    use_bench_database(BENCH_DB, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from casemgmt.accounts.models import Team, User
    from casemgmt.celery import app
    from clients.models import Client
    from interop.models import AdtMessage, ClientIdentifier
    from referrals.models import CareTransition, FollowUp

    app.conf.task_default_queue = QUEUE
    call_command("migrate", verbosity=0)

    # ---- seed: one team, its staff, one client per visit with an MRN at Mercy
    t = time.perf_counter()
    team = Team.objects.create(name="Bench team")
    supervisor = User.objects.create(username="bench-sup", email="sup@example.org")
    team.supervisors.add(supervisor)
    staff = User.objects.bulk_create(
        [User(username=f"bench-cm{i}", email=f"cm{i}@example.org") for i in range(20)]
    )
    team.members.add(*staff)
    clients = Client.objects.bulk_create(
        [
            Client(
                client_number=f"B{i:07d}",
                first_name="Bench",
                last_name=f"Patient{i}",
                date_of_birth="1980-01-01",
                team=team,
                status="active",
                primary_case_manager=staff[i % len(staff)],
            )
            for i in range(visits)
        ],
        batch_size=2000,
    )
    ClientIdentifier.objects.bulk_create(
        [
            ClientIdentifier(client=c, kind="MR", issuer="MERCY", value=f"MRN{i:07d}")
            for i, c in enumerate(clients)
        ],
        batch_size=5000,
    )
    print(f"seeded {visits:,} clients in {time.perf_counter() - t:.1f} s")

    today = timezone.localdate()
    admitted, discharged = today - timedelta(days=4), today - timedelta(days=1)
    per_connection: list[list[bytes]] = [[] for _ in range(args.connections)]
    for i in range(visits):
        mrn, visit = f"MRN{i:07d}", f"V{i:07d}"
        blocks = per_connection[i % args.connections]
        blocks.append(message("A01", f"B{i:07d}-1", mrn, visit, admitted, None))
        blocks.append(message("A03", f"B{i:07d}-3", mrn, visit, admitted, discharged))

    # ---- the listener and the worker as their own processes, as `make run` starts them
    import subprocess

    def boot(code: str) -> subprocess.Popen:
        prelude = (
            f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            f"from _benchdb import use_bench_database; "
            f"use_bench_database({BENCH_DB!r}, fresh=False); import django; django.setup(); "
            f"from casemgmt.celery import app; app.conf.task_default_queue = {QUEUE!r}; "
        )
        return subprocess.Popen(
            [sys.executable, "-c", prelude + code],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.control.purge()
    listener = boot(
        "from django.core.management import call_command; "
        f"call_command('adt_listen', host='127.0.0.1', port={port})"
    )
    worker = boot(
        f"app.worker_main(['worker', '-Q', {QUEUE!r}, '-c', '{args.concurrency}', "
        "'--pool', 'prefork', '-l', 'WARNING', '--without-gossip', '--without-mingle', "
        "'--without-heartbeat'])"
    )
    assert listener.stdout is not None
    assert "ADT MLLP listener" in listener.stdout.readline(), "the listener did not start"
    time.sleep(3)  # the worker's start-up
    connection.close()
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{args.messages:,} messages over {args.connections} connections, "
        f"worker: {args.concurrency} processes"
    )
    try:
        latencies, codes, sent_in = burst(port, per_connection)
        start_wait = time.perf_counter()
        while True:
            pending = AdtMessage.objects.filter(status="received").count()
            if not pending:
                break
            if time.perf_counter() - start_wait > args.timeout:
                print(f"gave up with {pending:,} messages still to apply")
                break
            time.sleep(0.25)
        applied_in = sent_in + (time.perf_counter() - start_wait)
        statuses = dict(
            AdtMessage.objects.values_list("status").annotate(n=django.db.models.Count("id"))
        )
        transitions = CareTransition.objects.count()
        discharged_n = CareTransition.objects.filter(discharged_on=discharged).count()
        followups = FollowUp.objects.filter(reason="transition").count()

        # ---- the same burst again: every message a duplicate, nothing changes
        again, again_codes, again_in = burst(port, per_connection)
        time.sleep(2)
        changed = (
            AdtMessage.objects.count() != args.messages
            or CareTransition.objects.count() != transitions
            or FollowUp.objects.filter(reason="transition").count() != followups
        )
    finally:
        for process in (listener, worker):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    ms = [x * 1000 for x in latencies]
    print(
        f"sent and acknowledged:    {len(codes):,} in {sent_in:.1f} s "
        f"({len(codes) / sent_in:.0f} messages/s); ACK codes {sorted(set(codes))}"
    )
    print(
        f"ACK latency ms:           median {statistics.median(ms):.1f}, "
        f"p95 {pct(ms, 95):.1f}, p99 {pct(ms, 99):.1f}, max {max(ms):.1f}"
    )
    print(
        f"all applied after:        {applied_in:.1f} s "
        f"({args.messages / applied_in:.0f} messages/s receipt to care transition)"
    )
    print(f"message statuses:         {statuses}")
    print(
        f"care transitions:         {transitions:,} (expected {visits:,}); "
        f"discharged {discharged_n:,}; window follow-ups {followups:,} "
        f"(expected {2 * visits:,}: 7- and 30-day)"
    )
    again_ms = [x * 1000 for x in again]
    print(
        f"resent burst:             {len(again_codes):,} duplicates in {again_in:.1f} s, "
        f"ACK p95 {pct(again_ms, 95):.1f} ms; "
        f"{'CHANGED SOMETHING' if changed else 'nothing changed'}"
    )
    ok = (
        transitions == visits
        and discharged_n == visits
        and statuses.get("processed", 0) == args.messages
        and not changed
    )
    print("exactly once:             " + ("yes" if ok else "NO"))


if __name__ == "__main__":
    main()
