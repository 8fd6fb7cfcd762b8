"""Services: drafting, the integration rule, signatures and the lock, approval, versions,
reviews, safety and relapse plans, goal notes, editing and removing objectives and
interventions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careplans import services
from careplans.models import (
    CarePlan,
    Domain,
    GoalType,
    Intervention,
    Objective,
    PlanStatus,
    Progress,
    RelapsePreventionPlan,
    SafetyPlan,
    TeamPlanCadence,
)
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.models import Notification
from clients.models import CareTeamMember, ContactNote, TimelineEntry
from tests.factories import ClientFactory

from .conftest import add_goal, approve

pytestmark = pytest.mark.django_db


def test_a_blank_draft_is_version_1_audited_and_on_the_timeline(client_record, case_manager):
    plan = services.careplan_create(actor=case_manager, client=client_record)
    assert (plan.version, plan.status, plan.author) == (1, PlanStatus.DRAFT, case_manager)
    assert plan.effective_date == timezone.localdate()
    assert AuditEvent.objects.filter(action="create", object_id=str(plan.pk)).exists()
    assert TimelineEntry.objects.filter(client=client_record, kind="careplan").exists()


def test_drafting_from_findings_turns_needs_into_problems_and_keeps_stages(
    dual_client, case_manager, findings
):
    plan = services.careplan_create(actor=case_manager, client=dual_client, findings=findings)
    problems = list(plan.problems.order_by("order"))
    assert [p.domain for p in problems] == ["mental_health", "substance_use", "housing"]
    assert problems[0].concerns_mental_health and problems[1].concerns_substance_use
    assert plan.stage_mental_health == "Contemplation"
    assert plan.stage_substance_use == "precontemplation"
    assert plan.source_assessment_id == 41


def test_a_second_draft_while_one_is_open_is_refused(client_record, case_manager):
    services.careplan_create(actor=case_manager, client=client_record)
    with pytest.raises(Conflict, match="still draft"):
        services.careplan_create(actor=case_manager, client=client_record)
    assert CarePlan.objects.filter(client=client_record).count() == 1


def test_goal_target_before_plan_start_is_rejected_and_nothing_saved(client_record, case_manager):
    plan = services.careplan_create(actor=case_manager, client=client_record)
    problem = services.problem_add(
        actor=case_manager, plan=plan, domain=Domain.HOUSING, description="No home"
    )
    with pytest.raises(ValidationError) as error:
        services.goal_add(
            actor=case_manager,
            problem=problem,
            text="Get my own place",
            goal_type=GoalType.FUNCTIONAL,
            target_date=plan.effective_date - timedelta(days=1),
        )
    assert "target_date" in error.value.message_dict
    assert not plan.goals.exists()


def test_bad_problem_input_names_the_fields(client_record, case_manager):
    plan = services.careplan_create(actor=case_manager, client=client_record)
    with pytest.raises(ValidationError) as error:
        services.problem_add(actor=case_manager, plan=plan, domain="space", description=" ")
    assert set(error.value.message_dict) == {"domain", "description"}


def test_integration_rule_blocks_submit_without_both_disorders(dual_client, case_manager):
    plan = services.careplan_create(actor=case_manager, client=dual_client)
    add_goal(case_manager, plan, domain=Domain.MENTAL_HEALTH, mh=True)
    with pytest.raises(ValidationError) as error:
        services.careplan_submit(actor=case_manager, plan=plan)
    assert "integration_exception" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_integration_rule_is_met_by_a_recorded_reason(dual_client, case_manager, supervisor):
    plan = services.careplan_create(actor=case_manager, client=dual_client)
    add_goal(case_manager, plan, domain=Domain.MENTAL_HEALTH, mh=True)
    services.careplan_update(
        actor=case_manager,
        plan=plan,
        data={"integration_exception": "Client declines substance-use goals for now."},
    )
    services.careplan_submit(actor=case_manager, plan=plan)
    assert Notification.objects.filter(recipient=supervisor, kind="approval").exists()


def test_integration_rule_does_not_apply_to_a_single_diagnosis(client_record, case_manager):
    plan = services.careplan_create(actor=case_manager, client=client_record)
    add_goal(case_manager, plan, domain=Domain.HOUSING)
    assert services.careplan_submit(actor=case_manager, plan=plan).status == "awaiting_approval"


def test_submitting_with_no_goal_is_refused(client_record, case_manager):
    plan = services.careplan_create(actor=case_manager, client=client_record)
    with pytest.raises(ValidationError) as error:
        services.careplan_submit(actor=case_manager, plan=plan)
    assert "goals" in error.value.message_dict


def test_a_signed_plan_is_locked(integrated_draft, case_manager):
    plan = integrated_draft
    services.careplan_sign(
        actor=case_manager,
        plan=plan,
        role="case_manager",
        typed_name="Cam Manager",
        method="screen",
    )
    with pytest.raises(Conflict, match="signed"):
        services.careplan_update(actor=case_manager, plan=plan, data={"preferences": "x"})
    with pytest.raises(Conflict):
        add_goal(case_manager, plan, domain=Domain.LEGAL)
    assert plan.goals.count() == 2


def test_the_client_signs_only_after_agreeing(integrated_draft, case_manager):
    with pytest.raises(Conflict, match="agrees"):
        services.careplan_sign(
            actor=case_manager, plan=integrated_draft, role="client", typed_name="R", method="paper"
        )
    services.careplan_update(
        actor=case_manager, plan=integrated_draft, data={"client_agrees": True}
    )
    signature = services.careplan_sign(
        actor=case_manager,
        plan=integrated_draft,
        role="client",
        typed_name="Rosa Delgado",
        method="paper",
    )
    assert signature.method == "paper"


def test_bad_signature_input_names_the_fields(integrated_draft, case_manager):
    with pytest.raises(ValidationError) as error:
        services.careplan_sign(
            actor=case_manager,
            plan=integrated_draft,
            role="case_manager",
            typed_name="",
            method="telepathy",
            signed_on=timezone.localdate() + timedelta(days=2),
        )
    assert set(error.value.message_dict) == {"typed_name", "method", "signed_on"}


def test_approval_activates_supersedes_and_notifies(
    integrated_draft, case_manager, supervisor, team
):
    TeamPlanCadence.objects.create(team=team, review_days=30)
    assert not integrated_draft.goals_cover_mental_health  # set on activation
    plan = approve(integrated_draft, case_manager, supervisor)
    assert plan.status == PlanStatus.ACTIVE and plan.approver == supervisor
    assert plan.review_due == timezone.localdate() + timedelta(days=30)
    plan.refresh_from_db()
    assert plan.goals_cover_mental_health and plan.goals_cover_substance_use
    assert Notification.objects.filter(recipient=case_manager, title__contains="approved").exists()

    draft = services.careplan_revise(actor=case_manager, plan=plan)
    assert (draft.version, draft.status, draft.previous_id) == (2, "draft", plan.pk)
    assert draft.goals.count() == 2
    assert {g.carried_from_id for g in draft.goals.all()} == set(
        plan.goals.values_list("pk", flat=True)
    )
    add_goal(case_manager, draft, domain=Domain.HOUSING, text="A room of my own")
    approve(draft, case_manager, supervisor)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert plan.goals.count() == 2  # the earlier version stays as it was


def test_review_due_defaults_to_90_days(integrated_draft, case_manager, supervisor):
    plan = approve(integrated_draft, case_manager, supervisor)
    assert plan.review_due == timezone.localdate() + timedelta(days=90)


def test_approving_your_own_plan_is_refused(integrated_draft, supervisor, case_manager):
    integrated_draft.author = supervisor
    integrated_draft.save(update_fields=["author"])
    services.careplan_submit(actor=case_manager, plan=integrated_draft)
    with pytest.raises(Conflict, match="another supervisor"):
        services.careplan_approve(actor=supervisor, plan=integrated_draft)
    integrated_draft.refresh_from_db()
    assert integrated_draft.status == PlanStatus.AWAITING_APPROVAL


def test_only_a_supervisor_approves(integrated_draft, case_manager, teammate):
    services.careplan_submit(actor=case_manager, plan=integrated_draft)
    with pytest.raises(PermissionDenied):
        services.careplan_approve(actor=teammate, plan=integrated_draft)


def test_return_needs_comments_voids_signatures_and_notifies(
    integrated_draft, case_manager, supervisor
):
    services.careplan_sign(
        actor=case_manager,
        plan=integrated_draft,
        role="case_manager",
        typed_name="C",
        method="screen",
    )
    services.careplan_submit(actor=case_manager, plan=integrated_draft)
    with pytest.raises(ValidationError) as error:
        services.careplan_return(actor=supervisor, plan=integrated_draft, comments=" ")
    assert "comments" in error.value.message_dict
    plan = services.careplan_return(
        actor=supervisor, plan=integrated_draft, comments="Add a housing goal."
    )
    assert plan.status == PlanStatus.DRAFT
    assert not services.careplan_is_signed(plan)
    assert plan.signatures.count() == 1  # kept, voided
    assert Notification.objects.filter(recipient=case_manager, title__contains="returned").exists()
    add_goal(case_manager, plan, domain=Domain.HOUSING)  # editable again


def test_editing_an_active_plan_is_refused(integrated_draft, case_manager, supervisor):
    plan = approve(integrated_draft, case_manager, supervisor)
    with pytest.raises(Conflict, match="active"):
        services.careplan_update(actor=case_manager, plan=plan, data={"preferences": "changed"})
    goal = plan.goals.first()
    with pytest.raises(Conflict):
        services.goal_update(actor=case_manager, goal=goal, data={"text": "changed"})
    goal.refresh_from_db()
    assert goal.text != "changed"


def test_close_needs_a_reason(integrated_draft, case_manager):
    with pytest.raises(ValidationError) as error:
        services.careplan_close(actor=case_manager, plan=integrated_draft, reason="")
    assert "reason" in error.value.message_dict
    plan = services.careplan_close(actor=case_manager, plan=integrated_draft, reason="Discharged")
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(Conflict):
        services.careplan_close(actor=case_manager, plan=plan, reason="again")


def test_review_records_progress_for_every_goal(integrated_draft, case_manager, supervisor):
    plan = approve(integrated_draft, case_manager, supervisor)
    goals = list(plan.goals.all())
    with pytest.raises(ValidationError) as error:
        services.review_record(
            actor=case_manager, plan=plan, note="ok", progress={goals[0].pk: Progress.IMPROVING}
        )
    assert "progress" in error.value.message_dict
    review = services.review_record(
        actor=case_manager,
        plan=plan,
        note="Sleeping better; still drinking most days.",
        progress={
            goals[0].pk: Progress.IMPROVING,
            goals[1].pk: {"progress": Progress.NO_CHANGE, "comment": "ambivalent"},
        },
    )
    assert review.progress.count() == 2
    plan.refresh_from_db()
    assert plan.review_due == timezone.localdate() + timedelta(days=90)


def test_a_draft_cannot_be_reviewed(integrated_draft, case_manager):
    with pytest.raises(Conflict):
        services.review_record(actor=case_manager, plan=integrated_draft, note="x", progress={})


SAFETY = {
    "warning_signs": "Not sleeping\nSkipping meals",
    "internal_coping": "Walk the dog",
    "social_distraction": "Library on Main St",
    "people_to_ask": "Sister Ana 555-0101",
    "professionals": "Dr Lee 555-0199",
    "environment_safe": "Pills kept by Ana",
    "reasons_for_living": "My daughter",
}


def test_safety_plan_saves_versions_with_988_by_default(client_record, case_manager):
    first = services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    assert "988" in first.crisis_lines
    second = services.safety_plan_save(
        actor=case_manager, client=client_record, values=SAFETY | {"internal_coping": "Music"}
    )
    first.refresh_from_db()
    assert first.superseded_at is not None and second.version == 2
    assert SafetyPlan.objects.filter(client=client_record).count() == 2


def test_safety_plan_bad_input_names_the_fields(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        services.safety_plan_save(
            actor=case_manager, client=client_record, values=SAFETY | {"warning_signs": ""}
        )
    assert set(error.value.message_dict) == {"warning_signs"}
    assert not SafetyPlan.objects.exists()


def test_relapse_plan_requires_every_part(client_record, case_manager):
    with pytest.raises(ValidationError) as error:
        services.relapse_plan_save(actor=case_manager, client=client_record, values={})
    assert "after_slip" in error.value.message_dict
    plan = services.relapse_plan_save(
        actor=case_manager,
        client=client_record,
        values={
            "triggers": "Payday",
            "warning_signs": "Skipping group",
            "coping": "Call sponsor",
            "supports": "Sponsor Jo",
            "after_slip": "Tell Jo, go to a meeting the next day",
        },
    )
    assert plan.version == 1 and RelapsePreventionPlan.objects.count() == 1


def test_goal_notes_link_only_this_clients_notes(integrated_draft, case_manager, team):
    goal = integrated_draft.goals.first()
    note = ContactNote.objects.create(
        client=integrated_draft.client,
        contact_at=timezone.now(),
        contact_type="phone",
        duration_minutes=10,
        data="d",
        assessment="a",
        plan="p",
        author=case_manager,
    )
    other = ContactNote.objects.create(
        client=ClientFactory(team=team),
        contact_at=timezone.now(),
        contact_type="phone",
        duration_minutes=10,
        data="d",
        assessment="a",
        plan="p",
        author=case_manager,
    )
    with pytest.raises(ValidationError) as error:
        services.goal_notes_link(actor=case_manager, goal=goal, note_ids=[other.pk])
    assert "notes" in error.value.message_dict
    services.goal_notes_link(actor=case_manager, goal=goal, note_ids=[note.pk])
    assert list(goal.notes.all()) == [note]
    assert list(note.careplan_goals.all()) == [goal]


# ------------------------------------------------ editing objectives and interventions
def test_objective_update_changes_the_fields_and_is_audited(integrated_draft, case_manager):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    target = integrated_draft.effective_date + timedelta(days=30)
    services.objective_update(
        actor=case_manager,
        objective=objective,
        data={"text": "  7 hours of sleep 5 nights a week ", "target_date": target},
    )
    objective.refresh_from_db()
    assert (objective.text, objective.target_date) == ("7 hours of sleep 5 nights a week", target)
    event = AuditEvent.objects.get(action="update", object_id=str(objective.pk))
    assert event.object_type == "careplans.objective"
    assert sorted(event.detail["fields"]) == ["target_date", "text"]
    assert event.client_id == integrated_draft.client_id


def test_objective_bad_input_names_the_fields_and_saves_nothing(integrated_draft, case_manager):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    with pytest.raises(ValidationError) as error:
        services.objective_update(
            actor=case_manager,
            objective=objective,
            data={"text": " ", "target_date": integrated_draft.effective_date - timedelta(days=1)},
        )
    assert set(error.value.message_dict) == {"text", "target_date"}
    with pytest.raises(ValidationError) as error:
        services.objective_update(actor=case_manager, objective=objective, data={"goal": 1})
    assert set(error.value.message_dict) == {"goal"}
    objective.refresh_from_db()
    assert objective.text == "6+ hours of sleep 5 nights a week" and objective.target_date is None
    assert not AuditEvent.objects.filter(action="update", object_id=str(objective.pk)).exists()


def test_objective_remove_deletes_it_from_the_draft_and_audits(integrated_draft, case_manager):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    objective_id, goal_id = objective.pk, objective.goal_id
    services.objective_remove(actor=case_manager, objective=objective)
    assert not Objective.objects.filter(pk=objective_id).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(objective_id))
    assert event.object_type == "careplans.objective"
    assert event.detail == {"plan_id": integrated_draft.pk, "goal_id": goal_id}


def test_intervention_update_changes_who_how_often_and_dates(integrated_draft, case_manager):
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    start = integrated_draft.effective_date + timedelta(days=7)
    services.intervention_update(
        actor=case_manager,
        intervention=intervention,
        data={
            "category": "cbt",
            "frequency": "Every two weeks",
            "responsible": None,
            "start_date": start,
            "end_date": start + timedelta(days=60),
            "description": " Sleep hygiene module ",
        },
    )
    intervention.refresh_from_db()
    assert intervention.category == "cbt" and intervention.frequency == "Every two weeks"
    assert intervention.responsible is None and intervention.start_date == start
    assert intervention.description == "Sleep hygiene module"
    event = AuditEvent.objects.get(action="update", object_id=str(intervention.pk))
    assert set(event.detail["fields"]) == {
        "category",
        "frequency",
        "responsible",
        "start_date",
        "end_date",
        "description",
    }


def test_intervention_update_with_nothing_changed_writes_no_event(integrated_draft, case_manager):
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    services.intervention_update(
        actor=case_manager,
        intervention=intervention,
        data={"frequency": "Weekly", "responsible": intervention.responsible},
    )
    assert not AuditEvent.objects.filter(action="update", object_id=str(intervention.pk)).exists()


def test_intervention_bad_input_names_the_fields_and_saves_nothing(
    integrated_draft, case_manager, team
):
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    other_client = ClientFactory(team=team)
    stranger = CareTeamMember.objects.create(
        client=other_client, role="therapist", name="Someone Else", added_by=case_manager
    )
    start = integrated_draft.effective_date
    with pytest.raises(ValidationError) as error:
        services.intervention_update(
            actor=case_manager,
            intervention=intervention,
            data={
                "category": "astrology",
                "frequency": "",
                "responsible": stranger,
                "end_date": start - timedelta(days=1),
            },
        )
    assert set(error.value.message_dict) == {"category", "frequency", "responsible", "end_date"}
    with pytest.raises(ValidationError) as error:
        services.intervention_update(
            actor=case_manager,
            intervention=intervention,
            data={"start_date": start - timedelta(days=1)},
        )
    assert set(error.value.message_dict) == {"start_date"}
    intervention.refresh_from_db()
    assert intervention.category == "mi" and intervention.frequency == "Weekly"
    assert intervention.responsible.client_id == integrated_draft.client_id


def test_intervention_remove_deletes_it_from_the_draft_and_audits(integrated_draft, case_manager):
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    pk = intervention.pk
    services.intervention_remove(actor=case_manager, intervention=intervention)
    assert not Intervention.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="careplans.intervention", object_id=str(pk)
    ).exists()


def test_a_signed_draft_refuses_edits_and_removals_of_its_parts(integrated_draft, case_manager):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    services.careplan_sign(
        actor=case_manager,
        plan=integrated_draft,
        role="case_manager",
        typed_name="Cam",
        method="screen",
    )
    attempts = [
        lambda: services.objective_update(
            actor=case_manager, objective=objective, data={"text": "changed"}
        ),
        lambda: services.objective_remove(actor=case_manager, objective=objective),
        lambda: services.intervention_update(
            actor=case_manager, intervention=intervention, data={"frequency": "Daily"}
        ),
        lambda: services.intervention_remove(actor=case_manager, intervention=intervention),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="signed and is locked"):
            attempt()
    objective.refresh_from_db()
    intervention.refresh_from_db()
    assert objective.text != "changed" and intervention.frequency == "Weekly"
    assert not AuditEvent.objects.filter(
        action__in=["update", "delete"],
        object_type__in=["careplans.objective", "careplans.intervention"],
    ).exists()


def test_an_active_plan_refuses_edits_and_removals_and_a_revision_is_separate(
    integrated_draft, case_manager, supervisor
):
    plan = approve(integrated_draft, case_manager, supervisor)
    objective = Objective.objects.get(goal__plan=plan)
    with pytest.raises(Conflict, match="active"):
        services.objective_update(actor=case_manager, objective=objective, data={"text": "x"})
    with pytest.raises(Conflict, match="active"):
        services.objective_remove(actor=case_manager, objective=objective)
    # The next version's copy is editable; the active version keeps its own objective.
    draft = services.careplan_revise(actor=case_manager, plan=plan)
    copy = Objective.objects.get(goal__plan=draft)
    services.objective_remove(actor=case_manager, objective=copy)
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert not Objective.objects.filter(goal__plan=draft).exists()
