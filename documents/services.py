"""Writes for documents: upload, mark entered in error, and download (a read that leaves
the program, so it is gated and audited here).

Rules:
- The file's type is told by its content (``casemgmt.lib.uploads``, puremagic): PDF,
  JPEG, PNG, TIFF, HEIC/HEIF. A file whose content is none of these is refused whatever
  its name says; one over ``DOCUMENT_MAX_MB`` is refused, saying its size and the limit.
- A document attached to a 42 CFR Part 2 consent, to a care transition for substance use
  (or a withdrawal management or residential stay) or to a referral sharing substance use
  information holds substance use information, whatever the form said: 42 CFR 2.11
  ("Records": any information that identifies a patient as having a substance use
  disorder, created by a Part 2 program) and 2.12(e)(3) (restrictions follow the record).
- Downloads: every one is audited (``export``; ``emergency_access`` when the chart was
  opened by break the glass). A document holding substance use information reaches an
  outside organisation's account only under an active Part 2 consent naming that
  organisation (``clients.selectors.consent_allows_disclosure``, as the FHIR API and
  the referral packet), and each such download is entered in the client's accounting of
  disclosures (42 CFR 2.24 / 2.31; ``referrals.services.disclosure_record_api``).
- Nothing is deleted: a wrong upload is entered in error with a reason and stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.errors import Conflict
from casemgmt.lib.uploads import EXTENSIONS, detect_content_type, file_head, file_sha256
from clients.models import Client, Consent, ConsentKind
from clients.services import timeline_record
from referrals.models import CareTransition, LevelOfCare, Referral, VisitFocus
from referrals.services import disclosure_record_api

from .models import Document, DocumentKind, DocumentStatus
from .selectors import document_part2_gate

ALLOWED_TYPES = tuple(EXTENSIONS)
TYPE_NAMES = "a PDF or an image (JPEG, PNG, TIFF, HEIC)"


def document_max_bytes() -> int:
    return int(settings.DOCUMENT_MAX_MB) * 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _presumed_substance_use(
    consent: Consent | None, transition: CareTransition | None, referral: Referral | None
) -> bool:
    """Attached to a record about substance use: the document is one too."""
    if consent is not None and consent.kind == ConsentKind.PART2:
        return True
    if transition is not None and (
        transition.focus == VisitFocus.SUBSTANCE_USE
        or LevelOfCare.WITHDRAWAL in (transition.from_level, transition.to_level)
    ):
        return True
    return referral is not None and referral.discloses_substance_use


@transaction.atomic
def document_upload(
    *,
    actor: User,
    client: Client,
    upload: UploadedFile,
    kind: str,
    title: str = "",
    description: str = "",
    document_date: date | None = None,
    holds_substance_use: bool = False,
    consent: Consent | None = None,
    transition: CareTransition | None = None,
    referral: Referral | None = None,
) -> Document:
    """Store ``upload`` for ``client``. ``ValidationError`` names the field: ``file``
    (empty, too large, not a PDF or an image by its content), ``kind``, ``consent``,
    ``transition``, ``referral`` (not this client's), ``document_date`` (in the future)."""
    errors: dict[str, list[str]] = {}
    content_type = None
    if upload is None:
        errors["file"] = ["Choose the file to upload."]
    elif not upload.size:
        errors["file"] = ["The file is empty."]
    elif upload.size > document_max_bytes():
        errors["file"] = [
            f"The file is {_megabytes(upload.size)} MB; the limit is "
            f"{settings.DOCUMENT_MAX_MB} MB. Scan it at a lower resolution or in parts."
        ]
    else:
        content_type = detect_content_type(file_head(upload), allowed=ALLOWED_TYPES)
        if content_type is None:
            errors["file"] = [
                f"This file is not {TYPE_NAMES}, whatever its name says. Upload the scan "
                "as a PDF or a photo."
            ]
    if kind not in DocumentKind.values:
        errors["kind"] = ["Choose what the document is."]
    if document_date is not None and document_date > client.team.local_date():
        errors["document_date"] = ["The date on the document cannot be in the future."]
    for field, obj in (("consent", consent), ("transition", transition), ("referral", referral)):
        if obj is not None and obj.client_id != client.pk:
            errors[field] = ["Choose one of this client's records."]
    if errors:
        raise ValidationError(errors)
    assert upload is not None and content_type is not None
    title = (title or "").strip()[:200] or DocumentKind(kind).label
    document = Document(
        client=client,
        kind=kind,
        title=title,
        description=(description or "").strip(),
        document_date=document_date,
        original_name=(upload.name or "")[-255:],
        content_type=content_type,
        size=upload.size or 0,
        sha256=file_sha256(upload),
        holds_substance_use=bool(holds_substance_use)
        or _presumed_substance_use(consent, transition, referral),
        consent=consent,
        transition=transition,
        referral=referral,
        uploaded_by=actor,
    )
    # The stored name is random (``document_path``), with the detected type's extension.
    document.file.save(f"upload{EXTENSIONS[content_type]}", upload, save=False)
    stored = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored)  # no row points to it: do not keep it
        raise
    audit_record(
        user=actor,
        action=AuditAction.CREATE,
        obj=document,
        client_id=client.pk,
        detail={"kind": kind, "bytes": document.size, "content_type": content_type},
    )
    timeline_record(
        client=client,
        kind="document",
        actor=actor,
        obj=document,
        summary=f"Document uploaded: {document.get_kind_display()} ({document.title})"[:300],
        link=reverse("documents:client_documents", args=[client.pk]),
    )
    return document


