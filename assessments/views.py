"""Pages of the Assessments chart tab: screening results and trends, administering an
instrument (form generated from its definition), the result with critical-result prompts,
and the comprehensive assessment (sections saved as drafts, completed = locked).

Every page fetches the client in reach (else 404) through ``chart_client`` and audits the
read; times are read and shown in the client's team's time zone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, form_show_conflict
from clients.chart import chart_client, chart_context
from clients.services import client_read_audit

from . import selectors, services
from .charts import trend_chart
from .forms import (
    SECTION_BY_KEY,
    InstrumentForm,
    LinkResponsesForm,
    SubstanceForm,
    section_form_class,
    section_initial,
    section_values,
)
from .instruments import INSTRUMENTS
from .models import ASAM_LEVELS, SubstanceUse
from .services import SECTIONS


def _trend_arrow(trend: dict) -> str:
    change = trend["change"]
    if change is None or change == 0:
        return "steady" if change == 0 else ""
    return "worse" if change > 0 else "better"


# -------------------------------------------------------------------------------- tab
@login_required
def client_assessments(request, pk: int):
    client = chart_client(request, pk)
    with client.team.local_time():
        latest = selectors.latest_responses(client=client)
        for response in latest:
            if response.total is not None:
                trend = selectors.instrument_trend(client=client, code=response.instrument)
                response.trend_word = _trend_arrow(trend)
                response.trend_count = len(trend["points"])
        assessments = list(selectors.assessment_list(client=client))
        context = chart_context(
            request,
            client,
            "assessments",
            latest=latest,
            responses=list(selectors.response_list(client=client)[:50]),
            instruments=list(INSTRUMENTS.values()),
            assessments=assessments,
            has_draft=any(not a.is_locked for a in assessments),
            due=selectors.reassessments_due(
                user=request.user, as_of=timezone.localdate(), client_id=client.pk
            ),
        )
        return render(request, "assessments/client_assessments.html", context)


# ----------------------------------------------------------------- instrument responses
@login_required
def response_new(request, pk: int, code: str):
    client = chart_client(request, pk)
    definition = INSTRUMENTS.get(code)
    if definition is None:
        raise Http404
    amends = None
    amends_id = request.GET.get("amends") or request.POST.get("amends")
    if amends_id:
        amends = selectors.response_get(client=client, response_id=amends_id)
        if amends.instrument != code:
            raise Http404
    with client.team.local_time():
        initial: dict[str, Any] = {}
        if amends is not None and request.method != "POST":
            initial = {
                f"item_{n}": str(v) for n, v in enumerate(amends.answers, 1) if v is not None
            }
            initial["administered_at"] = timezone.localtime(amends.administered_at).replace(
                second=0, microsecond=0
            )
            if amends.sex_used:
                initial["sex"] = amends.sex_used
        form = InstrumentForm(
            request.POST or None, definition=definition, client=client, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                response = services.instrument_response_record(
                    actor=request.user,
                    client=client,
                    instrument=code,
                    answers=form.answers(),
                    sex=form.cleaned_data.get("sex") or None,
                    administered_at=form.cleaned_data["administered_at"],
                    amends=amends,
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                form.show_error(error)
            except Conflict as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{definition.name} saved: {response.score_text}.")
                return redirect(
                    "assessments:response_detail", pk=client.pk, response_id=response.pk
                )
        item_errors = [
            (item.number, error) for item, field, _ in form.item_rows() for error in field.errors
        ]
        context = chart_context(
            request,
            client,
            "assessments",
            form=form,
            definition=definition,
            amends=amends,
            item_errors=item_errors,
        )
        return render(request, "assessments/response_form.html", context)


@login_required
def response_detail(request, pk: int, response_id: int):
    client = chart_client(request, pk, audit=False)
    response = selectors.response_get(client=client, response_id=response_id)
    client_read_audit(user=request.user, client=client, obj=response)
    definition = response.definition
    with client.team.local_time():
        answers = []
        for item, value in zip(definition.items, response.answers, strict=False):
            option = item.option(value) if value is not None else None
            answers.append(
                {
                    "item": item,
                    "label": option.label if option else "Not asked",
                    "points": option.points if option else None,
                    "critical": any(c.item == item.number for c in definition.critical_items),
                }
            )
        context = chart_context(
            request,
            client,
            "assessments",
            response=response,
            definition=definition,
            answers=answers,
        )
        return render(request, "assessments/response_detail.html", context)


@login_required
def trend(request, pk: int, code: str):
    client = chart_client(request, pk)
    if code not in INSTRUMENTS:
        raise Http404
    with client.team.local_time():
        data = selectors.instrument_trend(client=client, code=code)
        context = chart_context(
            request,
            client,
            "assessments",
            trend=data,
            chart=trend_chart(data),
            definition=INSTRUMENTS[code],
            points_desc=list(reversed(data["points"])),
            has_self_report=any(p["source"] == "client_self_report" for p in data["points"]),
            episodes=(
                selectors.client_depression_episodes(client=client, as_of=client.team.local_date())
                if code == "phq9"
                else []
            ),
        )
        return render(request, "assessments/trend.html", context)


# --------------------------------------------------------------- comprehensive assessment
def _assessment(request, pk: int, assessment_id: int, *, audit: bool = True):
    client = chart_client(request, pk, audit=False)
    assessment = selectors.assessment_get(client=client, assessment_id=assessment_id)
    if audit:
        client_read_audit(user=request.user, client=client, obj=assessment)
    return client, assessment


@login_required
@require_POST
def assessment_start(request, pk: int):
    client = chart_client(request, pk, audit=False)
    try:
        assessment = services.assessment_start(actor=request.user, client=client)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("assessments:client_assessments", pk=client.pk)
    return redirect("assessments:assessment_detail", pk=client.pk, assessment_id=assessment.pk)


def _sections_done(assessment) -> list[dict]:
    rows = []
    for key, title, names in SECTIONS:
        filled = sum(1 for n in names if getattr(assessment, n) not in (None, "", []))
        rows.append({"key": key, "title": title, "filled": filled, "total": len(names)})
    return rows


@login_required
def assessment_detail(request, pk: int, assessment_id: int):
    client, assessment = _assessment(request, pk, assessment_id)
    with client.team.local_time():
        sections = []
        for key, title, names in SECTIONS:
            form = section_form_class(key, assessment.asam_edition)()
            rows = []
            for name in names:
                if name.startswith("asam_d"):
                    continue  # shown as a table of the six dimensions
                value = getattr(assessment, name)
                field = form.fields[name]
                choices = dict(getattr(field, "choices", None) or ())
                if name in ("level_indicated", "level_arranged"):
                    shown = getattr(assessment, f"{name}_label")
                elif name == "social_needs":
                    shown = ", ".join(choices.get(v, v) for v in value) or ""
                elif choices and value not in (None, ""):
                    shown = choices.get(value, value)
                else:
                    shown = value
                rows.append({"label": field.label, "value": shown})
            sections.append({"key": key, "title": title, "rows": rows})
        context = chart_context(
            request,
            client,
            "assessments",
            assessment=assessment,
            sections=sections,
            progress=_sections_done(assessment),
            substance_form=SubstanceForm(),
            level_differs=bool(
                assessment.level_indicated
                and assessment.level_arranged
                and assessment.level_indicated != assessment.level_arranged
            ),
        )
        return render(request, "assessments/assessment_detail.html", context)


def _locked_redirect(request, client, assessment):
    messages.error(
        request, "This assessment is completed and locked. Start a new version to change it."
    )
    return redirect("assessments:assessment_detail", pk=client.pk, assessment_id=assessment.pk)


@login_required
def assessment_section(request, pk: int, assessment_id: int, section: str):
    if section not in SECTION_BY_KEY and section != "screens":
        raise Http404
    client, assessment = _assessment(request, pk, assessment_id)
    if assessment.is_locked:
        return _locked_redirect(request, client, assessment)
    with client.team.local_time():
        form: forms.Form
        if section == "screens":
            form = LinkResponsesForm(
                request.POST or None,
                client=client,
                initial={"responses": list(assessment.responses.all())},
            )
            title = "Screening results"
        else:
            title, _ = SECTION_BY_KEY[section]
            edition = request.POST.get("asam_edition", assessment.asam_edition)
            if edition not in ASAM_LEVELS:
                edition = assessment.asam_edition
            form_class = section_form_class(section, edition)
            initial = section_initial(section, assessment)
            form = form_class(
                request.POST or None, initial=initial | {"edit_version": assessment.edit_version}
            )
        conflict = None
        if request.method == "POST" and form.is_valid():
            try:
                if section == "screens":
                    services.assessment_link_responses(
                        actor=request.user,
                        assessment=assessment,
                        response_ids=[r.pk for r in form.cleaned_data["responses"]],
                    )
                else:
                    services.assessment_update(
                        actor=request.user,
                        assessment=assessment,
                        data=section_values(form),
                        expected_version=form.cleaned_data["edit_version"],
                    )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as error:
                if "changed_fields" not in error.extra:
                    return _locked_redirect(request, client, assessment)
                conflict = error  # this section saved meanwhile: keep what was typed
                form_show_conflict(form, error, current=assessment)
            else:
                messages.success(request, f"{title}: draft saved.")
                target = reverse("assessments:assessment_detail", args=[client.pk, assessment.pk])
                return redirect(f"{target}#section-{section}")
        context = chart_context(
            request,
            client,
            "assessments",
            assessment=assessment,
            form=form,
            section=section,
            title=title,
            conflict=conflict,
            progress=_sections_done(assessment),
        )
        return render(request, "assessments/assessment_section.html", context)


@login_required
@require_POST
def assessment_substance_add(request, pk: int, assessment_id: int):
    client, assessment = _assessment(request, pk, assessment_id, audit=False)
    if assessment.is_locked:
        return _locked_redirect(request, client, assessment)
    form = SubstanceForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_substance_add(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"Added {form.cleaned_data['substance']}.")
            target = reverse("assessments:assessment_detail", args=[client.pk, assessment.pk])
            return redirect(f"{target}#substances")
    with client.team.local_time():
        context = chart_context(request, client, "assessments", assessment=assessment, form=form)
        return render(request, "assessments/substance_form.html", context, status=400)


@login_required
@require_POST
def assessment_substance_remove(request, pk: int, assessment_id: int, row_id: int):
    client, assessment = _assessment(request, pk, assessment_id, audit=False)
    if assessment.is_locked:
        return _locked_redirect(request, client, assessment)
    row = SubstanceUse.objects.filter(assessment=assessment, pk=row_id).first()
    if row is None:
        raise Http404
    services.assessment_substance_remove(actor=request.user, row=row)
    messages.success(request, f"Removed {row.substance}.")
    target = reverse("assessments:assessment_detail", args=[client.pk, assessment.pk])
    return redirect(f"{target}#substances")


@login_required
@require_POST
def assessment_complete(request, pk: int, assessment_id: int):
    client, assessment = _assessment(request, pk, assessment_id, audit=False)
    try:
        services.assessment_complete(actor=request.user, assessment=assessment)
    except Conflict as error:
        messages.error(request, error.message)
    except ValidationError as error:
        missing = "; ".join(m for ms in error.message_dict.values() for m in ms)
        messages.error(request, f"Not completed yet: {missing}")
    else:
        messages.success(
            request, "Assessment completed and locked. Changes from now on are a new version."
        )
    return redirect("assessments:assessment_detail", pk=client.pk, assessment_id=assessment.pk)


@login_required
@require_POST
def assessment_new_version(request, pk: int, assessment_id: int):
    client, assessment = _assessment(request, pk, assessment_id, audit=False)
    try:
        copy = services.assessment_new_version(actor=request.user, assessment=assessment)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("assessments:assessment_detail", pk=client.pk, assessment_id=assessment.pk)
    messages.success(request, f"Version {copy.version} started as a draft.")
    return redirect("assessments:assessment_detail", pk=client.pk, assessment_id=copy.pk)
