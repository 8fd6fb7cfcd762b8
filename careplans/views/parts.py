"""Pages of a care plan's parts: adding and editing needs and goals, adding, editing and
removing objectives and interventions while the plan is an unsigned draft, and a goal
with the contact notes that addressed it (linked on any version). Every form goes
through ``plans._edit_page``, every removal through ``plans._action``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.lib.forms import StyledForm, form_add_service_error, versioned_values
from clients.chart import chart_context
from clients.models import Client, ContactNote
from clients.services import client_read_audit

from .. import services
from ..forms import (
    GoalEditForm,
    GoalForm,
    InterventionEditForm,
    InterventionForm,
    LinkNotesForm,
    ObjectiveEditForm,
    ObjectiveForm,
    ProblemEditForm,
    ProblemForm,
)
from ..models import CarePlan, Goal
from .plans import _action, _edit_page, _plan


def _goal(plan: CarePlan, goal_id: int) -> Goal:
    for goal in plan.goals.all():
        if goal.pk == goal_id:
            return goal
    raise Http404("No such goal")


def _part(items: Iterable[Model], part_id: int, what: str):
    """A need, objective or intervention of the plan or goal (already prefetched), else 404."""
    for item in items:
        if item.pk == part_id:
            return item
    raise Http404(f"No such {what}")


def _part_edit(
    request,
    client: Client,
    plan: CarePlan,
    part: Model,
    *,
    form_class: type[StyledForm],
    update: Callable[..., object],
    saved: str,
    title: str,
    submit: str = "Save",
    locked_to: str = "",
    form_kwargs: dict[str, Any] | None = None,
):
    """The edit page of a part: its form starts from the part's values (a foreign key as
    its id, and the ``edit_version`` loaded) and ``update(actor=..., data=...,
    expected_version=...)`` saves what changed, unless someone else saved it meanwhile."""
    initial = {f: part.serializable_value(f) for f in form_class.base_fields}
    return _edit_page(
        request,
        client,
        plan,
        form=lambda data: form_class(data, initial=initial, **(form_kwargs or {})),
        save=lambda form: update(actor=request.user, **versioned_values(form)),
        saved=saved,
        title=title,
        submit=submit,
        locked_to=locked_to,
        current=lambda: type(part)._default_manager.get(pk=part.pk),
    )


# ------------------------------------------------------------------------------- needs
@login_required
def problem_new(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    return _edit_page(
        request,
        client,
        plan,
        form=ProblemForm,
        save=lambda form: services.problem_add(actor=request.user, plan=plan, **form.cleaned_data),
        saved="Need added.",
        title="Add a need",
        submit="Add need",
    )


@login_required
def problem_edit(request, pk: int, plan_id: int, problem_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    problem = _part(plan.problems.all(), problem_id, "need")
    return _part_edit(
        request,
        client,
        plan,
        problem,
        form_class=ProblemEditForm,
        update=functools.partial(services.problem_update, problem=problem),
        saved="Need saved.",
        title="Edit need",
    )


# ------------------------------------------------------------------------------- goals
@login_required
def goal_new(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)

    def add(form):
        values = dict(form.cleaned_data)
        problem = plan.problems.get(pk=values.pop("problem"))
        return services.goal_add(actor=request.user, problem=problem, **values)

    return _edit_page(
        request,
        client,
        plan,
        form=lambda data: GoalForm(
            data, plan=plan, initial={"problem": request.GET.get("problem")}
        ),
        save=add,
        saved="Goal added.",
        title="Add a goal",
        intro="Write the goal as the client says it.",
        submit="Add goal",
        unavailable="" if plan.problems.all() else "Add a need first: every goal answers a need.",
    )


@login_required
def goal_edit(request, pk: int, plan_id: int, goal_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    return _part_edit(
        request,
        client,
        plan,
        goal,
        form_class=GoalEditForm,
        update=functools.partial(services.goal_update, goal=goal),
        saved="Goal saved.",
        title="Edit goal",
        locked_to=reverse("careplans:goal_detail", args=[client.pk, plan.pk, goal.pk]),
    )


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
        editable=services.careplan_is_editable(plan),
    )
    return render(request, "careplans/goal_detail.html", context)


# ---------------------------------------------------------- objectives and interventions
@login_required
def objective_new(request, pk: int, plan_id: int, goal_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    return _edit_page(
        request,
        client,
        plan,
        form=ObjectiveForm,
        save=lambda form: services.objective_add(
            actor=request.user, goal=goal, **form.cleaned_data
        ),
        saved="Objective added.",
        title=f"Add an objective to “{goal.text[:60]}”",
        submit="Add objective",
    )


@login_required
def objective_edit(request, pk: int, plan_id: int, goal_id: int, objective_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    objective = _part(goal.objectives.all(), objective_id, "objective")
    return _part_edit(
        request,
        client,
        plan,
        objective,
        form_class=ObjectiveEditForm,
        update=functools.partial(services.objective_update, objective=objective),
        saved="Objective saved.",
        title=f"Edit an objective of “{goal.text[:60]}”",
        submit="Save objective",
    )


@login_required
@require_POST
def objective_remove(request, pk: int, plan_id: int, goal_id: int, objective_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    objective = _part(_goal(plan, goal_id).objectives.all(), objective_id, "objective")
    return _action(
        request,
        client,
        plan,
        lambda: services.objective_remove(actor=request.user, objective=objective),
        "Objective removed from this draft.",
    )


@login_required
def intervention_new(request, pk: int, plan_id: int, goal_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    initial = {"category": request.GET.get("category", "")}
    return _edit_page(
        request,
        client,
        plan,
        form=lambda data: InterventionForm(data, client=client, initial=initial),
        save=lambda form: services.intervention_add(
            actor=request.user, goal=goal, **form.cleaned_data
        ),
        saved="Intervention added.",
        title=f"Add an intervention to “{goal.text[:60]}”",
        submit="Add intervention",
    )


@login_required
def intervention_edit(request, pk: int, plan_id: int, goal_id: int, intervention_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    goal = _goal(plan, goal_id)
    intervention = _part(goal.interventions.all(), intervention_id, "intervention")
    return _part_edit(
        request,
        client,
        plan,
        intervention,
        form_class=InterventionEditForm,
        update=functools.partial(services.intervention_update, intervention=intervention),
        saved="Intervention saved.",
        title=f"Edit an intervention for “{goal.text[:60]}”",
        submit="Save intervention",
        form_kwargs={"client": client, "current_responsible_id": intervention.responsible_id},
    )


@login_required
@require_POST
def intervention_remove(request, pk: int, plan_id: int, goal_id: int, intervention_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    intervention = _part(_goal(plan, goal_id).interventions.all(), intervention_id, "intervention")
    return _action(
        request,
        client,
        plan,
        lambda: services.intervention_remove(actor=request.user, intervention=intervention),
        "Intervention removed from this draft.",
    )
