"""Pages: Medications tab (list, add, check-ins, stop, reconcile) and the Crisis & harm
reduction tab (record a crisis episode, give supplies)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, form_show_conflict, versioned_values
from clients.chart import chart_client, chart_context

from . import services
from .forms import (
    CheckInForm,
    CrisisForm,
    MedicationChangeForm,
    MedicationForm,
    ReconciliationForm,
    StopForm,
    SupplyForm,
)
from .selectors import (
    adherence_points,
    crisis_list,
    has_naloxone,
    medication_get,
    medication_list,
    reconciliation_list,
    supply_list,
)


def _today_initial():
    return {
        "checked_on": timezone.localdate(),
        "given_on": timezone.localdate(),
        "reconciled_on": timezone.localdate(),
        "stopped_on": timezone.localdate(),
    }


@login_required
def medications(request, pk: int):
    client = chart_client(request, pk)
    form = MedicationForm(
        request.POST or None, client=client, initial={"started_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.medication_add(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Medication added.")
            return redirect("health:medications", pk=client.pk)
    meds = list(medication_list(client=client))
    context = chart_context(
        request,
        client,
        "medications",
        form=form,
        current=[m for m in meds if m.status != "stopped"],
        stopped=[m for m in meds if m.status == "stopped"],
        reconciliations=reconciliation_list(client=client)[:10],
        reconcile_form=ReconciliationForm(
            initial=_today_initial() | {"transition_id": request.GET.get("transition")},
            client=client,
            user=request.user,
        ),
    )
    return render(request, "health/medications.html", context)


@login_required
def medication_detail(request, pk: int, medication_id: int):
    client = chart_client(request, pk)
    medication = medication_get(client=client, medication_id=medication_id)
    forms = {
        "checkin": CheckInForm(initial=_today_initial()),
        "change": MedicationChangeForm(
            initial={
                "dose": medication.dose,
                "frequency": medication.frequency,
                "route": medication.route,
                "started_on": medication.started_on,
                "status": medication.status,
                "edit_version": medication.edit_version,
            }
        ),
        "stop": StopForm(initial=_today_initial()),
    }
    action = request.POST.get("action")
    conflict = None
    if request.method == "POST" and action in forms:
        form = forms[action] = type(forms[action])(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "checkin":
                    services.checkin_record(actor=request.user, medication=medication, **data)
                elif action == "change":
                    services.medication_update(
                        actor=request.user, medication=medication, **versioned_values(form)
                    )
                else:
                    services.medication_stop(
                        actor=request.user,
                        medication=medication,
                        stopped_on=data["stopped_on"],
                        reason=data["reason"],
                    )
            except Conflict as error:
                if "changed_fields" in error.extra and action == "change":
                    conflict = error  # saved meanwhile: keep what was typed, say by whom
                    fresh = medication_get(client=client, medication_id=medication.pk)
                    form_show_conflict(form, error, current=fresh)
                else:
                    form_add_service_error(form, error)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    {
                        "checkin": "Check-in recorded.",
                        "change": "Medication updated.",
                        "stop": "Medication stopped.",
                    }[action],
                )
                return redirect("health:medication", pk=client.pk, medication_id=medication.pk)
    context = chart_context(
        request,
        client,
        "medications",
        medication=medication,
        conflict=conflict,
        points=adherence_points(medication),
        **{f"{k}_form": v for k, v in forms.items()},
    )
    return render(request, "health/medication_detail.html", context)


@login_required
@require_POST
def reconcile(request, pk: int):
    client = chart_client(request, pk, audit=False)
    form = ReconciliationForm(request.POST, client=client, user=request.user)
    if form.is_valid():
        data = dict(form.cleaned_data)
        transition = data.pop("transition_id")
        try:
            services.reconciliation_record(
                actor=request.user,
                client=client,
                transition_id=transition and transition.pk,
                **data,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Reconciliation recorded.")
            return redirect("health:medications", pk=client.pk)
    meds = list(medication_list(client=client))
    context = chart_context(
        request,
        client,
        "medications",
        form=MedicationForm(client=client),
        current=[m for m in meds if m.status != "stopped"],
        stopped=[m for m in meds if m.status == "stopped"],
        reconciliations=reconciliation_list(client=client)[:10],
        reconcile_form=form,
    )
    return render(request, "health/medications.html", context)


@login_required
def crisis(request, pk: int):
    client = chart_client(request, pk)
    crisis_form = CrisisForm(
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    )
    supply_form = SupplyForm(initial=_today_initial())
    action = request.POST.get("action")
    if request.method == "POST" and action in ("crisis", "supply"):
        form: CrisisForm | SupplyForm
        if action == "crisis":
            form = crisis_form = CrisisForm(request.POST)
        else:
            form = supply_form = SupplyForm(request.POST)
        if form.is_valid():
            try:
                if action == "crisis":
                    services.crisis_record(actor=request.user, client=client, **form.cleaned_data)
                else:
                    services.supply_give(actor=request.user, client=client, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "Crisis episode recorded. The team's supervisors have "
                    "been told and a follow-up is due within 24 hours."
                    + (
                        " The ED visit is recorded as a care transition."
                        if form.cleaned_data.get("ed_visit")
                        else ""
                    )
                    if action == "crisis"
                    else "Recorded.",
                )
                return redirect("health:crisis", pk=client.pk)
    episodes = list(crisis_list(client=client)[:20])
    context = chart_context(
        request,
        client,
        "crisis",
        crisis_form=crisis_form,
        supply_form=supply_form,
        episodes=episodes,
        supplies=supply_list(client=client)[:20],
        has_naloxone=has_naloxone(client=client),
        # A crisis in the past week prompts a safety-plan review.
        review_prompt=bool(episodes)
        and episodes[0].occurred_at > timezone.now() - timedelta(days=7),
    )
    return render(request, "health/crisis.html", context)
