"""Writes for care plans: what every change of a plan shares (its lock, the rule that only
an unsigned draft changes, field checks), drafting (blank, from assessment findings, from
the previous active plan) and editing a draft's own fields. The parts of a plan
(problems, goals, objectives, interventions) are in ``parts``; signatures and the states
of a plan (submit / approve / return, revise, close) in ``states``.

Every write is one transaction, audited, and on the client timeline where it matters.
Bad input is ``ValidationError`` naming the field; a state that forbids the action is
``Conflict`` (409 in the API).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record, versioned_update
from casemgmt.lib.errors import Conflict
from clients.models import Client
from clients.services import timeline_record

from ..models import (
    OPEN_STATUSES,
    CarePlan,
    Domain,
    Goal,
    Intervention,
    Objective,
    PlanStatus,
    Problem,
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


def _on_timeline(*, plan: CarePlan, actor: User, summary: str, obj: Model | None = None) -> None:
    """A line on the client's timeline about ``plan`` (or ``obj``, e.g. a review of it),
    linking to the plan."""
    timeline_record(
        client=plan.client,
        kind="careplan",
        summary=summary,
        actor=actor,
        obj=obj or plan,
        link=plan_link(plan),
    )


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
    """Whether a signature that is not voided locks the plan (the prefetched
    ``plan.active_signatures`` when ``careplan_full`` loaded it, else one query)."""
    signatures = getattr(plan, "active_signatures", None)
    if signatures is not None:
        return bool(signatures)
    return plan.signatures.filter(voided_at__isnull=True).exists()


def careplan_is_editable(plan: CarePlan) -> bool:
    """The one rule for changing a plan: only an unsigned draft is edited. The pages ask
    it before offering a form; ``_require_editable`` refuses a write with the reason."""
    return plan.status == PlanStatus.DRAFT and not careplan_is_signed(plan)


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


def _editable_plan(plan: CarePlan) -> CarePlan:
    """The plan locked for this transaction, if it is an unsigned draft (else ``Conflict``)."""
    plan = _locked_plan(plan)
    _require_editable(plan)
    return plan


def review_days_for(client: Client) -> int:
    row = TeamPlanCadence.objects.filter(team_id=client.team_id).first()
    return row.review_days if row else TeamPlanCadence.DEFAULT_DAYS


def _text(value: Any, field: str, message: str, errors: dict[str, list[str]]) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else ""
    if not text:
        errors.setdefault(field, []).append(message)
    return text


def _unknown_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})


def _changes_save(
    *,
    actor: User,
    obj: Model,
    values: dict[str, Any],
    client_id: int,
    expected_version: int | None,
    what: str,
) -> list[str]:
    """Save the ``values`` that differ from ``obj``'s, if nobody saved ``obj`` since the
    editor loaded ``expected_version`` of it (``None``: no check), else ``Conflict``
    naming who changed which fields; audit which fields changed. Returns their names, in
    the order of ``values``. Every edit of a plan or of a part of it ends here."""
    return versioned_update(
        actor=actor,
        obj=obj,
        values=values,
        expected_version=expected_version,
        what=what,
        client_id=client_id,
    )


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
    _on_timeline(
        plan=plan,
        actor=actor,
        summary=f"Care plan version {version} drafted"
        + (f" {' and '.join(source)}" if source else ""),
    )
    return plan


@transaction.atomic
def careplan_update(
    *, actor: User, plan: CarePlan, data: dict[str, Any], expected_version: int | None = None
) -> CarePlan:
    """Change a draft's start date and shared-decision-making fields. With
    ``expected_version`` (the ``edit_version`` the editor loaded), a save over someone
    else's newer save is refused with ``Conflict`` naming who changed which fields."""
    _unknown_fields(data, PLAN_FIELDS)
    plan = _editable_plan(plan)
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
    values = {f: data[f] for f in PLAN_FIELDS if f in data}
    _changes_save(
        actor=actor,
        obj=plan,
        values=values,
        client_id=plan.client_id,
        expected_version=expected_version,
        what="this care plan",
    )
    return plan
