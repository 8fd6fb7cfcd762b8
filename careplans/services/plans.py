"""Writes for care plans: drafting (blank, from assessment findings, from the previous
active plan), editing a draft, signatures (which lock it), submit / approve / return,
revise (next version as a draft copy) and close.

Every write is one transaction, audited, and on the client timeline where it matters.
Bad input is ``ValidationError`` naming the field; a state that forbids the action is
``Conflict`` (409 in the API).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Manager, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.notifications.services import notification_create
from clients.models import CareTeamMember, Client, ContactNote
from clients.services import timeline_record

from ..models import (
    OPEN_STATUSES,
    CarePlan,
    Domain,
    Goal,
    GoalStatus,
    GoalType,
    Intervention,
    InterventionCategory,
    Objective,
    PlanSignature,
    PlanStatus,
    Problem,
    SignatureMethod,
    SignatureRole,
    TeamPlanCadence,
)

PLAN_FIELDS = (
    "effective_date",
    "what_matters",
    "preferences",
    "client_participated",
    "client_agrees",
    "integration_exception",
)


def plan_link(plan: CarePlan) -> str:
    return reverse("careplans:plan_detail", args=[plan.client_id, plan.pk])


def _today() -> date:
    return timezone.localdate()


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _locked_plan(plan: CarePlan) -> CarePlan:
    return (
        CarePlan.objects.select_for_update(of=("self",))
        .select_related("client", "client__team", "author")
        .get(pk=plan.pk)
    )


def careplan_is_signed(plan: CarePlan) -> bool:
    return plan.signatures.filter(voided_at__isnull=True).exists()


def _require_editable(plan: CarePlan, *, field: str | None = None) -> None:
    """Only an unsigned draft is edited; anything else is refused with the reason."""
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(
            f"This plan is {plan.get_status_display().lower()} (version {plan.version}) and "
            "cannot be changed. Revise it to start a new version.",
            field=field,
        )
    if careplan_is_signed(plan):
        raise Conflict(
            "This plan has been signed and is locked. Ask a supervisor to return it, or "
            "revise it once active, to make changes.",
            field=field,
        )


def review_days_for(client: Client) -> int:
    row = TeamPlanCadence.objects.filter(team_id=client.team_id).first()
    return row.review_days if row else TeamPlanCadence.DEFAULT_DAYS


# -------------------------------------------------------------------------- drafting
def _copy_plan_content(*, source: CarePlan, target: CarePlan) -> None:
    """Copy problems, open goals, objectives and interventions into ``target``."""
    goals_by_problem: dict[int, list[Goal]] = {}
    for goal in source.goals.prefetch_related("objectives", "interventions").order_by(
        "order", "id"
    ):
        goals_by_problem.setdefault(goal.problem_id, []).append(goal)
    for problem in source.problems.order_by("order", "id"):
        new_problem = Problem.objects.create(
            plan=target,
            domain=problem.domain,
            description=problem.description,
            concerns_mental_health=problem.concerns_mental_health,
            concerns_substance_use=problem.concerns_substance_use,
            order=problem.order,
        )
        for goal in goals_by_problem.get(problem.pk, []):
            new_goal = Goal.objects.create(
                plan=target,
                problem=new_problem,
                text=goal.text,
                goal_type=goal.goal_type,
                target_date=goal.target_date,
                status=goal.status,
                carried_from=goal,
                order=goal.order,
            )
            Objective.objects.bulk_create(
                Objective(goal=new_goal, text=o.text, target_date=o.target_date, order=o.order)
                for o in goal.objectives.all()
            )
            Intervention.objects.bulk_create(
                Intervention(
                    goal=new_goal,
                    category=i.category,
                    description=i.description,
                    responsible_id=i.responsible_id,
                    frequency=i.frequency,
                    start_date=i.start_date,
                    end_date=i.end_date,
                    order=i.order,
                )
                for i in goal.interventions.all()
            )
    for field in ("what_matters", "preferences", "stage_mental_health", "stage_substance_use"):
        setattr(target, field, getattr(source, field))


def _apply_findings(*, plan: CarePlan, findings: dict[str, Any]) -> int:
    """Needs become problems (skipping ones already there); stages are kept on the plan."""
    stages = findings.get("stages") or {}
    plan.stage_mental_health = (stages.get("mental_health") or "")[:40]
    plan.stage_substance_use = (stages.get("substance_use") or "")[:40]
    plan.source_assessment_id = findings.get("assessment_id")
    existing = {(p.domain, p.description.strip()) for p in plan.problems.all()}
    order = len(existing)
    added = 0
    for need in findings.get("needs") or []:
        domain = need.get("domain")
        description = (need.get("description") or "").strip()
        if domain not in Domain.values or not description or (domain, description) in existing:
            continue
        order += 1
        Problem.objects.create(
            plan=plan,
            domain=domain,
            description=description,
            concerns_mental_health=domain == Domain.MENTAL_HEALTH,
            concerns_substance_use=domain == Domain.SUBSTANCE_USE,
            order=order,
        )
        added += 1
    return added


@transaction.atomic
def careplan_create(
    *,
    actor: User,
    client: Client,
    findings: dict[str, Any] | None = None,
    effective_date: date | None = None,
) -> CarePlan:
    """Start the client's next plan as a draft: goals carried over from the active plan
    (if any) and, with ``findings`` (``assessments.selectors.latest_assessment_findings``),
    the assessment's needs as problems and its stages of change."""
    # Lock the client row so two drafts cannot be started at once.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    open_plan = CarePlan.objects.filter(client=client, status__in=OPEN_STATUSES).first()
    if open_plan is not None:
        raise Conflict(
            f"Version {open_plan.version} of the plan is still "
            f"{open_plan.get_status_display().lower()}: finish it before starting another."
        )
    previous = CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE).first()
    version = (CarePlan.objects.filter(client=client).aggregate(v=Max("version"))["v"] or 0) + 1
    plan = CarePlan.objects.create(
        client=client,
        version=version,
        previous=previous,
        effective_date=effective_date or _today(),
        author=actor,
    )
    if previous is not None:
        _copy_plan_content(source=previous, target=plan)
    added = _apply_findings(plan=plan, findings=findings) if findings else 0
    plan.save()
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=plan,
        client_id=client.pk,
        detail={
            "version": version,
            "from_assessment": bool(findings),
            "from_version": previous.version if previous else None,
            "problems_from_assessment": added,
        },
    )
    source = []
    if previous:
        source.append(f"from version {previous.version}")
    if findings:
        source.append("from the assessment")
    timeline_record(
        client=client,
        kind="careplan",
        summary=f"Care plan version {version} drafted"
        + (f" {' and '.join(source)}" if source else ""),
        actor=actor,
        obj=plan,
        link=plan_link(plan),
    )
    return plan


