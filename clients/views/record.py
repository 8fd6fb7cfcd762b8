"""Pages for the client record: caseload, intake (with duplicate check), chart overview,
edit (optimistic locking), status, transfer, diagnoses, risk flags, timeline,
access log, emergency access."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, service_error_text

from .. import services
from ..chart import chart_client, chart_context, client_list_page, overview_panels
from ..forms import (
    ClientEditForm,
    ClientIntakeForm,
    DiagnosisEditForm,
    DiagnosisForm,
    DiagnosisReclassifyForm,
    EmergencyAccessForm,
    FlagClearForm,
    FlagSetForm,
    StatusForm,
    TransferForm,
)
from ..icd10 import CODES
from ..models import Diagnosis, RiskFlag, classification_label
from ..selectors import (
    access_log,
    assignment_history,
    client_list,
    client_merged_survivor,
    client_possible_duplicates,
    diagnosis_list,
    emergency_access_allowed,
    emergency_access_request_get,
    emergency_access_used,
    risk_flag_history,
    status_history,
    timeline_list,
)


# ----------------------------------------------------------------------------- caseload
@login_required
def client_index(request):
    return client_list_page(request, client_list(user=request.user))


# ------------------------------------------------------------------------------- intake
@login_required
def client_new(request):
    """Intake. A similar existing client (same date of birth, similar name) is shown
    before saving; the user opens it or confirms the new client."""
    form = ClientIntakeForm(request.POST or None, user=request.user)
    duplicates, elsewhere = [], []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirmed = data.pop("confirm_new", False)
        duplicates, elsewhere = client_possible_duplicates(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        if request.POST.get("ask_other_team"):  # never registers: the same answer always
            services.duplicate_inquiry_send(
                actor=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
            )
            messages.info(request, services.DUPLICATE_INQUIRY_SENT)
            form.show_confirm()
        elif (duplicates or elsewhere) and not confirmed:
            form.show_confirm()
            audit_record(
                user=request.user,
                action=AuditAction.VIEW,
                object_type="clients.duplicates",
                detail={"clients": [c.pk for c in duplicates], "other_teams": len(elsewhere)},
            )
        else:
            try:
                client = services.client_create(actor=request.user, **data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request, f"{client.display_name} registered as {client.client_number}."
                )
                return redirect("clients:detail", pk=client.pk)
    return render(
        request,
        "clients/client_intake.html",
        {"form": form, "duplicates": duplicates, "elsewhere": elsewhere},
    )


# ----------------------------------------------------------------------------- overview
@login_required
def client_detail(request, pk: int):
    try:
        client = chart_client(request, pk)
    except Http404:
        survivor = client_merged_survivor(user=request.user, client_id=pk)
        if survivor is None:
            raise
        messages.info(
            request,
            f"That record was a duplicate, merged into {survivor.client_number}: "
            "this is the record to use.",
        )
        return redirect("clients:detail", pk=survivor.pk)
    context = chart_context(
        request,
        client,
        "overview",
        diagnoses=[d for d in diagnosis_list(client=client) if d.status != "entered_in_error"],
        statuses=status_history(client=client)[:5],
        assignments=assignment_history(client=client)[:5],
        recent=timeline_list(client=client)[:8],
        status_form=StatusForm(client=client),
        flag_form=FlagSetForm(),
        overview_panels=overview_panels(client),
        can_merge=request.user.is_admin_role,
    )
    return render(request, "clients/client_detail.html", context)


@login_required
def client_edit(request, pk: int):
    client = chart_client(request, pk)
    form = ClientEditForm(request.POST or None, instance=client)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.client_update(
                actor=request.user, client=client, data=data, expected_version=version
            )
        except Conflict as error:
            conflict = error
            fresh = chart_client(request, pk, audit=False)
            form.show_current(fresh, error.extra.get("changed_fields", []))
            form.add_error(None, error.message)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("clients:detail", pk=client.pk)
    return render(
        request,
        "clients/client_form.html",
        chart_context(request, client, "overview", form=form, conflict=conflict),
    )


@login_required
@require_POST
def client_status(request, pk: int):
    client = chart_client(request, pk, audit=False)
    form = StatusForm(request.POST, client=client)
    if form.is_valid():
        try:
            services.client_change_status(actor=request.user, client=client, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Status changed.")
            return redirect("clients:detail", pk=client.pk)
    return render(
        request, "clients/client_status.html", chart_context(request, client, "overview", form=form)
    )


@login_required
def client_transfer_view(request, pk: int):
    client = chart_client(request, pk)
    form = TransferForm(request.POST or None, user=request.user, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_transfer(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Reassigned. The new case manager has been notified.")
            return redirect("clients:detail", pk=client.pk)
    context = chart_context(
        request, client, "overview", form=form, history=assignment_history(client=client)
    )
    return render(request, "clients/client_transfer.html", context)


# ---------------------------------------------------------------------------- diagnoses
@login_required
def diagnoses(request, pk: int):
    client = chart_client(request, pk)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_add(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Diagnosis added.")
            return redirect("clients:diagnoses", pk=client.pk)
    context = chart_context(
        request,
        client,
        "diagnoses",
        form=form,
        diagnoses=diagnosis_list(client=client),
        codes=CODES,
    )
    return render(request, "clients/diagnoses.html", context)


@login_required
def diagnosis_edit(request, pk: int, diagnosis_id: int):
    client = chart_client(request, pk, audit=False)
    diagnosis = get_object_or_404(Diagnosis, pk=diagnosis_id, client=client)
    services.client_read_audit(user=request.user, client=client, obj=diagnosis)
    form = DiagnosisEditForm(request.POST or None, instance=diagnosis)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_update(
                actor=request.user, diagnosis=diagnosis, data=form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Diagnosis updated.")
            return redirect("clients:diagnoses", pk=client.pk)
    context = chart_context(request, client, "diagnoses", form=form, diagnosis=diagnosis)
    return render(request, "clients/diagnosis_form.html", context)


@login_required
def diagnosis_reclassify(request, pk: int, diagnosis_id: int):
    """Classify one diagnosis differently for the dual-diagnosis rule, with a reason."""
    client = chart_client(request, pk, audit=False)
    diagnosis = get_object_or_404(Diagnosis, pk=diagnosis_id, client=client)
    services.client_read_audit(user=request.user, client=client, obj=diagnosis)
    form = DiagnosisReclassifyForm(request.POST or None, diagnosis=diagnosis)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_reclassify(
                actor=request.user, diagnosis=diagnosis, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Diagnosis classified.")
            return redirect("clients:diagnoses", pk=client.pk)
    context = chart_context(
        request,
        client,
        "diagnoses",
        form=form,
        diagnosis=diagnosis,
        table_says=classification_label(
            *services.classify(diagnosis.icd10_code, services.code_ranges())
        ),
    )
    return render(request, "clients/diagnosis_reclassify.html", context)


# --------------------------------------------------------------------------- risk flags
@login_required
def flag_set(request, pk: int):
    client = chart_client(request, pk)
    form = FlagSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_flag_set(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Flag set.")
            return redirect("clients:detail", pk=client.pk)
    context = chart_context(
        request, client, "overview", form=form, history=risk_flag_history(client=client)
    )
    return render(request, "clients/flags.html", context)


@login_required
def flag_clear(request, pk: int, flag_id: int):
    client = chart_client(request, pk)
    flag = get_object_or_404(RiskFlag, pk=flag_id, client=client)
    form = FlagClearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_flag_clear(actor=request.user, flag=flag, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{flag.get_kind_display()} flag cleared.")
            return redirect("clients:detail", pk=client.pk)
    context = chart_context(request, client, "overview", form=form, flag=flag)
    return render(request, "clients/flag_clear.html", context)


# ---------------------------------------------------------------- timeline, access log
@login_required
def timeline(request, pk: int):
    client = chart_client(request, pk)
    kinds = [k for k in request.GET.getlist("kind") if k]
    page = Paginator(timeline_list(client=client, kinds=kinds), 50).get_page(
        request.GET.get("page")
    )
    context = chart_context(request, client, "timeline", page=page, kinds=kinds)
    return render(request, "clients/timeline.html", context)


@login_required
def access_log_view(request, pk: int):
    client = chart_client(request, pk)
    if not user_supervises_team(user=request.user, team=client.team):
        raise PermissionDenied
    page = Paginator(access_log(client=client), 50).get_page(request.GET.get("page"))
    return render(
        request, "clients/access_log.html", chart_context(request, client, "access", page=page)
    )


# ---------------------------------------------------------------------- emergency access
@login_required
def emergency_access(request):
    """Break the glass (42 CFR 2.51): clinical roles only; anyone else sees why not."""
    if not emergency_access_allowed(user=request.user):
        return render(request, "clients/emergency_access.html", {"form": None}, status=403)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.emergency_access_grant(user=request.user, **form.cleaned_data)
        except (ValidationError, Conflict, PermissionDenied) as error:
            form_add_service_error(form, error)
        else:
            return redirect("clients:detail", pk=access.client_id)
    return render(
        request,
        "clients/emergency_access.html",
        {
            "form": form,
            "limit": settings.EMERGENCY_ACCESS_DAILY_LIMIT,
            "used": emergency_access_used(user=request.user),
        },
    )


@login_required
def emergency_request(request, request_id: int):
    """A request over the daily limit, for a supervisor of the requester's team to
    approve (anyone else: 404)."""
    pending = emergency_access_request_get(user=request.user, request_id=request_id)
    error = None
    if request.method == "POST":
        try:
            access = services.emergency_access_request_approve(
                supervisor=request.user, request=pending
            )
        except (Conflict, PermissionDenied) as refusal:
            error = service_error_text(refusal)
        else:
            messages.success(request, f"Approved: {pending.user.display_name} may open the record.")
            return redirect("clients:access_log", pk=access.client_id)
    return render(request, "clients/emergency_request.html", {"pending": pending, "error": error})
