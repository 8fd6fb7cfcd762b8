"""FHIR ``Patient/{id}/$everything`` for a client with two years of history (goal:
under 500 ms, a fixed number of queries). Prints median and 95th percentile server time,
the resources in the Bundle and the SQL statements per request, for a team member and for
an outside organisation's account under a Part 2 consent (which adds the accounting of
disclosures).

    .venv/bin/python tests/perf/bench_fhir_everything.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchdb import use_bench_database  # noqa: E402

BENCH_DB = "casemgmt_bench_fhir"


def seed():
    from datetime import timedelta

    from django.utils import timezone

    from assessments.services import instrument_response_record
    from careplans.models import CarePlan, Domain, Goal, GoalType, PlanStatus, Problem
    from casemgmt.accounts.models import Team, User
    from clients.models import Client, Consent, ConsentKind, Diagnosis, ExpiryKind
    from clients.services import client_numbers_allocate
    from referrals.models import LevelOfCare, Organization, VisitFocus
    from referrals.services import transition_record

    team = Team.objects.create(name="Bench team")
    staff = User.objects.create(username="bench-cm", first_name="Bench", last_name="CM")
    team.members.add(staff)
    org = Organization.objects.create(name="Bench Primary Care")
    partner = User.objects.create(
        username="bench-partner", outside_organization_directory_id=org.pk
    )
    team.members.add(partner)
    today = timezone.localdate()
    client = Client.objects.create(
        client_number=client_numbers_allocate()[0],
        first_name="Synthetic",
        last_name="Person",
        date_of_birth=today.replace(year=today.year - 40),
        team=team,
        sex_at_birth="female",
    )
    for code, text, cat in [
        ("F10.20", "Alcohol dependence", "substance_use"),
        ("F11.20", "Opioid dependence", "substance_use"),
        ("F33.1", "Major depressive disorder, recurrent", "mental_health"),
        ("F41.1", "Generalized anxiety disorder", "mental_health"),
        ("F17.210", "Nicotine dependence", "substance_use"),
    ]:
        Diagnosis.objects.create(
            client=client, category=cat, icd10_code=code, description=text, recorded_by=staff
        )
    for week in range(0, 104, 2):  # two years, every other week
        at = timezone.now() - timedelta(weeks=week)
        instrument_response_record(
            actor=staff, client=client, instrument="phq9", answers=[1] * 9, administered_at=at
        )
        instrument_response_record(
            actor=staff, client=client, instrument="gad7", answers=[1] * 7, administered_at=at
        )
        instrument_response_record(
            actor=staff,
            client=client,
            instrument="audit_c",
            answers=[2, 1, 1],
            sex="female",
            administered_at=at,
        )
    for i in range(8):
        transition_record(
            actor=staff,
            client=client,
            from_level=LevelOfCare.WITHDRAWAL if i % 2 else LevelOfCare.EMERGENCY,
            to_level=LevelOfCare.OUTPATIENT,
            facility=f"Facility {i}",
            admitted_on=today - timedelta(days=700 - i * 80),
            discharged_on=today - timedelta(days=695 - i * 80),
            focus=VisitFocus.SUBSTANCE_USE if i % 2 else VisitFocus.MENTAL_HEALTH,
        )
    for version in range(1, 9):
        plan = CarePlan.objects.create(
            client=client,
            version=version,
            status=PlanStatus.ACTIVE if version == 8 else PlanStatus.SUPERSEDED,
            effective_date=today - timedelta(days=730 - version * 90),
            author=staff,
        )
        for domain in (Domain.MENTAL_HEALTH, Domain.SUBSTANCE_USE, Domain.HOUSING):
            problem = Problem.objects.create(plan=plan, domain=domain, description=str(domain))
            for g in range(2):
                Goal.objects.create(
                    plan=plan,
                    problem=problem,
                    text=f"Goal {g} for {domain}",
                    goal_type=GoalType.HARM_REDUCTION,
                    target_date=today + timedelta(days=90),
                )
    Consent.objects.create(
        client=client,
        kind=ConsentKind.PART2,
        recipients=[org.name],
        recipient_directory_ids=[org.pk],
        purpose="Coordinate care",
        expiry_kind=ExpiryKind.DATE,
        expires_on=today + timedelta(days=365),
        signed_on=today - timedelta(days=1),
        recorded_by=staff,
    )
    return client, staff, partner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    use_bench_database(BENCH_DB, fresh=True)  # seeded anew each run

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from casemgmt.accounts.services import api_token_issue

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    client, staff, partner = seed()
    for who, user in (("team member", staff), ("outside organisation", partner)):
        _, raw = api_token_issue(user=user, name="bench")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        url = f"/fhir/r4/Patient/{client.pk}/$everything"
        api.get(url)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = api.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.content[:300]
        entries = len(response.json().get("entry", []))
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        print(
            f"{who:22} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
            f"{entries} resources  {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
