"""The supervisor's queues (``dashboard.queues``): plans awaiting approval (approve or
return from the list, through the careplans services), notes to co-sign, consents
expiring, clients with no recent contact. Supervisors and admins; others 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from careplans.selectors import careplan_list_in_reach
from careplans.services import careplan_approve, careplan_return
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict

from .context_processors import cached_queue_counts, queue_counts_forget
from .queues import BY_KEY, QUEUES, queue_items
from .selectors import can_see_team_dashboard

PER_PAGE = 25


def _require_supervisor(request) -> None:
    if not can_see_team_dashboard(request.user):
        raise PermissionDenied


def _queue_page(request, key: str, *, status: int = 200, **extra):
    _require_supervisor(request)
    queue = BY_KEY[key]
    page = Paginator(queue_items(key, user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    audit_record(user=request.user, action=AuditAction.VIEW, object_type=f"dashboard.queue_{key}")
    counts = cached_queue_counts(request.user)
    context = {
        "queue": queue,
        "queues": QUEUES,
        "counts": counts,
        "queue_counts": counts,  # the top bar's, counted once
        "queue_total": sum(counts.values()),
        "page": page,
        "today": timezone.localdate(),
        "now": timezone.now(),
        **extra,
    }
    return render(request, f"dashboard/queues/{key}.html", context, status=status)


@login_required
def queues(request):
    """The four queues with their counts and rules."""
    _require_supervisor(request)
    counts = cached_queue_counts(request.user)
    return render(
        request,
        "dashboard/queues/index.html",
        {
            "queues": QUEUES,
            "counts": counts,
            "queue_counts": counts,
            "queue_total": sum(counts.values()),
            "rows": [(q, counts[q.key]) for q in QUEUES],
        },
    )


@login_required
def approvals(request):
    return _queue_page(request, "approvals")


@login_required
def cosign(request):
    return _queue_page(request, "cosign")


@login_required
def consents(request):
    return _queue_page(request, "consents")


@login_required
def no_contact(request):
    return _queue_page(request, "no_contact")


def _plan(request, plan_id: int):
    """A plan of a client in reach (else 404), locked by the service that changes it."""
    _require_supervisor(request)
    plan = careplan_list_in_reach(user=request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such care plan")
    return plan


@login_required
@require_POST
def approve(request, plan_id: int):
    """Approve a plan from the queue (the page confirms first)."""
    plan = _plan(request, plan_id)
    try:
        careplan_approve(actor=request.user, plan=plan)
    except (Conflict, PermissionDenied) as error:
        text = error.message if isinstance(error, Conflict) else str(error)
        messages.error(request, f"Care plan for {plan.client.display_name} not approved: {text}")
    else:
        queue_counts_forget(request.user)
        messages.success(
            request,
            f"Care plan v{plan.version} for {plan.client.display_name} approved; the author "
            "was notified.",
        )
    return redirect("dashboard:queue_approvals")


@login_required
@require_POST
def return_plan(request, plan_id: int):
    """Return a plan for changes with comments. Without comments the queue is shown again
    with the message next to that plan's field and nothing lost (400)."""
    plan = _plan(request, plan_id)
    comments = request.POST.get("comments", "")
    try:
        careplan_return(actor=request.user, plan=plan, comments=comments)
    except ValidationError as error:
        text = " ".join(error.message_dict.get("comments", error.messages))
        return _queue_page(
            request,
            "approvals",
            status=400,
            return_error={"plan": plan.pk, "message": text, "comments": comments},
        )
    except (Conflict, PermissionDenied) as error:
        text = error.message if isinstance(error, Conflict) else str(error)
        messages.error(request, f"Care plan for {plan.client.display_name} not returned: {text}")
    else:
        queue_counts_forget(request.user)
        messages.success(
            request,
            f"Care plan v{plan.version} for {plan.client.display_name} returned to its author "
            "with your comments.",
        )
    return redirect("dashboard:queue_approvals")