@transaction.atomic
def careplan_update(*, actor: User, plan: CarePlan, data: dict[str, Any]) -> CarePlan:
    """Change a draft's start date and shared-decision-making fields."""
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    plan = _locked_plan(plan)
    _require_editable(plan)
    if "effective_date" in data:
        start = data["effective_date"]
        if not isinstance(start, date):
            _errors({"effective_date": ["Enter the date the plan starts."]})
        earliest = plan.goals.filter(target_date__lt=start).order_by("target_date").first()
        if earliest is not None:
            _errors(
                {
                    "effective_date": [
                        f"A goal's target date ({earliest.target_date:%b %d, %Y}) is before "
                        "this start date. Change the goal first."
                    ]
                }
            )
    for name in ("what_matters", "preferences", "integration_exception"):
        if name in data:
            data[name] = (data[name] or "").strip()
    changed = [f for f in PLAN_FIELDS if f in data and getattr(plan, f) != data[f]]
    for field in changed:
        setattr(plan, field, data[field])
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=plan,
            client_id=plan.client_id,
            detail={"fields": changed},
        )
    return plan


# -------------------------------------------------------------- problems, goals, ...
def _text(value: Any, field: str, message: str, errors: dict[str, list[str]]) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else ""
    if not text:
        errors.setdefault(field, []).append(message)
    return text


def _problem_values(values: dict[str, Any]) -> dict[str, Any]:
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
    plan = _locked_plan(plan)
    _require_editable(plan)
    values = _problem_values(
        {
            "domain": domain,
            "description": description,
            "concerns_mental_health": concerns_mental_health,
            "concerns_substance_use": concerns_substance_use,
        }
    )
    order = plan.problems.count() + 1
    problem = Problem.objects.create(plan=plan, order=order, **values)
    audit_record(user=actor, action=AuditAction.CREATE, obj=problem, client_id=plan.client_id)
    return problem


