from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .filters import AuditEventFilter
from .selectors import audit_event_list


@login_required
def audit_list(request):
    events = AuditEventFilter(request.GET, queryset=audit_event_list(user=request.user))
    page = Paginator(events.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {"filter": events, "page": page, "query": query.urlencode()},
    )
