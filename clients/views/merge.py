"""Merging duplicate records (program admins): the duplicates the intake check finds,
the two records side by side with a choice per field, the merge, and its undo."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import StyledForm, form_add_service_error, service_error_text

from .. import services
from ..models import Client
from ..selectors import (
    client_get,
    client_list,
    client_merge_get,
    client_merge_list,
    client_possible_duplicates,
)


def _admin(request) -> None:
    if not request.user.is_admin_role:
        raise PermissionDenied


def _in_reach(request, pk: int) -> Client:
    client = client_get(user=request.user, client_id=pk)
    if client.emergency_access is not None:  # break the glass opens, never merges
        raise Http404
    return client


def _label(name: str) -> str:
    return str(getattr(Client._meta.get_field(name), "verbose_name", name)).capitalize()


def _shown(client: Client, name: str) -> str:
    field = Client._meta.get_field(name)
    value = getattr(client, name)
    if getattr(field, "choices", None) and not isinstance(value, list):
        return str(getattr(client, f"get_{name}_display")() or "—")
    if isinstance(value, list):
        labels = dict(field.base_field.choices or []) if hasattr(field, "base_field") else {}
        return ", ".join(str(labels.get(v, v)) for v in value) or "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%b %-d, %Y")
    return str(value) if value not in (None, "") else "—"


class MergeForm(StyledForm):
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="e.g. same name, date of birth and Medicaid number; registered twice.",
    )
    confirm = forms.BooleanField(
        label="I have checked that these two records are the same person.", required=True
    )

    def __init__(self, *args, survivor: Client, duplicate: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for name in services.MERGE_FIELDS:
            mine, theirs = getattr(survivor, name), getattr(duplicate, name)
            if mine == theirs:
                continue
            label = _label(name)
            self.fields[f"take_{name}"] = forms.ChoiceField(
                label=label,
                choices=[
                    ("survivor", _shown(survivor, name)),
                    ("duplicate", _shown(duplicate, name)),
                ],
                initial="duplicate" if mine in (None, "", []) else "survivor",
                widget=forms.RadioSelect,
            )
            self.rows.append(name)

    def taken(self) -> list[str]:
        return [n for n in self.rows if self.cleaned_data.get(f"take_{n}") == "duplicate"]


def _counts(survivor: Client, duplicate: Client) -> list[dict]:
    """How many records of each kind point at each client (one query per kind)."""
    lines = []
    for relation in services.client_merge_relations():
        rows = relation.model._base_manager.filter(
            **{f"{relation.field}__in": [survivor.pk, duplicate.pk]}
        )
        by_client = dict(rows.order_by().values_list(relation.field).annotate(n=Count("pk")))
        if by_client:
            lines.append(
                {
                    "label": str(relation.model._meta.verbose_name_plural).capitalize(),
                    "survivor": by_client.get(survivor.pk, 0),
                    "duplicate": by_client.get(duplicate.pk, 0),
                }
            )
    return lines


@login_required
def merge_candidates(request, pk: int):
    """The possible duplicates of a record (the intake check), or one typed by number."""
    _admin(request)
    client = _in_reach(request, pk)
    found, _elsewhere = client_possible_duplicates(
        user=request.user,
        first_name=client.first_name,
        last_name=client.last_name,
        date_of_birth=client.date_of_birth,
        exclude_id=client.pk,
    )
    number = (request.GET.get("number") or "").strip().upper()
    typed = None
    if number:
        typed = client_list(user=request.user).filter(client_number=number).exclude(pk=pk).first()
        if typed is None:
            messages.warning(request, f"No other record in reach has the number {number}.")
        else:
            return redirect("clients:merge_compare", pk=pk, other_pk=typed.pk)
    audit_record(
        user=request.user,
        action=AuditAction.VIEW,
        object_type="clients.merge_candidates",
        client_id=client.pk,
        detail={"candidates": [c.pk for c in found]},
    )
    return render(request, "clients/merge_candidates.html", {"client": client, "found": found})


@login_required
def merge_compare(request, pk: int, other_pk: int):
    """The two records side by side: ``pk`` survives, ``other_pk`` is merged into it."""
    _admin(request)
    survivor, duplicate = _in_reach(request, pk), _in_reach(request, other_pk)
    if survivor.pk == duplicate.pk:
        raise Http404
    form = MergeForm(request.POST or None, survivor=survivor, duplicate=duplicate)
    if request.method == "POST" and form.is_valid():
        try:
            merge = services.client_merge(
                actor=request.user,
                survivor=survivor,
                duplicate=duplicate,
                take_from_duplicate=form.taken(),
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, Conflict) as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{duplicate.client_number} was merged into {survivor.client_number}. "
                f"It can be undone until {services.merge_undo_until(merge):%b %-d, %Y} "
                "from Merged records.",
            )
            return redirect("clients:detail", pk=survivor.pk)
    for client in (survivor, duplicate):
        audit_record(
            user=request.user,
            action=AuditAction.VIEW,
            obj=client,
            client_id=client.pk,
            detail={"page": "merge_compare"},
        )
    same = [
        {
            "label": _label(n),
            "value": _shown(survivor, n),
        }
        for n in services.MERGE_FIELDS
        if n not in form.rows and getattr(survivor, n) not in (None, "", [])
    ]
    return render(
        request,
        "clients/merge_compare.html",
        {
            "survivor": survivor,
            "duplicate": duplicate,
            "form": form,
            "choices": [form[f"take_{n}"] for n in form.rows],
            "same": same,
            "counts": _counts(survivor, duplicate),
        },
    )


class UnmergeForm(StyledForm):
    reason = forms.CharField(label="Why undo this merge?", max_length=2000)


@login_required
def merge_list(request):
    """Merged records, newest first, with the undo while it is allowed."""
    _admin(request)
    merges = list(client_merge_list(user=request.user)[:200])
    now = timezone.now()
    for merge in merges:
        merge.undo_until = services.merge_undo_until(merge)
        merge.can_undo = merge.unmerged_at is None and now <= merge.undo_until
    audit_record(user=request.user, action=AuditAction.VIEW, object_type="clients.merge_list")
    return render(request, "clients/merge_list.html", {"merges": merges, "form": UnmergeForm()})


@login_required
@require_POST
def merge_undo(request, merge_id: int):
    _admin(request)
    merge = client_merge_get(user=request.user, merge_id=merge_id)
    form = UnmergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the merge is undone.")
        return redirect("clients:merge_list")
    try:
        services.client_unmerge(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request,
            f"The merge was undone: {merge.merged.client_number} is a record of its own again.",
        )
    return redirect("clients:merge_list")