@transaction.atomic
def problem_update(*, actor: User, problem: Problem, data: dict[str, Any]) -> Problem:
    plan = _locked_plan(problem.plan)
    _require_editable(plan)
    values = {
        "domain": problem.domain,
        "description": problem.description,
        "concerns_mental_health": problem.concerns_mental_health,
        "concerns_substance_use": problem.concerns_substance_use,
        **data,
    }
    values = _problem_values(values)
    changed = [f for f, v in values.items() if getattr(problem, f) != v]
    for f in changed:
        setattr(problem, f, values[f])
    if changed:
        problem.save(update_fields=changed)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=problem,
            client_id=plan.client_id,
            detail={"fields": changed},
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
    plan = _locked_plan(problem.plan)
    _require_editable(plan)
    values = _goal_values(plan, {"text": text, "goal_type": goal_type, "target_date": target_date})
    order = plan.goals.count() + 1
    goal = Goal.objects.create(plan=plan, problem=problem, order=order, **values)
    audit_record(user=actor, action=AuditAction.CREATE, obj=goal, client_id=plan.client_id)
    return goal


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


def _unknown_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, data: dict[str, Any]) -> Goal:
    plan = _locked_plan(goal.plan)
    _require_editable(plan)
    _unknown_fields(data, GOAL_FIELDS)
    values = {f: getattr(goal, f) for f in GOAL_FIELDS} | dict(data)
    values = _goal_values(plan, values)
    changed = [f for f, v in values.items() if getattr(goal, f) != v]
    for f in changed:
        setattr(goal, f, values[f])
    if changed:
        goal.save(update_fields=changed)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=goal,
            client_id=plan.client_id,
            detail={"fields": changed},
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
    plan = _locked_plan(goal.plan)
    _require_editable(plan)
    values = _objective_values(plan, {"text": text, "target_date": target_date})
    objective = Objective.objects.create(goal=goal, order=_next_order(goal.objectives), **values)
    audit_record(user=actor, action=AuditAction.CREATE, obj=objective, client_id=plan.client_id)
    return objective


@transaction.atomic
def objective_update(*, actor: User, objective: Objective, data: dict[str, Any]) -> Objective:
    """Change an objective's text or target date while its plan is an unsigned draft."""
    plan = _locked_plan(objective.goal.plan)
    _require_editable(plan)
    _unknown_fields(data, OBJECTIVE_FIELDS)
    values = _objective_values(
        plan, {f: getattr(objective, f) for f in OBJECTIVE_FIELDS} | dict(data)
    )
    changed = [f for f, v in values.items() if getattr(objective, f) != v]
    for f in changed:
        setattr(objective, f, values[f])
    if changed:
        objective.save(update_fields=changed)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=objective,
            client_id=plan.client_id,
            detail={"fields": changed},
        )
    return objective


@transaction.atomic
def objective_remove(*, actor: User, objective: Objective) -> None:
    """Take an objective out of an unsigned draft (added by mistake, or no longer
    wanted). Nothing signed or approved is touched: earlier versions keep their own
    copies, and a locked plan refuses."""
    plan = _locked_plan(objective.goal.plan)
    _require_editable(plan)
    audit_record(
        user=actor,
        action=AuditAction.DELETE,
        obj=objective,
        client_id=plan.client_id,
        detail={"plan_id": plan.pk, "goal_id": objective.goal_id},
    )
    objective.delete()


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
    plan = _locked_plan(goal.plan)
    _require_editable(plan)
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
    intervention = Intervention.objects.create(
        goal=goal, order=_next_order(goal.interventions), **values
    )
    audit_record(user=actor, action=AuditAction.CREATE, obj=intervention, client_id=plan.client_id)
    return intervention


@transaction.atomic
def intervention_update(
    *, actor: User, intervention: Intervention, data: dict[str, Any]
) -> Intervention:
    """Change an intervention (kind, what, who, how often, dates) while its plan is an
    unsigned draft. An empty start means the plan's start."""
    plan = _locked_plan(intervention.goal.plan)
    _require_editable(plan)
    _unknown_fields(data, INTERVENTION_FIELDS)
    current = {f: getattr(intervention, f) for f in INTERVENTION_FIELDS}
    values = _intervention_values(plan, current | dict(data), named_id=intervention.responsible_id)
    changed = [f for f, v in values.items() if getattr(intervention, f) != v]
    for f in changed:
        setattr(intervention, f, values[f])
    if changed:
        intervention.save(update_fields=changed)
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=intervention,
            client_id=plan.client_id,
            detail={"fields": changed},
        )
    return intervention


