"""The staff side of the portal, on the client chart: the Check-ins tab (sent / opened /
completed / expired per check-in, send and revoke), one check-in's answers with the
"Seen" acknowledgement, and the standing link to the client's plan."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments.selectors import instrument_get
from casemgmt.accounts.models import AuthenticatedHttpRequest
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error
from clients.chart import chart_client, chart_context

from . import selectors, services
from .models import DeliveryChannel
from .questions import question_set_part


class CheckInForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        label="Instruments",
        choices=[
            (c, instrument_get(c).full_name + f" ({instrument_get(c).name})")
            for c in services.CHECKIN_INSTRUMENTS
        ],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    question_set = forms.ChoiceField(label="Team question set", required=False)
    channel = forms.ChoiceField(
        label="Send by",
        choices=DeliveryChannel.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.sets = {str(s.pk): s for s in selectors.question_sets_for(client=client)}
        self.fields["question_set"].choices = [("", "None")] + [
            (pk, s.name) for pk, s in self.sets.items()
        ]
        self.fields["channel"].initial = (
            DeliveryChannel.SMS if client.phone else DeliveryChannel.EMAIL
        )


class LinkForm(forms.Form):
    channel = forms.ChoiceField(
        label="Send by",
        choices=DeliveryChannel.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


def _tab(request, client, *, form=None, link_form=None, status=200) -> HttpResponse:
    checkins = selectors.checkin_list(client=client)
    context = chart_context(
        request,
        client,
        "checkins",
        checkins=checkins,
        form=form or CheckInForm(client=client),
        link_form=link_form or LinkForm(initial={"channel": "sms" if client.phone else "email"}),
        plan_links=selectors.plan_links(client=client),
        auto=selectors.auto_checkin_get(client=client),
    )
    return render(request, "portal/staff/checkins.html", context, status=status)


@login_required
def checkins(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = chart_client(request, pk)
    return _tab(request, client)


@login_required
@require_POST
def checkin_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = chart_client(request, pk, audit=False)
    form = CheckInForm(request.POST, client=client)
    if form.is_valid():
        try:
            services.checkin_send(
                actor=request.user,
                client=client,
                instruments=form.cleaned_data["instruments"],
                question_set=form.sets.get(form.cleaned_data["question_set"] or ""),
                channel=form.cleaned_data["channel"],
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Check-in sent. The link works for 72 hours.")
            return redirect("portal:checkins", pk=client.pk)
    return _tab(request, client, form=form, status=400)


@login_required
@require_POST
def checkin_revoke(request: AuthenticatedHttpRequest, pk: int, checkin_id: int) -> HttpResponse:
    client = chart_client(request, pk, audit=False)
    checkin = selectors.checkin_get(client=client, checkin_id=checkin_id)
    try:
        services.checkin_revoke(actor=request.user, checkin=checkin)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Check-in revoked: its link no longer opens.")
    return redirect("portal:checkins", pk=client.pk)


@login_required
def checkin_detail(request: AuthenticatedHttpRequest, pk: int, checkin_id: int) -> HttpResponse:
    client = chart_client(request, pk, audit=False)
    checkin = selectors.checkin_get(client=client, checkin_id=checkin_id)
    audit_record(user=request.user, action=AuditAction.VIEW, obj=checkin, client_id=client.pk)
    set_rows = []
    for result in checkin.results.all():
        if result.response is None and checkin.question_set is not None:
            part = question_set_part(checkin.question_set, "en")
            for q, value in zip(part.questions, result.answers, strict=False):
                label = next((c.label for c in q.choices if c.value == value), str(value))
                risk = any(c.risk for c in q.choices if c.value == value)
                set_rows.append({"text": q.text, "answer": label, "risk": risk})
    return render(
        request,
        "portal/staff/checkin_detail.html",
        chart_context(
            request,
            client,
            "checkins",
            checkin=checkin,
            set_rows=set_rows,
        ),
    )


@login_required
@require_POST
def checkin_acknowledge(
    request: AuthenticatedHttpRequest, pk: int, checkin_id: int
) -> HttpResponse:
    client = chart_client(request, pk, audit=False)
    checkin = selectors.checkin_get(client=client, checkin_id=checkin_id)
    try:
        services.checkin_acknowledge(actor=request.user, checkin=checkin)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Marked as seen: the check-in is off the Today list.")
    back = request.POST.get("next") or ""
    if back == "today":
        return redirect("home")
    return redirect("portal:checkin_detail", pk=client.pk, checkin_id=checkin.pk)


@login_required
@require_POST
def plan_link_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = chart_client(request, pk, audit=False)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.plan_link_send(
                actor=request.user, client=client, channel=form.cleaned_data["channel"]
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Link to the plan and safety plan sent.")
            return redirect("portal:checkins", pk=client.pk)
    return _tab(request, client, link_form=form, status=400)


@login_required
@require_POST
def plan_link_revoke(request: AuthenticatedHttpRequest, pk: int, link_id: int) -> HttpResponse:
    client = chart_client(request, pk, audit=False)
    link = selectors.plan_link_get(client=client, link_id=link_id)
    try:
        services.link_revoke(actor=request.user, link=link)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Link revoked: it no longer opens.")
    return redirect("portal:checkins", pk=client.pk)


@login_required
@require_POST
def auto_checkin_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Turn automatic check-ins (by the re-administration schedule) on or off."""
    client = chart_client(request, pk, audit=False)
    channel = request.POST.get("channel") or None
    try:
        services.auto_checkin_set(actor=request.user, client=client, channel=channel)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Automatic check-ins on: sent when the schedule says an instrument is due."
            if channel
            else "Automatic check-ins off.",
        )
    return redirect("portal:checkins", pk=client.pk)
