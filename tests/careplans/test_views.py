"""Pages: the Care plan tab, drafting, building, signing, approving, PDFs, safety plan;
bad input shown next to the field; outsiders 404; flat query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans import services
from careplans.models import (
    CarePlan,
    Domain,
    Intervention,
    Objective,
    PlanStatus,
    SafetyPlan,
)
from casemgmt.audit.models import AuditEvent

from .conftest import add_goal, approve
from .test_services import SAFETY

pytestmark = pytest.mark.django_db


def test_tab_shows_empty_state_and_starts_a_blank_plan(browser_as, case_manager, client_record):
    web = browser_as(case_manager)
    page = web.get(reverse("careplans:client_plan", args=[client_record.pk]))
    assert page.status_code == 200 and "No care plan yet" in page.text
    assert "Start a blank plan" in page.text
    response = web.post(reverse("careplans:plan_new", args=[client_record.pk]), {"source": "blank"})
    plan = CarePlan.objects.get(client=client_record)
    assert response.url == reverse("careplans:plan_detail", args=[client_record.pk, plan.pk])


def test_plan_page_shows_goals_and_is_audited(browser_as, case_manager, integrated_draft):
    url = reverse("careplans:plan_detail", args=[integrated_draft.client_id, integrated_draft.pk])
    page = browser_as(case_manager).get(url)
    assert "Sleep through the night" in page.text and "Submit for approval" in page.text
    assert AuditEvent.objects.filter(
        action="view", object_type="careplans.careplan", object_id=str(integrated_draft.pk)
    ).exists()


def test_goal_form_shows_the_target_date_error_and_keeps_input(
    browser_as, case_manager, integrated_draft
):
    problem = integrated_draft.problems.first()
    url = reverse("careplans:goal_new", args=[integrated_draft.client_id, integrated_draft.pk])
    page = browser_as(case_manager).post(
        url,
        {
            "problem": problem.pk,
            "text": "Keep my flat",
            "goal_type": "functional",
            "target_date": (integrated_draft.effective_date - timedelta(days=1)).isoformat(),
        },
    )
    assert page.status_code == 200
    assert 'id="id_target_date_error"' in page.text and "before the plan starts" in page.text
    assert "Keep my flat" in page.text
    assert integrated_draft.goals.count() == 2


def test_goal_page_of_a_plan_without_needs_asks_for_a_need_first(
    browser_as, case_manager, client_record
):
    plan = services.careplan_create(actor=case_manager, client=client_record)
    url = reverse("careplans:goal_new", args=[client_record.pk, plan.pk])
    response = browser_as(case_manager).get(url)
    assert response.url == reverse("careplans:plan_detail", args=[client_record.pk, plan.pk])
    page = browser_as(case_manager).get(url, follow=True)
    assert "Add a need first" in page.text


def test_editing_a_goal_of_an_active_plan_goes_back_to_the_goal(
    browser_as, case_manager, supervisor, integrated_draft
):
    plan = approve(integrated_draft, case_manager, supervisor)
    goal = plan.goals.first()
    args = [plan.client_id, plan.pk, goal.pk]
    response = browser_as(case_manager).get(reverse("careplans:goal_edit", args=args))
    assert response.url == reverse("careplans:goal_detail", args=args)


def test_submit_without_integration_rule_shows_the_reason(browser_as, case_manager, dual_client):
    plan = services.careplan_create(actor=case_manager, client=dual_client)
    add_goal(case_manager, plan, domain=Domain.MENTAL_HEALTH, mh=True)
    web = browser_as(case_manager)
    url = reverse("careplans:plan_submit", args=[dual_client.pk, plan.pk])
    page = web.post(url, follow=True)
    assert "add a goal for each" in page.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_submit_and_approve_by_supervisor(browser_as, case_manager, supervisor, integrated_draft):
    args = [integrated_draft.client_id, integrated_draft.pk]
    browser_as(case_manager).post(reverse("careplans:plan_submit", args=args))
    page = browser_as(supervisor).get(reverse("careplans:plan_detail", args=args))
    assert ">Approve</button>" in page.text
    browser_as(supervisor).post(reverse("careplans:plan_approve", args=args))
    integrated_draft.refresh_from_db()
    assert integrated_draft.status == PlanStatus.ACTIVE


def test_editing_an_active_plan_redirects_with_the_reason(
    browser_as, case_manager, supervisor, integrated_draft
):
    plan = approve(integrated_draft, case_manager, supervisor)
    url = reverse("careplans:plan_edit", args=[plan.client_id, plan.pk])
    page = browser_as(case_manager).get(url, follow=True)
    assert "cannot be changed" in page.text
    response = browser_as(case_manager).post(
        url,
        {
            "effective_date": plan.effective_date.isoformat(),
            "preferences": "changed",
            "edit_version": plan.edit_version,
        },
    )
    assert "cannot be changed" in response.text
    plan.refresh_from_db()
    assert plan.preferences == ""


def test_sign_from_the_page(browser_as, case_manager, integrated_draft):
    args = [integrated_draft.client_id, integrated_draft.pk]
    browser_as(case_manager).post(
        reverse("careplans:plan_sign", args=args),
        {"role": "case_manager", "typed_name": "Cam", "method": "screen"},
    )
    assert services.careplan_is_signed(integrated_draft)


def test_pdf_page_returns_the_client_copy_and_audits(browser_as, case_manager, integrated_draft):
    url = reverse("careplans:plan_pdf", args=[integrated_draft.client_id, integrated_draft.pk])
    response = browser_as(case_manager).get(url, {"copy": "client"})
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="print").count() == 1


def test_safety_plan_page_saves_a_version_and_shows_errors(browser_as, case_manager, client_record):
    web = browser_as(case_manager)
    url = reverse("careplans:safety_plan", args=[client_record.pk])
    page = web.get(url)
    assert "988" in page.text
    bad = web.post(url, SAFETY | {"warning_signs": "", "crisis_lines": "988"})
    assert 'id="id_warning_signs_error"' in bad.text and not SafetyPlan.objects.exists()
    web.post(url, SAFETY | {"crisis_lines": "988", "version": 0})
    assert SafetyPlan.objects.get().version == 1
    assert "Walk the dog" in web.get(url).text


def test_diff_page(browser_as, case_manager, supervisor, integrated_draft):
    old = approve(integrated_draft, case_manager, supervisor)
    new = services.careplan_revise(actor=case_manager, plan=old)
    add_goal(case_manager, new, domain=Domain.HOUSING, text="A room of my own")
    page = browser_as(case_manager).get(
        reverse("careplans:plan_diff", args=[old.client_id]), {"from": 1, "to": 2}
    )
    assert "+ added:" in page.text and "A room of my own" in page.text


def test_goal_page_links_notes(browser_as, case_manager, integrated_draft):
    from clients.models import ContactNote

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
    goal = integrated_draft.goals.first()
    url = reverse(
        "careplans:goal_detail", args=[integrated_draft.client_id, integrated_draft.pk, goal.pk]
    )
    browser_as(case_manager).post(url, {"notes": [note.pk]})
    assert list(goal.notes.all()) == [note]
    assert reverse("clients:note_detail", args=[note.client_id, note.pk]) in (
        browser_as(case_manager).get(url).text
    )
    plan_page = browser_as(case_manager).get(
        reverse("careplans:plan_detail", args=[integrated_draft.client_id, integrated_draft.pk])
    )
    assert "Notes for this goal (1)" in plan_page.text


@pytest.mark.parametrize(
    "name,extra",
    [
        ("careplans:client_plan", []),
        ("careplans:safety_plan", []),
        ("careplans:relapse_plan", []),
        ("careplans:plan_diff", []),
        ("careplans:plan_detail", ["plan"]),
        ("careplans:plan_pdf", ["plan"]),
        ("careplans:plan_edit", ["plan"]),
    ],
)
def test_outsider_gets_404(browser_as, outsider, integrated_draft, name, extra):
    args = [integrated_draft.client_id] + [integrated_draft.pk for _ in extra]
    assert browser_as(outsider).get(reverse(name, args=args)).status_code == 404


def test_plan_page_query_count_is_flat(
    browser_as, case_manager, integrated_draft, django_assert_max_num_queries
):
    url = reverse("careplans:plan_detail", args=[integrated_draft.client_id, integrated_draft.pk])
    web = browser_as(case_manager)
    web.get(url)
    with django_assert_max_num_queries(40) as one:
        web.get(url)
    for i in range(12):
        goal = add_goal(case_manager, integrated_draft, domain=Domain.LEGAL, text=f"goal {i}")
        services.objective_add(actor=case_manager, goal=goal, text="measurable")
        services.intervention_add(actor=case_manager, goal=goal, category="cbt", frequency="Weekly")
    with django_assert_max_num_queries(40) as many:
        assert "goal 11" in web.get(url).text
    assert len(many.captured_queries) == len(one.captured_queries)


def test_review_page_records_progress_and_names_missing_goals(
    browser_as, case_manager, supervisor, integrated_draft
):
    plan = approve(integrated_draft, case_manager, supervisor)
    goals = list(plan.goals.all())
    url = reverse("careplans:review_new", args=[plan.client_id, plan.pk])
    web = browser_as(case_manager)
    assert "Progress: Sleep through the night" in web.get(url).text
    bad = web.post(url, {"note": "", f"progress_{goals[0].pk}": "improving"})
    assert 'id="id_note_error"' in bad.text and f'id="id_progress_{goals[1].pk}_error"' in bad.text
    web.post(
        url,
        {"note": "Better", **{f"progress_{g.pk}": "improving" for g in goals}},
    )
    assert plan.reviews.get().progress.count() == 2
    assert (
        "Improving"
        in web.get(reverse("careplans:plan_detail", args=[plan.client_id, plan.pk])).text
    )


def test_relapse_plan_page(browser_as, case_manager, client_record):
    web = browser_as(case_manager)
    url = reverse("careplans:relapse_plan", args=[client_record.pk])
    values = {
        "triggers": "Payday",
        "warning_signs": "Skipping group",
        "coping": "Call Jo",
        "supports": "Jo",
        "after_slip": "",
        "version": 0,
    }
    assert 'id="id_after_slip_error"' in web.post(url, values).text
    web.post(url, values | {"after_slip": "Tell Jo the same day"})
    page = web.get(url)
    assert "Tell Jo the same day" in page.text and "Version 1" in page.text


def test_need_can_be_tagged_with_a_disorder(browser_as, case_manager, integrated_draft):
    problem = integrated_draft.problems.first()
    url = reverse(
        "careplans:problem_edit", args=[integrated_draft.client_id, integrated_draft.pk, problem.pk]
    )
    browser_as(case_manager).post(
        url,
        {
            "domain": problem.domain,
            "description": "Changed",
            "concerns_mental_health": "on",
            "concerns_substance_use": "on",
            "edit_version": problem.edit_version,
        },
    )
    problem.refresh_from_db()
    assert problem.description == "Changed" and problem.concerns_substance_use


def test_suicide_flag_without_safety_plan_prompts_one(browser_as, case_manager, client_record):
    client_record.risk_flags.create(kind="suicide_risk", reason="C-SSRS")
    web = browser_as(case_manager)
    page = web.get(reverse("careplans:client_plan", args=[client_record.pk]))
    assert 'id="safety-plan-prompt"' in page.text
    assert "No safety plan" in web.get(reverse("clients:detail", args=[client_record.pk])).text


def test_form_pages_that_show_the_plan_are_audited(browser_as, case_manager, integrated_draft):
    from django.urls import reverse

    from casemgmt.audit.models import AuditEvent

    plan = integrated_draft
    url = reverse("careplans:plan_edit", args=[plan.client_id, plan.pk])
    assert browser_as(case_manager).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_type="careplans.careplan", object_id=str(plan.pk)
    ).exists()


# ------------------------------------------------ editing objectives and interventions
def _part_url(name, plan, part):
    return reverse(name, args=[plan.client_id, plan.pk, part.goal_id, part.pk])


def test_plan_page_offers_edit_and_remove_with_a_confirmation(
    browser_as, case_manager, integrated_draft
):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    url = reverse("careplans:plan_detail", args=[integrated_draft.client_id, integrated_draft.pk])
    page = browser_as(case_manager).get(url).text
    assert _part_url("careplans:objective_edit", integrated_draft, objective) in page
    assert _part_url("careplans:intervention_edit", integrated_draft, intervention) in page
    assert _part_url("careplans:objective_remove", integrated_draft, objective) in page
    assert "Remove this objective from the draft?" in page
    assert "will be deleted from version 1 of the plan and cannot be brought back" in page


def test_a_locked_plan_page_offers_no_edit_or_remove(browser_as, case_manager, integrated_draft):
    services.careplan_sign(
        actor=case_manager,
        plan=integrated_draft,
        role="case_manager",
        typed_name="Cam",
        method="screen",
    )
    objective = Objective.objects.get(goal__plan=integrated_draft)
    url = reverse("careplans:plan_detail", args=[integrated_draft.client_id, integrated_draft.pk])
    page = browser_as(case_manager).get(url).text
    assert "6+ hours of sleep" in page
    assert _part_url("careplans:objective_edit", integrated_draft, objective) not in page
    assert "Remove this objective" not in page


def test_objective_edit_page_saves_and_audits(browser_as, case_manager, integrated_draft):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    url = _part_url("careplans:objective_edit", integrated_draft, objective)
    web = browser_as(case_manager)
    form = web.get(url)
    assert form.status_code == 200 and "6+ hours of sleep 5 nights a week" in form.text
    assert AuditEvent.objects.filter(
        action="view", object_type="careplans.careplan", object_id=str(integrated_draft.pk)
    ).exists()
    target = integrated_draft.effective_date + timedelta(days=20)
    response = web.post(
        url, {"text": "7 hours, 5 nights a week", "target_date": target, "edit_version": 1}
    )
    assert response.url == reverse(
        "careplans:plan_detail", args=[integrated_draft.client_id, integrated_draft.pk]
    )
    objective.refresh_from_db()
    assert (objective.text, objective.target_date) == ("7 hours, 5 nights a week", target)
    assert AuditEvent.objects.filter(action="update", object_id=str(objective.pk)).exists()


def test_objective_edit_shows_errors_next_to_the_field_and_keeps_input(
    browser_as, case_manager, integrated_draft
):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    url = _part_url("careplans:objective_edit", integrated_draft, objective)
    too_early = (integrated_draft.effective_date - timedelta(days=1)).isoformat()
    page = browser_as(case_manager).post(
        url, {"text": "Sleep 8 hours", "target_date": too_early, "edit_version": 1}
    )
    assert page.status_code == 200
    assert 'id="id_target_date_error"' in page.text and "before the plan starts" in page.text
    assert 'id="form-errors"' in page.text and "Sleep 8 hours" in page.text
    blank = browser_as(case_manager).post(url, {"text": " ", "target_date": "", "edit_version": 1})
    assert 'id="id_text_error"' in blank.text
    objective.refresh_from_db()
    assert objective.text == "6+ hours of sleep 5 nights a week"


def test_intervention_edit_page_saves_and_keeps_a_responsible_who_left(
    browser_as, case_manager, integrated_draft
):
    intervention = Intervention.objects.select_related("responsible").get(
        goal__plan=integrated_draft
    )
    member = intervention.responsible
    member.ended_on = timezone.localdate()
    member.save(update_fields=["ended_on"])
    url = _part_url("careplans:intervention_edit", integrated_draft, intervention)
    web = browser_as(case_manager)
    form = web.get(url)
    assert f'<option value="{member.pk}" selected>' in form.text
    response = web.post(
        url,
        {
            "category": "mi",
            "description": "",
            "responsible": member.pk,
            "frequency": "Twice a week",
            "start_date": "",
            "end_date": "",
            "edit_version": intervention.edit_version,
        },
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.frequency == "Twice a week" and intervention.responsible_id == member.pk


def test_intervention_edit_shows_errors_next_to_the_fields(
    browser_as, case_manager, integrated_draft
):
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    url = _part_url("careplans:intervention_edit", integrated_draft, intervention)
    start = integrated_draft.effective_date
    page = browser_as(case_manager).post(
        url,
        {
            "category": "mi",
            "frequency": "Weekly",
            "start_date": (start + timedelta(days=10)).isoformat(),
            "end_date": (start + timedelta(days=5)).isoformat(),
            "edit_version": intervention.edit_version,
        },
    )
    assert 'id="id_end_date_error"' in page.text and "before the start" in page.text
    assert page.text.count('aria-invalid="true"') == 1
    intervention.refresh_from_db()
    assert intervention.end_date is None


def test_remove_objective_and_intervention_from_the_page(
    browser_as, case_manager, integrated_draft
):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    web = browser_as(case_manager)
    page = web.post(
        _part_url("careplans:objective_remove", integrated_draft, objective), follow=True
    )
    assert "Objective removed from this draft." in page.text
    assert "6+ hours of sleep" not in page.text
    page = web.post(
        _part_url("careplans:intervention_remove", integrated_draft, intervention), follow=True
    )
    assert "Intervention removed from this draft." in page.text
    assert not Objective.objects.filter(goal__plan=integrated_draft).exists()
    assert not Intervention.objects.filter(goal__plan=integrated_draft).exists()
    assert (
        web.get(_part_url("careplans:objective_remove", integrated_draft, objective)).status_code
        == 405
    )


def test_editing_or_removing_on_an_active_plan_is_refused_with_the_reason(
    browser_as, case_manager, supervisor, integrated_draft
):
    plan = approve(integrated_draft, case_manager, supervisor)
    objective = Objective.objects.get(goal__plan=plan)
    web = browser_as(case_manager)
    page = web.get(_part_url("careplans:objective_edit", plan, objective), follow=True)
    assert "cannot be changed" in page.text
    posted = web.post(
        _part_url("careplans:objective_edit", plan, objective),
        {"text": "changed", "edit_version": objective.edit_version},
    )
    assert posted.status_code == 200 and "cannot be changed" in posted.text
    removed = web.post(_part_url("careplans:objective_remove", plan, objective), follow=True)
    assert "cannot be changed" in removed.text
    objective.refresh_from_db()
    assert objective.text == "6+ hours of sleep 5 nights a week"


@pytest.mark.parametrize(
    "name,model",
    [
        ("careplans:objective_edit", "objective"),
        ("careplans:objective_remove", "objective"),
        ("careplans:intervention_edit", "intervention"),
        ("careplans:intervention_remove", "intervention"),
    ],
)
def test_another_teams_objectives_and_interventions_are_404(
    browser_as, outsider, integrated_draft, name, model
):
    part = (Objective if model == "objective" else Intervention).objects.get(
        goal__plan=integrated_draft
    )
    url = _part_url(name, integrated_draft, part)
    web = browser_as(outsider)
    if name.endswith("_edit"):
        assert web.get(url).status_code == 404
    assert web.post(url, {"text": "x", "category": "mi", "frequency": "x"}).status_code == 404
    assert (Objective if model == "objective" else Intervention).objects.filter(pk=part.pk).exists()


def test_a_part_of_another_goal_or_plan_is_404(browser_as, case_manager, integrated_draft):
    mh, su = integrated_draft.goals.order_by("order")
    objective = Objective.objects.get(goal=mh)
    wrong_goal = reverse(
        "careplans:objective_edit",
        args=[integrated_draft.client_id, integrated_draft.pk, su.pk, objective.pk],
    )
    assert browser_as(case_manager).get(wrong_goal).status_code == 404
