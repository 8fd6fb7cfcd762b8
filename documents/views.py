"""The chart's Documents tab: list, upload, download, entered in error."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casemgmt.lib.errors import Conflict
from casemgmt.lib.forms import form_add_service_error, service_error_text
from clients.chart import chart_client, chart_context
from clients.selectors import consent_list
from referrals.selectors import referral_list, transition_list

from . import selectors, services
from .forms import DocumentUploadForm, EnteredInErrorForm
from .selectors import document_part2_gate


def download_response(download: services.DocumentDownload) -> FileResponse:
    """The file as an attachment, never shown inline: the detected type, ``nosniff``, no
    caching, and a sandbox policy in case a browser opens it anyway."""
    response = FileResponse(
        download.file,
        as_attachment=True,
        filename=download.filename,
        content_type=download.document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["Pragma"] = "no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _upload_form(request, client, data=None, files=None):
    return DocumentUploadForm(
        data,
        files,
        consents=consent_list(client=client),
        transitions=transition_list(user=request.user).filter(client=client),
        referrals=referral_list(user=request.user).filter(client=client),
        initial={
            k: request.GET[k]
            for k in ("consent", "transition", "referral", "kind")
            if k in request.GET
        },
    )


@login_required
def client_documents(request, pk: int):
    client = chart_client(request, pk)
    form = _upload_form(request, client)
    if request.method == "POST":
        form = _upload_form(request, client, request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("file")
            try:
                document = services.document_upload(
                    actor=request.user, client=client, upload=upload, **data
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, f"Uploaded: {document.title}.")
                return redirect("documents:client_documents", pk=client.pk)
    documents = list(selectors.document_list(user=request.user, client=client))
    context = chart_context(
        request,
        client,
        "documents",
        form=form,
        current=[d for d in documents if d.is_current],
        in_error=[d for d in documents if not d.is_current],
        error_form=EnteredInErrorForm(),
        part2_closed=not document_part2_gate(user=request.user, client=client).allowed,
    )
    return render(request, "documents/client_documents.html", context)


@login_required
def document_download_view(request, pk: int, document_id: int):
    client = chart_client(request, pk, audit=False)  # the download is audited itself
    document = selectors.document_get(user=request.user, client=client, document_id=document_id)
    download = services.document_download(user=request.user, client=client, document=document)
    return download_response(download)


@login_required
@require_POST
def document_entered_in_error(request, pk: int, document_id: int):
    client = chart_client(request, pk, audit=False)
    document = selectors.document_get(user=request.user, client=client, document_id=document_id)
    form = EnteredInErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why it was entered in error.")
        return redirect("documents:client_documents", pk=client.pk)
    try:
        services.document_mark_entered_in_error(
            actor=request.user, document=document, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, Conflict) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request, f"Marked entered in error: {document.title}. It stays in the record."
        )
    return redirect("documents:client_documents", pk=client.pk)
