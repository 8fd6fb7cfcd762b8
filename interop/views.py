"""The ADT feed, one message, and the review queue (pick the client or dismiss)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casemgmt.accounts.selectors import team_list
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.forms import form_add_service_error
from clients.selectors import client_list, client_possible_duplicates

from . import selectors, services
from .forms import DismissForm, NewClientForm, ResolveForm
from .hl7v2 import normalise, parse, read_adt
from .models import AdtMessage, AdtStatus


def _staff(request) -> None:
    user = request.user
    if user.is_auditor_role and not (user.is_admin_role or user.is_supervisor_role):
        raise PermissionDenied
    if not user.role_names and not user.is_superuser:
        raise PermissionDenied


def _get(request, message_id: int) -> AdtMessage:
    try:
        return selectors.adt_message_get(user=request.user, message_id=message_id)
    except AdtMessage.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def feed(request):
    _staff(request)
    status = request.GET.get("status") or ""
    if status not in AdtStatus.values:
        status = ""
    qs = selectors.adt_message_list(user=request.user, status=status or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="interop.adt_feed")
    return render(
        request,
        "interop/feed.html",
        {"page": page, "status": status, "statuses": AdtStatus.choices, "queue": False},
    )


@login_required
def review_queue(request):
    _staff(request)
    page = Paginator(selectors.adt_review_queue(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="interop.adt_review")
    return render(
        request,
        "interop/feed.html",
        {"page": page, "status": AdtStatus.REVIEW, "statuses": [], "queue": True},
    )


def _candidates(request, message: AdtMessage) -> list:
    if message.status != AdtStatus.REVIEW or message.client_id is not None:
        return []
    adt = read_adt(parse(message.raw))
    if not (adt.given_name and adt.family_name and adt.birth_date):
        return []
    in_reach, _elsewhere = client_possible_duplicates(
        user=request.user,
        first_name=adt.given_name,
        last_name=adt.family_name,
        date_of_birth=adt.birth_date,
    )
    return in_reach


@login_required
def message_detail(request, message_id: int):
    _staff(request)
    message = _get(request, message_id)
    message = AdtMessage.objects.get(pk=message.pk)  # with the raw text
    audit_record(
        user=request.user, action=AuditAction.VIEW, obj=message, client_id=message.client_id
    )
    return render(
        request,
        "interop/message_detail.html",
        {
            "message": message,
            "segments": normalise(message.raw).split("\r") if message.raw else [],
            "candidates": _candidates(request, message),
            "resolve_form": ResolveForm(),
            "new_client_form": _new_client_form(request),
            "dismiss_form": DismissForm(),
            "pid": _pid(message),
        },
    )


def _new_client_form(request, data=None) -> NewClientForm:
    return NewClientForm(data, teams=team_list(user=request.user))


def _pid(message: AdtMessage):
    if message.status != AdtStatus.REVIEW or message.client_id is not None or not message.raw:
        return None
    return read_adt(parse(message.raw))


@login_required
@require_POST
def message_create_client(request, message_id: int):
    _staff(request)
    message = _get(request, message_id)
    form = _new_client_form(request, request.POST)
    if form.is_valid():
        try:
            message = services.adt_review_create_client(
                actor=request.user, message_id=message.pk, team=form.cleaned_data["team"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Registered as a new referred client, linked and processed.")
            return redirect("clients:detail", pk=message.client_id)
    return _detail_with_errors(request, message, new_client_form=form)


@login_required
@require_POST
def message_resolve(request, message_id: int):
    _staff(request)
    message = _get(request, message_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        client = (
            client_list(user=request.user)
            .filter(client_number=form.cleaned_data["client_number"].strip())
            .first()
        )
        if client is None:
            form.add_error("client_number", "No client in your teams has this number.")
        else:
            try:
                services.adt_review_resolve(
                    actor=request.user, message_id=message.pk, client=client
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, "Linked to the client and processed.")
                return redirect("interop:message_detail", message_id=message.pk)
    return _detail_with_errors(request, message, resolve_form=form)


@login_required
@require_POST
def message_dismiss(request, message_id: int):
    _staff(request)
    message = _get(request, message_id)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            services.adt_review_dismiss(
                actor=request.user, message_id=message.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Dismissed; the message stays in the feed.")
            return redirect("interop:review_queue")
    return _detail_with_errors(request, message, dismiss_form=form)


def _detail_with_errors(request, message: AdtMessage, **forms):
    message = AdtMessage.objects.get(pk=message.pk)
    context = {
        "message": message,
        "segments": normalise(message.raw).split("\r") if message.raw else [],
        "candidates": _candidates(request, message),
        "resolve_form": ResolveForm(),
        "new_client_form": _new_client_form(request),
        "dismiss_form": DismissForm(),
        "pid": _pid(message),
        **forms,
    }
    return render(request, "interop/message_detail.html", context, status=400)
