"""The safety plan and relapse-prevention plan pages, and printing a plan as PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, form_show_conflict
from casemgmt.lib.i18n import client_language, language_from
from clients.chart import chart_client, chart_context

from .. import selectors, services
from ..forms import RelapsePlanForm, SafetyPlanForm, safety_form_people
from ..models import RelapsePreventionPlan, SafetyPlan
from ..pdf import (
    COPIES,
    PAPERS,
    careplan_print,
    pdf_filename,
    relapse_plan_print,
    safety_plan_print,
)
from .plans import _plan


def _versioned_page(request, pk, *, model, form_class, save, versions, template_title, url_name):
    client = chart_client(request, pk)
    all_versions = list(versions(client=client))
    current = next((v for v in all_versions if v.superseded_at is None), None)
    shown = current
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        shown = next((v for v in all_versions if v.version == int(wanted)), None)
        if shown is None:
            raise Http404("No such version")
    editing = request.method == "POST" or request.GET.get("edit") or current is None
    initial = {f: getattr(current, f) for f in model.FIELDS} if current else {}
    initial["version"] = current.version if current else 0
    if model is SafetyPlan and not current:
        initial["crisis_lines"] = SafetyPlan.DEFAULT_CRISIS_LINES
    form = form_class(request.POST or None, initial=initial)
    if model is SafetyPlan:
        safety_form_people(form, client)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        loaded = values.pop("version")
        picked = values.pop("related_person_ids", None)
        extra = {"related_person_ids": [int(i) for i in picked]} if picked else {}
        try:
            save(
                actor=request.user,
                client=client,
                values=values,
                expected_version=loaded,
                **extra,
            )
        except Conflict as error:  # saved meanwhile by someone else: keep what was typed
            conflict = error
            fresh = model.objects.filter(client=client, superseded_at__isnull=True).first()
            form_show_conflict(form, error, current=fresh, field="version")
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{template_title} saved as a new version.")
            return redirect(url_name, pk=client.pk)
    context = chart_context(
        request,
        client,
        "careplan",
        title=template_title,
        shown=shown,
        current=current,
        versions=all_versions,
        form=form if editing and (shown is current) else None,
        fields=[
            (model._meta.get_field(f).verbose_name, getattr(shown, f, "")) for f in model.FIELDS
        ]
        if shown
        else [],
        url_name=url_name,
        conflict=conflict,
    )
    return render(request, "careplans/versioned_plan.html", context)


@login_required
def safety_plan(request, pk: int):
    return _versioned_page(
        request,
        pk,
        model=SafetyPlan,
        form_class=SafetyPlanForm,
        save=services.safety_plan_save,
        versions=selectors.safety_plan_versions,
        template_title="Safety plan",
        url_name="careplans:safety_plan",
    )


@login_required
def relapse_plan(request, pk: int):
    return _versioned_page(
        request,
        pk,
        model=RelapsePreventionPlan,
        form_class=RelapsePlanForm,
        save=services.relapse_plan_save,
        versions=selectors.relapse_plan_versions,
        template_title="Relapse-prevention plan",
        url_name="careplans:relapse_plan",
    )


@login_required
def plan_pdf(request, pk: int, plan_id: int):
    """The client or clinical copy as a PDF; the print is audited."""
    client, plan = _plan(request, pk, plan_id, audit=False)
    copy = request.GET.get("copy", "client")
    paper = request.GET.get("paper", "letter")
    if copy not in COPIES or paper not in PAPERS:
        raise Http404("Unknown copy or paper size")
    # "Print in: English | Español"; without a choice, the client's preferred language.
    language = language_from(request.GET.get("language"), default=client_language(client))
    pdf = careplan_print(actor=request.user, plan=plan, copy=copy, paper=paper, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(plan, copy)}"'
    return response


@login_required
def safety_plan_pdf(request, pk: int):
    """The current (or ``?version=``) safety plan alone as a PDF; the print is audited."""
    client = chart_client(request, pk, audit=False)
    versions = {v.version: v for v in selectors.safety_plan_versions(client=client)}
    wanted = request.GET.get("version", "")
    shown = (
        versions.get(int(wanted))
        if wanted.isdigit()
        else next((v for v in versions.values() if v.superseded_at is None), None)
    )
    paper = request.GET.get("paper", "letter")
    if shown is None or paper not in PAPERS:
        raise Http404("No such safety plan")
    language = language_from(request.GET.get("language"), default=client_language(client))
    pdf = safety_plan_print(
        actor=request.user, client=client, safety_plan=shown, paper=paper, language=language
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"safety-plan-{client.client_number}-v{shown.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def relapse_plan_pdf(request, pk: int):
    """The current (or ``?version=``) relapse-prevention plan alone as a PDF, in the
    client's language or ``?language=``; the print is audited."""
    client = chart_client(request, pk, audit=False)
    versions = {v.version: v for v in selectors.relapse_plan_versions(client=client)}
    wanted = request.GET.get("version", "")
    shown = (
        versions.get(int(wanted))
        if wanted.isdigit()
        else next((v for v in versions.values() if v.superseded_at is None), None)
    )
    paper = request.GET.get("paper", "letter")
    if shown is None or paper not in PAPERS:
        raise Http404("No such relapse-prevention plan")
    language = language_from(request.GET.get("language"), default=client_language(client))
    pdf = relapse_plan_print(
        actor=request.user, client=client, relapse_plan=shown, paper=paper, language=language
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"relapse-plan-{client.client_number}-v{shown.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
