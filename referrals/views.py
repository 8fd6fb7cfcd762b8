"""Pages: My follow-ups, referrals, the client's Referrals & transitions tab, the
directory and its HSDS import, the disclosure log and the referral packet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import (
    form_add_service_error,
    form_show_conflict,
    service_error_text,
    versioned_values,
)
from casemgmt.lib.pdf import pdf_render
from clients.chart import chart_client, chart_context
from clients.selectors import client_search, consent_get
from clients.services import client_read_audit

from . import selectors, services
from .extensions import transition_panels
from .filters import ReferralFilter, ServiceFilter
from .forms import (
    ChecklistForm,
    DischargeForm,
    EnteredInErrorForm,
    FollowUpCloseForm,
    FollowUpForm,
    FollowUpRescheduleForm,
    HsdsImportForm,
    ReferralForm,
    ReferralMoveForm,
    TransitionForm,
)
from .models import CLOSED_REFERRAL_STATUSES, FollowUpStatus, ReferralStatus, Service
from .services.followups import transition_window
from .services.referrals import DISCLOSURE_PURPOSE, TRANSITIONS

# Button labels for each move, in the order shown.
MOVE_LABELS = {
    ReferralStatus.SENT: "Send",
    ReferralStatus.RECEIVED: "Mark received",
    ReferralStatus.ACCEPTED: "Mark accepted",
    ReferralStatus.SCHEDULED: "Mark scheduled",
    ReferralStatus.COMPLETED: "Mark completed",
    ReferralStatus.DECLINED: "Mark declined",
    ReferralStatus.NO_SHOW: "Mark no-show",
    ReferralStatus.CANCELLED: "Cancel referral",
}


# ----------------------------------------------------------------------- follow-ups
@login_required
@require_POST
def followup_close(request, followup_id: int):
    followup = selectors.followup_get(user=request.user, followup_id=followup_id)
    form = FollowUpCloseForm(request.POST)
    if form.is_valid():
        try:
            services.followup_close(actor=request.user, followup=followup, **form.cleaned_data)
        except (ValidationError, Conflict) as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"Follow-up marked {followup.title!r} as updated.")
    else:
        messages.error(request, "Choose done, missed or cancelled.")
    return redirect(_safe_next(request, "my_followups"))  # never off-site


def _safe_next(request, default: str) -> str:
    """The ``next`` URL when it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def followup_reschedule(request, followup_id: int):
    """Move an open follow-up to another date (and time), saying why."""
    followup = selectors.followup_get(user=request.user, followup_id=followup_id)
    client = chart_client(request, followup.client_id, audit=False)
    client_read_audit(user=request.user, client=client, obj=followup)
    back = _safe_next(
        request,
        reverse("referrals:client_referrals", args=[client.pk]) + f"#followup-{followup.pk}",
    )
    form = FollowUpRescheduleForm(
        request.POST or None,
        initial={"due_on": followup.due_on, "due_time": followup.due_time},
    )
    if request.method == "POST" and form.is_valid():
        try:
            followup = services.followup_reschedule(
                actor=request.user, followup=followup, **form.cleaned_data
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            when = f"{followup.due_on:%a %b} {followup.due_on.day}"
            if followup.due_time:
                when += f" {followup.due_time:%H:%M}"
            messages.success(request, f"Follow-up {followup.title!r} moved to {when}.")
            return redirect(back)
    context = chart_context(
        request,
        client,
        "referrals",
        followup=followup,
        form=form,
        is_open=followup.status == FollowUpStatus.OPEN,
        window=transition_window(followup),
        moves=selectors.followup_reschedules(followup=followup),
        back=back,
    )
    return render(request, "referrals/followup_reschedule.html", context)


def _mark_met(followups, windows) -> None:
    """Set ``window_met_on`` on transition follow-ups whose window a visit already met,
    ``window_pending_on`` where only an unsigned note is in it."""
    for f in followups:
        f.window_met_on = f.window_pending_on = None
        for status in windows.get(f.transition_id, []) if f.transition_id else []:
            if status.window.days == f.window_days and status.state == "met":
                f.window_met_on = status.met_on
            elif status.window.days == f.window_days and status.state == "pending":
                f.window_pending_on = status.pending_on


@login_required
def followup_new(request, pk: int):
    client = chart_client(request, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_create(
                actor=request.user, client=client, assignee=None, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Follow-up added.")
            return redirect("referrals:client_referrals", pk=client.pk)
    return render(
        request,
        "referrals/followup_form.html",
        chart_context(request, client, "referrals", form=form),
    )


# ------------------------------------------------------------------- client chart tab
@login_required
def client_referrals(request, pk: int):
    client = chart_client(request, pk)
    transitions = list(selectors.transition_list(user=request.user).filter(client=client))
    windows = selectors.transition_windows(transitions)
    for t in transitions:
        t.window_statuses = windows.get(t.pk, [])
    followups = list(selectors.followups_for_client(client=client))
    now = timezone.now()
    for f in followups:
        f.state = selectors.followup_state(f, now)
    _mark_met(followups, windows)
    context = chart_context(
        request,
        client,
        "referrals",
        referrals=selectors.referrals_for_client(client=client),
        transitions=transitions,
        followups=followups,
        close_form=FollowUpCloseForm(),
    )
    return render(request, "referrals/client_referrals.html", context)


@login_required
def referral_new(request, pk: int):
    client = chart_client(request, pk)
    initial = {}
    if request.GET.get("service", "").isdigit():
        initial["service"] = request.GET["service"]
    form = ReferralForm(
        request.POST or None, initial=initial, goals=selectors.plan_goals(client=client)
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"Referral to {referral.recipient_name} saved as a draft.")
            return redirect("referrals:referral_detail", pk=client.pk, referral_id=referral.pk)
    return render(
        request,
        "referrals/referral_form.html",
        chart_context(request, client, "referrals", form=form),
    )


def _move_form(status, data=None):
    form = ReferralMoveForm(data, initial={"status": status}, prefix=status)
    if status == ReferralStatus.COMPLETED:
        field = form.fields["appointment_at"]
        field.label = "Appointment took place"
        field.help_text = "Only when it took place on another day than booked."
    return form


def _move_forms(referral):
    return [
        (status, label, _move_form(status))
        for status, label in MOVE_LABELS.items()
        if status in TRANSITIONS[referral.status]
    ]


@login_required
def referral_detail(request, pk: int, referral_id: int):
    client = chart_client(request, pk, audit=False)
    referral = selectors.referral_get(user=request.user, referral_id=referral_id, client=client)
    client_read_audit(user=request.user, client=client, obj=referral)
    failed, failed_form = None, None
    if request.method == "POST":
        status = request.POST.get("move", "")
        form = _move_form(status, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            to = data.pop("status")
            try:
                services.referral_move(actor=request.user, referral=referral, status=to, **data)
            except (ValidationError, Conflict) as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"Referral {ReferralStatus(to).label.lower()}.")
                return redirect("referrals:referral_detail", pk=client.pk, referral_id=referral.pk)
        failed, failed_form = status, form
    move_forms = [
        (s, label, failed_form if s == failed else form) for s, label, form in _move_forms(referral)
    ]
    context = chart_context(
        request,
        client,
        "referrals",
        referral=referral,
        events=referral.events.all(),
        move_forms=move_forms,
        failed=failed,
        goal_text=dict(selectors.plan_goals(client=client)).get(referral.goal_id)
        if referral.goal_id
        else None,
        is_closed=referral.status in CLOSED_REFERRAL_STATUSES,
        part2=_part2_state(request, client, referral),
    )
    return render(request, "referrals/referral_detail.html", context)


def _part2_state(request, client, referral) -> dict | None:
    """For a referral sharing substance use information: whether a 42 CFR Part 2 consent
    covers it now and, when none does, the link that records one with the recipient
    filled in and comes back here."""
    if not referral.discloses_substance_use or referral.status in CLOSED_REFERRAL_STATUSES:
        return None
    check = services.referral_consent_check(referral)
    query = {
        "kind": "part2",
        "purpose": f"Referral to {referral.recipient_name} for {DISCLOSURE_PURPOSE}",
        "next": request.path,
    }
    if referral.service is not None:
        query["directory"] = str(referral.service.organization_id)
    else:
        query["recipient"] = referral.recipient_name
    url = reverse("clients:consent_create", args=[client.pk]) + "?" + urlencode(query)
    return {"allowed": check.allowed, "reason": check.reason, "record_url": url}


@login_required
def referral_packet(request, pk: int, referral_id: int):
    """The referral packet as a PDF carrying the 42 CFR 2.32 notice; ``?format=html``
    gives the printable page. Either way the packet leaves the program: the Part 2 gate
    runs (a draft too) and the print is entered in the accounting of disclosures."""
    client = chart_client(request, pk, audit=False)
    referral = selectors.referral_get(user=request.user, referral_id=referral_id, client=client)
    as_html = request.GET.get("format") == "html"
    try:
        disclosure = services.referral_packet_disclose(
            actor=request.user,
            referral=referral,
            how="packet printed" if as_html else "packet PDF",
        )
    except Conflict as error:
        messages.error(request, service_error_text(error))
        return redirect("referrals:referral_detail", pk=client.pk, referral_id=referral.pk)
    html = render_to_string(
        "referrals/referral_packet.html",
        {
            "client": client,
            "referral": referral,
            "printed_at": timezone.now(),
            "user": request.user,
            "pdf": not as_html,
            "consent": consent_get(client=client, consent_id=disclosure.consent_id)
            if disclosure is not None and disclosure.consent_id
            else None,
        },
        request=request,
    )
    if as_html:
        return HttpResponse(html)
    response = HttpResponse(pdf_render(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
    return response


@login_required
def disclosure_log_view(request, pk: int):
    client = chart_client(request, pk, audit=False)
    audit_record(
        user=request.user,
        action=AuditAction.PRINT if request.GET.get("print") else AuditAction.VIEW,
        object_type="referrals.disclosure_log",
        client_id=client.pk,
    )
    context = chart_context(
        request, client, "referrals", disclosures=selectors.disclosure_log(client=client)
    )
    template = (
        "referrals/disclosure_print.html"
        if request.GET.get("print")
        else "referrals/disclosure_log.html"
    )
    return render(request, template, context)


# ---------------------------------------------------------------------- transitions
# What a link may fill in on a new transition (e.g. "Record the ED visit" from a crisis).
TRANSITION_PREFILL = ("from_level", "to_level", "focus", "facility", "admitted_on")


@login_required
def transition_new(request, pk: int):
    client = chart_client(request, pk)
    initial = {k: request.GET[k][:255] for k in TRANSITION_PREFILL if request.GET.get(k)}
    form = TransitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            transition = services.transition_record(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                "Transition recorded"
                + (f"; {transition.measure} follow-ups created." if transition.measure else "."),
            )
            return redirect("referrals:client_referrals", pk=client.pk)
    return render(
        request,
        "referrals/transition_form.html",
        chart_context(request, client, "referrals", form=form),
    )


def _posted_form(request, discharge_form, error_form, checklist_form):
    if "discharge" in request.POST:
        return discharge_form
    if "enter_in_error" in request.POST:
        return error_form
    return checklist_form


@login_required
def transition_detail(request, pk: int, transition_id: int):
    client = chart_client(request, pk, audit=False)
    transition = selectors.transition_get(
        user=request.user, transition_id=transition_id, client=client
    )
    client_read_audit(user=request.user, client=client, obj=transition)
    discharge_form = DischargeForm(request.POST if "discharge" in request.POST else None)
    checklist_form = ChecklistForm(
        request.POST if "checklist" in request.POST else None,
        initial={f: getattr(transition, f) for f in transition.CHECKLIST}
        | {"edit_version": transition.edit_version},
    )
    error_form = EnteredInErrorForm(request.POST if "enter_in_error" in request.POST else None)
    conflict = None
    if request.method == "POST":
        try:
            if "enter_in_error" in request.POST and error_form.is_valid():
                services.transition_enter_in_error(
                    actor=request.user, transition=transition, **error_form.cleaned_data
                )
                messages.success(request, "Marked as entered in error.")
                return redirect(
                    "referrals:transition_detail", pk=client.pk, transition_id=transition.pk
                )
            if "discharge" in request.POST and discharge_form.is_valid():
                services.transition_discharge(
                    actor=request.user, transition=transition, **discharge_form.cleaned_data
                )
                messages.success(request, "Discharge recorded.")
                return redirect(
                    "referrals:transition_detail", pk=client.pk, transition_id=transition.pk
                )
            if "checklist" in request.POST and checklist_form.is_valid():
                services.transition_update(
                    actor=request.user, transition=transition, **versioned_values(checklist_form)
                )
                messages.success(request, "Checklist saved.")
                return redirect(
                    "referrals:transition_detail", pk=client.pk, transition_id=transition.pk
                )
        except Conflict as error:
            if "changed_fields" in error.extra and "checklist" in request.POST:
                conflict = error  # ticked meanwhile by someone else: keep these ticks
                fresh = selectors.transition_get(
                    user=request.user, transition_id=transition.pk, client=client
                )
                form_show_conflict(checklist_form, error, current=fresh)
            else:
                form_add_service_error(
                    _posted_form(request, discharge_form, error_form, checklist_form), error
                )
        except ValidationError as error:
            form_add_service_error(
                _posted_form(request, discharge_form, error_form, checklist_form), error
            )
    statuses = selectors.transition_windows([transition]).get(transition.pk, [])
    followups = list(transition.followups.select_related("assignee").order_by("due_at"))
    _mark_met(followups, {transition.pk: statuses})
    context = chart_context(
        request,
        client,
        "referrals",
        transition=transition,
        window_statuses=statuses,
        discharge_form=discharge_form,
        checklist_form=checklist_form,
        error_form=error_form,
        conflict=conflict,
        followups=followups,
        panels=transition_panels(transition),
    )
    return render(request, "referrals/transition_detail.html", context)


# ------------------------------------------------------------------------ referrals
@login_required
def referral_index(request):
    filterset = ReferralFilter(
        request.GET, queryset=selectors.referral_list(user=request.user), request=request
    )
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="referrals.referral_list")
    return render(request, "referrals/referral_list.html", {"filter": filterset, "page": page})


# ------------------------------------------------------------------------ directory
@login_required
def directory(request):
    """The directory. With ``?client=<id>`` (from a client's new referral) each card's
    "Refer" opens that client's referral form with the service chosen; without, it asks
    which client first."""
    referring = None
    if request.GET.get("client", "").isdigit():
        referring = chart_client(request, int(request.GET["client"]))  # 404 out of reach
    filterset = ServiceFilter(
        request.GET,
        queryset=Service.objects.select_related("organization").order_by("name", "id"),
        request=request,
    )
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)  # the pages keep the search and the client
    return render(
        request,
        "referrals/directory.html",
        {"filter": filterset, "page": page, "referring": referring, "query": query.urlencode()},
    )


@login_required
def service_refer(request, service_id: int):
    """ "Refer" on a directory card without a client: pick the client (search by name or
    number; your own caseload first), then the referral form opens with the service."""
    service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
    text = request.GET.get("q", "")[:100]
    found = client_search(user=request.user, text=text)
    audit_record(  # a list of clients' names is a read, as the caseload page's
        user=request.user,
        action=AuditAction.VIEW,
        object_type="clients.client_list",
        detail={"filters": ["q"] if text else [], "for": "referral to a directory service"},
    )
    return render(
        request,
        "referrals/service_refer.html",
        {"service": service, "q": text, "clients_found": found},
    )


@login_required
def hsds_import_view(request):
    if not request.user.is_admin_role:
        raise PermissionDenied
    form = HsdsImportForm(request.POST or None, request.FILES or None)
    report, errors = None, []
    if request.method == "POST" and form.is_valid():
        files = form.files_as_text()
        dry_run = form.cleaned_data["dry_run"]
        try:
            report = services.hsds_import(files=files, dry_run=dry_run, actor=request.user)
        except ValidationError as error:
            errors = error.message_dict.get("files", error.messages)
        else:
            if report.saved:
                messages.success(
                    request,
                    f"Imported {report.organizations} organisations and {report.services} "
                    "services.",
                )
                return redirect("referrals:directory")
    return render(
        request, "referrals/hsds_import.html", {"form": form, "report": report, "errors": errors}
    )
