"""Synthetic demo data (Faker): teams, staff with roles, the resource directory (the
HSDS CSV set in ``referrals/data/hsds_demo``), clients, and their history (diagnoses,
risk flags, PHQ-9s, care plans, referrals, transitions, follow-ups).

It lives in the dashboard app because it writes every domain app's data.

Safe to run twice: teams and users are matched by name, and clients are only added
until the requested number exists. ``--clients 50000`` makes a realistic volume.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casemgmt.accounts.models import Role, Team, User
from clients.models import (
    Client,
    ClientStatus,
    Diagnosis,
    DiagnosisCategory,
    DiagnosisStatus,
    RiskFlag,
    RiskFlagKind,
)
from clients.selectors import diagnosis_code_in_remission, diagnosis_codes
from clients.services import (
    client_numbers_allocate,
    client_search_refresh,
    consent_create,
    diagnosis_classification_refresh,
    phonetic_keys,
    related_person_add,
)
from dashboard.management.commands._history import seed_history
from referrals.services import hsds_demo_import

DEMO_PASSWORD = "demo-pass-2026"
# (username, what it shows) in the order printed by `make run`.
DEMO_LOGINS = [
    ("casemanager", "case manager, Riverside Integrated Care"),
    ("supervisor", "supervisor of Riverside Integrated Care and Eastside ACT"),
    ("admin", "program admin (all teams, Django admin)"),
    ("auditor", "auditor (audit trail only)"),
]
TEAM_NAMES = ["Riverside Integrated Care", "Eastside ACT", "Northgate Recovery"]
# Programs cycle over the teams (the dashboards filter by program).
PROGRAMS = [
    "Integrated Dual Disorder Treatment",
    "Assertive Community Treatment",
    "Intensive Case Management",
    "Housing First",
]
STAFF_PER_TEAM = 10  # 8 case managers + 2 supervisors
STATUS_WEIGHTS = {
    ClientStatus.ACTIVE: 70,
    ClientStatus.INTAKE: 8,
    ClientStatus.REFERRED: 7,
    ClientStatus.INACTIVE: 7,
    ClientStatus.DISCHARGED: 8,
}

if TYPE_CHECKING:
    from faker import Faker


class Command(BaseCommand):
    help = "Create synthetic demo teams, staff and clients (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=300, help="total demo clients")
        parser.add_argument(
            "--teams", type=int, default=None, help="teams (default: 3, or 1 per 2,500 clients)"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, clients: int, teams: int | None, seed: int, **options):
        try:  # development tools, not installed in the production image
            from faker import Faker
            from tqdm import tqdm
        except ImportError as exc:
            raise CommandError(
                "The demo seed needs the development tools: pip install -e '.[dev]'"
            ) from exc
        fake = Faker("en_US")
        fake.seed_instance(seed)
        rng = random.Random(seed)
        team_count = teams or max(3, min(20, math.ceil(clients / 2500)))
        password = make_password(DEMO_PASSWORD)  # hashed once for every demo user

        with transaction.atomic():
            groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
            team_objs = self._teams(team_count, fake)
            managers = self._staff(team_objs, groups, password, fake)
            self._demo_logins(team_objs, groups, password)
            # The demo case manager carries a full caseload (about a third of the team's).
            managers[team_objs[0].pk] += [User.objects.get(username="casemanager")] * 4

        # The resource directory: the synthetic HSDS set shipped in referrals/data/
        # (matched on HSDS ids, so a second run updates instead of doubling).
        directory = hsds_demo_import()
        self.stdout.write(
            f"Directory: {directory.organizations} organisations, {directory.services} services."
        )
        recorder = User.objects.get(username="casemanager")
        history: dict[str, int] = {}
        existing = Client.objects.filter(team__in=team_objs).count()
        missing = max(0, clients - existing)
        self.stdout.write(f"{existing} demo clients exist; adding {missing}.")
        batch = 2000
        with tqdm(total=missing, unit="client", disable=missing == 0) as bar:
            while missing > 0:
                size = min(batch, missing)
                with transaction.atomic():
                    numbers = client_numbers_allocate(size)
                    created = Client.objects.bulk_create(
                        self._client(number, team_objs, managers, fake, rng) for number in numbers
                    )
                    self._clinical(created, recorder, rng)
                    totals = seed_history(created, recorder, rng, timezone.localdate())
                    for key, value in totals.items():
                        history[key] = history.get(key, 0) + value
                missing -= size
                bar.update(size)
        client_search_refresh()
        Client.objects.filter(team__in=team_objs).update(
            interpreter_needed=~Q(preferred_language="English")
        )
        if history:
            self.stdout.write("History: " + ", ".join(f"{v} {k}" for k, v in history.items()))
        self._groups_and_family(team_objs[0], recorder, fake)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _groups_and_family(self, team: Team, recorder: User, fake: Faker) -> None:
        """The demo case manager's Dual Recovery Group (weekly, last week's session taken)
        and a relative with a release for a few of their clients; once (skipped when the
        group exists). Written through the services, as a case manager would."""
        from groups.models import Group as TreatmentGroup
        from groups.services import (
            AttendanceEntry,
            group_create,
            group_member_add,
            group_session_add,
            group_session_record,
        )

        if TreatmentGroup.objects.filter(team=team, name="Dual Recovery Group").exists():
            return
        caseload = list(
            Client.objects.filter(
                team=team, primary_case_manager=recorder, status="active"
            ).order_by("pk")[:6]
        )
        if len(caseload) < 4:
            return
        with transaction.atomic(), team.local_time():
            local = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
            group = group_create(
                actor=recorder,
                team=team,
                name="Dual Recovery Group",
                facilitators=[recorder],
                capacity=10,
                first_starts_at=local + timedelta(days=7 - local.weekday() + 1),
                schedule_rule="FREQ=WEEKLY",
                description="Integrated group for people working on mental health and "
                "substance use at the same time.",
            )
            for client in caseload:
                group_member_add(
                    actor=recorder,
                    group=group,
                    client=client,
                    joined_on=timezone.localdate() - timedelta(days=30),
                )
            last = group_session_add(actor=recorder, group=group, starts_at=local - timedelta(7))
            group_session_record(
                actor=recorder,
                session=last,
                attendance={
                    c.pk: AttendanceEntry("absent" if i == 5 else "present")
                    for i, c in enumerate(caseload)
                },
                topic="Coping with cravings",
                shared_data="Members practised urge surfing and shared what helps.",
                shared_assessment="Engaged group; cravings discussed openly.",
                shared_plan="Next week: relapse warning signs.",
                sign=True,
            )
            for client in caseload[:3]:
                name = f"{fake.first_name()} {client.last_name}"
                related_person_add(actor=recorder, client=client, name=name, relationship="sibling")
                consent_create(
                    actor=recorder,
                    client=client,
                    kind="release",
                    information_description="Appointments and how treatment is going",
                    recipients=[name],
                    purpose="Family support",
                    signed_by=client.legal_name,
                    signed_on=timezone.localdate() - timedelta(days=20),
                    signature_method="paper",
                )
        self.stdout.write("Groups: the Dual Recovery Group, with last week's session.")

    def _teams(self, count: int, fake: Faker) -> list[Team]:
        names = TEAM_NAMES + [f"{fake.city()} Team {i}" for i in range(len(TEAM_NAMES), count)]
        existing = {t.name: t for t in Team.objects.filter(name__in=names[:count])}
        result = []
        for i, name in enumerate(names[:count]):
            team = existing.get(name) or Team.objects.create(name=name)
            if not team.program:
                team.program = PROGRAMS[i % len(PROGRAMS)]
                team.save(update_fields=["program"])
            result.append(team)
        return result

    def _staff(self, teams, groups, password, fake) -> dict[int, list[User]]:
        managers: dict[int, list[User]] = {}
        for t_index, team in enumerate(teams):
            members = []
            for i in range(STAFF_PER_TEAM):
                username = f"staff{t_index:02d}{i:02d}"
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": fake.first_name(),
                        "last_name": fake.last_name(),
                        "email": f"{username}@example.org",
                        "password": password,
                        "title": "Supervisor" if i >= 8 else "Case manager",
                    },
                )
                if created:
                    if i >= 8:
                        user.groups.add(groups[Role.SUPERVISOR])
                        team.supervisors.add(user)
                    else:
                        user.groups.add(groups[Role.CASE_MANAGER])
                        team.members.add(user)
                if i < 8:
                    members.append(user)
            managers[team.pk] = members
        return managers

    def _demo_logins(self, teams, groups, password) -> None:
        people = {
            "casemanager": ("Casey", "Morgan", Role.CASE_MANAGER),
            "supervisor": ("Sam", "Rivera", Role.SUPERVISOR),
            "admin": ("Alex", "Admin", Role.ADMIN),
            "auditor": ("Avery", "Auditor", Role.AUDITOR),
        }
        for username, (first, last, role) in people.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "password": password,
                    "title": role.label,
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            if not created:
                continue
            user.groups.add(groups[role])
            if role == Role.CASE_MANAGER:
                teams[0].members.add(user)
            elif role == Role.SUPERVISOR:
                teams[0].supervisors.add(user)
                teams[1].supervisors.add(user)

    def _clinical(self, clients, recorder, rng: random.Random) -> None:
        """Synthetic diagnoses (most clients are dual diagnosis) and some risk flags."""
        pools = {
            category: diagnosis_codes(category=category)
            for category in (DiagnosisCategory.MENTAL_HEALTH, DiagnosisCategory.SUBSTANCE_USE)
        }
        diagnoses, flags = [], []
        for client in clients:
            for category, share in (
                (DiagnosisCategory.MENTAL_HEALTH, 0.9),
                (DiagnosisCategory.SUBSTANCE_USE, 0.75),
            ):
                if rng.random() < share:
                    code, text = rng.choice(pools[category])
                    diagnoses.append(
                        Diagnosis(
                            client=client,
                            icd10_code=code,
                            description=text,
                            category=category,
                            recorded_by=recorder,
                            # ICD-10-CM: a remission code (F10.21) is in remission.
                            status=DiagnosisStatus.IN_REMISSION
                            if diagnosis_code_in_remission(code=code)
                            else DiagnosisStatus.ACTIVE,
                        )
                    )
            for kind, share in ((RiskFlagKind.SUICIDE, 0.06), (RiskFlagKind.OVERDOSE, 0.09)):
                if rng.random() < share:
                    flags.append(
                        RiskFlag(
                            client=client, kind=kind, set_by=recorder, reason="Synthetic demo flag"
                        )
                    )
        Diagnosis.objects.bulk_create(diagnoses)
        RiskFlag.objects.bulk_create(flags)
        # Kind and "counts toward dual diagnosis" from the code-range table, then the flags.
        diagnosis_classification_refresh(client_ids=[c.pk for c in clients])

    def _client(self, number, teams, managers, fake: Faker, rng: random.Random) -> Client:
        team = rng.choice(teams)
        pool = managers[team.pk]
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        sex = rng.choice(["M", "F"])
        first = fake.first_name_male() if sex == "M" else fake.first_name_female()
        age_days = rng.randint(18 * 365, 78 * 365)
        last = fake.last_name()
        preferred = (
            (fake.first_name_male() if sex == "M" else fake.first_name_female())
            if rng.random() < 0.12
            else ""
        )
        return Client(
            client_number=number,
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            name_phonetic=phonetic_keys(first, last, preferred),
            sex_at_birth="male" if sex == "M" else "female",
            pronouns=rng.choice(["he/him", "he/they"] if sex == "M" else ["she/her", "she/they"])
            if rng.random() < 0.6
            else "",
            preferred_language=rng.choices(
                ["English", "Spanish", "Vietnamese", "Haitian Creole", "Arabic"],
                weights=[82, 12, 2, 2, 2],
            )[0],
            phone=fake.numerify("555-###-####"),
            date_of_birth=timezone.localdate() - timedelta(days=age_days),
            status=status,
            team=team,
            primary_case_manager=rng.choice(pool) if status != ClientStatus.REFERRED else None,
            enrolled_on=timezone.localdate() - timedelta(days=rng.randint(10, 900))
            if status in (ClientStatus.ACTIVE, ClientStatus.INACTIVE)
            else None,
        )
