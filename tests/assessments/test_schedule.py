"""Re-administration: the rules seeded by the data migration, and ``reassessments_due``
(due and overdue per case manager, for clients in reach, in one query)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from assessments.models import ReassessmentRule
from assessments.selectors import reassessments_due
from clients.models import ClientStatus
from clients.services import diagnosis_add
from tests.factories import ClientFactory, UserFactory

from .helpers import give, phq9

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("assessments.migrations.0002_seed_reassessment_rules")


@pytest.fixture(autouse=True)
def default_rules(db):
    """The data migration's rules (a browser test's flush may have removed them from a
    reused test database)."""
    seed_migration.seed(django_apps, None)


def _mh(user, client):
    diagnosis_add(actor=user, client=client, icd10_code="F33.1")


def _sud(user, client):
    diagnosis_add(actor=user, client=client, icd10_code="F10.20")


def test_default_rules_are_seeded():
    rules = {
        r.instrument: (r.interval_days, r.diagnosis_category)
        for r in ReassessmentRule.objects.all()
    }
    assert rules == {
        "phq9": (30, "mental_health"),
        "gad7": (30, "mental_health"),
        "audit": (90, "substance_use"),
        "dast10": (90, "substance_use"),
    }


def test_due_after_the_interval(case_manager, client_record):
    _mh(case_manager, client_record)
    give(case_manager, client_record, answers=phq9(12), days_ago=29)
    give(case_manager, client_record, code="gad7", answers=[1] * 7, days_ago=40)
    today = timezone.localdate()
    due = reassessments_due(user=case_manager)
    assert [(d.instrument, d.overdue_days) for d in due] == [("gad7", 10)]
    row = due[0]
    assert row.client.pk == client_record.pk and row.client.display_name
    assert row.due_on == today - timedelta(days=10) and row.is_overdue
    assert row.case_manager_id == case_manager.pk
    assert row.case_manager_name == case_manager.get_full_name()
    assert row.instrument_name == "GAD-7"
    later = reassessments_due(user=case_manager, as_of=today + timedelta(days=1))
    assert [(d.instrument, d.overdue_days) for d in later] == [("gad7", 11), ("phq9", 0)]


def test_never_given_is_due_from_enrolment(case_manager, team):
    client = ClientFactory(
        team=team,
        primary_case_manager=case_manager,
        enrolled_on=timezone.localdate() - timedelta(days=5),
    )
    _sud(case_manager, client)
    due = reassessments_due(user=case_manager)
    assert [(d.instrument, d.overdue_days, d.last_administered_at) for d in due] == [
        ("audit", 5, None),
        ("dast10", 5, None),
    ]


def test_positive_screen_without_diagnosis_qualifies(case_manager, client_record):
    give(case_manager, client_record, code="audit", answers=[2] * 8 + [0, 0], days_ago=91)
    give(case_manager, client_record, answers=phq9(3), days_ago=91)  # negative, no diagnosis
    due = reassessments_due(user=case_manager)
    assert [(d.instrument, d.overdue_days) for d in due] == [("audit", 1)]


def test_corrected_positive_does_not_qualify(case_manager, client_record):
    wrong = give(case_manager, client_record, code="audit", answers=[2] * 8 + [0, 0], days_ago=91)
    give(case_manager, client_record, code="audit", answers=[0] * 10, days_ago=91, amends=wrong)
    assert reassessments_due(user=case_manager) == []


def test_only_active_clients_active_rules_and_in_reach(case_manager, outsider, team, other_team):
    inactive = ClientFactory(team=team, status=ClientStatus.INACTIVE)
    _mh(case_manager, inactive)
    theirs = ClientFactory(team=other_team, primary_case_manager=outsider)
    _mh(outsider, theirs)
    assert reassessments_due(user=case_manager) == []
    assert {d.client.pk for d in reassessments_due(user=outsider)} == {theirs.pk}
    ReassessmentRule.objects.filter(instrument="phq9").update(is_active=False)
    assert [d.instrument for d in reassessments_due(user=outsider)] == ["gad7"]


def test_rule_interval_is_configurable(case_manager, client_record):
    _mh(case_manager, client_record)
    give(case_manager, client_record, answers=phq9(12), days_ago=10)
    give(case_manager, client_record, code="gad7", answers=[1] * 7, days_ago=10)
    assert reassessments_due(user=case_manager) == []
    ReassessmentRule.objects.filter(instrument="phq9").update(interval_days=7)
    assert [(d.instrument, d.overdue_days) for d in reassessments_due(user=case_manager)] == [
        ("phq9", 3)
    ]


def test_admin_sees_all_grouped_by_case_manager(admin_user, case_manager, team):
    other_cm = UserFactory(last_name="Aaronson", first_name="Abe")
    for cm in (case_manager, other_cm):
        client = ClientFactory(team=team, primary_case_manager=cm)
        _mh(case_manager, client)
    due = reassessments_due(user=admin_user)
    assert len(due) == 4
    assert [d.case_manager_id for d in due][:2] == [other_cm.pk, other_cm.pk]


def test_one_query_at_one_and_many_clients(case_manager, team, django_assert_max_num_queries):
    case_manager.role_names  # noqa: B018 (the user's groups are read once per request)
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    _mh(case_manager, client)
    with django_assert_max_num_queries(1):
        assert len(reassessments_due(user=case_manager)) == 2
    for _ in range(30):
        c = ClientFactory(team=team, primary_case_manager=case_manager)
        _mh(case_manager, c)
        give(case_manager, c, answers=phq9(12), days_ago=45)
    with django_assert_max_num_queries(1):
        assert len(reassessments_due(user=case_manager)) == 62


def test_narrowed_to_one_client_for_the_chart_tab(case_manager, client_record, team, browser_as):
    _mh(case_manager, client_record)
    other = ClientFactory(team=team, primary_case_manager=case_manager)
    _mh(case_manager, other)
    rows = reassessments_due(user=case_manager, client_id=client_record.pk)
    assert {r.client.pk for r in rows} == {client_record.pk}
    page = browser_as(case_manager).get(f"/assessments/clients/{client_record.pk}/")
    assert "Re-assessment due" in page.content.decode() and "not given yet" in page.content.decode()
