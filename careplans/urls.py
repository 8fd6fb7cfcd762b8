from django.urls import path

from .views import parts, plans, safety

app_name = "careplans"

P = "<int:pk>/plans/<int:plan_id>/"
G = P + "goals/<int:goal_id>/"

urlpatterns = [
    path("<int:pk>/", plans.client_plan, name="client_plan"),
    path("<int:pk>/new/", plans.plan_new, name="plan_new"),
    path("<int:pk>/compare/", plans.plan_diff, name="plan_diff"),
    path("<int:pk>/safety-plan/", safety.safety_plan, name="safety_plan"),
    path("<int:pk>/safety-plan/pdf/", safety.safety_plan_pdf, name="safety_plan_pdf"),
    path("<int:pk>/relapse-plan/", safety.relapse_plan, name="relapse_plan"),
    path("<int:pk>/relapse-plan/pdf/", safety.relapse_plan_pdf, name="relapse_plan_pdf"),
    path(P, plans.plan_detail, name="plan_detail"),
    path(P + "edit/", plans.plan_edit, name="plan_edit"),
    path(P + "needs/new/", parts.problem_new, name="problem_new"),
    path(P + "needs/<int:problem_id>/edit/", parts.problem_edit, name="problem_edit"),
    path(P + "goals/new/", parts.goal_new, name="goal_new"),
    path(G, parts.goal_detail, name="goal_detail"),
    path(G + "edit/", parts.goal_edit, name="goal_edit"),
    path(G + "objectives/new/", parts.objective_new, name="objective_new"),
    path(G + "objectives/<int:objective_id>/edit/", parts.objective_edit, name="objective_edit"),
    path(
        G + "objectives/<int:objective_id>/remove/",
        parts.objective_remove,
        name="objective_remove",
    ),
    path(G + "interventions/new/", parts.intervention_new, name="intervention_new"),
    path(
        G + "interventions/<int:intervention_id>/edit/",
        parts.intervention_edit,
        name="intervention_edit",
    ),
    path(
        G + "interventions/<int:intervention_id>/remove/",
        parts.intervention_remove,
        name="intervention_remove",
    ),
    path(P + "sign/", plans.plan_sign, name="plan_sign"),
    path(P + "submit/", plans.plan_submit, name="plan_submit"),
    path(P + "approve/", plans.plan_approve, name="plan_approve"),
    path(P + "return/", plans.plan_return, name="plan_return"),
    path(P + "revise/", plans.plan_revise, name="plan_revise"),
    path(P + "close/", plans.plan_close, name="plan_close"),
    path(P + "reviews/new/", plans.review_new, name="review_new"),
    path(P + "pdf/", safety.plan_pdf, name="plan_pdf"),
]
