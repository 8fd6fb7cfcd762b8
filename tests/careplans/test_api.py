"""/api/v1/careplans/ and its parts: happy paths, bad input naming the field, 409 for a
locked or wrong-state plan, outsiders 404, flat query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from careplans import services
from careplans.models import CarePlan, Domain, Intervention, Objective, PlanStatus
from casemgmt.audit.models import AuditEvent
from clients.models import CareTeamMember
from tests.api_harness import get_as, schema_errors

from .conftest import add_goal, approve
from .test_services import SAFETY

pytestmark = pytest.mark.django_db
PLANS = "/api/v1/careplans/"


def plan_url(plan, verb=""):
    return f"{PLANS}{plan.pk}/" + (f"{verb}/" if verb else "")


def test_create_a_plan_and_build_it(api_as, case_manager, dual_client):
    api = api_as(case_manager)
    response = api.post(PLANS, {"client": dual_client.pk}, format="json")
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    assert response.json()["version"] == 1 and response.json()["status"] == "draft"

    problem = api.post(
        "/api/v1/careplan-problems/",
        {
            "plan": plan_id,
            "domain": "substance_use",
            "description": "Daily drinking",
            "concerns_substance_use": True,
        },
        format="json",
    )
    assert problem.status_code == 201, problem.json()
    target = (timezone.localdate() + timedelta(days=30)).isoformat()
    goal = api.post(
        "/api/v1/careplan-goals/",
        {
            "problem": problem.json()["id"],
            "text": "Only drink at weekends",
            "goal_type": "harm_reduction",
            "target_date": target,
        },
        format="json",
    )
    assert goal.status_code == 201, goal.json()
    goal_id = goal.json()["id"]
    member = CareTeamMember.objects.create(
        client=dual_client, role="therapist", user=case_manager, added_by=case_manager
    )
    assert (
        api.post(
            "/api/v1/careplan-objectives/",
            {"goal": goal_id, "text": "No more than 2 drinking days a week"},
            format="json",
        ).status_code
        == 201
    )
    intervention = api.post(
        "/api/v1/careplan-interventions/",
        {"goal": goal_id, "category": "mi", "frequency": "Weekly", "responsible": member.pk},
        format="json",
    )
    assert intervention.status_code == 201, intervention.json()
    body = api.get(f"{PLANS}{plan_id}/").json()
    assert body["goals"][0]["interventions"][0]["responsible_name"] == case_manager.display_name


def test_target_date_before_start_is_400_naming_the_field(api_as, case_manager, integrated_draft):
    problem = integrated_draft.problems.first()
    response = api_as(case_manager).post(
        "/api/v1/careplan-goals/",
        {
            "problem": problem.pk,
            "text": "x",
            "goal_type": "recovery",
            "target_date": (integrated_draft.effective_date - timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400 and "target_date" in response.json()
    assert integrated_draft.goals.count() == 2


def test_submit_without_the_integration_rule_is_400(api_as, case_manager, dual_client):
    plan = services.careplan_create(actor=case_manager, client=dual_client)
    add_goal(case_manager, plan, domain=Domain.MENTAL_HEALTH, mh=True)
    response = api_as(case_manager).post(plan_url(plan, "submit"))
    assert response.status_code == 400 and "integration_exception" in response.json()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_submit_approve_revise_close(api_as, case_manager, supervisor, integrated_draft):
    api = api_as(case_manager)
    assert api.post(plan_url(integrated_draft, "submit")).json()["status"] == "awaiting_approval"
    api = api_as(supervisor)
    approved = api.post(plan_url(integrated_draft, "approve"))
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    api = api_as(case_manager)
    revised = api.post(plan_url(integrated_draft, "revise"))
    assert revised.status_code == 201 and revised.json()["version"] == 2
    new = CarePlan.objects.get(pk=revised.json()["id"])
    closed = api.post(plan_url(new, "close"), {"reason": "Started again"}, format="json")
    assert closed.json()["status"] == "closed"


def test_approving_your_own_plan_is_409(api_as, supervisor, dual_client):
    plan = services.careplan_create(actor=supervisor, client=dual_client)
    add_goal(supervisor, plan, domain=Domain.MENTAL_HEALTH, mh=True)
    add_goal(supervisor, plan, domain=Domain.SUBSTANCE_USE, su=True)
    api = api_as(supervisor)
    api.post(plan_url(plan, "submit"))
    response = api.post(plan_url(plan, "approve"))
    assert response.status_code == 409 and "another supervisor" in response.json()["detail"]


def test_a_case_manager_cannot_approve(api_as, case_manager, teammate, integrated_draft):
    api_as(case_manager).post(plan_url(integrated_draft, "submit"))
    assert api_as(teammate).post(plan_url(integrated_draft, "approve")).status_code == 403


def test_return_needs_comments(api_as, case_manager, supervisor, integrated_draft):
    api_as(case_manager).post(plan_url(integrated_draft, "submit"))
    api = api_as(supervisor)
    bad = api.post(plan_url(integrated_draft, "return"), {"comments": ""}, format="json")
    assert bad.status_code == 400 and "comments" in bad.json()
    ok = api.post(plan_url(integrated_draft, "return"), {"comments": "More detail"}, format="json")
    assert ok.json()["status"] == "draft" and ok.json()["return_comments"] == "More detail"


def test_sign_locks_and_editing_is_409(api_as, case_manager, integrated_draft):
    api = api_as(case_manager)
    signed = api.post(
        plan_url(integrated_draft, "sign"),
        {"role": "case_manager", "typed_name": "Casey M", "method": "screen"},
        format="json",
    )
    assert signed.status_code == 200 and signed.json()["is_signed"]
    edit = api.patch(plan_url(integrated_draft), {"preferences": "x"}, format="json")
    assert edit.status_code == 409 and "locked" in edit.json()["detail"]


def test_sign_bad_input_names_the_field(api_as, case_manager, integrated_draft):
    response = api_as(case_manager).post(
        plan_url(integrated_draft, "sign"),
        {"role": "case_manager", "typed_name": "", "method": "screen"},
        format="json",
    )
    assert response.status_code == 400 and "typed_name" in response.json()


def test_editing_an_active_plan_is_409(api_as, case_manager, supervisor, integrated_draft):
    plan = approve(integrated_draft, case_manager, supervisor)
    goal = plan.goals.first()
    response = api_as(case_manager).patch(
        f"/api/v1/careplan-goals/{goal.pk}/", {"text": "changed"}, format="json"
    )
    assert response.status_code == 409


def test_reviews(api_as, case_manager, supervisor, integrated_draft):
    plan = approve(integrated_draft, case_manager, supervisor)
    goals = list(plan.goals.values_list("pk", flat=True))
    api = api_as(case_manager)
    bad = api.post(
        "/api/v1/careplan-reviews/",
        {"plan": plan.pk, "note": "", "progress": [{"goal": goals[0], "progress": "improving"}]},
        format="json",
    )
    assert bad.status_code == 400 and {"note", "progress"} <= set(bad.json())
    ok = api.post(
        "/api/v1/careplan-reviews/",
        {
            "plan": plan.pk,
            "note": "Going well",
            "progress": [{"goal": g, "progress": "achieved"} for g in goals],
        },
        format="json",
    )
    assert ok.status_code == 201 and len(ok.json()["progress"]) == 2


def test_safety_and_relapse_plans(api_as, case_manager, client_record):
    api = api_as(case_manager)
    response = api.post(
        "/api/v1/safety-plans/", SAFETY | {"client": client_record.pk}, format="json"
    )
    assert response.status_code == 201 and "988" in response.json()["crisis_lines"]
    bad = api.post("/api/v1/relapse-plans/", {"client": client_record.pk}, format="json")
    assert bad.status_code == 400 and "triggers" in bad.json()
    listed = api.get("/api/v1/safety-plans/", {"client": client_record.pk, "current": "true"})
    assert listed.json()["count"] == 1


def test_pdf_endpoint_returns_a_pdf_and_audits(api_as, case_manager, integrated_draft):
    api = api_as(case_manager)
    response = api.get(plan_url(integrated_draft, "pdf"), {"copy": "clinical"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="print", object_id=str(integrated_draft.pk)).exists()
    assert api.get(plan_url(integrated_draft, "pdf"), {"copy": "poster"}).status_code == 400


def test_outsider_gets_404_everywhere(api_as, outsider, integrated_draft, case_manager):
    api = api_as(outsider)
    goal = integrated_draft.goals.first()
    assert api.get(plan_url(integrated_draft)).status_code == 404
    assert api.post(plan_url(integrated_draft, "submit")).status_code == 404
    assert api.get(plan_url(integrated_draft, "pdf")).status_code == 404
    assert api.get(f"/api/v1/careplan-goals/{goal.pk}/").status_code == 404
    assert api.get(PLANS).json()["count"] == 0
    created = api.post(PLANS, {"client": integrated_draft.client_id}, format="json")
    assert created.status_code == 400 and "client" in created.json()
    problem = api.post(
        "/api/v1/careplan-problems/",
        {"plan": integrated_draft.pk, "domain": "legal", "description": "x"},
        format="json",
    )
    assert problem.status_code == 400 and "plan" in problem.json()


def test_list_query_count_is_flat(
    api_as, case_manager, team, supervisor, django_assert_max_num_queries
):
    from tests.factories import ClientFactory

    def make_plan(goals):
        client = ClientFactory(team=team, is_dual_diagnosis=True)
        plan = services.careplan_create(actor=case_manager, client=client)
        for i in range(goals):
            add_goal(case_manager, plan, domain=Domain.HOUSING, text=f"goal {i}")
        return plan

    api = api_as(case_manager)
    make_plan(1)
    with django_assert_max_num_queries(20) as one:
        assert api.get(PLANS).json()["count"] == 1
    for _ in range(5):
        make_plan(8)
    with django_assert_max_num_queries(20) as many:
        assert api.get(PLANS).json()["count"] == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_changes_between_versions(api_as, case_manager, supervisor, integrated_draft):
    old = approve(integrated_draft, case_manager, supervisor)
    new = services.careplan_revise(actor=case_manager, plan=old)
    add_goal(case_manager, new, domain=Domain.HOUSING, text="A room of my own")
    api = api_as(case_manager)
    body = api.get(plan_url(new, "changes")).json()
    assert {"change": "added", "line": "Need (Housing): Need in housing"} in body
    assert api.get(plan_url(new, "changes"), {"from": 7}).status_code == 400


def test_changes_answer_a_list_as_the_schema_says(case_manager, supervisor, integrated_draft):
    old = approve(integrated_draft, case_manager, supervisor)
    new = services.careplan_revise(actor=case_manager, plan=old)
    add_goal(case_manager, new, domain=Domain.HOUSING, text="A room of my own")
    response = get_as(case_manager, plan_url(new, "changes"))
    assert response.status_code == 200
    assert schema_errors("get", plan_url(new, "changes"), response) == []


# ------------------------------------------------ editing objectives and interventions
OBJECTIVES = "/api/v1/careplan-objectives/"
INTERVENTIONS = "/api/v1/careplan-interventions/"


def test_patch_and_delete_an_objective(api_as, case_manager, integrated_draft):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    api = api_as(case_manager)
    target = (integrated_draft.effective_date + timedelta(days=14)).isoformat()
    response = api.patch(
        f"{OBJECTIVES}{objective.pk}/",
        {"text": "Sleep 7 hours", "target_date": target},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["goal"]) == (objective.pk, objective.goal_id)
    assert (body["text"], body["target_date"]) == ("Sleep 7 hours", target)
    cleared = api.patch(f"{OBJECTIVES}{objective.pk}/", {"target_date": None}, format="json")
    assert cleared.json()["target_date"] is None and cleared.json()["text"] == "Sleep 7 hours"
    assert api.delete(f"{OBJECTIVES}{objective.pk}/").status_code == 204
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert api.get(f"{OBJECTIVES}{objective.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="delete", object_id=str(objective.pk)).exists()


def test_objective_bad_input_is_400_naming_the_field(api_as, case_manager, integrated_draft):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    api = api_as(case_manager)
    early = (integrated_draft.effective_date - timedelta(days=1)).isoformat()
    response = api.patch(f"{OBJECTIVES}{objective.pk}/", {"target_date": early}, format="json")
    assert (
        response.status_code == 400
        and "before the plan starts" in response.json()["target_date"][0]
    )
    blank = api.patch(f"{OBJECTIVES}{objective.pk}/", {"text": "  "}, format="json")
    assert blank.status_code == 400 and set(blank.json()) == {"text"}
    not_a_date = api.patch(f"{OBJECTIVES}{objective.pk}/", {"target_date": "soon"}, format="json")
    assert not_a_date.status_code == 400 and "target_date" in not_a_date.json()
    objective.refresh_from_db()
    assert objective.text == "6+ hours of sleep 5 nights a week"


def test_patch_and_delete_an_intervention(api_as, case_manager, integrated_draft):
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    api = api_as(case_manager)
    response = api.patch(
        f"{INTERVENTIONS}{intervention.pk}/",
        {"frequency": "Twice a week", "responsible": None, "category": "cbt"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["frequency"], body["responsible"], body["category"]) == (
        "Twice a week",
        None,
        "cbt",
    )
    member = CareTeamMember.objects.get(client=integrated_draft.client)
    again = api.patch(
        f"{INTERVENTIONS}{intervention.pk}/", {"responsible": member.pk}, format="json"
    )
    assert again.json()["responsible"] == member.pk
    assert api.delete(f"{INTERVENTIONS}{intervention.pk}/").status_code == 204
    assert not Intervention.objects.filter(pk=intervention.pk).exists()


def test_intervention_bad_input_is_400_naming_the_field(
    api_as, case_manager, integrated_draft, team
):
    from tests.factories import ClientFactory

    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    url = f"{INTERVENTIONS}{intervention.pk}/"
    api = api_as(case_manager)
    start = integrated_draft.effective_date
    bad_end = api.patch(url, {"end_date": (start - timedelta(days=1)).isoformat()}, format="json")
    assert bad_end.status_code == 400 and set(bad_end.json()) == {"end_date"}
    assert set(api.patch(url, {"frequency": ""}, format="json").json()) == {"frequency"}
    assert "category" in api.patch(url, {"category": "astrology"}, format="json").json()
    other = CareTeamMember.objects.create(
        client=ClientFactory(team=team), role="therapist", name="Else", added_by=case_manager
    )
    stranger = api.patch(url, {"responsible": other.pk}, format="json")
    assert stranger.status_code == 400 and "responsible" in stranger.json()
    intervention.refresh_from_db()
    assert intervention.frequency == "Weekly" and intervention.end_date is None


def test_a_locked_plan_is_409_with_the_reason(api_as, case_manager, integrated_draft):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    api = api_as(case_manager)
    api.post(
        plan_url(integrated_draft, "sign"),
        {"role": "case_manager", "typed_name": "Casey M", "method": "screen"},
        format="json",
    )
    for response in (
        api.patch(f"{OBJECTIVES}{objective.pk}/", {"text": "x"}, format="json"),
        api.delete(f"{OBJECTIVES}{objective.pk}/"),
        api.patch(f"{INTERVENTIONS}{intervention.pk}/", {"frequency": "Daily"}, format="json"),
        api.delete(f"{INTERVENTIONS}{intervention.pk}/"),
    ):
        assert response.status_code == 409
        assert "signed and is locked" in response.json()["detail"]
    assert Objective.objects.filter(pk=objective.pk, text__startswith="6+").exists()
    assert Intervention.objects.filter(pk=intervention.pk, frequency="Weekly").exists()


def test_an_active_plans_parts_are_409(api_as, case_manager, supervisor, integrated_draft):
    plan = approve(integrated_draft, case_manager, supervisor)
    objective = Objective.objects.get(goal__plan=plan)
    response = api_as(case_manager).delete(f"{OBJECTIVES}{objective.pk}/")
    assert response.status_code == 409 and "active" in response.json()["detail"]


def test_outsider_cannot_patch_or_delete_parts(api_as, outsider, integrated_draft):
    objective = Objective.objects.get(goal__plan=integrated_draft)
    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    api = api_as(outsider)
    assert (
        api.patch(f"{OBJECTIVES}{objective.pk}/", {"text": "x"}, format="json").status_code == 404
    )
    assert api.delete(f"{OBJECTIVES}{objective.pk}/").status_code == 404
    assert (
        api.patch(
            f"{INTERVENTIONS}{intervention.pk}/", {"frequency": "x"}, format="json"
        ).status_code
        == 404
    )
    assert api.delete(f"{INTERVENTIONS}{intervention.pk}/").status_code == 404
    assert Objective.objects.filter(pk=objective.pk, text__startswith="6+").exists()
    assert Intervention.objects.filter(pk=intervention.pk).exists()


def test_someone_who_left_the_care_team_cannot_be_newly_named(
    api_as, case_manager, integrated_draft
):
    """The rule the browser form applies holds in the service, so the API keeps it too:
    an intervention may keep a member who has since left, not gain one."""
    from django.utils import timezone

    intervention = Intervention.objects.get(goal__plan=integrated_draft)
    member = intervention.responsible
    member.ended_on = timezone.localdate()
    member.save(update_fields=["ended_on"])
    url = f"{INTERVENTIONS}{intervention.pk}/"
    api = api_as(case_manager)
    kept = api.patch(url, {"frequency": "Daily"}, format="json")
    assert kept.status_code == 200 and kept.json()["responsible"] == member.pk
    assert api.patch(url, {"responsible": None}, format="json").status_code == 200
    named = api.patch(url, {"responsible": member.pk}, format="json")
    assert named.status_code == 400 and "left" in named.json()["responsible"][0]
    created = api.post(
        INTERVENTIONS,
        {
            "goal": intervention.goal_id,
            "category": "mi",
            "frequency": "Weekly",
            "responsible": member.pk,
        },
        format="json",
    )
    assert created.status_code == 400 and set(created.json()) == {"responsible"}
