"""Optimistic locking of care plans and their parts (issue 13, item 5): a save over
someone else's newer save is refused with who changed which fields, in the service, the
API (409, also when two PATCHes arrive at the same moment) and the browser (the typed
text stays in the form)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from careplans import services
from careplans.models import CarePlan, Goal, Intervention, Objective, Problem, SafetyPlan
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict
from tests.factories import ClientFactory


@pytest.mark.django_db
def test_a_stale_save_of_the_plan_names_who_changed_which_field(
    case_manager, supervisor, integrated_draft
):
    plan = integrated_draft
    services.careplan_update(
        actor=supervisor, plan=plan, data={"preferences": "Mornings only"}, expected_version=1
    )
    with pytest.raises(Conflict) as error:
        services.careplan_update(
            actor=case_manager,
            plan=CarePlan.objects.get(pk=plan.pk),
            data={"preferences": "Evenings", "what_matters": "My kids"},
            expected_version=1,
        )
    assert error.value.extra["changed_fields"] == ["preferences"]
    assert error.value.extra["edit_version"] == 2
    assert supervisor.display_name in error.value.message and "preferences" in error.value.message
    plan.refresh_from_db()
    assert (plan.preferences, plan.what_matters, plan.edit_version) == ("Mornings only", "", 2)
    # After review, a save with the version now loaded goes through.
    services.careplan_update(
        actor=case_manager, plan=plan, data={"preferences": "Evenings"}, expected_version=2
    )
    plan.refresh_from_db()
    assert (plan.preferences, plan.edit_version) == ("Evenings", 3)
    event = AuditEvent.objects.filter(object_type="careplans.careplan", action="update").first()
    assert event.detail == {"fields": ["preferences"], "edit_version": 3}


@pytest.mark.django_db
def test_no_expected_version_is_not_checked_and_a_no_change_save_keeps_the_version(
    case_manager, integrated_draft
):
    plan = integrated_draft
    services.careplan_update(actor=case_manager, plan=plan, data={"what_matters": "Work"})
    services.careplan_update(actor=case_manager, plan=plan, data={"what_matters": "Family"})
    services.careplan_update(
        actor=case_manager, plan=plan, data={"what_matters": "Family"}, expected_version=3
    )
    plan.refresh_from_db()
    assert (plan.what_matters, plan.edit_version) == ("Family", 3)


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["problem", "goal", "objective", "intervention"])
def test_a_stale_save_of_a_part_names_who_changed_which_field(
    case_manager, supervisor, integrated_draft, part
):
    plan = integrated_draft
    if part == "problem":
        obj = Problem.objects.filter(plan=plan).first()
        update, field, first, second = services.problem_update, "description", "A", "B"
    elif part == "goal":
        obj = Goal.objects.filter(plan=plan).first()
        update, field, first, second = services.goal_update, "text", "Sleep well", "Rest"
    elif part == "objective":
        obj = Objective.objects.get(goal__plan=plan)
        update, field, first, second = services.objective_update, "text", "7 hours", "8 hours"
    else:
        obj = Intervention.objects.get(goal__plan=plan)
        update, field, first, second = services.intervention_update, "frequency", "Daily", "Monthly"
    update(actor=supervisor, expected_version=1, data={field: first}, **{part: obj})
    stale = type(obj).objects.get(pk=obj.pk)
    stale.edit_version = 1  # what the second editor loaded
    with pytest.raises(Conflict) as error:
        update(actor=case_manager, expected_version=1, data={field: second}, **{part: stale})
    assert error.value.extra["changed_fields"] == [field]
    assert supervisor.display_name in error.value.message
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.edit_version) == (first, 2)


# ------------------------------------------------------------------------------- API
def _patch(user, plan_id, body, results, start):
    api = APIClient()
    api.force_login(user)
    try:
        start.wait(10)
        response = api.patch(f"/api/v1/careplans/{plan_id}/", body, format="json")
        results.append((user, response.status_code, response.json()))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_parallel_patches_of_the_same_plan_one_200_one_409_naming_field_and_person(
    case_manager, supervisor, team
):
    client = ClientFactory(team=team, primary_case_manager=case_manager)
    plan = services.careplan_create(actor=case_manager, client=client)
    loaded = APIClient()
    loaded.force_login(case_manager)
    version = loaded.get(f"/api/v1/careplans/{plan.pk}/").json()["edit_version"]
    assert version == 1
    results: list = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_patch,
            args=(user, plan.pk, {"what_matters": text, "edit_version": version}, results, start),
        )
        for user, text in ((case_manager, "Being a good dad"), (supervisor, "Keeping my job"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(code for _, code, _ in results) == [200, 409], results
    (winner, _, saved), (_, _, refused) = sorted(results, key=lambda r: r[1])
    assert refused["changed_fields"] == ["what_matters"]
    assert "what_matters" in refused["detail"] and winner.display_name in refused["detail"]
    assert refused["changes"][0]["by"] == winner.display_name
    assert refused["edit_version"] == 2 == saved["edit_version"]
    plan.refresh_from_db()
    assert plan.what_matters == saved["what_matters"]


@pytest.mark.django_db
def test_patch_with_a_stale_if_match_is_409_and_without_a_version_is_not_checked(
    api_as, case_manager, integrated_draft
):
    api = api_as(case_manager)
    url = f"/api/v1/careplans/{integrated_draft.pk}/"
    assert api.patch(url, {"preferences": "A"}, format="json").status_code == 200
    stale = api.patch(url, {"preferences": "B"}, format="json", headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["changed_fields"] == ["preferences"]
    fresh = api.patch(url, {"preferences": "B"}, format="json", headers={"If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.json()["edit_version"] == 3
    bad = api.patch(url, {"preferences": "C"}, format="json", headers={"If-Match": "*x"})
    assert bad.status_code == 400 and "edit_version" in bad.json()


@pytest.mark.django_db
def test_patch_of_a_goal_with_a_stale_edit_version_is_409(
    api_as, case_manager, supervisor, integrated_draft
):
    goal = Goal.objects.filter(plan=integrated_draft).first()
    url = f"/api/v1/careplan-goals/{goal.pk}/"
    assert api_as(supervisor).get(url).json()["edit_version"] == 1
    assert (
        api_as(supervisor).patch(url, {"text": "A", "edit_version": 1}, format="json").status_code
        == 200
    )
    stale = api_as(case_manager).patch(url, {"text": "B", "edit_version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["changed_fields"] == ["text"]
    assert supervisor.display_name in stale.json()["detail"]


# --------------------------------------------------------------------------- browser
@pytest.mark.django_db
def test_a_stale_form_post_shows_the_conflict_and_keeps_the_typed_text(
    browser_as, case_manager, supervisor, integrated_draft
):
    plan = integrated_draft
    url = reverse("careplans:plan_edit", args=[plan.client_id, plan.pk])
    web = browser_as(case_manager)
    page = web.get(url)
    assert 'name="edit_version" value="1"' in page.text
    services.careplan_update(
        actor=supervisor, plan=plan, data={"preferences": "Phone calls, not texts"}
    )
    typed = {
        "effective_date": plan.effective_date.isoformat(),
        "what_matters": "Getting my license back",
        "preferences": "Texts in the evening",
        "edit_version": "1",
    }
    response = web.post(url, typed)
    assert response.status_code == 200
    assert 'id="edit-conflict"' in response.text
    assert supervisor.display_name in response.text and "preferences" in response.text
    assert "Getting my license back" in response.text and "Texts in the evening" in response.text
    assert "Saved meanwhile by someone else: Phone calls, not texts" in response.text
    assert 'name="edit_version" value="2"' in response.text
    plan.refresh_from_db()
    assert (plan.preferences, plan.what_matters) == ("Phone calls, not texts", "")
    # Saving again after review keeps the user's text.
    again = web.post(url, typed | {"edit_version": "2"})
    assert again.status_code == 302
    plan.refresh_from_db()
    assert (plan.preferences, plan.what_matters) == (
        "Texts in the evening",
        "Getting my license back",
    )


@pytest.mark.django_db
def test_a_stale_goal_form_post_shows_the_conflict_and_keeps_the_typed_text(
    browser_as, case_manager, supervisor, integrated_draft
):
    plan = integrated_draft
    goal = Goal.objects.filter(plan=plan).first()
    url = reverse("careplans:goal_edit", args=[plan.client_id, plan.pk, goal.pk])
    services.goal_update(actor=supervisor, goal=goal, data={"text": "Sleep 7 hours"})
    response = browser_as(case_manager).post(
        url,
        {
            "text": "Fall asleep before midnight",
            "goal_type": goal.goal_type,
            "target_date": (plan.effective_date + timedelta(days=30)).isoformat(),
            "status": "open",
            "edit_version": "1",
        },
    )
    assert response.status_code == 200 and 'id="edit-conflict"' in response.text
    assert supervisor.display_name in response.text
    assert "Fall asleep before midnight" in response.text
    goal.refresh_from_db()
    assert goal.text == "Sleep 7 hours"


@pytest.mark.django_db
def test_an_edit_form_without_its_version_is_refused_not_saved_blind(
    browser_as, case_manager, integrated_draft
):
    plan = integrated_draft
    url = reverse("careplans:plan_edit", args=[plan.client_id, plan.pk])
    response = browser_as(case_manager).post(
        url, {"effective_date": plan.effective_date.isoformat(), "what_matters": "Blind"}
    )
    assert response.status_code == 200 and "out of date" in response.text
    assert "Blind" in response.text
    plan.refresh_from_db()
    assert plan.what_matters == ""


# ------------------------------------------------------------ safety and relapse plans
SAFETY = {
    "warning_signs": "Not sleeping",
    "internal_coping": "Walk the dog",
    "social_distraction": "Library",
    "people_to_ask": "Sister 555-0101",
    "professionals": "Dr Lee 555-0199",
    "environment_safe": "Pills kept by my sister",
}
RELAPSE = {
    "triggers": "Payday",
    "warning_signs": "Skipping meetings",
    "coping": "Call my sponsor",
    "supports": "Sponsor",
    "after_slip": "Tell my counsellor",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["safety", "relapse"])
def test_a_stale_safety_or_relapse_plan_save_names_who_changed_which_step(
    case_manager, supervisor, client_record, kind
):
    save = services.safety_plan_save if kind == "safety" else services.relapse_plan_save
    values = SAFETY if kind == "safety" else RELAPSE
    save(actor=case_manager, client=client_record, values=values, expected_version=0)
    save(
        actor=supervisor,
        client=client_record,
        values=values | {"warning_signs": "Giving things away"},
        expected_version=1,
    )
    with pytest.raises(Conflict) as error:
        save(
            actor=case_manager,
            client=client_record,
            values=values | {"coping" if kind == "relapse" else "professionals": "My brother"},
            expected_version=1,
        )
    assert error.value.extra["changed_fields"] == ["warning_signs"]
    assert error.value.extra["version"] == 2
    assert supervisor.display_name in error.value.message
    # A first plan written at the same time as someone else's first plan is refused too.
    with pytest.raises(Conflict):
        save(actor=case_manager, client=client_record, values=values, expected_version=0)
    assert (
        save(actor=case_manager, client=client_record, values=values, expected_version=2).version
        == 3
    )


@pytest.mark.django_db
def test_a_stale_safety_plan_form_post_shows_the_conflict_and_keeps_the_typed_text(
    browser_as, case_manager, supervisor, client_record
):
    services.safety_plan_save(actor=case_manager, client=client_record, values=SAFETY)
    url = reverse("careplans:safety_plan", args=[client_record.pk])
    web = browser_as(case_manager)
    assert 'name="version" value="1"' in web.get(url, {"edit": 1}).text
    services.safety_plan_save(
        actor=supervisor, client=client_record, values=SAFETY | {"people_to_ask": "Uncle Jo"}
    )
    typed = SAFETY | {"reasons_for_living": "My garden", "crisis_lines": "988", "version": "1"}
    response = web.post(url, typed)
    assert response.status_code == 200 and 'id="edit-conflict"' in response.text
    assert supervisor.display_name in response.text and "people_to_ask" in response.text
    assert "My garden" in response.text
    assert "Saved meanwhile by someone else: Uncle Jo" in response.text
    assert SafetyPlan.objects.filter(client=client_record).count() == 2


@pytest.mark.django_db
def test_api_safety_plan_with_a_stale_version_is_409(api_as, case_manager, client_record):
    api = api_as(case_manager)
    body = SAFETY | {"client": client_record.pk}
    assert (
        api.post("/api/v1/safety-plans/", body | {"version": 0}, format="json").status_code == 201
    )
    assert api.post("/api/v1/safety-plans/", body, format="json").status_code == 201  # unchecked
    stale = api.post("/api/v1/safety-plans/", body | {"version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 2
