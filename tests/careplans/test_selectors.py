"""Selectors: plans due for review, the safety-plan banner warning, stage suggestions,
the version diff, and the plan loader's query count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from careplans import selectors, services
from careplans.models import CarePlan, Domain, StageSuggestion
from clients.chart import banner_warnings
from clients.selectors import client_get
from tests.factories import ClientFactory

from .conftest import add_goal, approve
from .test_services import SAFETY

pytestmark = pytest.mark.django_db


def test_plans_due_for_review_are_scoped_and_sorted(
    integrated_draft, case_manager, supervisor, outsider
):
    plan = approve(integrated_draft, case_manager, supervisor)
    today = timezone.localdate()
    assert list(selectors.plans_due_for_review(user=case_manager)) == []
    later = today + timedelta(days=91)
    assert list(selectors.plans_due_for_review(user=case_manager, as_of=later)) == [plan]
    assert list(selectors.plans_due_for_review(user=outsider, as_of=later)) == []


def test_no_safety_plan_warning_needs_an_active_suicide_flag(
    client_record, case_manager, django_assert_max_num_queries
):
    client = client_get(user=case_manager, client_id=client_record.pk)
    assert "No safety plan" not in banner_warnings(client)
    client_record.risk_flags.create(kind="suicide_risk", reason="C-SSRS positive")
    client = client_get(user=case_manager, client_id=client_record.pk)
    with django_assert_max_num_queries(1):
        assert selectors.no_safety_plan_warning(client) == "No safety plan"
    assert "No safety plan" in banner_warnings(client)
    services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    assert selectors.client_has_current_safety_plan(client=client_record)
    assert selectors.no_safety_plan_warning(client) is None


def test_cleared_flag_gives_no_warning(client_record, case_manager):
    client_record.risk_flags.create(kind="suicide_risk", reason="x", cleared_at=timezone.now())
    client = client_get(user=case_manager, client_id=client_record.pk)
    assert selectors.no_safety_plan_warning(client) is None


def test_stage_suggestions_come_from_the_seeded_data(stage_suggestions):
    found = selectors.stage_suggestions(
        stages={"mental_health": "Pre-contemplation", "substance_use": "Maintenance"}
    )
    assert any(s.category == "mi" for s in found["mental_health"])
    assert {s.category for s in found["substance_use"]} >= {"relapse_prevention", "self_help"}
    StageSuggestion.objects.filter(stage="maintenance").update(is_active=False)
    assert selectors.stage_suggestions(stages={"substance_use": "maintenance"}) == {
        "substance_use": []
    }
    assert selectors.stage_suggestions(stages={"mental_health": None}) == {"mental_health": []}


def test_diff_shows_what_changed(integrated_draft, case_manager, supervisor):
    old = approve(integrated_draft, case_manager, supervisor)
    new = services.careplan_revise(actor=case_manager, plan=old)
    add_goal(case_manager, new, domain=Domain.HOUSING, text="A room of my own")
    services.careplan_update(actor=case_manager, plan=new, data={"preferences": "Mornings"})
    plans = {p.pk: p for p in selectors.careplan_full(CarePlan.objects.all())}
    diff = selectors.careplan_diff(old=plans[old.pk], new=plans[new.pk])
    added = [line for kind, line in diff if kind == "added"]
    removed = [line for kind, line in diff if kind == "removed"]
    assert any("A room of my own" in line for line in added)
    assert any("Mornings" in line for line in added)
    assert removed == ["Preferences: "]


def test_plan_loader_query_count_is_flat(case_manager, team, django_assert_max_num_queries):
    client = ClientFactory(team=team)
    plan = services.careplan_create(actor=case_manager, client=client)
    add_goal(case_manager, plan, domain=Domain.HOUSING)
    with django_assert_max_num_queries(10) as one:
        selectors.careplan_outline(selectors.careplan_get(client=client, plan_id=plan.pk))
    for i in range(15):
        add_goal(case_manager, plan, domain=Domain.LEGAL, text=f"goal {i}")
    with django_assert_max_num_queries(10) as many:
        selectors.careplan_outline(selectors.careplan_get(client=client, plan_id=plan.pk))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_diff_shows_changed_objective_and_intervention_dates(
    integrated_draft, case_manager, supervisor
):
    from careplans.models import Intervention, Objective

    old = approve(integrated_draft, case_manager, supervisor)
    new = services.careplan_revise(actor=case_manager, plan=old)
    objective = Objective.objects.filter(goal__plan=new).first()
    intervention = Intervention.objects.filter(goal__plan=new).first()
    later = new.effective_date + timedelta(days=45)
    services.objective_update(actor=case_manager, objective=objective, data={"target_date": later})
    services.intervention_update(
        actor=case_manager, intervention=intervention, data={"end_date": later}
    )
    plans = {p.pk: p for p in selectors.careplan_full(CarePlan.objects.all())}
    added = [
        line
        for kind, line in selectors.careplan_diff(old=plans[old.pk], new=plans[new.pk])
        if kind == "added"
    ]
    assert any("Objective:" in line and f"{later:%Y-%m-%d}" in line for line in added)
    assert any("Intervention:" in line and f"to {later:%Y-%m-%d}" in line for line in added)
