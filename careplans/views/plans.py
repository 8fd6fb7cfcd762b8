"""Care-plan pages on the client chart: the Care plan tab, a version with everything it
holds, drafting, editing a draft's own fields, signatures, submit / approve / return,
revise, close, reviews and the diff between versions. The pages of a plan's parts
(needs, goals, objectives, interventions, goal notes) are in ``parts``.

Every page fetches the client in reach (else 404) and audits the read; every change goes
through one service, whose refusal is shown next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.selectors import latest_assessment_findings
from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import (
    form_add_service_error,
    form_show_conflict,
    service_error_text,
    versioned_values,
)
from clients.chart import chart_client, chart_context
from clients.models import Client
from clients.services import client_read_audit

from .. import selectors, services
from ..forms import CloseForm, PlanForm, ReturnForm, ReviewForm, SignForm
from ..models import CarePlan, Goal, PlanStatus

F = TypeVar("F", bound=Form)


def _plan(request, pk: int, plan_id: int, *, audit: bool = True) -> tuple[Client, CarePlan]:
    client = chart_client(request, pk, audit=False)
    plan = selectors.careplan_get(client=client, plan_id=plan_id)
    if audit or request.method != "POST":  # every page that shows the plan is a read
        client_read_audit(user=request.user, client=client, obj=plan)
    return client, plan


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
    with client.team.local_time():
        current = selectors.careplan_current(client=client)
        findings = latest_assessment_findings(client=client) if current is None else None
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
    from_assessment = request.POST.get("source") == "assessment"
    findings = latest_assessment_findings(client=client) if from_assessment else None
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
    with client.team.local_time():
        goals_by_problem: dict[int, list[Goal]] = {}
        for goal in plan.goals.all():
            goals_by_problem.setdefault(goal.problem_id, []).append(goal)
        problems = [(p, goals_by_problem.get(p.pk, [])) for p in plan.problems.all()]
        signed = services.careplan_is_signed(plan)
        editable = services.careplan_is_editable(plan)
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


def _refuse_if_locked(request, client, plan) -> bool:
    """Before showing an edit form: the service's rule (only an unsigned draft changes)."""
    if services.careplan_is_editable(plan):
        return False
    signed = services.careplan_is_signed(plan)
    messages.error(
        request,
        f"Version {plan.version} is {plan.get_status_display().lower()}"
        + (" and signed" if signed else "")
        + ": it cannot be changed.",
    )
    return True


def _to_plan(client: Client, plan: CarePlan) -> HttpResponse:
    return redirect("careplans:plan_detail", pk=client.pk, plan_id=plan.pk)


def _edit_page(
    request,
    client: Client,
    plan: CarePlan,
    *,
    form: Callable[[QueryDict | None], F],
    save: Callable[[F], object],
    saved: str,
    title: str,
    intro: str = "",
    submit: str = "Save",
    draft_only: bool = True,
    locked_to: str = "",
    unavailable: str = "",
    current: Callable[[], Model] | None = None,
) -> HttpResponse:
    """The one view behind every page that adds to or changes a plan.

    ``draft_only``: a plan that is not an unsigned draft is not shown the form; it goes
    back (to ``locked_to``, else the plan) with the reason. ``unavailable``: why the form
    cannot be used yet (back to the plan with that message). ``form(data)`` builds the
    form; when a POST is valid, ``save(form)`` calls the service: its refusal is shown next
    to the field it names, its success goes back to the plan with the message ``saved``.
    ``current()`` reloads what an edit form changes: after a stale save (someone else
    saved meanwhile) the page says who changed what, keeps what was typed and shows what
    is saved now next to each field changed.
    """
    if draft_only and request.method != "POST" and _refuse_if_locked(request, client, plan):
        return redirect(locked_to) if locked_to else _to_plan(client, plan)
    if unavailable:
        messages.error(request, unavailable)
        return _to_plan(client, plan)
    bound = form(request.POST or None)
    conflict = None
    if request.method == "POST" and bound.is_valid():
        try:
            save(bound)
        except Conflict as error:
            if current is not None and "changed_fields" in error.extra:
                conflict = error
                form_show_conflict(bound, error, current=current())
            else:
                form_add_service_error(bound, error)
        except ValidationError as error:
            form_add_service_error(bound, error)
        else:
            messages.success(request, saved)
            return _to_plan(client, plan)
    context = chart_context(
        request,
        client,
        "careplan",
        plan=plan,
        form=bound,
        title=title,
        intro=intro,
        submit=submit,
        conflict=conflict,
        # An add page (no ``current`` to compare with) carries a one-time submission key.
        creating=current is None,
    )
    return render(request, "careplans/form.html", context)


