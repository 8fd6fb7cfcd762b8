from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans.models import SafetyPlan
from health.models import CrisisEpisode
from referrals.services import followup_create
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_ordered_by_what_needs_attention_first(browser_as, supervisor, case_manager, team):
    suicidal = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Suicidal")
    suicidal.risk_flags.create(kind="suicide_risk", reason="x")
    safe = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Planned")
    safe.risk_flags.create(kind="suicide_risk", reason="x")
    SafetyPlan.objects.create(client=safe, version=1, created_by=case_manager)
    late = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Late")
    followup_create(
        actor=case_manager,
        client=late,
        assignee=case_manager,
        reason="general",
        title="x",
        due_on=timezone.localdate() - timedelta(days=3),
    )
    crisis = ClientFactory(team=team, primary_case_manager=case_manager, last_name="Crisis")
    CrisisEpisode.objects.create(
        client=crisis,
        occurred_at=timezone.now(),
        crisis_type="other",
        description="x",
        outcome="y",
        recorded_by=case_manager,
    )
    response = browser_as(supervisor).get(reverse("dashboard:attention"))
    rows = response.context["rows"]
    names = [r.client.last_name for r in rows]
    # Issue 19: imminent risk (a crisis in the last 72 hours) comes before a standing
    # safety gap, which comes before overdue work.
    assert names.index("Crisis") < names.index("Suicidal") < names.index("Late")
    assert rows[0].client == crisis
    second = rows[1]
    assert second.client == suicidal
    assert "Suicide risk without a current safety plan" in [r.label for r in second.reasons]
    planned = next(r for r in rows if r.client == safe)
    assert "Suicide risk without a current safety plan" not in [r.label for r in planned.reasons]
    assert "Suicide risk without a current safety plan" in response.text


def test_case_manager_cannot_open_it(browser_as, case_manager):
    assert browser_as(case_manager).get(reverse("dashboard:attention")).status_code == 403


def test_query_count_is_fixed(browser_as, supervisor, team, django_assert_max_num_queries):
    browser = browser_as(supervisor)
    manager = UserFactory()
    team.members.add(manager)
    ClientFactory(team=team, primary_case_manager=manager).risk_flags.create(
        kind="suicide_risk", reason="x"
    )
    with django_assert_max_num_queries(40) as one:
        browser.get(reverse("dashboard:attention"))
    for client in ClientFactory.create_batch(20, team=team, primary_case_manager=manager):
        client.risk_flags.create(kind="overdose_risk", reason="x")
    with django_assert_max_num_queries(40) as many:
        browser.get(reverse("dashboard:attention"))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_assessments_overdue_measure(browser_as, supervisor, case_manager, team):
    from clients.services import diagnosis_add

    client = ClientFactory(
        team=team,
        primary_case_manager=case_manager,
        enrolled_on=timezone.localdate() - timedelta(days=60),
    )
    ClientFactory(team=team, primary_case_manager=case_manager)  # no diagnosis: nothing due
    diagnosis_add(actor=case_manager, client=client, icd10_code="F33.1")
    response = browser_as(supervisor).get(reverse("dashboard:measures"))
    m = {x.key: x for x in response.context["measures"]}["assessments_overdue"]
    assert (m.numerator, m.denominator) == (1, 2)
    assert m.note == "2 overdue instruments"  # PHQ-9 and GAD-7
    assert m.gap_count == 1 and "1 to re-assess" in response.content.decode()
    behind = browser_as(supervisor).get(
        reverse("dashboard:clients"), {"measure": "assessments_overdue"}
    )
    assert [c.pk for c in behind.context["page"].object_list] == [client.pk]
