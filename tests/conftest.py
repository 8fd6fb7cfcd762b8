"""Shared fixtures: three personas per test (healthchecks style) and API clients.

Tests run against the real PostgreSQL (embedded unless DATABASE_URL is set) in a test
database of their own (``test_casemgmt``), never the demo data. Tasks they queue go to a
Celery queue named after that database (``casemgmt-test_casemgmt``, settings_test.py), so
neither a `make run` worker on the same Redis nor a suite running beside this one (another
TEST_DATABASE_NAME) takes them.

The test database is created and migrated by the database owner; every test then runs
as the app's own role (least privilege, casemgmt.lib.dbroles), as a deployment does, and
the flush after a transactional test is the owner's again (the audit/flush command).
"""

import pytest
from rest_framework.test import APIClient

from casemgmt.accounts.models import Role
from casemgmt.lib import dbroles
from tests.factories import ClientFactory, TeamFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Creating (or, with --reuse-db, finding) and migrating the test database: the owner.
    dbroles.owner_begin()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    dbroles.owner_end()  # the tests: the app role
    yield
    dbroles.owner_begin()  # dropping the test database (without --reuse-db): the owner


_SEEDS = [
    "assessments.migrations.0002_seed_reassessment_rules",
    "careplans.migrations.0002_seed_stage_suggestions",
    "clients.migrations.0012_seed_diagnosis_code_ranges",
    "portal.migrations.0002_seed_question_set",
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data seeded by data migrations (re-administration rules, stage-wise
    suggestions, dual-diagnosis code ranges) is wiped by the flush after each
    transactional test; put it back for every test that uses the database. The seeds
    are get_or_create (or skip when present), so this is cheap."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue(
        "transactional_db" if marker and marker.kwargs.get("transaction") else "db"
    )
    import importlib

    from django.apps import apps

    for module in _SEEDS:
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in tests/accounts); MD5 keeps factories fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """``force_login`` stands for a complete sign-in: for a user who must use two-factor
    sign-in (admins, staff) it also confirms a second factor in the session, as the login
    page does after the code. Tests of the sign-in itself post to the login pages."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        from tests.two_factor import mark_verified

        original(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def team(db):
    return TeamFactory(name="Riverside")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Northgate")


@pytest.fixture
def case_manager(team):
    user = UserFactory(username="cm", role=Role.CASE_MANAGER)
    team.members.add(user)
    return user


@pytest.fixture
def teammate(team):
    user = UserFactory(username="teammate", role=Role.CASE_MANAGER)
    team.members.add(user)
    return user


@pytest.fixture
def supervisor(team):
    user = UserFactory(username="sup", role=Role.SUPERVISOR)
    team.supervisors.add(user)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(username="outsider", role=Role.CASE_MANAGER)
    other_team.members.add(user)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="boss", role=Role.ADMIN)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def client_record(team, case_manager):
    return ClientFactory(team=team, primary_case_manager=case_manager)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_500(api_as):
    """An API client that answers 500 instead of raising, as a real server does."""

    def login(user):
        api = api_as(user)
        api.raise_request_exception = False
        return api

    return login


@pytest.fixture
def api_as(api):
    def login(user):
        api.force_login(user)  # a session, so each request loads the user afresh
        return api

    return login


@pytest.fixture
def browser_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login
