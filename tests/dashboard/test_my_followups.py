"""My follow-ups: the user's follow-ups (referrals), plan reviews (careplans) and
re-assessments (assessments) overdue, due today and this week, gathered by the dashboard."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from careplans.models import CarePlan
from clients.services import diagnosis_add
from dashboard.selectors import my_followups
from referrals.models import FollowUp
from referrals.services import followup_create
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

seed_rules = importlib.import_module("assessments.migrations.0002_seed_reassessment_rules")


@pytest.fixture(autouse=True)
def default_rules(db):
    seed_rules.seed(django_apps, None)  # a browser test's flush may have removed them


def test_sections_and_mark_done(browser_as, case_manager, client_record):
    today = timezone.localdate()
    for days, title in ((-2, "Late call"), (0, "Today call"), (3, "Soon call")):
        followup_create(
            actor=case_manager,
            client=client_record,
            assignee=None,
            reason="general",
            title=title,
            due_on=today + timedelta(days=days),
        )
    browser = browser_as(case_manager)
    html = browser.get("/follow-ups/").content.decode()
    overdue = html.index('id="followups-overdue"')
    today_ = html.index('id="followups-due_today"')
    week = html.index('id="followups-this_week"')
    assert overdue < html.index("Late call") < today_ < html.index("Today call") < week
    assert html.index("Soon call") > week
    assert "Overdue by 2 days" in html
    late = FollowUp.objects.get(title="Late call")
    browser.post(f"/referrals/follow-ups/{late.pk}/close/", {"status": "done"})
    late.refresh_from_db()
    assert late.status == "done"


def test_plan_reviews_and_reassessments_of_my_own_clients_are_listed(
    browser_as, case_manager, teammate, team
):
    today = timezone.localdate()
    mine = ClientFactory(
        team=team, primary_case_manager=case_manager, enrolled_on=today - timedelta(days=3)
    )
    diagnosis_add(actor=case_manager, client=mine, icd10_code="F10.20")  # AUDIT, DAST-10
    CarePlan.objects.create(
        client=mine,
        version=2,
        status="active",
        author=case_manager,
        effective_date=today - timedelta(days=85),
        review_due=today,
    )
    theirs = ClientFactory(team=team, primary_case_manager=teammate)
    CarePlan.objects.create(
        client=theirs,
        version=1,
        status="active",
        author=teammate,
        effective_date=today - timedelta(days=85),
        review_due=today,
    )
    sections = my_followups(user=case_manager)
    assert [(i.kind, i.title) for i in sections["overdue"]] == [
        ("reassessment", "Re-assessment due: AUDIT"),
        ("reassessment", "Re-assessment due: DAST-10"),
    ]
    assert [(i.kind, i.title, i.client.pk) for i in sections["due_today"]] == [
        ("plan_review", "Care plan review due (version 2)", mine.pk)
    ]
    browser = browser_as(case_manager)
    html = browser.get("/follow-ups/").content.decode()
    assert "Care plan review due (version 2)" in html and "Re-assessment due: AUDIT" in html
    for item in sections["overdue"] + sections["due_today"]:  # every "Open" link is a page
        assert browser.get(item.link).status_code == 200, item.link


def test_the_old_address_redirects(browser_as, case_manager):
    response = browser_as(case_manager).get("/referrals/follow-ups/?x=1")
    assert response.status_code == 302 and response.url == "/follow-ups/?x=1"


@pytest.mark.parametrize("rows", [1, 10])
def test_query_count_is_fixed(browser_as, case_manager, team, rows, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(rows):
        client = ClientFactory(team=team, primary_case_manager=case_manager)
        diagnosis_add(actor=case_manager, client=client, icd10_code="F33.1")
        followup_create(
            actor=case_manager,
            client=client,
            assignee=None,
            reason="general",
            title=f"Call {i}",
            due_on=today - timedelta(days=1),
        )
        CarePlan.objects.create(
            client=client,
            version=1,
            status="active",
            author=case_manager,
            effective_date=today - timedelta(days=85),
            review_due=today + timedelta(days=2),
        )
    browser = browser_as(case_manager)
    with django_assert_max_num_queries(12):
        assert browser.get("/follow-ups/").status_code == 200
