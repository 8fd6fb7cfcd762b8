from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .selectors import notification_list, notification_preference_get
from .services import notification_mark_read, notification_preference_set


@login_required
def notification_index(request):
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification_mark_read(user=request.user, notification_id=pk)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:list")


@login_required
def notification_settings(request):
    """One setting: reminder and escalation emails on or off (in-app always on)."""
    preference = notification_preference_get(user=request.user)
    if request.method == "POST":
        preference = notification_preference_set(
            user=request.user, email_reminders=request.POST.get("email_reminders") == "on"
        )
        messages.success(
            request,
            "Reminder emails are on." if preference.email_reminders else "Reminder emails are off.",
        )
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"preference": preference})