def _action(request, client: Client, plan: CarePlan, service: Callable[[], object], done: str):
    """A button that calls one service and goes back to the plan, with the service's
    refusal or ``done`` as the message."""
    try:
        service()
    except (ValidationError, Conflict, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, done)
    return _to_plan(client, plan)


@login_required
def plan_edit(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    return _edit_page(
        request,
        client,
        plan,
        form=lambda data: PlanForm.for_plan(plan, data),
        save=lambda form: services.careplan_update(
            actor=request.user, plan=plan, **versioned_values(form)
        ),
        saved="Plan saved.",
        title="Shared decision making",
        intro="What matters to the client, in their words, and how they took part.",
        current=lambda: CarePlan.objects.get(pk=plan.pk),
    )


# ------------------------------------------------------------------------ state changes
@login_required
@require_POST
def plan_sign(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The signature was not recorded: "
            + " ".join(
                f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
            ),
        )
        return _to_plan(client, plan)
    return _action(
        request,
        client,
        plan,
        lambda: services.careplan_sign(actor=request.user, plan=plan, **form.cleaned_data),
        "Signature recorded. The plan is now locked.",
    )


@login_required
@require_POST
def plan_submit(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    return _action(
        request,
        client,
        plan,
        lambda: services.careplan_submit(actor=request.user, plan=plan),
        "Submitted. The team's supervisors have been notified.",
    )


@login_required
@require_POST
def plan_approve(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    return _action(
        request,
        client,
        plan,
        lambda: services.careplan_approve(actor=request.user, plan=plan),
        "Approved. This version is now the active plan.",
    )


@login_required
@require_POST
def plan_return(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = ReturnForm(request.POST)
    form.is_valid()
    comments = form.cleaned_data.get("comments", "")
    return _action(
        request,
        client,
        plan,
        lambda: services.careplan_return(actor=request.user, plan=plan, comments=comments),
        "Returned to the author with your comments.",
    )


@login_required
@require_POST
def plan_revise(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    try:
        new = services.careplan_revise(actor=request.user, plan=plan)
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
        return _to_plan(client, plan)
    messages.success(request, f"Version {new.version} started as a draft copy.")
    return _to_plan(client, new)


@login_required
@require_POST
def plan_close(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    form = CloseForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    return _action(
        request,
        client,
        plan,
        lambda: services.careplan_close(actor=request.user, plan=plan, reason=reason),
        "Plan closed. It stays readable.",
    )


@login_required
def review_new(request, pk: int, plan_id: int):
    client, plan = _plan(request, pk, plan_id, audit=False)
    return _edit_page(
        request,
        client,
        plan,
        form=lambda data: ReviewForm(data, plan=plan),
        save=lambda form: services.review_record(
            actor=request.user,
            plan=plan,
            note=form.cleaned_data["note"],
            reviewed_on=form.cleaned_data.get("reviewed_on"),
            progress=form.progress(),
        ),
        saved="Review recorded.",
        title=f"Review version {plan.version}",
        intro="Record the progress of every goal and a short note.",
        submit="Record review",
        draft_only=False,
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
