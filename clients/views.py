from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from .filters import ClientFilter
from .forms import ClientForm
from .selectors import client_get, client_list
from .services import client_create, client_update


@login_required
def client_index(request):
    filterset = ClientFilter(request.GET, queryset=client_list(user=request.user), request=request)
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    audit_record(
        user=request.user,
        action=AuditAction.VIEW,
        object_type="clients.client_list",
        detail={"filters": sorted(k for k, v in request.GET.items() if v and k != "page")},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clients/client_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def client_detail(request, pk: int):
    client = client_get(user=request.user, client_id=pk)
    audit_record(user=request.user, action=AuditAction.VIEW, obj=client, client_id=client.pk)
    return render(request, "clients/client_detail.html", {"client": client})


@login_required
def client_new(request):
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            client = client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": None})


@login_required
def client_edit(request, pk: int):
    client = client_get(user=request.user, client_id=pk)
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            client_update(actor=request.user, client=client, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})