@transaction.atomic
def intervention_remove(*, actor: User, intervention: Intervention) -> None:
    """Take an intervention out of an unsigned draft; as ``objective_remove``."""
    plan = _locked_plan(intervention.goal.plan)
    _require_editable(plan)
    audit_record(
        user=actor,
        action=AuditAction.DELETE,
        obj=intervention,
        client_id=plan.client_id,
        detail={"plan_id": plan.pk, "goal_id": intervention.goal_id},
    )
    intervention.delete()


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


# ------------------------------------------------------------- signatures and states
@transaction.atomic
def careplan_sign(
    *,
    actor: User,
    plan: CarePlan,
    role: str,
    typed_name: str,
    method: str,
    signed_on: date | None = None,
) -> PlanSignature:
    """Record the client's or the case manager's signature. A signed plan is locked."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(
            f"Only a draft is signed; this plan is {plan.get_status_display().lower()}.",
            field="role",
        )
    errors: dict[str, list[str]] = {}
    if role not in SignatureRole.values:
        errors["role"] = ["Say who is signing: the client or the case manager."]
    typed_name = _text(typed_name, "typed_name", "Type the signer's full name.", errors)
    if method not in SignatureMethod.values:
        errors["method"] = ["Choose how the plan was signed."]
    signed_on = signed_on or _today()
    if signed_on > _today():
        errors["signed_on"] = ["The signature date cannot be in the future."]
    _errors(errors)
    if plan.signatures.filter(role=role, voided_at__isnull=True).exists():
        raise Conflict(
            f"The {SignatureRole(role).label.lower()} has already signed this version.",
            field="role",
        )
    if role == SignatureRole.CLIENT and not plan.client_agrees:
        raise Conflict(
            "Record that the client agrees with the plan before they sign it.", field="role"
        )
    signature = PlanSignature.objects.create(
        plan=plan,
        role=role,
        typed_name=typed_name,
        signed_on=signed_on,
        method=method,
        recorded_by=actor,
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        client_id=plan.client_id,
        detail={"signed": role, "method": method},
    )
    return signature


def integration_rule_met(plan: CarePlan) -> bool:
    """A dual-diagnosis client's plan has a goal for each disorder, or a reason why not."""
    if not plan.client.is_dual_diagnosis or plan.integration_exception.strip():
        return True
    goals = plan.goals.exclude(status=GoalStatus.DISCONTINUED)
    return (
        goals.filter(problem__concerns_mental_health=True).exists()
        and goals.filter(problem__concerns_substance_use=True).exists()
    )


@transaction.atomic
def careplan_submit(*, actor: User, plan: CarePlan) -> CarePlan:
    """Send a draft to the team's supervisors for approval (each is notified)."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(f"This plan is {plan.get_status_display().lower()}: it cannot be submitted.")
    if not plan.goals.exists():
        raise ValidationError({"goals": ["Add at least one goal before submitting."]})
    if not integration_rule_met(plan):
        raise ValidationError(
            {
                "integration_exception": [
                    "This client has both a mental health and a substance use disorder: add a "
                    "goal for each, or record why the plan does not address one of them."
                ]
            }
        )
    plan.status = PlanStatus.AWAITING_APPROVAL
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        client_id=plan.client_id,
        detail={"status": plan.status},
    )
    link = plan_link(plan)
    for supervisor in plan.client.team.supervisors.exclude(pk=actor.pk):
        notification_create(
            recipient=supervisor,
            kind="approval",
            title=f"Care plan v{plan.version} awaits your approval",
            body=f"Submitted by {actor.display_name}.",
            link=link,
        )
    timeline_record(
        client=plan.client,
        kind="careplan",
        summary=f"Care plan version {plan.version} submitted for approval",
        actor=actor,
        obj=plan,
        link=link,
    )
    return plan


def _require_supervisor(actor: User, plan: CarePlan, doing: str) -> None:
    if not user_supervises_team(user=actor, team=plan.client.team):
        raise PermissionDenied(f"Only a supervisor of {plan.client.team.name} can {doing} plans.")


def careplan_coverage_refresh(*, plan_ids: list[int] | None = None) -> None:
    """Store on each plan whether its goals address mental health and substance use (a
    goal whose need concerns the disorder). Done when a plan becomes active, as its goals
    are locked from then on; ``plan_ids=None`` recomputes every plan (after a bulk load).
    One UPDATE."""
    goals = Goal.objects.filter(plan=OuterRef("pk"))
    plans = CarePlan.objects.all() if plan_ids is None else CarePlan.objects.filter(pk__in=plan_ids)
    plans.update(
        goals_cover_mental_health=Exists(goals.filter(problem__concerns_mental_health=True)),
        goals_cover_substance_use=Exists(goals.filter(problem__concerns_substance_use=True)),
    )


@transaction.atomic
def careplan_approve(*, actor: User, plan: CarePlan) -> CarePlan:
    """Make a submitted plan active; the previous active version becomes superseded.
    The review is due after the team's cadence (default 90 days)."""
    plan = _locked_plan(plan)
    _require_supervisor(actor, plan, "approve")
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise Conflict(
            f"This plan is {plan.get_status_display().lower()}: only a submitted plan is approved."
        )
    if actor.pk in (plan.author_id, plan.submitted_by_id):
        raise Conflict("You wrote or submitted this plan: another supervisor must approve it.")
    superseded = list(
        CarePlan.objects.select_for_update()
        .filter(client_id=plan.client_id, status=PlanStatus.ACTIVE)
        .exclude(pk=plan.pk)
    )
    for old in superseded:
        old.status = PlanStatus.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            obj=old,
            client_id=plan.client_id,
            detail={"status": old.status},
        )
    today = _today()
    plan.status = PlanStatus.ACTIVE
    plan.approver = actor
    plan.approved_at = timezone.now()
    plan.review_due = max(plan.effective_date, today) + timedelta(days=review_days_for(plan.client))
    plan.save(update_fields=["status", "approver", "approved_at", "review_due", "updated_at"])
    careplan_coverage_refresh(plan_ids=[plan.pk])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        client_id=plan.client_id,
        detail={"status": plan.status},
    )
    link = plan_link(plan)
    for user_id in {u for u in (plan.author_id, plan.submitted_by_id) if u is not None}:
        notification_create(
            recipient=User.objects.get(pk=user_id),
            kind="info",
            title=f"Care plan v{plan.version} approved",
            body=f"Approved by {actor.display_name}. Review due {plan.review_due:%b %d, %Y}.",
            link=link,
        )
    timeline_record(
        client=plan.client,
        kind="careplan",
        summary=f"Care plan version {plan.version} approved; "
        f"review due {plan.review_due:%b %d, %Y}",
        actor=actor,
        obj=plan,
        link=link,
    )
    return plan


