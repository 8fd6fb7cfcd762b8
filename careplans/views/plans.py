"""Care-plan pages on the client chart: the Care plan tab, a version with everything it
holds, drafting, editing a draft (needs, goals, and editing or removing objectives and
interventions), signatures, submit / approve / return, revise, close,
reviews, the diff between versions, and goal notes.

Every page fetches the client in reach (else 404) and audits the read; every change goes
through one service, whose refusal is shown next to the field it names.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, service_error_text
from clients.chart import chart_client, chart_context
from clients.models import Client, ContactNote
from clients.services import client_read_audit

from .. import selectors, services
from ..forms import (
    CloseForm,
    GoalEditForm,
    GoalForm,
    InterventionForm,
    LinkNotesForm,
    ObjectiveForm,
    PlanForm,
    ProblemForm,
    ReturnForm,
    ReviewForm,
    SignForm,
)
from ..models import CarePlan, Goal, PlanStatus
from ..services.plans import careplan_is_signed


def fetch_findings(client: Client) -> dict | None:
    """The latest comprehensive assessment's findings, when the assessments app has them."""
    try:
        from assessments.selectors import latest_assessment_findings
    except ImportError:
        return None
    return latest_assessment_findings(client=client)


def _plan(request, pk: int, plan_id: int, *, audit: bool = True) -> tuple[Client, CarePlan]:
    client = chart_client(request, pk, audit=False)
    plan = selectors.careplan_get(client=client, plan_id=plan_id)
    if audit or request.method != "POST":  # every page that shows the plan is a read
        client_read_audit(user=request.user, client=client, obj=plan)
    return client, plan


def _team_time(client: Client):
    return timezone.override(client.team.time_zone)


def _stages(plan: CarePlan | None, findings: dict | None) -> dict[str, str | None]:
    if plan is not None and (plan.stage_mental_health or plan.stage_substance_use):
        return {
            "mental_health": plan.stage_mental_health or None,
            "substance_use": plan.stage_substance_use or None,
        }
    stages = (findings or {}).get("stages") or {}
    return {
        "mental_health": stages.get("mental_health"),
        "substance_use": stages.get("substance_use"),
    }


# ------------------------------------------------------------------------------ pages
@login_required
def client_plan(request, pk: int):
    """The Care plan tab: the current version (or how to start one), every version, and
    the safety and relapse-prevention plans."""
    client = chart_client(request, pk)
    with _team_time(client):
        current = selectors.careplan_current(client=client)
        findings = fetch_findings(client) if current is None else None
        context = chart_context(
            request,
            client,
            "careplan",
            current=current,
            versions=selectors.careplan_list(client=client),
            findings=findings,
            safety_plan=selectors.safety_plan_current(client=client),
            relapse_plan=selectors.relapse_plan_current(client=client),
            active=selectors.careplan_active(client=client),
        )
        return render(request, "careplans/client_plan.html", context)


@login_required
@require_POST
def plan_new(request, pk: int):
    """Start a draft: from the assessment's findings when asked (and available), carrying
    over the goals of the active plan."""
    client = chart_client(request, pk, audit=False)
    findings = fetch_findings(client) if request.POST.get("source") == "assessment" else None
    try:
        plan = services.careplan_create(actor=request.user, client=client, findings=findings)
    except (Conflict, ValidationError) as error:
        messages.error(request, service_error_text(error))
        return redirect("careplans:client_plan", pk=client.pk)
    messages.success(
        request,
        "Draft started"
        + (" from the assessment." if findings else ".")
        + " Add needs, goals in the client's words, and who does what.",
    )
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
def plan_detail(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id)
    with _team_time(client):
        goals_by_problem: dict[int, list[Goal]] = {}
        for goal in plan.goals.all():
            goals_by_problem.setdefault(goal.problem_id, []).append(goal)
        problems = [(p, goals_by_problem.get(p.pk, [])) for p in plan.problems.all()]
        signed = bool(plan.active_signatures)
        editable = plan.status == PlanStatus.DRAFT and not signed
        stages = _stages(plan, None)
        is_supervisor = user_supervises_team(user=request.user, team=client.team)
        context = chart_context(
            request,
            client,
            "careplan",
            plan=plan,
            problems=problems,
            signed=signed,
            editable=editable,
            stages=stages,
            suggestions=selectors.stage_suggestions(stages=stages) if editable else {},
            integration_met=services.integration_rule_met(plan),
            can_approve=is_supervisor
            and plan.status == PlanStatus.AWAITING_APPROVAL
            and request.user.pk not in (plan.author_id, plan.submitted_by_id),
            is_supervisor=is_supervisor,
            sign_form=SignForm(initial={"signed_on": timezone.localdate()}),
            return_form=ReturnForm(),
            close_form=CloseForm(),
            signed_roles={s.role for s in plan.active_signatures},
        )
        return render(request, "careplans/plan_detail.html", context)


