"""Calendar pages (my day, my week, team week, month), the appointment page with its
actions (check in, complete, no-show, cancel, move), booking from the client chart, the
note of a completed visit, and the private iCalendar feed.

Times are shown and read in the team's time zone (``team.local_time()``)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from careplans.models import Intervention
from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import team_ids_in_reach
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error
from clients.chart import chart_client, chart_context
from clients.selectors import client_get
from clients.services import client_read_audit

from . import services
from .forms import (
    AppointmentForm,
    CalendarFilterForm,
    CancelForm,
    RescheduleForm,
    VisitNoteForm,
)
from .ical import feed_calendar
from .models import Appointment, AppointmentKind, AppointmentStatus
from .selectors import (
    appointment_get,
    appointment_list,
    appointments_between,
    feed_exists,
    feed_user,
    user_zone,
)

VIEWS = {"day": "My day", "week": "My week", "team": "Team week", "month": "Month"}


def _teams(user: User):
    reach = team_ids_in_reach(user=user)
    qs = Team.objects.all() if reach is None else Team.objects.filter(pk__in=reach)
    return qs.order_by("name")


def _zone(user: User) -> ZoneInfo:
    return user_zone(user=user)


def _staff_of(teams) -> list[User]:
    return list(
        User.objects.filter(Q(teams__in=teams) | Q(supervised_teams__in=teams), is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )


def _day(value: str | None, zone: ZoneInfo) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate(timezone=zone)
    except ValueError:
        return timezone.localdate(timezone=zone)


def _start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


@login_required
def calendar(request):
    """One page, four views (``?view=day|week|team|month``), filters by staff and kind."""
    view = request.GET.get("view", "week")
    if view not in VIEWS:
        view = "week"
    zone = _zone(request.user)
    day = _day(request.GET.get("date"), zone)
    teams = _teams(request.user)
    people = _staff_of(teams)
    form = CalendarFilterForm(
        request.GET or None, staff_queryset=User.objects.filter(pk__in=[u.pk for u in people])
    )
    staff = form.cleaned_data.get("staff") if form.is_valid() else None
    kind = form.cleaned_data.get("kind") if form.is_valid() else ""
    if view == "day":
        first, count = day, 1
    elif view == "month":
        first = day.replace(day=1)
        first -= timedelta(days=first.weekday())
        count = 42
    else:
        first, count = day - timedelta(days=day.weekday()), 7
    staff_ids = None
    if view in ("day", "week"):
        staff_ids = [(staff or request.user).pk]
    elif staff is not None:
        staff_ids = [staff.pk]
    with timezone.override(zone):
        rows = list(
            appointments_between(
                user=request.user,
                start=_start(first, zone),
                end=_start(first + timedelta(days=count), zone),
                staff_ids=staff_ids,
                kinds=[kind] if kind else None,
                team_ids=None if staff_ids else [t.pk for t in teams],
            )
        )
        by_day: dict[date, list[Appointment]] = defaultdict(list)
        for a in rows:
            by_day[timezone.localtime(a.starts_at, zone).date()].append(a)
        today = timezone.localdate(timezone=zone)
        days = [
            {
                "date": d,
                "items": by_day.get(d, []),
                "today": d == today,
                "other_month": view == "month" and d.month != day.month,
            }
            for d in (first + timedelta(days=i) for i in range(count))
        ]
        step = {"day": 1, "week": 7, "team": 7}.get(view)
        if step:
            prev_day, next_day = day - timedelta(days=step), day + timedelta(days=step)
        else:
            prev_day = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
            next_day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="scheduling.calendar",
            detail={"view": view, "filters": sorted(k for k, v in request.GET.items() if v)},
        )
        query = request.GET.copy()
        query.pop("date", None)
        return render(
            request,
            "scheduling/calendar.html",
            {
                "view": view,
                "views": VIEWS,
                "view_label": VIEWS[view],
                "day": day,
                "days": days,
                "weeks": [days[i : i + 7] for i in range(0, len(days), 7)]
                if view == "month"
                else None,
                "prev_day": prev_day,
                "next_day": next_day,
                "form": form,
                "query": query.urlencode(),
                "who": (staff or request.user) if staff_ids else None,
                "count": len(rows),
                "zone": zone,
            },
        )


def _appointment(request, pk: int) -> Appointment:
    appointment = appointment_get(user=request.user, appointment_id=pk)
    return appointment


@login_required
def appointment_detail(request, pk: int):
    appointment = _appointment(request, pk)
    # The client as the chart reads it (emergency access known), for the audit event.
    appointment.client = client_get(user=request.user, client_id=appointment.client_id)
    client_read_audit(user=request.user, client=appointment.client, obj=appointment)
    with appointment.team.local_time():
        now = timezone.now()
        return render(
            request,
            "scheduling/appointment_detail.html",
            {
                "appointment": appointment,
                "client": appointment.client,
                "started": appointment.starts_at <= now,
                "can_check_in": appointment.status == AppointmentStatus.SCHEDULED,
                "can_finish": appointment.is_open and appointment.starts_at <= now,
                "can_no_show": appointment.status == AppointmentStatus.SCHEDULED
                and appointment.starts_at <= now,
                "can_move": appointment.status == AppointmentStatus.SCHEDULED,
                "interventions": list(appointment.interventions.select_related("goal")),
                "moved_from": Appointment.objects.filter(rescheduled_to=appointment).first(),
            },
        )


def _act(request, pk: int, service, done: str):
    appointment = _appointment(request, pk)
    try:
        result = service(actor=request.user, appointment=appointment)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("scheduling:detail", pk=pk), None
    messages.success(request, done)
    return None, result


@login_required
@require_POST
def appointment_check_in(request, pk: int):
    response, _ = _act(request, pk, services.appointment_check_in, "Checked in.")
    return response or redirect("scheduling:detail", pk=pk)


@login_required
@require_POST
def appointment_complete(request, pk: int):
    response, _ = _act(
        request, pk, services.appointment_complete, "Completed. Write the note of the visit below."
    )
    return response or redirect("scheduling:note", pk=pk)


@login_required
@require_POST
def appointment_no_show(request, pk: int):
    response, _ = _act(
        request,
        pk,
        services.appointment_no_show,
        "Marked as a no-show. A follow-up to reach the client within 2 business days "
        "is on your list.",
    )
    return response or redirect("scheduling:detail", pk=pk)


@login_required
def appointment_cancel(request, pk: int):
    appointment = _appointment(request, pk)
    with appointment.team.local_time():
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.appointment_cancel(
                    actor=request.user,
                    appointment=appointment,
                    by=form.cleaned_data["by"],
                    reason=form.cleaned_data["cancellation_reason"],
                )
            except (ValidationError, Conflict) as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, "Appointment cancelled.")
                return redirect("scheduling:detail", pk=pk)
        return render(
            request,
            "scheduling/appointment_form.html",
            {
                "appointment": appointment,
                "client": appointment.client,
                "form": form,
                "title": "Cancel appointment",
                "button": "Cancel appointment",
            },
        )


@login_required
def appointment_move(request, pk: int):
    """Move this one (or, in a series, this and following): the form."""
    appointment = _appointment(request, pk)
    series = appointment.recurrence_id is not None
    with appointment.team.local_time():
        initial = {
            "starts_at": timezone.localtime(appointment.starts_at),
            "duration_minutes": appointment.duration_minutes,
            "scope": "this",
        }
        form = RescheduleForm(request.POST or None, initial=initial, series=series)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            starts = data["starts_at"]
            values = {
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=data["duration_minutes"]),
                "confirm_conflicts": data.get("confirm_conflicts", False),
            }
            try:
                if data.get("scope") == "following":
                    moved = services.recurrence_edit_following(
                        actor=request.user, appointment=appointment, **values
                    )
                else:
                    moved = services.appointment_reschedule(
                        actor=request.user, appointment=appointment, **values
                    )
            except (ValidationError, Conflict) as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, "Appointment moved.")
                return redirect("scheduling:detail", pk=moved.pk)
        return render(
            request,
            "scheduling/appointment_form.html",
            {
                "appointment": appointment,
                "client": appointment.client,
                "form": form,
                "title": "Move appointment",
                "button": "Move",
            },
        )


@login_required
@require_POST
def appointment_drop(request, pk: int):
    """Drag and drop on the calendar: the same time on the day dropped on (``date``).
    Answers JSON for the script; an overlap or a refusal says why (409/400)."""
    appointment = _appointment(request, pk)
    zone = appointment.team.zone
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        return JsonResponse({"detail": "Drop it on a day."}, status=400)
    local = timezone.localtime(appointment.starts_at, zone)
    starts = datetime.combine(day, local.time(), tzinfo=zone)
    try:
        moved = services.appointment_reschedule(
            actor=request.user,
            appointment=appointment,
            starts_at=starts,
            ends_at=starts + (appointment.ends_at - appointment.starts_at),
            confirm_conflicts=request.POST.get("confirm") == "1",
        )
    except Conflict as error:
        return JsonResponse({"detail": error.message, "field": error.field}, status=409)
    except ValidationError as error:
        text = " ".join(m for msgs in error.message_dict.values() for m in msgs)
        return JsonResponse({"detail": text}, status=400)
    return JsonResponse({"id": moved.pk, "url": reverse("scheduling:detail", args=[moved.pk])})


def _book_form(request, client, data=None):
    team = client.team
    staff = (
        User.objects.filter(Q(teams=team) | Q(supervised_teams=team), is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )
    interventions = Intervention.objects.filter(
        goal__plan__client=client, goal__plan__status="active"
    ).select_related("goal")
    return AppointmentForm(
        data,
        staff_queryset=staff,
        interventions_queryset=interventions,
        initial={
            "staff": [request.user.pk],
            "kind": AppointmentKind.CASE_MANAGEMENT,
            "duration_minutes": 60,
        },
    )


@login_required
def book(request, client_pk: int):
    """Book an appointment (or a series) for a client, from the chart."""
    client = chart_client(request, client_pk)
    with client.team.local_time():
        form = _book_form(request, client, request.POST or None)
        conflict = False
        if request.method == "POST" and form.is_valid():
            rule = form.rrule()
            if rule == "custom":
                form.add_error("rule", "Give the custom rule, e.g. FREQ=WEEKLY;BYDAY=TU.")
            else:
                try:
                    appointment = services.appointment_create(
                        actor=request.user, client=client, rule=rule, **form.service_values()
                    )
                except (ValidationError, Conflict) as error:
                    conflict = isinstance(error, Conflict)
                    form_add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        "Series booked." if rule else "Appointment booked.",
                    )
                    return redirect("scheduling:detail", pk=appointment.pk)
        return render(
            request,
            "scheduling/book.html",
            chart_context(request, client, "appointments", form=form, conflict=conflict),
        )


@login_required
def client_appointments(request, pk: int):
    """The chart's Appointments tab: coming up, then the past ones."""
    client = chart_client(request, pk)
    with client.team.local_time():
        rows = list(
            appointment_list(user=request.user)
            .filter(client=client)
            .exclude(status=AppointmentStatus.RESCHEDULED)
            .order_by("-starts_at")[:200]
        )
        now = timezone.now()
        upcoming = sorted([a for a in rows if a.ends_at >= now], key=lambda a: a.starts_at)
        past = [a for a in rows if a.ends_at < now]
        return render(
            request,
            "scheduling/client_appointments.html",
            chart_context(request, client, "appointments", upcoming=upcoming, past=past),
        )


