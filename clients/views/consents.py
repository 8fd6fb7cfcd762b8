"""The Consents tab: consents to treatment and releases of information (42 CFR Part 2).

The list (active first, then revoked or expired), recording a consent (its kind chosen
first, then that kind's fields), one consent with every element, and revoking it.
Consents are never edited or deleted: a wrong one is revoked and recorded again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from casemgmt.accounts.models import AuthenticatedHttpRequest
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error

from .. import services
from ..chart import chart_client, chart_context
from ..forms_consents import KIND_HELP, ConsentForm, ConsentRevokeForm
from ..models import Client, Consent, ConsentKind
from ..selectors import consent_get, consent_list
from ..selectors.consents import ACTIVE, EXPIRED, NOT_YET, REVOKED, STATE_LABELS, consent_state
from ..services.consents import consent_summary

EXPIRES_SOON_DAYS = 30
SHORT_KIND: dict[str, str] = {
    ConsentKind.TREATMENT: "Consent to treatment",
    ConsentKind.RELEASE: "Release of information",
    ConsentKind.PART2: "42 CFR Part 2 consent",
}


def _annotate(consent: Consent, today) -> Consent:
    """What the templates show: the state today and, for a date expiry, days left."""
    consent.state = consent_state(consent, today)
    consent.state_label = STATE_LABELS[consent.state]
    consent.summary = consent_summary(consent)
    consent.is_part2 = consent.kind == ConsentKind.PART2
    consent.short_kind = SHORT_KIND[consent.kind]
    consent.days_left = (
        (consent.expires_on - today).days if consent.expires_on is not None else None
    )
    consent.expires_soon = (
        consent.state == ACTIVE
        and consent.days_left is not None
        and consent.days_left <= EXPIRES_SOON_DAYS
    )
    return consent


def _kinds() -> list[dict]:
    return [
        {"value": value, "label": label, "help": KIND_HELP[value]}
        for value, label in ConsentKind.choices
    ]


@login_required
def consent_index(request: AuthenticatedHttpRequest, pk: int):
    client = chart_client(request, pk)
    today = client.team.local_date()
    consents = [_annotate(c, today) for c in consent_list(client=client)]
    current = [c for c in consents if c.state in (ACTIVE, NOT_YET)]
    ended = [c for c in consents if c.state in (REVOKED, EXPIRED)]
    active = [c for c in current if c.state == ACTIVE]
    context = chart_context(
        request,
        client,
        "consents",
        current=current,
        ended=ended,
        today=today,
        treatment=next((c for c in active if c.kind == ConsentKind.TREATMENT), None),
        part2_recipients=sorted(
            {r for c in active if c.kind == ConsentKind.PART2 for r in c.recipients},
            key=str.casefold,
        ),
        part2_tpo=[c for c in active if c.kind == ConsentKind.PART2 and c.recipient_class],
        kinds=_kinds(),
    )
    return render(request, "clients/consents/index.html", context)


@login_required
def consent_new(request: AuthenticatedHttpRequest, pk: int):
    """Choose the kind first (``?kind=``), then fill in that kind's elements."""
    client = chart_client(request, pk)
    kind = request.POST.get("kind") or request.GET.get("kind")
    if kind not in ConsentKind.values:
        context = chart_context(request, client, "consents", kinds=_kinds())
        return render(request, "clients/consents/choose.html", context)
    form = ConsentForm(request.POST or None, client=client, kind=kind)
    if not form.is_bound:
        form.initial.update(_prefill(request, form))
    back = _back_to(request)
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.consent_create(
                actor=request.user, client=client, kind=kind, **form.consent_values()
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{consent_summary(consent)} recorded.")
            if back:
                return redirect(back)
            return redirect("clients:consent_detail", pk=client.pk, consent_id=consent.pk)
    context = chart_context(request, client, "consents", form=form, back=back)
    return render(request, "clients/consents/form.html", context)


def _prefill(request: AuthenticatedHttpRequest, form: ConsentForm) -> dict:
    """What a page asking for a consent fills in (a refused referral: its recipient from
    the directory ``?directory=<id>`` or by name ``?recipient=``, and ``?purpose=``)."""
    initial: dict = {}
    directory = request.GET.get("directory", "")
    if directory.isdigit() and int(directory) in form.directory:
        initial["recipient_organizations"] = [int(directory)]
    elif request.GET.get("recipient"):
        initial["recipients"] = request.GET["recipient"][:255]
    if request.GET.get("purpose"):
        initial["purpose"] = request.GET["purpose"][:500]
    return initial


def _back_to(request: AuthenticatedHttpRequest) -> str:
    """Where to go after recording (``next``: a page of this site only), else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _consent(request: AuthenticatedHttpRequest, pk: int, consent_id: int) -> tuple[Client, Consent]:
    """The client (in reach, else 404) and one of its consents; reading it is audited."""
    client = chart_client(request, pk, audit=False)
    consent = consent_get(client=client, consent_id=consent_id)
    services.client_read_audit(user=request.user, client=client, obj=consent)
    return client, consent


def _detail(request, client: Client, consent: Consent, form: ConsentRevokeForm | None = None):
    with client.team.local_time():
        context = chart_context(
            request,
            client,
            "consents",
            consent=_annotate(consent, client.team.local_date()),
            revoke_form=form
            or ConsentRevokeForm(
                initial={
                    "revoked_on": client.team.local_date(),
                    "edit_version": consent.edit_version,
                }
            ),
            revoke_open=form is not None,
        )
        return render(request, "clients/consents/detail.html", context)


@login_required
def consent_detail(request: AuthenticatedHttpRequest, pk: int, consent_id: int):
    client, consent = _consent(request, pk, consent_id)
    return _detail(request, client, consent)


@login_required
def consent_revoke(request: AuthenticatedHttpRequest, pk: int, consent_id: int):
    """Revoke a consent (the form asks to confirm first); it stays on record as revoked."""
    client, consent = _consent(request, pk, consent_id)
    if request.method != "POST" and consent.revoked_on is not None:
        messages.info(request, f"This consent was already revoked on {consent.revoked_on}.")
        return redirect("clients:consent_detail", pk=client.pk, consent_id=consent.pk)
    form = ConsentRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        expected = values.pop("edit_version")
        try:
            services.consent_revoke(
                actor=request.user, consent=consent, expected_version=expected, **values
            )
        except Conflict as error:  # revoked meanwhile, e.g. by a teammate: show by whom
            messages.error(request, error.message)
            return redirect("clients:consent_detail", pk=client.pk, consent_id=consent.pk)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{consent_summary(consent)} revoked from {consent.revoked_on:%b %-d, %Y}. "
                "It stays on record; nothing more may be disclosed under it.",
            )
            return redirect("clients:consents", pk=client.pk)
    return _detail(request, client, consent, form)