@transaction.atomic
def document_mark_entered_in_error(*, actor: User, document: Document, reason: str) -> Document:
    """Mark a document entered in error (wrong client, wrong file, ...). It stays in the
    record and its file is kept; only the reason and who did it are added."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.status == DocumentStatus.ENTERED_IN_ERROR:
        raise Conflict("This document is already marked entered in error.", field="status")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why it was entered in error."]})
    current.status = DocumentStatus.ENTERED_IN_ERROR
    current.entered_in_error_reason = reason.strip()
    current.entered_in_error_at = timezone.now()
    current.entered_in_error_by = actor
    current.save(
        update_fields=[
            "status",
            "entered_in_error_reason",
            "entered_in_error_at",
            "entered_in_error_by",
        ]
    )
    audit_record(
        user=actor,
        action=AuditAction.UPDATE,
        obj=current,
        client_id=current.client_id,
        detail={"status": "entered_in_error"},
    )
    timeline_record(
        client=current.client_id,
        kind="document",
        actor=actor,
        obj=current,
        summary=f"Document entered in error: {current.title} ({current.entered_in_error_reason})"[
            :300
        ],
    )
    return current


@dataclass(frozen=True)
class DocumentDownload:
    """An opened document file and how to send it."""

    document: Document
    file: IO[bytes]
    filename: str


def download_filename(document: Document) -> str:
    """A plain name for the saved file: the title's letters and digits, the date, and the
    extension of the detected type (never the uploaded name's)."""
    stem = "".join(c if c.isalnum() or c in " -_" else " " for c in document.title)
    stem = "-".join(stem.split())[:80] or "document"
    day = f"-{document.document_date:%Y-%m-%d}" if document.document_date else ""
    return f"{stem}{day}{document.extension}"


@transaction.atomic
def document_download(*, user: User, client: Client, document: Document) -> DocumentDownload:
    """Open ``document`` for ``user`` (the caller fetched ``client`` in reach, and the
    document from it). Audited; the Part 2 gate for outside organisations (a 404 when
    closed, as if it were not there) and their accounting of disclosures."""
    if document.client_id != client.pk:
        raise Http404
    gate = document_part2_gate(user=user, client=client)
    if document.holds_substance_use and not gate.allowed:
        raise Http404
    emergency = getattr(client, "emergency_access", None)  # set by client_get
    action = AuditAction.EMERGENCY_ACCESS if emergency else AuditAction.EXPORT
    audit_record(
        user=user,
        action=action,
        obj=document,
        client_id=client.pk,
        detail={"download": True, "kind": document.kind, "bytes": document.size},
    )
    if document.holds_substance_use and gate.outside and gate.consent is not None:
        disclosure_record_api(
            actor=user,
            client=client,
            recipient=gate.recipient,
            consent=gate.consent,
            information=f"Document {document.pk} ({document.get_kind_display()})",
            when=timezone.now(),
            channel="document download",
        )
    handle = document.file.open("rb")
    return DocumentDownload(document=document, file=handle, filename=download_filename(document))