@transaction.atomic
def careplan_return(*, actor: User, plan: CarePlan, comments: str) -> CarePlan:
    """Send a submitted plan back to draft with comments. Its signatures are voided (kept
    as history): the changed plan is signed again."""
    plan = _locked_plan(plan)
    _require_supervisor(actor, plan, "return")
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": ["Say what needs to change."]})
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise Conflict(
            f"This plan is {plan.get_status_display().lower()}: only a submitted plan is returned.",
            field="comments",
        )
    plan.status = PlanStatus.DRAFT
    plan.return_comments = comments
    plan.save(update_fields=["status", "return_comments", "updated_at"])
    voided = plan.signatures.filter(voided_at__isnull=True).update(voided_at=timezone.now())
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        client_id=plan.client_id,
        detail={"status": "returned", "signatures_voided": voided},
    )
    link = plan_link(plan)
    for user_id in {u for u in (plan.author_id, plan.submitted_by_id) if u is not None} - {
        actor.pk
    }:
        notification_create(
            recipient=User.objects.get(pk=user_id),
            kind="info",
            title=f"Care plan v{plan.version} returned for changes",
            body=comments[:500],
            link=link,
        )
    timeline_record(
        client=plan.client,
        kind="careplan",
        summary=f"Care plan version {plan.version} returned for changes",
        actor=actor,
        obj=plan,
        link=link,
    )
    return plan


@transaction.atomic
def careplan_revise(*, actor: User, plan: CarePlan) -> CarePlan:
    """Start the next version as a draft copied from the active plan."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(
            f"Only the active plan is revised; this one is {plan.get_status_display().lower()}."
        )
    return careplan_create(actor=actor, client=plan.client)


@transaction.atomic
def careplan_close(*, actor: User, plan: CarePlan, reason: str) -> CarePlan:
    """Close a plan (client discharged, plan abandoned). It stays readable."""
    plan = _locked_plan(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the plan is closed."]})
    if plan.status in (PlanStatus.SUPERSEDED, PlanStatus.CLOSED):
        raise Conflict(f"This plan is already {plan.get_status_display().lower()}.", field="reason")
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.close_reason = reason
    plan.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        client_id=plan.client_id,
        detail={"status": plan.status},
    )
    timeline_record(
        client=plan.client,
        kind="careplan",
        summary=f"Care plan version {plan.version} closed",
        actor=actor,
        obj=plan,
        link=plan_link(plan),
    )
    return plan
