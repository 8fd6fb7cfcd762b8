"""The group pages: the list of groups, a group (members, sessions), a new group, and a
session's page where attendance and the group note are taken in one go.

Staff pages: they show the roster. What goes into each member's chart names only them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, service_error_text
from clients.selectors import client_get, client_list

from . import selectors, services
from .forms import (
    GroupForm,
    MemberAddForm,
    MemberLeaveForm,
    SessionAddForm,
    SessionCancelForm,
    SessionRecordForm,
)
from .models import ATTENDED, SessionStatus


@login_required
def group_index(request):
    groups = list(selectors.group_list(user=request.user).filter(ended_on__isnull=True))
    upcoming = {
        s.group_id: s
        for s in reversed(
            selectors.session_list(user=request.user).filter(
                status=SessionStatus.SCHEDULED, starts_at__gte=timezone.now()
            )
        )
    }
    for group in groups:
        group.next_session = upcoming.get(group.pk)
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="groups.group_list")
    return render(request, "groups/index.html", {"groups": groups})


@login_required
def group_new(request):
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            group = services.group_create(actor=request.user, **values)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{group.name} created. Add its members next.")
            return redirect("groups:detail", group_id=group.pk)
    return render(request, "groups/form.html", {"form": form})


def _member_choices(request, group) -> list[tuple[int | str, str]]:
    taken = set(group.memberships.filter(left_on__isnull=True).values_list("client_id", flat=True))
    clients = client_list(user=request.user).filter(team_id=group.team_id).exclude(pk__in=taken)
    return [("", "Choose a client…")] + [
        (c.pk, f"{c.display_name} ({c.client_number})") for c in clients[:500]
    ]


@login_required
def group_detail(request, group_id: int):
    group = selectors.group_get(user=request.user, group_id=group_id)
    form = MemberAddForm(request.POST or None)
    form.fields["client"].choices = _member_choices(request, group)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        client = client_get(user=request.user, client_id=form.cleaned_data["client"])
        try:
            services.group_member_add(
                actor=request.user,
                group=group,
                client=client,
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{client.display_name} joined {group.name}.")
            return redirect("groups:detail", group_id=group.pk)
    members = list(selectors.membership_list(user=request.user).filter(group=group))
    sessions = list(selectors.session_list(user=request.user).filter(group=group))
    now = timezone.now()
    audit_record(user=request.user, action=AuditAction.VIEW, obj=group)
    with group.team.local_time():
        return render(
            request,
            "groups/detail.html",
            {
                "group": group,
                "form": form,
                "current": [m for m in members if m.is_active],
                "past": [m for m in members if not m.is_active],
                "upcoming": [s for s in sessions if s.starts_at >= now][:8],
                "held": [s for s in sessions if s.starts_at < now][::-1][:12],
                "session_form": SessionAddForm(),
                "full": len([m for m in members if m.is_active]) >= group.capacity,
            },
        )


@login_required
@require_POST
def session_add(request, group_id: int):
    group = selectors.group_get(user=request.user, group_id=group_id)
    form = SessionAddForm(request.POST)
    with group.team.local_time():
        if form.is_valid():
            try:
                services.group_session_add(
                    actor=request.user, group=group, starts_at=form.cleaned_data["starts_at"]
                )
            except (ValidationError, Conflict) as error:
                messages.error(request, service_error_text(error))
            else:
                messages.success(request, "Session added.")
        else:
            messages.error(request, "Give the session's date and time.")
    return redirect("groups:detail", group_id=group.pk)


@login_required
def member_leave(request, group_id: int, membership_id: int):
    group = selectors.group_get(user=request.user, group_id=group_id)
    membership = (
        selectors.membership_list(user=request.user)
        .filter(group=group, pk=membership_id, left_on__isnull=True)
        .first()
    )
    if membership is None:
        raise Http404
    form = MemberLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_member_leave(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{membership.client.display_name} left {group.name}.")
            return redirect("groups:detail", group_id=group.pk)
    return render(
        request, "groups/leave.html", {"group": group, "membership": membership, "form": form}
    )


@login_required
def session_detail(request, session_id: int):
    """Take attendance and write the group note once (the members on the session's day);
    after, the attendance and a link to each member's note."""
    session = selectors.session_get(user=request.user, session_id=session_id)
    group = session.group
    team = group.team
    day = team.local_date(session.starts_at)
    members = [m.client for m in selectors.members_on(group=group, day=day)]
    form = None
    if session.status == SessionStatus.SCHEDULED:
        form = SessionRecordForm(request.POST or None, members=members)
        if request.method == "POST" and form.is_valid():
            entries = {
                pk: services.AttendanceEntry(status=status, line=line)
                for pk, (status, line) in form.attendance().items()
            }
            try:
                with team.local_time():
                    services.group_session_record(
                        actor=request.user,
                        session=session,
                        attendance=entries,
                        shared_data=form.cleaned_data["shared_data"],
                        shared_assessment=form.cleaned_data["shared_assessment"],
                        shared_plan=form.cleaned_data["shared_plan"],
                        topic=form.cleaned_data["topic"],
                        sign="sign" in request.POST,
                    )
            except (ValidationError, Conflict) as error:
                form_add_service_error(form, error)
            else:
                signed = "signed" if "sign" in request.POST else "saved as drafts"
                messages.success(request, f"Attendance taken; each member's note {signed}.")
                return redirect("groups:session", session_id=session.pk)
    audit_record(user=request.user, action=AuditAction.VIEW, obj=session)
    attendance = list(session.attendance.all())
    with team.local_time():
        return render(
            request,
            "groups/session.html",
            {
                "session": session,
                "group": group,
                "form": form,
                "attendance": attendance,
                "attended": sum(1 for a in attendance if a.status in ATTENDED),
                "drafts": sum(1 for a in attendance if a.note and not a.note.is_signed),
                "started": session.starts_at <= timezone.now(),
                "cancel_form": SessionCancelForm(),
            },
        )


@login_required
@require_POST
def session_sign(request, session_id: int):
    session = selectors.session_get(user=request.user, session_id=session_id)
    try:
        services.group_session_sign(actor=request.user, session=session)
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Every member's note is signed.")
    return redirect("groups:session", session_id=session.pk)


@login_required
@require_POST
def session_cancel(request, session_id: int):
    session = selectors.session_get(user=request.user, session_id=session_id)
    form = SessionCancelForm(request.POST)
    try:
        services.group_session_cancel(
            actor=request.user, session=session, reason=request.POST.get("reason", "")
        )
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Session cancelled.")
    del form
    return redirect("groups:session", session_id=session.pk)
