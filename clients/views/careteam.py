"""The care team tab: current and past members, add a member, end a membership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error

from .. import services
from ..chart import chart_client, chart_context
from ..forms_notes import CareTeamEndForm, CareTeamMemberForm
from ..selectors import care_team_list


def _split(members) -> tuple[list, list]:
    members = list(members)
    return [m for m in members if m.is_active], [m for m in members if not m.is_active]


@login_required
def careteam_index(request, pk: int):
    client = chart_client(request, pk)
    form = CareTeamMemberForm(request.POST or None, user=request.user, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.care_team_member_add(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{member.display_name} added to the care team.")
            return redirect("clients:careteam", pk=client.pk)
    current, past = _split(care_team_list(client=client))
    context = chart_context(request, client, "careteam", form=form, current=current, past=past)
    return render(request, "clients/careteam/index.html", context)


@login_required
def careteam_end(request, pk: int, member_id: int):
    """Confirm and end a membership; the member stays in the list as past."""
    client = chart_client(request, pk)
    member = care_team_list(client=client).filter(pk=member_id).first()
    if member is None:
        raise Http404
    if not member.is_active:
        messages.info(request, f"{member.display_name} has already left the care team.")
        return redirect("clients:careteam", pk=client.pk)
    form = CareTeamEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_member_end(
                actor=request.user, member=member, ended_on=form.cleaned_data["ended_on"]
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, f"{member.display_name} is no longer on the care team (kept as past)."
            )
            return redirect("clients:careteam", pk=client.pk)
    context = chart_context(request, client, "careteam", form=form, member=member)
    return render(request, "clients/careteam/end.html", context)
