"""The Family and contacts tab: the client's related persons, with what covers each of
them (a release of information, a 42 CFR Part 2 consent), add, edit, mark inactive.

Nothing is deleted: an inactive person stays on the chart, greyed, with the reason.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from casemgmt.accounts.models import AuthenticatedHttpRequest
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, form_show_conflict

from .. import services
from ..chart import chart_client, chart_context
from ..forms_related import RelatedPersonEditForm, RelatedPersonForm, RelatedPersonInactiveForm
from ..models import Client, ConsentKind, ContactType, RelatedPerson
from ..selectors import related_person_get, related_person_list, related_persons_covered


def _release_link(client: Client, person: RelatedPerson, kind: str) -> str:
    """The consent form with the person named as recipient, back here after saving."""
    query = {
        "kind": kind,
        "recipient": person.name,
        "next": reverse("clients:related_persons", args=[client.pk]),
    }
    return f"{reverse('clients:consent_create', args=[client.pk])}?{urlencode(query)}"


def _collateral_link(client: Client, person: RelatedPerson) -> str:
    query = {"contact_type": ContactType.COLLATERAL, "related_person": person.pk}
    return f"{reverse('clients:note_create', args=[client.pk])}?{urlencode(query)}"


@login_required
def related_index(request: AuthenticatedHttpRequest, pk: int):
    client = chart_client(request, pk)
    people = related_persons_covered(related_person_list(client=client), client.team.local_date())
    for person in people:
        person.release_link = _release_link(client, person, ConsentKind.RELEASE)
        person.part2_link = _release_link(client, person, ConsentKind.PART2)
        person.collateral_link = _collateral_link(client, person)
    context = chart_context(
        request,
        client,
        "related",
        active=[p for p in people if p.is_active],
        inactive=[p for p in people if not p.is_active],
    )
    return render(request, "clients/related/index.html", context)


@login_required
def related_new(request: AuthenticatedHttpRequest, pk: int):
    client = chart_client(request, pk)
    form = RelatedPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.related_person_add(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            covered = " A release on file names them." if person.consents.exists() else ""
            messages.success(request, f"{person.name} added.{covered}")
            return redirect("clients:related_persons", pk=client.pk)
    context = chart_context(request, client, "related", form=form, person=None)
    return render(request, "clients/related/form.html", context)


@login_required
def related_edit(request: AuthenticatedHttpRequest, pk: int, person_id: int):
    client = chart_client(request, pk, audit=False)
    person = related_person_get(client=client, person_id=person_id)
    services.client_read_audit(user=request.user, client=client, obj=person)
    if not person.is_active:
        messages.info(request, f"{person.name} is inactive: their details are kept as they were.")
        return redirect("clients:related_persons", pk=client.pk)
    form = RelatedPersonEditForm.for_person(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        loaded = values.pop("edit_version")
        try:
            services.related_person_update(
                actor=request.user, person=person, values=values, expected_version=loaded
            )
        except Conflict as error:
            person.refresh_from_db()
            form_show_conflict(form, error, current=person)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']}'s details saved.")
            return redirect("clients:related_persons", pk=client.pk)
    context = chart_context(request, client, "related", form=form, person=person)
    return render(request, "clients/related/form.html", context)


@login_required
def related_inactive(request: AuthenticatedHttpRequest, pk: int, person_id: int):
    """Confirm and mark a person inactive; they stay on the chart as history."""
    client = chart_client(request, pk, audit=False)
    person = related_person_get(client=client, person_id=person_id)
    services.client_read_audit(user=request.user, client=client, obj=person)
    if not person.is_active:
        messages.info(request, f"{person.name} is already inactive.")
        return redirect("clients:related_persons", pk=client.pk)
    form = RelatedPersonInactiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.related_person_deactivate(
                actor=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                inactive_on=form.cleaned_data["inactive_on"],
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{person.name} is marked inactive (kept on the chart).")
            return redirect("clients:related_persons", pk=client.pk)
    context = chart_context(request, client, "related", form=form, person=person)
    return render(request, "clients/related/inactive.html", context)
