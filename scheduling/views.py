"""Calendar pages and the appointment forms. Times are shown in the team's time zone."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from clients.services import client_read_audit

from .selectors import appointment_get


@login_required
def appointment_detail(request, pk: int):
    appointment = appointment_get(user=request.user, appointment_id=pk)
    client_read_audit(user=request.user, client=appointment.client, obj=appointment)
    with appointment.team.local_time():
        return render(request, "scheduling/appointment_detail.html", {"appointment": appointment})
