"""Care-plan fixtures: a dual-diagnosis client, a draft with one goal per disorder, and
assessment findings shaped like ``assessments.selectors.latest_assessment_findings``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from careplans import services
from careplans.models import Domain, GoalType, InterventionCategory
from clients.models import CareTeamMember, CareTeamRole
from tests.factories import ClientFactory


@pytest.fixture
def dual_client(team, case_manager):
    return ClientFactory(
        team=team,
        primary_case_manager=case_manager,
        is_dual_diagnosis=True,
        first_name="Rosa",
        last_name="Delgado",
    )


@pytest.fixture
def findings():
    return {
        "assessment_id": 41,
        "completed_at": timezone.now(),
        "needs": [
            {"domain": "mental_health", "description": "Low mood most days; poor sleep."},
            {"domain": "substance_use", "description": "Daily alcohol use, blackouts."},
            {"domain": "housing", "description": "Sofa-surfing since March."},
            {"domain": "nonsense", "description": "Ignored: unknown domain."},
        ],
        "positive_screens": [
            {"code": "phq9", "name": "PHQ-9", "band": "moderate", "administered_at": None}
        ],
        "stages": {"mental_health": "Contemplation", "substance_use": "precontemplation"},
        "level_of_care": "1",
    }


@pytest.fixture
def stage_suggestions(db):
    """The rows the data migration seeds (transactional tests elsewhere flush them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("careplans.migrations.0002_seed_stage_suggestions").seed(apps, None)


def add_goal(actor, plan, *, domain, mh=False, su=False, text="I want to feel better", days=60):
    problem = services.problem_add(
        actor=actor,
        plan=plan,
        domain=domain,
        description=f"Need in {domain}",
        concerns_mental_health=mh,
        concerns_substance_use=su,
    )
    return services.goal_add(
        actor=actor,
        problem=problem,
        text=text,
        goal_type=GoalType.SYMPTOM_MANAGEMENT,
        target_date=plan.effective_date + timedelta(days=days),
    )


@pytest.fixture
def integrated_draft(dual_client, case_manager):
    """A draft for a dual-diagnosis client with a goal for each disorder."""
    plan = services.careplan_create(actor=case_manager, client=dual_client)
    mh = add_goal(
        case_manager, plan, domain=Domain.MENTAL_HEALTH, mh=True, text="Sleep through the night"
    )
    su = add_goal(
        case_manager, plan, domain=Domain.SUBSTANCE_USE, su=True, text="Cut down to weekends only"
    )
    member = CareTeamMember.objects.create(
        client=dual_client,
        role=CareTeamRole.THERAPIST,
        user=case_manager,
        added_by=case_manager,
    )
    services.objective_add(actor=case_manager, goal=mh, text="6+ hours of sleep 5 nights a week")
    services.intervention_add(
        actor=case_manager,
        goal=su,
        category=InterventionCategory.MOTIVATIONAL_INTERVIEWING,
        frequency="Weekly",
        responsible=member,
    )
    return plan


def approve(plan, case_manager, supervisor):
    services.careplan_submit(actor=case_manager, plan=plan)
    return services.careplan_approve(actor=supervisor, plan=plan)
