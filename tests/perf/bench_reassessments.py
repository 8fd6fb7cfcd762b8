"""``assessments.selectors.reassessments_due`` at realistic scale. See README.md beside this file.

Drops and creates its own database (``casemgmt_bench_assessments``), seeds ``--clients``
active clients in 20 teams, each with a mental health and/or substance use diagnosis and
a history of PHQ-9 / GAD-7 / AUDIT / DAST-10 results (bulk inserts), then times the
selector for a case manager, a supervisor and an admin: median and 95th percentile, rows
returned and SQL queries per call.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchdb import use_bench_database  # noqa: E402

BENCH_DB = "casemgmt_bench_assessments"


def _seed(n_clients: int) -> dict:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from assessments.models import InstrumentResponse
    from casemgmt.accounts.models import Role, Team, User
    from clients.models import Client, Diagnosis

    rng = random.Random(4)
    teams = [Team.objects.create(name=f"Team {i}") for i in range(20)]
    cm_group, _ = Group.objects.get_or_create(name=Role.CASE_MANAGER.value)
    admin_group, _ = Group.objects.get_or_create(name=Role.ADMIN.value)
    managers = []
    for i in range(200):
        user = User.objects.create(username=f"cm{i}", first_name="Case", last_name=f"M{i:03}")
        user.groups.add(cm_group)
        teams[i % 20].members.add(user)
        managers.append(user)
    supervisor = User.objects.create(username="sup", last_name="Sup")
    for team in teams[:3]:
        team.supervisors.add(supervisor)
    admin = User.objects.create(username="admin", last_name="Admin")
    admin.groups.add(admin_group)
    clients = Client.objects.bulk_create(
        Client(
            client_number=f"B{i:07}",
            first_name="Bench",
            last_name=f"Client{i}",
            date_of_birth=date(1980, 1, 1),
            status="active",
            team=teams[i % 20],
            primary_case_manager=managers[(i % 20) + 20 * rng.randrange(10)],
            enrolled_on=timezone.localdate() - timedelta(days=rng.randrange(30, 700)),
        )
        for i in range(n_clients)
    )
    diagnoses, responses = [], []
    now = timezone.now()
    for client in clients:
        kinds = rng.choice(
            [("mental_health",), ("substance_use",), ("mental_health", "substance_use")]
        )
        for kind in kinds:
            code = "F33.1" if kind == "mental_health" else "F10.20"
            diagnoses.append(
                Diagnosis(
                    client=client,
                    category=kind,
                    icd10_code=code,
                    description="x",
                    recorded_by=admin,
                )
            )
        for _ in range(rng.randrange(0, 6)):
            code = rng.choice(["phq9", "gad7", "audit", "dast10"])
            responses.append(
                InstrumentResponse(
                    client=client,
                    instrument=code,
                    answers=[],
                    total=rng.randrange(0, 20),
                    band="x",
                    positive=rng.random() < 0.3,
                    administered_by=admin,
                    administered_at=now - timedelta(days=rng.randrange(0, 200)),
                )
            )
    Diagnosis.objects.bulk_create(diagnoses, batch_size=5000)
    InstrumentResponse.objects.bulk_create(responses, batch_size=5000)
    from assessments.services import instrument_summaries_refresh
    from clients.services import client_diagnosis_flags_refresh

    instrument_summaries_refresh()  # the bulk load bypassed the services
    client_diagnosis_flags_refresh()
    return {"case manager": managers[0], "supervisor (3 teams)": supervisor, "admin (all)": admin}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    use_bench_database(BENCH_DB, fresh=True)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    users = _seed(args.clients)
    print(f"seeded {args.clients} clients in {time.perf_counter() - started:.1f} s")
    from assessments.selectors import reassessments_due

    for label, user in users.items():
        user.role_names  # noqa: B018 (read once per request in the app)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                rows = reassessments_due(user=user)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{label:22} rows={len(rows):6}  median={statistics.median(times):7.1f} ms  "
            f"p95={p95:7.1f} ms  queries={len(queries)}"
        )


if __name__ == "__main__":
    main()