@login_required
def appointment_note(request, pk: int):
    """The contact note of a completed appointment, prefilled (date, type, duration,
    goals addressed); saved as a draft on the chart, signed there."""
    appointment = _appointment(request, pk)
    if appointment.contact_note_id is not None:
        return redirect(
            "clients:note_detail", pk=appointment.client_id, note_id=appointment.contact_note_id
        )
    if appointment.status != AppointmentStatus.COMPLETED:
        messages.error(request, "Complete the appointment first.")
        return redirect("scheduling:detail", pk=pk)
    with appointment.team.local_time():
        prefill = services.note_prefill(appointment)
        prefill["contact_at"] = timezone.localtime(prefill["contact_at"])
        form = VisitNoteForm(request.POST or None, initial=prefill)
        if request.method == "POST" and form.is_valid():
            try:
                note = services.appointment_note_write(
                    actor=request.user, appointment=appointment, values=dict(form.cleaned_data)
                )
            except (ValidationError, Conflict, PermissionDenied) as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "Draft saved. Sign it when it is complete: a signed note cannot be changed.",
                )
                return redirect("clients:note_detail", pk=appointment.client_id, note_id=note.pk)
        return render(
            request,
            "scheduling/note_form.html",
            {"appointment": appointment, "client": appointment.client, "form": form},
        )


# ------------------------------------------------------------------- the feed
@login_required
def feed_settings(request):
    """Make (or replace) and revoke the private calendar feed URL."""
    url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, "The feed address no longer works.")
            return redirect("scheduling:feed_settings")
        token = services.calendar_feed_create(user=request.user)
        url = request.build_absolute_uri(reverse("scheduling:feed", args=[token]))
    return render(
        request,
        "scheduling/feed_settings.html",
        {"url": url, "has_feed": feed_exists(user=request.user)},
    )


def feed(request, token: str):
    """The iCalendar feed (no login: the token is the key). No client names, unless the
    team allows initials; no kind of clinical detail beyond the kind of appointment."""
    user = feed_user(token_digest=hashlib.sha256(token.encode()).hexdigest())
    if user is None:
        raise Http404
    body = feed_calendar(user=user)
    audit_record(user=user, action=AuditAction.EXPORT, object_type="scheduling.calendar_feed")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
