"""Writes for the parts of a care plan: problems (needs), goals, objectives and
interventions, while the plan is an unsigned draft; and linking contact notes to a goal
(any version). Rules shared with the plan are in ``plans``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Manager, Max

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from clients.models import CareTeamMember, ContactNote

from ..models import (
    CarePlan,
    Domain,
    Goal,
    GoalStatus,
    GoalType,
    Intervention,
    InterventionCategory,
    Objective,
    Problem,
)
from .plans import _changes_save, _editable_plan, _errors, _text, _unknown_fields

PROBLEM_FIELDS = ("domain", "description", "concerns_mental_health", "concerns_substance_use")
GOAL_FIELDS = ("text", "goal_type", "target_date", "status")
OBJECTIVE_FIELDS = ("text", "target_date")
INTERVENTION_FIELDS = (
    "category",
    "description",
    "responsible",
    "frequency",
    "start_date",
    "end_date",
)

Part = Problem | Goal | Objective | Intervention
P = TypeVar("P", Problem, Goal, Objective, Intervention)
Check = Callable[[CarePlan, dict[str, Any]], dict[str, Any]]


def _part_update(
    *,
    actor: User,
    part: Part,
    plan: CarePlan,
    fields: tuple[str, ...],
    data: dict[str, Any],
    check: Check,
    expected_version: int | None,
    what: str,
) -> None:
    """Change some of ``fields`` of a part of an unsigned draft: ``data`` over the part's
    current values, checked as a whole by ``check``; only what changed is saved and
    audited. With ``expected_version`` (the part's ``edit_version`` the editor loaded), a
    save over a newer one is refused with ``Conflict`` naming who changed what."""
    plan = _editable_plan(plan)  # the plan's lock: edits of its parts take turns
    _unknown_fields(data, fields)
    part.refresh_from_db(fields=[*fields, "edit_version"])
    values = check(plan, {f: getattr(part, f) for f in fields} | dict(data))
    _changes_save(
        actor=actor,
        obj=part,
        values=values,
        client_id=plan.client_id,
        expected_version=expected_version,
        what=what,
    )


def _part_create(*, actor: User, plan: CarePlan, part: P) -> P:
    """Save a new part of ``plan`` (already checked) and audit it."""
    part.save(force_insert=True)
    audit_record(user=actor, action=AuditAction.CREATE, obj=part, client_id=plan.client_id)
    return part


def _part_remove(*, actor: User, part: Objective | Intervention, plan: CarePlan) -> None:
    """Take an objective or intervention out of an unsigned draft (added by mistake, or
    no longer wanted). Nothing signed or approved is touched: earlier versions keep their
    own copies, and a locked plan refuses."""
    plan = _editable_plan(plan)
    audit_record(
        user=actor,
        action=AuditAction.DELETE,
        obj=part,
        client_id=plan.client_id,
        detail={"plan_id": plan.pk, "goal_id": part.goal_id},
    )
    part.delete()


def _problem_values(plan: CarePlan, values: dict[str, Any]) -> dict[str, Any]:
    """Checked values of a problem (``plan`` unused: every part's check takes it)."""
    errors: dict[str, list[str]] = {}
    if values.get("domain") not in Domain.values:
        errors["domain"] = ["Choose the domain of this need."]
    description = _text(values.get("description"), "description", "Describe the need.", errors)
    _errors(errors)
    return {
        "domain": values["domain"],
        "description": description,
        "concerns_mental_health": bool(values.get("concerns_mental_health")),
        "concerns_substance_use": bool(values.get("concerns_substance_use")),
    }


@transaction.atomic
def problem_add(
    *,
    actor: User,
    plan: CarePlan,
    domain: str,
    description: str,
    concerns_mental_health: bool = False,
    concerns_substance_use: bool = False,
) -> Problem:
    plan = _editable_plan(plan)
    values = _problem_values(
        plan,
        {
            "domain": domain,
            "description": description,
            "concerns_mental_health": concerns_mental_health,
            "concerns_substance_use": concerns_substance_use,
        },
    )
    order = plan.problems.count() + 1
    return _part_create(actor=actor, plan=plan, part=Problem(plan=plan, order=order, **values))


@transaction.atomic
def problem_update(
    *, actor: User, problem: Problem, data: dict[str, Any], expected_version: int | None = None
) -> Problem:
    _part_update(
        actor=actor,
        part=problem,
        plan=problem.plan,
        fields=PROBLEM_FIELDS,
        data=data,
        check=_problem_values,
        expected_version=expected_version,
        what="this need",
    )
    return problem


def _goal_values(plan: CarePlan, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    text = _text(values.get("text"), "text", "Write the goal, in the client's own words.", errors)
    if values.get("goal_type") not in GoalType.values:
        errors["goal_type"] = ["Choose the type of goal."]
    target = values.get("target_date")
    if not isinstance(target, date):
        errors["target_date"] = ["Enter a target date."]
    elif target < plan.effective_date:
        errors["target_date"] = [
            f"The target date cannot be before the plan starts ({plan.effective_date:%b %d, %Y})."
        ]
    status = values.get("status") or GoalStatus.OPEN
    if status not in GoalStatus.values:
        errors["status"] = ["Choose a status."]
    _errors(errors)
    return {"text": text, "goal_type": values["goal_type"], "target_date": target, "status": status}


@transaction.atomic
def goal_add(
    *,
    actor: User,
    problem: Problem,
    text: str,
    goal_type: str,
    target_date: date | None,
) -> Goal:
    plan = _editable_plan(problem.plan)
    values = _goal_values(plan, {"text": text, "goal_type": goal_type, "target_date": target_date})
    order = plan.goals.count() + 1
    goal = Goal(plan=plan, problem=problem, order=order, **values)
    return _part_create(actor=actor, plan=plan, part=goal)


@transaction.atomic
def goal_update(
    *, actor: User, goal: Goal, data: dict[str, Any], expected_version: int | None = None
) -> Goal:
    _part_update(
        actor=actor,
        part=goal,
        plan=goal.plan,
        fields=GOAL_FIELDS,
        data=data,
        check=_goal_values,
        expected_version=expected_version,
        what="this goal",
    )
    return goal


def _objective_values(plan: CarePlan, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    text = _text(values.get("text"), "text", "Write a measurable objective.", errors)
    target = values.get("target_date")
    if target is not None and not isinstance(target, date):
        errors["target_date"] = ["Enter a valid date, or leave it empty."]
    elif target is not None and target < plan.effective_date:
        errors["target_date"] = [
            f"The target date cannot be before the plan starts ({plan.effective_date:%b %d, %Y})."
        ]
    _errors(errors)
    return {"text": text, "target_date": target}


def _next_order(parts: Manager[Any]) -> int:
    """After the last one (a count would repeat an order once a part was removed)."""
    return (parts.aggregate(n=Max("order"))["n"] or 0) + 1


def _intervention_values(
    plan: CarePlan, values: dict[str, Any], *, named_id: int | None = None
) -> dict[str, Any]:
    """Checked values of an intervention. ``named_id``: the care-team member it names
    already (an edit may keep someone who has since left the team; a new name must be a
    current member)."""
    errors: dict[str, list[str]] = {}
    category = values.get("category")
    if category not in InterventionCategory.values:
        errors["category"] = ["Choose the kind of intervention."]
    frequency = _text(values.get("frequency"), "frequency", "Say how often (e.g. weekly).", errors)
    description = values.get("description")
    description = description.strip() if isinstance(description, str) else ""
    start_date = values.get("start_date") or plan.effective_date
    end_date = values.get("end_date")
    if not isinstance(start_date, date):
        errors["start_date"] = ["Enter a valid date, or leave it empty."]
    elif start_date < plan.effective_date:
        errors["start_date"] = ["The start cannot be before the plan starts."]
    if end_date is not None and not isinstance(end_date, date):
        errors["end_date"] = ["Enter a valid date, or leave it empty."]
    elif end_date is not None and isinstance(start_date, date) and end_date < start_date:
        errors["end_date"] = ["The end cannot be before the start."]
    responsible = values.get("responsible")
    if responsible is not None and (
        not isinstance(responsible, CareTeamMember) or responsible.client_id != plan.client_id
    ):
        errors["responsible"] = ["Choose someone on this client's care team."]
    elif responsible is not None and responsible.ended_on and responsible.pk != named_id:
        errors["responsible"] = ["This person has left the client's care team."]
    _errors(errors)
    return {
        "category": category,
        "description": description,
        "responsible": responsible,
        "frequency": frequency,
        "start_date": start_date,
        "end_date": end_date,
    }


@transaction.atomic
def objective_add(
    *, actor: User, goal: Goal, text: str, target_date: date | None = None
) -> Objective:
    plan = _editable_plan(goal.plan)
    values = _objective_values(plan, {"text": text, "target_date": target_date})
    objective = Objective(goal=goal, order=_next_order(goal.objectives), **values)
    return _part_create(actor=actor, plan=plan, part=objective)


@transaction.atomic
def objective_update(
    *,
    actor: User,
    objective: Objective,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Objective:
    """Change an objective's text or target date while its plan is an unsigned draft."""
    _part_update(
        actor=actor,
        part=objective,
        plan=objective.goal.plan,
        fields=OBJECTIVE_FIELDS,
        data=data,
        check=_objective_values,
        expected_version=expected_version,
        what="this objective",
    )
    return objective


@transaction.atomic
def objective_remove(*, actor: User, objective: Objective) -> None:
    """Take an objective out of an unsigned draft (see ``_part_remove``)."""
    _part_remove(actor=actor, part=objective, plan=objective.goal.plan)


@transaction.atomic
def intervention_add(
    *,
    actor: User,
    goal: Goal,
    category: str,
    frequency: str,
    start_date: date | None = None,
    end_date: date | None = None,
    description: str = "",
    responsible: CareTeamMember | None = None,
) -> Intervention:
    plan = _editable_plan(goal.plan)
    values = _intervention_values(
        plan,
        {
            "category": category,
            "description": description,
            "responsible": responsible,
            "frequency": frequency,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    intervention = Intervention(goal=goal, order=_next_order(goal.interventions), **values)
    return _part_create(actor=actor, plan=plan, part=intervention)


@transaction.atomic
def intervention_update(
    *,
    actor: User,
    intervention: Intervention,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Intervention:
    """Change an intervention (kind, what, who, how often, dates) while its plan is an
    unsigned draft. An empty start means the plan's start."""
    _part_update(
        actor=actor,
        part=intervention,
        plan=intervention.goal.plan,
        fields=INTERVENTION_FIELDS,
        data=data,
        check=functools.partial(_intervention_values, named_id=intervention.responsible_id),
        expected_version=expected_version,
        what="this intervention",
    )
    return intervention


@transaction.atomic
def intervention_remove(*, actor: User, intervention: Intervention) -> None:
    """Take an intervention out of an unsigned draft (see ``_part_remove``)."""
    _part_remove(actor=actor, part=intervention, plan=intervention.goal.plan)


@transaction.atomic
def goal_notes_link(*, actor: User, goal: Goal, note_ids: list[int]) -> Goal:
    """Name contact notes (of the same client) that addressed this goal. Allowed on any
    version: it records what happened, it does not change the plan."""
    notes = list(ContactNote.objects.filter(pk__in=note_ids, client_id=goal.plan.client_id))
    if not note_ids or len(notes) != len(set(note_ids)):
        raise ValidationError({"notes": ["Choose contact notes of this client."]})
    goal.notes.add(*notes)
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=goal,
        client_id=goal.plan.client_id,
        detail={"fields": ["notes"], "note_ids": sorted(n.pk for n in notes)},
    )
    return goal
