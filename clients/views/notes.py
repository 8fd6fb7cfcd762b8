"""Contact notes on the client chart: the list, a new draft, a note with its addenda,
editing a draft (its author only, optimistic locking), signing (locks it) and addenda.

Dates and times are read and shown in the time zone of the client's team.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.accounts.models import AuthenticatedHttpRequest
from casemgmt.accounts.selectors import user_supervises_team
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error
from casemgmt.lib.pdf import pdf_render

from .. import services
from ..chart import chart_client, chart_context
from ..forms_notes import AddendumForm, ContactNoteFilter, NoteForm, NoteSignForm
from ..models import Client, ContactNote, ContactType
from ..selectors import client_has_substance_use_diagnosis, note_get, note_list
from ..services.notes import note_heading

NOTES_PER_PAGE = 25


def _note(request: AuthenticatedHttpRequest, pk: int, note_id: int, *, audit: bool = True):
    """The client (in reach, else 404) and one of its notes; reading it is audited."""
    client = chart_client(request, pk, audit=False)
    note = note_get(client=client, note_id=note_id)
    if audit:
        services.client_read_audit(user=request.user, client=client, obj=note)
    return client, note


def _detail_context(request, client: Client, note: ContactNote, **extra) -> dict:
    is_author = note.author_id == request.user.pk
    note.heading = note_heading(note)
    return chart_context(
        request,
        client,
        "notes",
        note=note,
        is_author=is_author,
        can_edit=is_author and not note.is_signed,
        can_cosign=note.awaits_cosignature
        and not is_author
        and user_supervises_team(user=request.user, team=client.team),
        sign_form=NoteSignForm(initial={"version": note.version}),
        **({"addendum_form": AddendumForm()} | extra),
    )


@login_required
def note_index(request, pk: int):
    client = chart_client(request, pk)
    with client.team.local_time():
        filterset = ContactNoteFilter(request.GET, queryset=note_list(client=client))
        page = Paginator(filterset.qs, NOTES_PER_PAGE).get_page(request.GET.get("page"))
        for note in page.object_list:
            note.heading = note_heading(note)
        my_drafts = note_list(client=client).filter(author=request.user, signed_at__isnull=True)
        query = request.GET.copy()
        query.pop("page", None)
        context = chart_context(
            request,
            client,
            "notes",
            filter=filterset,
            page=page,
            query=query.urlencode(),
            my_draft_count=my_drafts.count(),
        )
        return render(request, "clients/notes/index.html", context)


@login_required
def note_new(request, pk: int):
    client = chart_client(request, pk)
    with client.team.local_time():
        form = NoteForm(
            request.POST or None,
            client=client,
            presume_substance_use=client_has_substance_use_diagnosis(client=client),
        )
        if not form.is_bound:  # "Record a collateral contact" from Family & contacts
            if request.GET.get("contact_type") in ContactType.values:
                form.initial["contact_type"] = request.GET["contact_type"]
            person = request.GET.get("related_person", "")
            if person.isdigit() and len(person) < 10:
                form.initial["related_person"] = int(person)
        if request.method == "POST" and form.is_valid():
            try:
                note = services.note_create(actor=request.user, client=client, **form.note_values())
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "Draft saved. Sign it when it is complete: a signed note cannot be changed.",
                )
                return redirect("clients:note_detail", pk=client.pk, note_id=note.pk)
        return render(
            request, "clients/notes/form.html", chart_context(request, client, "notes", form=form)
        )


@login_required
def note_detail(request, pk: int, note_id: int):
    client, note = _note(request, pk, note_id)
    with client.team.local_time():
        return render(request, "clients/notes/detail.html", _detail_context(request, client, note))


@login_required
def note_edit(request, pk: int, note_id: int):
    """Edit a draft. A signed note is refused with the reason; nothing is saved."""
    client, note = _note(request, pk, note_id)
    if note.author_id != request.user.pk:
        raise PermissionDenied(f"Only {note.author.display_name} can edit this draft.")
    if request.method != "POST" and note.is_signed:
        messages.error(request, "This note is signed and locked. Add an addendum instead.")
        return redirect("clients:note_detail", pk=client.pk, note_id=note.pk)
    with client.team.local_time():
        form = NoteForm(request.POST or None, note=note, client=client)
        conflict = None
        if request.method == "POST" and form.is_valid():
            version = form.cleaned_data["version"]
            try:
                services.note_update(
                    actor=request.user,
                    note=note,
                    data=form.note_values(),
                    expected_version=version if version is not None else -1,
                )
            except Conflict as error:
                conflict = error
                fresh = note_get(client=client, note_id=note.pk)
                if not fresh.is_signed:
                    form.show_current(fresh)
                form.add_error(None, error.message)
            except (ValidationError, PermissionDenied) as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, "Draft saved.")
                return redirect("clients:note_detail", pk=client.pk, note_id=note.pk)
        note.heading = note_heading(note)
        context = chart_context(request, client, "notes", form=form, note=note, conflict=conflict)
        return render(request, "clients/notes/form.html", context)


@login_required
@require_POST
def note_sign(request, pk: int, note_id: int):
    """Sign a draft (the page asks for confirmation first). Only the author signs."""
    client, note = _note(request, pk, note_id, audit=False)
    form = NoteSignForm(request.POST)
    with client.team.local_time():
        if not form.is_valid():
            messages.error(request, "The note could not be signed: reload it and try again.")
        else:
            try:
                services.note_sign(
                    actor=request.user, note=note, expected_version=form.cleaned_data["version"]
                )
            except Conflict as error:
                messages.error(request, error.message)
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else error
                messages.error(request, f"The note could not be signed: {text}")
            else:
                messages.success(
                    request,
                    "Note signed. It is now locked; add an addendum for anything new.",
                )
    return redirect("clients:note_detail", pk=client.pk, note_id=note.pk)


@login_required
@require_POST
def note_addendum(request, pk: int, note_id: int):
    """Add an addendum to a signed note. With HTMX only the addenda are swapped in."""
    client, note = _note(request, pk, note_id, audit=False)
    form = AddendumForm(request.POST)
    added = None
    with client.team.local_time():
        if form.is_valid():
            try:
                added = services.note_addendum_add(
                    actor=request.user, note=note, text=form.cleaned_data["text"]
                )
            except (ValidationError, Conflict) as error:
                form_add_service_error(form, error)
            else:
                form = AddendumForm()
                note = note_get(client=client, note_id=note.pk)
        if request.headers.get("HX-Request"):
            context = {"client": client, "note": note, "addendum_form": form, "added": added}
            return render(request, "clients/notes/_addenda.html", context)
        if added is not None:
            messages.success(request, "Addendum added.")
            return redirect("clients:note_detail", pk=client.pk, note_id=note.pk)
        context = _detail_context(request, client, note, addendum_form=form)
        return render(request, "clients/notes/detail.html", context)


@login_required
@require_POST
def note_cosign(request, pk: int, note_id: int):
    """Co-sign a signed note (a supervisor of the client's team; the page confirms
    first). Back to the note, or to the co-signature queue when it came from there."""
    client, note = _note(request, pk, note_id, audit=False)
    try:
        services.note_cosign(actor=request.user, note=note)
    except (Conflict, PermissionDenied) as error:
        text = error.message if isinstance(error, Conflict) else str(error)
        messages.error(request, f"The note was not co-signed: {text}")
    else:
        messages.success(request, f"Note for {client.display_name} co-signed.")
        if request.POST.get("next") == "queue":
            return redirect("dashboard:queue_cosign")
    return redirect("clients:note_detail", pk=client.pk, note_id=note.pk)


@login_required
def note_pdf(request, pk: int, note_id: int):
    """The note as a PDF for the paper record: the DAP text, addenda, the author's
    signature and the supervisor's co-signature. Audited as a print; with the 42 CFR 2.32
    notice for a client with a substance use diagnosis."""

    client, note = _note(request, pk, note_id, audit=False)
    audit_record(
        user=request.user,
        action=AuditAction.PRINT,
        obj=note,
        client_id=client.pk,
        detail={"format": "pdf"},
    )
    note.heading = note_heading(note)
    with client.team.local_time():
        html = render_to_string(
            "clients/notes/pdf.html",
            {
                "client": client,
                "note": note,
                "printed_at": timezone.now(),
                "user": request.user,
                "part2": client_has_substance_use_diagnosis(client=client),
            },
            request=request,
        )
    response = HttpResponse(pdf_render(html), content_type="application/pdf")
    name = f"note-{client.client_number}-{note.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