def _form_page(request, client, plan, *, form, title: str, intro: str = "", submit: str = "Save"):
    context = chart_context(
        request, client, "careplan", plan=plan, form=form, title=title, intro=intro, submit=submit
    )
    return render(request, "careplans/form.html", context)


def _refuse_if_locked(request, client, plan) -> bool:
    """Before showing an edit form: the service's rule (only an unsigned draft changes)."""
    signed = careplan_is_signed(plan)
    if plan.status != PlanStatus.DRAFT or signed:
        messages.error(
            request,
            f"Version {plan.version} is {plan.get_status_display().lower()}"
            + (" and signed" if signed else "")
            + ": it cannot be changed.",
        )
        return True
    return False


@login_required
def plan_edit(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    if request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    form = PlanForm.for_plan(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.careplan_update(actor=request.user, plan=plan, data=dict(form.cleaned_data))
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Plan saved.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title="Shared decision making",
        intro="What matters to the client, in their words, and how they took part.",
    )


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
    if not getattr(form.fields["problem"], "choices", None):
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


# ------------------------------------------------------------------------ state changes
@login_required
@require_POST
def plan_sign(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.careplan_sign(actor=request.user, plan=plan, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, "Signature recorded. The plan is now locked.")
    else:
        messages.error(
            request,
            "The signature was not recorded: "
            + " ".join(
                f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
            ),
        )
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
@require_POST
def plan_submit(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    try:
        services.careplan_submit(actor=request.user, plan=plan)
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Submitted. The team's supervisors have been notified.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
@require_POST
def plan_approve(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    try:
        services.careplan_approve(actor=request.user, plan=plan)
    except (ValidationError, Conflict, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Approved. This version is now the active plan.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
@require_POST
def plan_return(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = ReturnForm(request.POST)
    try:
        form.is_valid()
        services.careplan_return(
            actor=request.user, plan=plan, comments=form.cleaned_data.get("comments", "")
        )
    except (ValidationError, Conflict, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Returned to the author with your comments.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
@require_POST
def plan_revise(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    try:
        new = services.careplan_revise(actor=request.user, plan=plan)
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
        return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    messages.success(request, f"Version {new.version} started as a draft copy.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=new.pk)


@login_required
@require_POST
def plan_close(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = CloseForm(request.POST)
    form.is_valid()
    try:
        services.careplan_close(
            actor=request.user, plan=plan, reason=form.cleaned_data.get("reason", "")
        )
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Plan closed. It stays readable.")
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


@login_required
def review_new(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = ReviewForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(
                actor=request.user,
                plan=plan,
                note=form.cleaned_data["note"],
                reviewed_on=form.cleaned_data.get("reviewed_on"),
                progress=form.progress(),
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Review recorded.")
            return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)
    return _form_page(
        request,
        client,
        plan,
        form=form,
        title=f"Review version {plan.version}",
        intro="Record the progress of every goal and a short note.",
        submit="Record review",
    )


@login_required
def plan_diff(request, pk: int):
    """What changed between two versions (default: the newest against the one before)."""
    client = chart_client(request, pk)
    versions = list(selectors.careplan_list(client=client))
    by_version = {p.version: p for p in versions}

    def _pick(name: str, default):
        value = request.GET.get(name, "")
        return by_version.get(int(value)) if value.isdigit() else default

    new = _pick("to", versions[0] if versions else None)
    old = _pick("from", by_version.get(new.version - 1) if new else None)
    diff = []
    if old and new:
        plans = {
            p.pk: p
            for p in selectors.careplan_full(CarePlan.objects.filter(pk__in=[old.pk, new.pk]))
        }
        diff = [
            (kind, line.strip(), (len(line) - len(line.lstrip())) // 2)
            for kind, line in selectors.careplan_diff(old=plans[old.pk], new=plans[new.pk])
        ]
    context = chart_context(
        request, client, "careplan", versions=versions, old=old, new=new, diff=diff
    )
    return render(request, "careplans/diff.html", context)
