"""Pages of a care plan's parts: adding and editing needs and goals, adding, editing and
removing objectives and interventions while the plan is an unsigned draft, and a goal
with the contact notes that addressed it (linked on any version)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, service_error_text
from clients.chart import chart_context
from clients.models import ContactNote
from clients.services import client_read_audit

from .. import services
from ..forms import (
    GoalEditForm,
    GoalForm,
    InterventionForm,
    LinkNotesForm,
    ObjectiveForm,
    ProblemForm,
)
from ..models import CarePlan, Goal, PlanStatus
from .plans import _form_page, _plan, _refuse_if_locked


@login_required
def problem_new(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_add(actor=request.user, plan=plan, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Need added.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(request, client, plan, form=form, title="Add a need", submit="Add need")


@login_required
def problem_edit(request, pk: int, plan_id: int, problem_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    problem = next((p for p in plan.problems.all() if p.pk == problem_id), None)
    if problem is None:
        raise Http404("No such need")
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    fields = ("domain", "description", "concerns_mental_health", "concerns_substance_use")
    form = ProblemForm(request.POST or None, initial={f: getattr(problem, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(
                actor=request.user, problem=problem, data=dict(form.cleaned_data)
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Need saved.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(request, client, plan, form=form, title="Edit need")


@login_required
def goal_new(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    initial = {"problem": request.GET.get("problem")}
    form = GoalForm(request.POST or None, plan=plan, initial=initial)
    if not form.fields["problem"].choices:
        messages.error(request, "Add a need first: every goal answers a need.")
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        problem = plan.problems.get(pk=values.pop("problem"))
        try:
            services.goal_add(actor=request.user, problem=problem, **values)
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Goal added.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title="Add a goal",
        intro="Write the goal as the client says it.",
        submit="Add goal",
    )


def _goal(plan: CarePlan, goal_id: int) -> Goal:
    for goal in plan.goals.all():
        if goal.pk == goal_id:
            return goal
    raise Http404("No such goal")


@login_required
def goal_edit(request, pk: int, plan_id: int, goal_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:goal_detail", pk=client.pk, plan_id=plan.pk, goal_id=goal.pk)
    initial = {f: getattr(goal, f) for f in ("text", "goal_type", "target_date", "status")}
    form = GoalEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(actor=request.user, goal=goal, data=dict(form.cleaned_data))
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Goal saved.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(request, client, plan, form=form, title="Edit goal")


@login_required
def goal_detail(request, pk: int, plan_id: int, goal_id: int):
    """A goal with its objectives, interventions and the contact notes that addressed it;
    notes can be linked here on any version."""
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    client_read_audit(user=request.user, client=client, obj=goal)
    linked = list(goal.notes.order_by("-contact_at"))
    linked_ids = {n.pk for n in linked}
    choices = [
        (n.pk, f"{timezone.localtime(n.contact_at):%b %d, %Y} — {n.get_contact_type_display()}")
        for n in ContactNote.objects.filter(client=client).order_by("-contact_at")[:50]
        if n.pk not in linked_ids
    ]
    form = LinkNotesForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_notes_link(
                actor=request.user, goal=goal, note_ids=[int(i) for i in form.cleaned_data["notes"]]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Notes linked to the goal.")
            return redirect("careplans:goal_detail", pk=client.pk, plan_id=plan.pk, goal_id=goal.pk)
    context = chart_context(
        request,
        client,
        "careplan",
        plan=plan,
        goal=goal,
        linked=linked,
        form=form,
        editable=plan.status == PlanStatus.DRAFT and not plan.active_signatures,
    )
    return render(request, "careplans/goal_detail.html", context)


@login_required
def objective_new(request, pk: int, plan_id: int, goal_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_add(actor=request.user, goal=goal, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Objective added.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title=f"Add an objective to “{goal.text[:60]}”",
        submit="Add objective",
    )


@login_required
def intervention_new(request, pk: int, plan_id: int, goal_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    initial = {"category": request.GET.get("category", "")}
    form = InterventionForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_add(actor=request.user, goal=goal, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Intervention added.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title=f"Add an intervention to “{goal.text[:60]}”",
        submit="Add intervention",
    )


def _part(items, part_id: int, what: str):
    """An objective or intervention of the goal (already prefetched), else 404."""
    for item in items:
        if item.pk == part_id:
            return item
    raise Http404(f"No such {what}")


@login_required
def objective_edit(request, pk: int, plan_id: int, goal_id: int, objective_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    objective = _part(goal.objectives.all(), objective_id, "objective")
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    initial = {"text": objective.text, "target_date": objective.target_date}
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(
                actor=request.user, objective=objective, data=dict(form.cleaned_data)
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Objective saved.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title=f"Edit an objective of “{goal.text[:60]}”",
        submit="Save objective",
    )


@login_required
@require_POST
def objective_remove(request, pk: int, plan_id: int, goal_id: int, objective_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    objective = _part(_goal(plan, goal_id).objectives.all(), objective_id, "objective")
    try:
        services.objective_remove(actor=request.user, objective=objective)
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Objective removed from this draft.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
def intervention_edit(request, pk: int, plan_id: int, goal_id: int, intervention_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    intervention = _part(goal.interventions.all(), intervention_id, "intervention")
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    fields = ("category", "description", "frequency", "start_date", "end_date")
    initial = {f: getattr(intervention, f) for f in fields}
    initial["responsible"] = intervention.responsible_id
    form = InterventionForm(
        request.POST or None,
        client=client,
        current_responsible_id=intervention.responsible_id,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_update(
                actor=request.user, intervention=intervention, data=dict(form.cleaned_data)
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Intervention saved.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title=f"Edit an intervention for “{goal.text[:60]}”",
        submit="Save intervention",
    )


@login_required
@require_POST
def intervention_remove(request, pk: int, plan_id: int, goal_id: int, intervention_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    intervention = _part(goal.interventions.all(), intervention_id, "intervention")
    try:
        services.intervention_remove(actor=request.user, intervention=intervention)
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Intervention removed from this draft.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
